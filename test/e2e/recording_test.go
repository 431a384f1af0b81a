package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"

	"github.com/reprise-rtc/reprise/storage"
	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

func needFFmpeg(t *testing.T) {
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

// makeMedia has ffmpeg encode seconds of real VP8 and Opus.
func makeMedia(t *testing.T, seconds int) (ivf, ogg string) {
	t.Helper()
	dir := t.TempDir()
	ivf, ogg = filepath.Join(dir, "in.ivf"), filepath.Join(dir, "in.ogg")
	d := strconv.Itoa(seconds)
	for _, args := range [][]string{
		{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", d, "-c:v", "libvpx", "-g", "30", "-b:v", "300k", ivf},
		{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", d, "-c:a", "libopus", "-page_duration", "20000", ogg},
	} {
		out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	return ivf, ogg
}

// sendFiles plays the IVF and Ogg files in real time on the tracks.
func sendFiles(ctx context.Context, video, audio *webrtc.TrackLocalStaticSample, ivf, ogg string) {
	go func() {
		f, _ := os.Open(ivf)
		defer f.Close()
		r, hdr, err := ivfreader.NewWith(f)
		if err != nil {
			return
		}
		frameDur := time.Second * time.Duration(hdr.TimebaseNumerator) / time.Duration(hdr.TimebaseDenominator)
		tick := time.NewTicker(frameDur)
		defer tick.Stop()
		for {
			frame, _, err := r.ParseNextFrame()
			if err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			_ = video.WriteSample(media.Sample{Data: frame, Duration: frameDur})
		}
	}()
	go func() {
		f, _ := os.Open(ogg)
		defer f.Close()
		r, _, err := oggreader.NewWith(f)
		if err != nil {
			return
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var last uint64
		for {
			page, hdr, err := r.ParseNextPage()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			samples := hdr.GranulePosition - last
			last = hdr.GranulePosition
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			_ = audio.WriteSample(media.Sample{Data: page, Duration: time.Duration(samples) * time.Second / 48000})
		}
	}()
}

func probeDuration(t *testing.T, path string) float64 {
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
	_ = json.Unmarshal(out, &r)
	d, _ := strconv.ParseFloat(r.Format.Duration, 64)
	return d
}

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
	sendFiles(ctx, video, audio, ivf, ogg)
	return cancel
}

// kill -9 of the gateway mid-recording: after a restart on the same data
// directory the files play up to what was written and the catalogue marks
// the recording incomplete with a usable duration.
func TestRecordingSurvivesGatewayKill(t *testing.T) {
	needFFmpeg(t)
	ivf, ogg := makeMedia(t, 6)
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
		if d := probeDuration(t, tr.Path); d < tr.Duration.Seconds()-0.3 || d > tr.Duration.Seconds()+0.3 {
			t.Errorf("%s: ffprobe %.2fs after repair, catalogue says %v", tr.Path, d, tr.Duration)
		}
	}
}

// The echotest's record:true makes the core write what the client sends
// to standard files (Opus in Ogg, VP8 in IVF) that ffprobe opens with the
// right duration, with a complete catalogue entry in the SQLite file.
func TestEchoTestRecordsToStandardFiles(t *testing.T) {
	needFFmpeg(t)
	ivf, ogg := makeMedia(t, 4)
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
		if d := probeDuration(t, path); d < 2.5 || d > 4.6 {
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
