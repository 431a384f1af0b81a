package replay

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp/codecs"
)

// frameStarts returns the packets that begin a new RTP timestamp.
func frameStarts(pkts []sent) []sent {
	var out []sent
	for i, p := range pkts {
		if i == 0 || p.pkt.Timestamp != pkts[i-1].pkt.Timestamp {
			out = append(out, p)
		}
	}
	return out
}

func TestSessionPacesAudioAndVideo(t *testing.T) {
	audioPath := opusFile(t, "2")
	videoPath := ivfFile(t, "libvpx", "2")
	const videoOffset = 100 * time.Millisecond
	var aw, vw captureWriter
	audio, err := NewPlayer(Track{Path: audioPath}, &aw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	video, err := NewPlayer(Track{Path: videoPath, Codec: "video/VP8", Offset: videoOffset}, &vw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if audio.Codec() != "opus" || audio.ClockRate() != 48000 || video.Codec() != "vp8" || video.ClockRate() != 90000 {
		t.Fatalf("codecs: %s/%d %s/%d", audio.Codec(), audio.ClockRate(), video.Codec(), video.ClockRate())
	}
	var al, vl lateness
	al.hook(audio)
	vl.hook(video)
	s, err := NewSession(audio, video)
	if err != nil {
		t.Fatal(err)
	}
	start, err := s.Play(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Player{audio, video} {
		if r, err := waitDone(t, p, 10*time.Second); r != ReasonEnded || err != nil {
			t.Fatalf("%s ended with %s, %v", p.Codec(), r, err)
		}
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}

	a, v := aw.snapshot(), vw.snapshot()
	af, vf := frameStarts(a), frameStarts(v)
	// 2 s of 20 ms Opus packets, 2 s of 30 fps video.
	if len(af) < 95 || len(af) > 105 {
		t.Fatalf("audio frames = %d, want about 100", len(af))
	}
	if len(vf) != 60 {
		t.Fatalf("video frames = %d, want 60", len(vf))
	}
	if st := video.Stats(); st.Frames != 60 || st.Packets != uint64(len(v)) {
		t.Fatalf("video stats %+v, captured %d packets", st, len(v))
	}
	for i := 1; i < len(af); i++ {
		if d := af[i].pkt.Timestamp - af[i-1].pkt.Timestamp; d != 960 {
			t.Fatalf("audio frame %d: timestamp step %d, want 960", i, d)
		}
		if af[i].pkt.SequenceNumber != af[i-1].pkt.SequenceNumber+1 {
			t.Fatalf("audio frame %d: sequence gap", i)
		}
	}
	for i := 1; i < len(vf); i++ {
		if d := vf[i].pkt.Timestamp - vf[i-1].pkt.Timestamp; d != 3000 {
			t.Fatalf("video frame %d: timestamp step %d, want 3000", i, d)
		}
	}
	var vp8 codecs.VP8Packet
	if _, err := vp8.Unmarshal(v[0].pkt.Payload); err != nil || vp8.S != 1 || len(vp8.Payload) == 0 || vp8.Payload[0]&1 != 0 {
		t.Fatalf("first video packet is not the start of a key frame: %v", err)
	}
	// Paced, not burst: the sends span the recording, and the video track
	// starts its offset after the session start.
	if span := a[len(a)-1].at.Sub(a[0].at); span < 1700*time.Millisecond {
		t.Fatalf("audio sent over %v, want about 2 s", span)
	}
	if first := v[0].at.Sub(start); first < videoOffset-5*time.Millisecond {
		t.Fatalf("video started %v after the session start, before its offset %v", first, videoOffset)
	}

	a50, a99, amax, an := al.percentiles()
	v50, v99, vmax, vn := vl.percentiles()
	t.Logf("pacing error (sent − scheduled): audio n=%d p50=%v p99=%v max=%v; video n=%d p50=%v p99=%v max=%v",
		an, a50, a99, amax, vn, v50, v99, vmax)
	// A/V skew: how far apart the two tracks' media clocks are on the wall
	// clock, measured per video frame against the audio frame due closest.
	var worst, sum time.Duration
	for _, f := range vf {
		videoMedia := time.Duration(f.pkt.Timestamp-vf[0].pkt.Timestamp) * time.Second / 90000
		wallV := f.at.Sub(start) - videoOffset - videoMedia
		best := time.Duration(1 << 62)
		var wallA time.Duration
		for _, g := range af {
			audioMedia := time.Duration(g.pkt.Timestamp-af[0].pkt.Timestamp) * time.Second / 48000
			if d := (audioMedia - videoMedia).Abs(); d < best {
				best = d
				wallA = g.at.Sub(start) - audioMedia
			}
		}
		skew := (wallV - wallA).Abs()
		sum += skew
		worst = max(worst, skew)
	}
	t.Logf("A/V skew over %d video frames: mean=%v max=%v", len(vf), sum/time.Duration(len(vf)), worst)
}

func TestPauseShiftsLaterFrames(t *testing.T) {
	var w captureWriter
	p, err := NewPlayer(Track{Path: opusFile(t, "1")}, &w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var l lateness
	l.hook(p)
	begin := time.Now()
	if err := p.Play(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.Play(context.Background()); err != ErrAlreadyStarted {
		t.Fatalf("second Play = %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	p.Pause()
	time.Sleep(50 * time.Millisecond)
	n := len(w.snapshot())
	time.Sleep(400 * time.Millisecond)
	if m := len(w.snapshot()); m != n {
		t.Fatalf("%d packets sent while paused", m-n)
	}
	p.Resume()
	if r, err := waitDone(t, p, 5*time.Second); r != ReasonEnded || err != nil {
		t.Fatalf("ended with %s, %v", r, err)
	}
	total := time.Since(begin)
	if total < 1400*time.Millisecond {
		t.Fatalf("1 s file with a 450 ms pause played in %v", total)
	}
	pkts := w.snapshot()
	for i := 1; i < len(pkts); i++ {
		if d := pkts[i].pkt.Timestamp - pkts[i-1].pkt.Timestamp; d != 960 {
			t.Fatalf("packet %d: timestamp step %d across the pause, want 960", i, d)
		}
	}
	p50, p99, mx, cnt := l.percentiles()
	t.Logf("pacing with a pause: n=%d p50=%v p99=%v max=%v", cnt, p50, p99, mx)
}

func TestStopAndCancel(t *testing.T) {
	path := opusFile(t, "2")
	var reason atomic.Value
	p, err := NewPlayer(Track{Path: path}, &captureWriter{}, Options{OnDone: func(r Reason, err error) { reason.Store(r) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Play(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	p.Stop()
	if r, _ := p.Result(); r != ReasonStopped {
		t.Fatalf("Stop: reason %s", r)
	}
	if got, _ := reason.Load().(Reason); got != ReasonStopped {
		t.Fatalf("OnDone reason %q", got)
	}

	q, err := NewPlayer(Track{Path: path}, &captureWriter{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Play(ctx); err != nil {
		t.Fatal(err)
	}
	q.Pause() // canceling must end a paused player too
	cancel()
	if r, _ := waitDone(t, q, 2*time.Second); r != ReasonCanceled {
		t.Fatalf("cancel: reason %s", r)
	}
}

func TestLoopContinuesNumbering(t *testing.T) {
	var w captureWriter
	p, err := NewPlayer(Track{Path: opusFile(t, "0.3")}, &w, Options{Loop: true, SSRC: 1234, PayloadType: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Play(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.Stats().Loops < 2 {
		if time.Now().After(deadline) {
			t.Fatal("player did not loop twice")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Stop()
	pkts := w.snapshot()
	for i, s := range pkts {
		if s.pkt.SSRC != 1234 || s.pkt.PayloadType != 100 {
			t.Fatalf("packet %d: ssrc %d pt %d", i, s.pkt.SSRC, s.pkt.PayloadType)
		}
		if i == 0 {
			continue
		}
		prev := pkts[i-1].pkt
		if s.pkt.SequenceNumber != prev.SequenceNumber+1 || s.pkt.Timestamp-prev.Timestamp != 960 {
			t.Fatalf("packet %d: seq %d→%d ts %d→%d, want continuous across loops",
				i, prev.SequenceNumber, s.pkt.SequenceNumber, prev.Timestamp, s.pkt.Timestamp)
		}
	}
}

func TestKeyframeRequestResendsLastKeyframe(t *testing.T) {
	var w captureWriter
	p, err := NewPlayer(Track{Path: ivfFile(t, "libvpx", "2")}, &w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Play(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	time.Sleep(400 * time.Millisecond) // mid-GOP: key frames every 30 frames
	if !w.requestKeyframe() {
		t.Fatal("player did not register for keyframe requests")
	}
	deadline := time.Now().Add(2 * time.Second)
	for p.Stats().KeyframesResent == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no key frame re-sent: %+v", p.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.Stop()
	// The re-sent key frame sits one tick before the frame after it, and
	// the stream's timestamps never go back.
	starts := frameStarts(w.snapshot())
	keyframes := 0
	for i, f := range starts {
		var vp8 codecs.VP8Packet
		if _, err := vp8.Unmarshal(f.pkt.Payload); err == nil && len(vp8.Payload) > 0 && vp8.Payload[0]&1 == 0 {
			keyframes++
		}
		if i > 0 && int32(f.pkt.Timestamp-starts[i-1].pkt.Timestamp) <= 0 {
			t.Fatalf("frame %d: timestamp went from %d to %d", i, starts[i-1].pkt.Timestamp, f.pkt.Timestamp)
		}
	}
	if keyframes < 2 {
		t.Fatalf("%d key frames sent in %d frames, want the first and the repeated one", keyframes, len(starts))
	}
	if st := p.Stats(); st.KeyframeRequests != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestOtherCodecsPlay(t *testing.T) {
	cases := []struct {
		codec string
		path  func(t *testing.T) string
	}{
		{"vp9", func(t *testing.T) string {
			return ivfFile(t, "libvpx-vp9", "0.5", "-deadline", "realtime", "-cpu-used", "8")
		}},
		{"av1", func(t *testing.T) string {
			return ivfFile(t, "libaom-av1", "0.5", "-cpu-used", "8", "-usage", "realtime")
		}},
		{"h264", func(t *testing.T) string {
			return makeMedia(t, "v.h264", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=0.5",
				"-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "baseline", "-g", "30",
				"-bsf:v", "h264_mp4toannexb", "-f", "h264")
		}},
	}
	for _, c := range cases {
		t.Run(c.codec, func(t *testing.T) {
			var w captureWriter
			p, err := NewPlayer(Track{Path: c.path(t), Codec: c.codec}, &w, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Play(context.Background()); err != nil {
				t.Fatal(err)
			}
			if r, err := waitDone(t, p, 5*time.Second); r != ReasonEnded || err != nil {
				t.Fatalf("ended with %s, %v", r, err)
			}
			starts := frameStarts(w.snapshot())
			if len(starts) != 15 {
				t.Fatalf("%d frames, want 15", len(starts))
			}
			for i := 1; i < len(starts); i++ {
				if d := starts[i].pkt.Timestamp - starts[i-1].pkt.Timestamp; d != 3000 {
					t.Fatalf("frame %d: timestamp step %d, want 3000", i, d)
				}
			}
			pkts := w.snapshot()
			if !pkts[len(pkts)-1].pkt.Marker {
				t.Fatal("last packet of the last frame has no marker")
			}
		})
	}
}
