package main

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// nameKey is the KV key of a recording's pretty name.
func nameKey(id uint64) string { return "name/" + strconv.FormatUint(id, 10) }

// recordingKey is the catalogue id of the recording Janus numbers id.
func recordingKey(id uint64) string { return strconv.FormatUint(id, 10) }

// newID picks a JavaScript-safe random recording number.
func newID() uint64 { return rand.Uint64N(maxSafeID) + 1 }

// listEntry is a recording as the "list" request shows it.
type listEntry struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	Date       string `json:"date"`
	Audio      string `json:"audio,omitempty"`
	Video      string `json:"video,omitempty"`
	AudioCodec string `json:"audio_codec,omitempty"`
	VideoCodec string `json:"video_codec,omitempty"`
}

// list returns the catalogue's Record&Play recordings, oldest first. Entries
// whose id is not a number were not made by this extension and are left out.
func (rp *recordPlay) list(ctx context.Context) ([]listEntry, error) {
	recs, err := rp.core.ListRecordings(ctx, pluginPackage, "")
	if err != nil {
		return nil, err
	}
	names, err := rp.core.KVList(ctx, "name/")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b sdk.Recording) int { return a.StartedAt.Compare(b.StartedAt) })
	out := make([]listEntry, 0, len(recs))
	for _, rec := range recs {
		id, err := strconv.ParseUint(rec.ID, 10, 64)
		if err != nil || id == 0 || id > maxSafeID {
			continue
		}
		e := listEntry{ID: id, Name: string(names[nameKey(id)]), Date: rec.StartedAt.Format("2006-01-02 15:04:05")}
		if e.Name == "" {
			e.Name = rec.ID
		}
		for _, t := range rec.Tracks {
			base := strings.TrimSuffix(filepath.Base(t.Path), filepath.Ext(t.Path))
			switch t.Kind {
			case "audio":
				e.Audio, e.AudioCodec = base, codecName(t.Codec)
			case "video":
				e.Video, e.VideoCodec = base, codecName(t.Codec)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// codecName is a catalogue codec ("audio/opus" or "VP8") as Janus names it ("opus", "vp8").
func codecName(c string) string {
	c = strings.ToLower(c)
	return c[strings.LastIndexByte(c, '/')+1:]
}
