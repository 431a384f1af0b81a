package recorder

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/reprise-rtc/reprise/storage"
)

// Repair finishes the recordings that a gateway killed mid-recording left
// behind. It must run before any track is started (at gateway start-up),
// since it takes every catalogue track that is not complete for one whose
// writer died.
//
// For each such track whose recording has not ended yet it cuts off a page
// or frame the kill left half-written, recomputes the duration from the
// file (IVF: the frames' timestamps, which it also writes into the IVF
// header so players show the right length; Ogg: the last granule position;
// H.264 has no timestamps, so the last progress the track stored is kept)
// and stores it. The track stays incomplete (complete = 0), which is what
// marks it as cut short; its recording gets an ended_at (the time its files
// were last written) and also stays incomplete, so Repair leaves it alone
// the next time. repaired counts the tracks updated. A track whose file
// cannot be repaired is logged and skipped; err reports the catalogue
// failing.
func Repair(ctx context.Context, store *storage.DB) (repaired int, err error) {
	tracks, err := store.IncompleteRecordingTracks(ctx)
	if err != nil {
		return 0, fmt.Errorf("recorder: repair: %w", err)
	}
	ended := map[string]time.Time{} // recording ID → last write to its files
	var order []string
	for _, tr := range tracks {
		if _, seen := ended[tr.RecordingID]; !seen {
			rec, err := store.Recording(ctx, tr.RecordingID)
			if err != nil {
				return repaired, fmt.Errorf("recorder: repair: %w", err)
			}
			if !rec.EndedAt.IsZero() {
				continue // finished, or already repaired
			}
			ended[tr.RecordingID] = rec.StartedAt
			order = append(order, tr.RecordingID)
		}
		progress, modTime, err := repairFile(tr)
		if err != nil {
			slog.Warn("cannot repair recording track", "recording_track", tr.ID, "path", tr.Path, "err", err)
			continue
		}
		if modTime.After(ended[tr.RecordingID]) {
			ended[tr.RecordingID] = modTime
		}
		if err := store.UpdateRecordingTrackProgress(ctx, tr.ID, progress); err != nil {
			return repaired, fmt.Errorf("recorder: repair: %w", err)
		}
		slog.Info("repaired recording track", "recording_track", tr.ID, "path", tr.Path,
			"duration", progress.Duration)
		repaired++
	}
	for _, id := range order {
		if err := store.EndRecordingIncomplete(ctx, id, ended[id]); err != nil {
			return repaired, fmt.Errorf("recorder: repair: %w", err)
		}
	}
	return repaired, nil
}

// repairFile repairs the file of tr and returns the track's progress as
// the file shows it, and when the file was last written.
func repairFile(tr storage.RecordingTrack) (storage.RecordingTrackProgress, time.Time, error) {
	progress := storage.RecordingTrackProgress{
		LastRTPTS: tr.LastRTPTS, Packets: tr.Packets, Bytes: tr.Bytes, Duration: tr.Duration,
	}
	c, err := codecOf(tr.Codec)
	if err != nil {
		return progress, time.Time{}, err
	}
	f, err := os.OpenFile(tr.Path, os.O_RDWR, 0)
	if err != nil {
		return progress, time.Time{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return progress, time.Time{}, err
	}
	modTime := info.ModTime()
	switch c.extension() {
	case ".ivf":
		d, err := repairIVF(f, info.Size())
		if err != nil {
			return progress, modTime, err
		}
		progress.Duration = d
	case ".ogg":
		d, err := repairOgg(f, info.Size())
		if err != nil {
			return progress, modTime, err
		}
		progress.Duration = d
	}
	if err := f.Close(); err != nil {
		return progress, modTime, err
	}
	return progress, modTime, nil
}

// ivfHeaderLen and ivfFrameHeaderLen are the sizes of the IVF file header
// and of the header before each frame (size, then PTS).
const (
	ivfHeaderLen      = 32
	ivfFrameHeaderLen = 12
)

// repairIVF truncates f after its last whole frame, writes the stream's
// length into the header and returns the duration from the first frame's
// PTS to the last one's.
func repairIVF(f *os.File, size int64) (time.Duration, error) {
	var hdr [ivfHeaderLen]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return 0, fmt.Errorf("ivf header: %w", err)
	}
	if string(hdr[:4]) != "DKIF" {
		return 0, errors.New("not an IVF file")
	}
	rate, scale := uint64(binary.LittleEndian.Uint32(hdr[16:])), uint64(binary.LittleEndian.Uint32(hdr[20:]))
	if rate == 0 || scale == 0 {
		return 0, errors.New("IVF header has no time base")
	}
	var (
		fh               [ivfFrameHeaderLen]byte
		pos              = int64(ivfHeaderLen)
		frames           uint64
		firstPTS, lastPT uint64
	)
	for pos+ivfFrameHeaderLen <= size {
		if _, err := f.ReadAt(fh[:], pos); err != nil {
			return 0, fmt.Errorf("ivf frame header: %w", err)
		}
		end := pos + ivfFrameHeaderLen + int64(binary.LittleEndian.Uint32(fh[:]))
		if end > size {
			break // the frame the kill interrupted
		}
		pts := binary.LittleEndian.Uint64(fh[4:])
		if frames == 0 {
			firstPTS = pts
		}
		lastPT = pts
		frames++
		pos = end
	}
	if pos < size {
		if err := f.Truncate(pos); err != nil {
			return 0, fmt.Errorf("cut off partial frame: %w", err)
		}
	}
	var ticks uint64
	if lastPT > firstPTS {
		ticks = lastPT - firstPTS
	}
	nominal := rate / scale / 30 // one frame at 30 fps, in time-base units
	if err := writeIVFLength(f, ivfLength(ticks, frames, nominal)); err != nil {
		return 0, fmt.Errorf("write ivf length: %w", err)
	}
	return ticksDuration(float64(ticks) * float64(scale) / float64(rate)), nil
}

// oggPageHeaderLen is the fixed part of an Ogg page header; the segment
// table follows it.
const oggPageHeaderLen = 27

// repairOgg truncates f after its last whole page and returns the duration
// its last granule position gives. The granule positions follow the RTP
// timestamps (silences included) from 0 at the first packet, at Opus's
// 48 kHz.
func repairOgg(f *os.File, size int64) (time.Duration, error) {
	var (
		hdr     [oggPageHeaderLen]byte
		seg     [255]byte
		pos     int64
		granule uint64
	)
	for pos+oggPageHeaderLen <= size {
		if _, err := f.ReadAt(hdr[:], pos); err != nil {
			return 0, fmt.Errorf("ogg page: %w", err)
		}
		if string(hdr[:4]) != "OggS" {
			break // garbage from here on: cut it off too
		}
		n := int(hdr[26])
		if pos+oggPageHeaderLen+int64(n) > size {
			break
		}
		if _, err := f.ReadAt(seg[:n], pos+oggPageHeaderLen); err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("ogg segment table: %w", err)
		}
		body := 0
		for _, s := range seg[:n] {
			body += int(s)
		}
		end := pos + oggPageHeaderLen + int64(n) + int64(body)
		if end > size {
			break // the page the kill interrupted
		}
		if g := binary.LittleEndian.Uint64(hdr[6:]); g != ^uint64(0) {
			granule = g
		}
		pos = end
	}
	if pos < size {
		if err := f.Truncate(pos); err != nil {
			return 0, fmt.Errorf("cut off partial page: %w", err)
		}
	}
	return ticksDuration(float64(granule) / 48000), nil
}

// ticksDuration converts seconds to a Duration, capped at the largest
// one: a corrupt file can claim any timestamp.
func ticksDuration(secs float64) time.Duration {
	if secs >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(secs * float64(time.Second))
}
