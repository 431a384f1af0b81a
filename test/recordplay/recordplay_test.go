package recordplay

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
	"github.com/reprise-rtc/reprise/test/testmedia"
)

// Janus's error when a request lacks something: code and message.
func wantError(t *testing.T, d jc.Msg, code int, reason string) {
	t.Helper()
	if d.Str("recordplay") != "event" || int(d.ID("error_code")) != code || d.Str("error") != reason {
		t.Fatalf("got %v, want error %d %q", d, code, reason)
	}
}

func wantStatus(t *testing.T, d jc.Msg, status string, id uint64) {
	t.Helper()
	r := d.Obj("result")
	if d.Str("recordplay") != "event" || r.Str("status") != status || r.ID("id") != id {
		t.Fatalf("got %v, want status %q id %d", d, status, id)
	}
}

func wantDone(t *testing.T, h *handle, timeout time.Duration) {
	t.Helper()
	if d := data(h.event(timeout)); d.Str("recordplay") != "event" || d.Str("result") != "done" {
		t.Fatalf("got %v, want the done event", d)
	}
}

func TestRequestErrors(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	h := attach(t, gw)
	wantError(t, h.sync(jc.Msg{"request": "dance"}), 413, "Unknown request 'dance'")
	wantError(t, h.sync(jc.Msg{}), 415, "Missing mandatory element (request)")
	if d := h.sync(jc.Msg{"request": "update"}); d.Str("recordplay") != "ok" {
		t.Fatalf("update: %v", d)
	}

	h.async(jc.Msg{"request": "record", "name": "no offer"}, nil)
	wantError(t, data(h.event(10*time.Second)), 415, "Missing SDP offer")

	h.async(jc.Msg{"request": "play", "id": 987654321}, nil)
	wantError(t, data(h.event(10*time.Second)), 416, "No such recording")

	h.async(jc.Msg{"request": "play"}, nil)
	wantError(t, data(h.event(10*time.Second)), 415, "Missing mandatory element (id)")

	h.async(jc.Msg{"request": "start"}, nil)
	wantError(t, data(h.event(10*time.Second)), 418, "Not a playout session, can't start")

	pc := newPeer(t)
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	offer, _ := pc.CreateOffer(nil)
	h.async(jc.Msg{"request": "record"}, jc.Msg{"type": "offer", "sdp": gathered(t, pc, offer)})
	wantError(t, data(h.event(10*time.Second)), 415, "Missing mandatory element (name)")
}

// recordClip records seconds of VP8+Opus as recording id under name.
func recordClip(t *testing.T, gw *harness.Gateway, id uint64, name string, seconds int) {
	t.Helper()
	ivf, ogg := testmedia.Encode(t, seconds)
	h := attach(t, gw)
	pc := newPeer(t)
	video, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "rec")
	audio, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "rec")
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		if _, err := pc.AddTrack(tr); err != nil {
			t.Fatal(err)
		}
	}
	offer, _ := pc.CreateOffer(nil)
	h.async(jc.Msg{"request": "record", "id": id, "name": name}, jc.Msg{"type": "offer", "sdp": gathered(t, pc, offer)})
	ev := h.event(15 * time.Second)
	wantStatus(t, data(ev), "recording", id)
	if ev.Obj("jsep").Str("type") != "answer" {
		t.Fatalf("record event without an answer: %v", ev)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ev.Obj("jsep").Str("sdp")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(done) })
		}
	})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("recording peer never connected")
	}
	ctx := t.Context()
	go testmedia.Play(ctx, video, audio, ivf, ogg)
	time.Sleep(time.Duration(seconds)*time.Second + 500*time.Millisecond)
	h.async(jc.Msg{"request": "stop"}, nil)
	wantStatus(t, data(h.event(10*time.Second)), "stopped", id)
	wantDone(t, h, 10*time.Second)
}

// receiver counts the RTP packets a player gets per kind.
type receiver struct {
	audio, video atomic.Int64
	mu           sync.Mutex
	first, last  time.Time
}

func (r *receiver) span() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last.Sub(r.first)
}

// startPlayout plays recording id on a new handle up to "playing".
func startPlayout(t *testing.T, gw *harness.Gateway, id uint64) (*handle, *receiver) {
	t.Helper()
	h := attach(t, gw)
	h.async(jc.Msg{"request": "play", "id": id}, nil)
	ev := h.event(15 * time.Second)
	wantStatus(t, data(ev), "preparing", id)
	if ev.Obj("jsep").Str("type") != "offer" {
		t.Fatalf("play event without an offer: %v", ev)
	}
	pc := newPeer(t)
	rcv := &receiver{}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		n := &rcv.video
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			n = &rcv.audio
		}
		for {
			if _, _, err := tr.ReadRTP(); err != nil {
				return
			}
			n.Add(1)
			now := time.Now()
			rcv.mu.Lock()
			if rcv.first.IsZero() {
				rcv.first = now
			}
			rcv.last = now
			rcv.mu.Unlock()
		}
	})
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: ev.Obj("jsep").Str("sdp")}); err != nil {
		t.Fatal(err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.async(jc.Msg{"request": "start"}, jc.Msg{"type": "answer", "sdp": gathered(t, pc, answer)})
	wantStatus(t, data(h.event(15*time.Second)), "playing", 0)
	return h, rcv
}

func TestRecordListPlay(t *testing.T) {
	testmedia.NeedFFmpeg(t)
	gw := harness.Start(t, harness.Options{})
	const id = 4242
	recordClip(t, gw, id, "my talk", 3)

	lister := attach(t, gw)
	d := lister.sync(jc.Msg{"request": "list"})
	if d.Str("recordplay") != "list" {
		t.Fatalf("list: %v", d)
	}
	var found jc.Msg
	for _, e := range d["list"].([]any) {
		if m := jc.Msg(e.(map[string]any)); m.ID("id") == id {
			found = m
		}
	}
	if found == nil || found.Str("name") != "my talk" || found.Str("audio_codec") != "opus" || found.Str("video_codec") != "vp8" ||
		found.Str("audio") == "" || found.Str("video") == "" || found.Str("date") == "" {
		t.Fatalf("recording %d not listed as recorded: %v", id, d)
	}

	// A recording with this id exists now.
	pc := newPeer(t)
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	offer, _ := pc.CreateOffer(nil)
	lister.async(jc.Msg{"request": "record", "id": id, "name": "again"}, jc.Msg{"type": "offer", "sdp": gathered(t, pc, offer)})
	if d := data(lister.event(10 * time.Second)); int(d.ID("error_code")) != 420 {
		t.Fatalf("re-recording id %d: %v, want error 420", id, d)
	}

	h, rcv := startPlayout(t, gw, id)
	start := time.Now()
	wantDone(t, h, 15*time.Second)
	took := time.Since(start)
	if rcv.audio.Load() < 50 || rcv.video.Load() < 30 {
		t.Fatalf("player got %d audio and %d video packets of a 3 s recording", rcv.audio.Load(), rcv.video.Load())
	}
	if span := rcv.span(); span < 2*time.Second || span > 5*time.Second || took > 6*time.Second {
		t.Fatalf("3 s recording played over %v (done after %v)", span, took)
	}
	t.Logf("played %d audio, %d video packets over %v; done after %v", rcv.audio.Load(), rcv.video.Load(), rcv.span(), took)

	// stop during playout ends it at once.
	h2, rcv2 := startPlayout(t, gw, id)
	time.Sleep(1500 * time.Millisecond)
	h2.async(jc.Msg{"request": "stop"}, nil)
	wantStatus(t, data(h2.event(10*time.Second)), "stopped", id)
	wantDone(t, h2, 10*time.Second)
	if rcv2.audio.Load() == 0 || rcv2.video.Load() == 0 {
		t.Fatalf("no media before stop: %d audio, %d video", rcv2.audio.Load(), rcv2.video.Load())
	}
	time.Sleep(300 * time.Millisecond)
	a, v := rcv2.audio.Load(), rcv2.video.Load()
	time.Sleep(time.Second)
	if rcv2.audio.Load() != a || rcv2.video.Load() != v {
		t.Fatalf("media still flowing after stop: %d->%d audio, %d->%d video", a, rcv2.audio.Load(), v, rcv2.video.Load())
	}
}
