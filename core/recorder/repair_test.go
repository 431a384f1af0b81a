package recorder

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/storage"
)

// crashHelperEnv names the catalogue directory when the test binary runs
// as the process that records and gets killed.
const crashHelperEnv = "REPRISE_RECORDER_CRASH_HELPER"

// TestCrashHelperProcess is not a test on its own: TestRepairAfterKill runs
// the test binary again with only this test and crashHelperEnv set. It
// records an Opus and a VP8 track in real time, printing "fed SECONDS"
// after every packet batch, until it is killed.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv(crashHelperEnv)
	if dir == "" {
		t.Skip("helper process for TestRepairAfterKill")
	}
	audio, video := opusRTPFor(t, "6"), vp8RTPFor(t, "6")
	ctx := context.Background()
	store, err := storage.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateRecording(ctx, storage.Recording{ID: "rec", Plugin: "janus.plugin.videoroom"}); err != nil {
		t.Fatal(err)
	}
	start := func(name string, opts Options) *Track {
		opts.Dir, opts.BaseName, opts.RecordingID, opts.TrackID, opts.QueueLength = dir, name, "rec", name, 4096
		tr, err := Start(ctx, store, opts)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	at, vt := start("audio", Options{Codec: opusCodec}), start("video", Options{Codec: vp8Codec})
	fmt.Println("started")
	begin := time.Now()
	ai, vi := 0, 0
	offset := func(p, first *rtp.Packet, clock uint32) time.Duration {
		return time.Duration(float64(p.Timestamp-first.Timestamp) / float64(clock) * float64(time.Second))
	}
	for ai < len(audio) || vi < len(video) {
		now := time.Since(begin)
		for ai < len(audio) && offset(audio[ai], audio[0], 48000) <= now {
			at.WriteRTP(audio[ai])
			ai++
		}
		for vi < len(video) && offset(video[vi], video[0], 90000) <= now {
			vt.WriteRTP(video[vi])
			vi++
		}
		fed := min(offset(audio[max(ai-1, 0)], audio[0], 48000), offset(video[max(vi-1, 0)], video[0], 90000))
		fmt.Printf("fed %.3f\n", fed.Seconds())
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("helper was not killed")
}

func opusRTPFor(t testing.TB, seconds string) []*rtp.Packet {
	return captureRTP(t, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+seconds,
		"-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20")
}

func vp8RTPFor(t testing.TB, seconds string) []*rtp.Packet {
	return captureRTP(t, "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration="+seconds, "-pix_fmt", "yuv420p",
		"-g", "30", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k")
}

// A gateway killed with SIGKILL mid-recording leaves files that play up to
// what was written, and Repair gives the catalogue rows usable durations.
func TestRepairAfterKill(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // if the test fails before killing it
	var fed float64
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), "fed "); ok {
			fed, _ = strconv.ParseFloat(v, 64)
			if fed >= 2.2 {
				break
			}
		}
	}
	if fed < 2.2 {
		t.Fatalf("helper stopped before recording 2.2 s (at %.3f s)", fed)
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	written := time.Duration(fed * float64(time.Second))

	ctx := context.Background()
	store, err := storage.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	before, err := store.RecordingTracks(ctx, "rec")
	if err != nil || len(before) != 2 {
		t.Fatalf("tracks after the kill: %+v, %v", before, err)
	}
	for _, row := range before {
		// Progress is stored every second: the row already has some.
		if row.Complete || row.Packets == 0 || row.Duration < written-1500*time.Millisecond {
			t.Errorf("row before repair %+v, want incomplete with progress near %v", row, written)
		}
	}
	n, err := Repair(ctx, store)
	if err != nil || n != 2 {
		t.Fatalf("Repair = %d, %v; want 2 tracks", n, err)
	}
	after, err := store.RecordingTracks(ctx, "rec")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range after {
		if row.Complete {
			t.Errorf("repaired row %s marked complete", row.ID)
		}
		got := probeDuration(t, row.Path)
		if d := got - written; d < -500*time.Millisecond || d > 500*time.Millisecond {
			t.Errorf("%s: ffprobe duration %v, written before the kill %v", row.ID, got, written)
		}
		if d := row.Duration - written; d < -500*time.Millisecond || d > 500*time.Millisecond {
			t.Errorf("%s: repaired row duration %v, written %v", row.ID, row.Duration, written)
		}
		if msg := decodeErrors(t, row.Path); msg != "" {
			t.Errorf("%s: decoding the repaired file: %s", row.ID, msg)
		}
	}
	rec, err := store.Recording(ctx, "rec")
	if err != nil || rec.Complete || rec.EndedAt.IsZero() {
		t.Errorf("recording after repair %+v, %v; want ended and incomplete", rec, err)
	}
	// Once repaired, a recording is left alone.
	if n, err := Repair(ctx, store); n != 0 || err != nil {
		t.Errorf("second Repair = %d, %v; want 0", n, err)
	}
}

// A file cut off in the middle of its last frame or page (the kill came
// during a write) is cut back to the last whole one, and the duration
// comes from what is left.
func TestRepairCutsPartialWrite(t *testing.T) {
	cases := []struct {
		name   string
		codec  webrtc.RTPCodecParameters
		pkts   func(testing.TB) []*rtp.Packet
		clock  uint32
		frame  time.Duration
		repair func(*os.File, int64) (time.Duration, error)
	}{
		{"Opus", opusCodec, opusRTP, 48000, 20 * time.Millisecond, repairOgg},
		{"VP8", vp8Codec, vp8RTP, 90000, time.Second / 30, repairIVF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pkts := tc.pkts(t)
			tr := record(t, nil, Options{Dir: t.TempDir(), BaseName: "x", Codec: tc.codec, QueueLength: 4096}, pkts)
			whole, err := os.ReadFile(tr.Path())
			if err != nil {
				t.Fatal(err)
			}
			// Cut 5 bytes into what the last 40 bytes hold: inside the last
			// frame or page, whatever its size.
			f, err := os.OpenFile(tr.Path(), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cut := int64(len(whole) - 35)
			if err := f.Truncate(cut); err != nil {
				t.Fatal(err)
			}
			d, err := tc.repair(f, cut)
			if err != nil {
				t.Fatal(err)
			}
			info, _ := f.Stat()
			if info.Size() >= cut || info.Size() < cut-1500 {
				t.Errorf("repaired size %d, cut at %d: want the partial frame (and only it) gone", info.Size(), cut)
			}
			sent := span(pkts, tc.clock, 0)
			if d > sent || d < sent-500*time.Millisecond {
				t.Errorf("repaired duration %v, recorded %v", d, sent)
			}
			if got := probeDuration(t, tr.Path()); !closeTo(got, d+tc.frame, probeTolerance) {
				t.Errorf("ffprobe duration %v after repair, repair says %v", got, d)
			}
			if msg := decodeErrors(t, tr.Path()); msg != "" {
				t.Errorf("decoding the repaired file: %s", msg)
			}
		})
	}
}

// FuzzRepairFile feeds arbitrary bytes to the file repairs: a file left by
// a crash can hold anything. They must not panic, and may only cut the
// file short, never grow it or change what stays, except the IVF length.
func FuzzRepairFile(f *testing.F) {
	ivf := make([]byte, 32)
	copy(ivf, "DKIF")
	ivf[16], ivf[20] = 0x90, 1
	f.Add(false, append(ivf, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 9, 9))
	f.Add(true, []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x03abcOgg"))
	f.Fuzz(func(t *testing.T, ogg bool, data []byte) {
		path := t.TempDir() + "/f"
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		repair := repairIVF
		if ogg {
			repair = repairOgg
		}
		d, err := repair(file, int64(len(data)))
		if err != nil {
			return
		}
		if d < 0 {
			t.Errorf("negative duration %v", d)
		}
		got, _ := os.ReadFile(path)
		if len(got) > len(data) {
			t.Fatalf("repair grew the file from %d to %d bytes", len(data), len(got))
		}
		for i := range got {
			if got[i] != data[i] && (ogg || i < ivfLengthOffset || i >= ivfLengthOffset+8) {
				t.Fatalf("repair changed byte %d", i)
			}
		}
	})
}
