package e2e

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/storage"
	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
	"github.com/reprise-rtc/reprise/test/testmedia"
)

// recordingPeer negotiates a pion client that plays the files with the
// echotest on handle h, asking it to record under base.
func recordingPeer(t *testing.T, c jc.Client, s, h uint64, base, ivf, ogg string) context.CancelFunc {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	video, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "rec")
	audio, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "rec")
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		if _, err := pc.AddTrack(tr); err != nil {
			t.Fatal(err)
		}
	}
	offer, _ := pc.CreateOffer(nil)
	gathered := webrtc.GatheringCompletePromise(pc)
	_ = pc.SetLocalDescription(offer)
	<-gathered
	must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": true, "video": true, "record": true, "filename": base},
		"jsep": jc.Msg{"type": "offer", "sdp": pc.LocalDescription().SDP}})
	ev, err := jc.WaitEvent(c, 15*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" }))
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ev.Obj("jsep").Str("sdp")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go testmedia.Play(ctx, video, audio, ivf, ogg)
	return cancel
}

// kill -9 of the gateway mid-recording: after a restart on the same data
// directory the files play up to what was written and the catalogue marks
// the recording incomplete with a usable duration.
func TestRecordingSurvivesGatewayKill(t *testing.T) {
	ivf, ogg := testmedia.Encode(t, 6)
	gw := harness.Start(t, harness.Options{})
	if gw.External {
		t.Skip("needs the gateway process")
	}
	c := transports(gw)[1].dial(t)
	s := session(t, c)
	h := attach(t, c, s, "janus.plugin.echotest")
	recDir := t.TempDir()
	cancel := recordingPeer(t, c, s, h, filepath.Join(recDir, "cut"), ivf, ogg)
	defer cancel()
	time.Sleep(3 * time.Second)
	if err := gw.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-gw.Exited()
	cancel()

	gw2 := harness.Start(t, harness.Options{DataDir: gw.DataDir})
	if !waitFor(ctxT(t, 10*time.Second), 100*time.Millisecond, func() bool { return strings.Contains(gw2.Output(), "repaired recordings") }) {
		t.Fatalf("no repair at restart:\n%s", gw2.Output())
	}
	db, err := storage.Open(context.Background(), gw.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.ListRecordings(context.Background(), "janus.plugin.echotest", "")
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings: %v %v", recs, err)
	}
	if recs[0].Complete || recs[0].EndedAt.IsZero() {
		t.Errorf("recording not marked ended-incomplete: %+v", recs[0])
	}
	tracks, _ := db.RecordingTracks(context.Background(), recs[0].ID)
	if len(tracks) != 2 {
		t.Fatalf("tracks: %+v", tracks)
	}
	for _, tr := range tracks {
		// Video starts at the sender's next keyframe (one a second here),
		// so it can hold up to a second less than the 3 s sent.
		if tr.Complete || tr.Duration < 1500*time.Millisecond || tr.Duration > 3500*time.Millisecond {
			t.Errorf("track %s: complete=%v duration=%v, want incomplete with 2-3 s", tr.Path, tr.Complete, tr.Duration)
		}
		if d := testmedia.ProbeDuration(t, tr.Path); d < tr.Duration.Seconds()-0.3 || d > tr.Duration.Seconds()+0.3 {
			t.Errorf("%s: ffprobe %.2fs after repair, catalogue says %v", tr.Path, d, tr.Duration)
		}
	}
}

// The echotest's record:true makes the core write what the client sends
// to standard files (Opus in Ogg, VP8 in IVF) that ffprobe opens with the
// right duration, with a complete catalogue entry in the SQLite file.
func TestEchoTestRecordsToStandardFiles(t *testing.T) {
	ivf, ogg := testmedia.Encode(t, 4)
	gw := harness.Start(t, harness.Options{})
	c := transports(gw)[1].dial(t)
	s := session(t, c)
	h := attach(t, c, s, "janus.plugin.echotest")

	recDir := t.TempDir()
	base := filepath.Join(recDir, "echo")
	cancel := recordingPeer(t, c, s, h, base, ivf, ogg)
	defer cancel()
	time.Sleep(4500 * time.Millisecond) // the whole input, in real time
	must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"record": false}})
	if _, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" })); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"echo-audio.ogg", "echo-video.ivf"} {
		path := filepath.Join(recDir, name)
		if _, err := os.Stat(path); err != nil {
			entries, _ := os.ReadDir(recDir)
			t.Fatalf("%s not written (dir has %v): %v\n%s", name, entries, err, gw.Output())
		}
		// The recording starts when media first flows and video starts on
		// a keyframe, so it can be a little shorter than what was sent.
		if d := testmedia.ProbeDuration(t, path); d < 2.5 || d > 4.6 {
			t.Errorf("%s: ffprobe duration %.2fs, want about 4s", name, d)
		}
	}
	db, err := storage.Open(context.Background(), gw.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.ListRecordings(context.Background(), "janus.plugin.echotest", "")
	if err != nil || len(recs) == 0 {
		t.Fatalf("no catalogue entry: %v %v", recs, err)
	}
	tracks, err := db.RecordingTracks(context.Background(), recs[0].ID)
	if err != nil || len(tracks) != 2 {
		t.Fatalf("tracks: %+v %v", tracks, err)
	}
	for _, tr := range tracks {
		if !tr.Complete || tr.Packets == 0 || tr.Duration < 2*time.Second || tr.Path == "" {
			t.Errorf("track not closed in the catalogue: %+v", tr)
		}
	}
	if !recs[0].Complete && len(recs) == 1 {
		r, _ := db.Recording(context.Background(), recs[0].ID)
		if !r.Complete {
			t.Errorf("recording not marked complete: %+v", r)
		}
	}
}
