// Package testmedia makes real media for end-to-end tests: ffmpeg encodes
// VP8 and Opus files, Play sends them in real time on pion tracks, and
// ProbeDuration asks ffprobe what a recorded file holds.
package testmedia

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// NeedFFmpeg skips the test without ffmpeg and ffprobe, except in CI, where
// scripts/install-test-deps.sh installs them and their absence fails it.
func NeedFFmpeg(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing in CI (scripts/install-test-deps.sh installs it)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}

// Encode has ffmpeg make seconds of VP8 (320x240, 30 fps, a keyframe every
// second) and Opus (one 20 ms packet per Ogg page, as Play sends them).
func Encode(t testing.TB, seconds int) (ivf, ogg string) {
	t.Helper()
	NeedFFmpeg(t)
	dir := t.TempDir()
	ivf, ogg = filepath.Join(dir, "in.ivf"), filepath.Join(dir, "in.ogg")
	d := strconv.Itoa(seconds)
	for _, args := range [][]string{
		{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", d, "-c:v", "libvpx", "-g", "30", "-b:v", "300k", ivf},
		{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", d, "-c:a", "libopus", "-page_duration", "20000", ogg},
	} {
		if out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	return ivf, ogg
}

// Play sends the files on the tracks in real time and returns when both
// are sent or ctx ends.
func Play(ctx context.Context, video, audio *webrtc.TrackLocalStaticSample, ivf, ogg string) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		playIVF(ctx, video, ivf)
	}()
	go func() {
		defer wg.Done()
		playOgg(ctx, audio, ogg)
	}()
	wg.Wait()
}

func playIVF(ctx context.Context, track *webrtc.TrackLocalStaticSample, path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	r, hdr, err := ivfreader.NewWith(f)
	if err != nil {
		return
	}
	frame := time.Second * time.Duration(hdr.TimebaseNumerator) / time.Duration(hdr.TimebaseDenominator)
	tick := time.NewTicker(frame)
	defer tick.Stop()
	for {
		payload, _, err := r.ParseNextFrame()
		if err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		_ = track.WriteSample(media.Sample{Data: payload, Duration: frame})
	}
}

func playOgg(ctx context.Context, track *webrtc.TrackLocalStaticSample, path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	r, _, err := oggreader.NewWith(f)
	if err != nil {
		return
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var granule uint64
	for {
		page, hdr, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) || err != nil {
			return
		}
		samples := hdr.GranulePosition - granule
		granule = hdr.GranulePosition
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		_ = track.WriteSample(media.Sample{Data: page, Duration: time.Duration(samples) * time.Second / 48000})
	}
}

// ProbeDuration is the duration ffprobe reads from a file, in seconds.
func ProbeDuration(t testing.TB, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var r struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	d, err := strconv.ParseFloat(r.Format.Duration, 64)
	if err != nil {
		t.Fatalf("ffprobe %s: no duration in %s", path, out)
	}
	return d
}
