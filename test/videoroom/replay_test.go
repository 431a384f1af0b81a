package videoroom

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
	"github.com/reprise-rtc/reprise/test/testmedia"
)

// mediaPublisher is a pion peer that sends real VP8 and Opus from files.
type mediaPublisher struct {
	pc           *webrtc.PeerConnection
	audio, video *webrtc.TrackLocalStaticSample
}

func newMediaPublisher(t *testing.T) *mediaPublisher {
	t.Helper()
	pc, err := newAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	p := &mediaPublisher{pc: pc}
	p.audio, _ = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "recorded")
	p.video, _ = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "recorded")
	for _, tr := range []webrtc.TrackLocal{p.audio, p.video} {
		if _, err := pc.AddTrack(tr); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// span is the time between the first and the last packet of a kind.
func span(as []arrival) time.Duration {
	if len(as) < 2 {
		return 0
	}
	return as[len(as)-1].at.Sub(as[0].at)
}

// A room recording replayed into another room: its participant shows up
// there as a publisher with the recorded display name, a subscriber gets
// its recorded audio and video for about the recorded time, and the room
// hears "unpublished" when the replay is over.
// recordRoom records seconds of real media from one publisher named
// display in a recording room of c and returns the recording (as
// list_recordings shows it) and the recorded duration of each kind.
func recordRoom(t *testing.T, c *call, display string, seconds int) (jc.Msg, map[string]time.Duration) {
	t.Helper()
	ivf, ogg := testmedia.Encode(t, seconds)
	rec := c.j.attach()
	if d := data(rec.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": display}, nil)); d.Str("videoroom") != "joined" {
		t.Fatalf("join: %v", d)
	}
	mp := newMediaPublisher(t)
	ev := rec.async(jc.Msg{"request": "publish"}, offerOf(t, mp.pc))
	if d := data(ev); d.Str("configured") != "ok" {
		t.Fatalf("publish: %v", d)
	}
	if err := mp.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ev.Obj("jsep").Str("sdp")}); err != nil {
		t.Fatal(err)
	}
	rec.core("webrtcup")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	testmedia.Play(ctx, mp.video, mp.audio, ivf, ogg)
	time.Sleep(300 * time.Millisecond) // the last packets reach the recorder
	// Leaving closes the recording.
	if d := data(rec.async(jc.Msg{"request": "leave"}, nil)); d.Str("leaving") != "ok" {
		t.Fatalf("leave: %v", d)
	}
	mp.pc.Close()

	recs := list(c.admin.sync(jc.Msg{"request": "list_recordings", "room": c.room}), "recordings")
	if len(recs) == 0 {
		t.Fatalf("list_recordings: no recording of room %d", c.room)
	}
	recording := recs[len(recs)-1]
	// The room's recording is one catalogue entry with both tracks.
	recorded := map[string]time.Duration{}
	for _, tr := range list(recording, "tracks") {
		if tr.Str("display") != display {
			t.Errorf("recorded track without the display name: %v", tr)
		}
		recorded[tr.Str("type")] = time.Duration(tr.ID("duration_ms")) * time.Millisecond
	}
	if recorded["audio"] < time.Second || recorded["video"] < 500*time.Millisecond {
		t.Fatalf("recording lacks a track: %v", recording)
	}
	return recording, recorded
}

// skipUnwiredReplay skips when the gateway answers replay as unimplemented.
func skipUnwiredReplay(t *testing.T, d jc.Msg) {
	t.Helper()
	if errCode(d) == 499 && strings.Contains(d.Str("error"), "unimplemented") {
		t.Skip("gateway replay not wired yet")
	}
}

func TestReplayRecordingIntoRoom(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 7101, "secret": "s", "record": true, "rec_dir": t.TempDir()})
	recording, recorded := recordRoom(t, c, "Recorded Rita", 3)

	// Replay into a fresh room with a watching participant.
	if d := c.admin.sync(jc.Msg{"request": "create", "room": 7102, "secret": "t"}); d.Str("videoroom") != "created" {
		t.Fatalf("create: %v", d)
	}
	c.room = 7102
	watcher := c.j.attach()
	if d := data(watcher.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Watcher"}, nil)); d.Str("videoroom") != "joined" {
		t.Fatalf("join: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "replay", "room": 7999, "recording_id": recording.Str("recording_id")}); errCode(d) != 426 {
		t.Fatalf("replay into a missing room: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "replay", "room": c.room, "recording_id": recording.Str("recording_id"), "secret": "wrong"}); errCode(d) != 433 {
		t.Fatalf("replay with a wrong secret: %v", d)
	}
	d := c.admin.sync(jc.Msg{"request": "replay", "room": c.room, "recording_id": recording.Str("recording_id"), "secret": "t"})
	skipUnwiredReplay(t, d)
	if d.Str("videoroom") != "success" || d.Str("replay_id") == "" {
		t.Fatalf("replay: %v", d)
	}
	pubs := list(data(watcher.event(hasKey("publishers"))), "publishers")
	if len(pubs) != 1 || pubs[0].Str("display") != "Recorded Rita" {
		t.Fatalf("publishers event for the replay: %v", pubs)
	}
	feed := pubs[0].ID("id")
	streamKinds := map[string]string{}
	for _, st := range list(pubs[0], "streams") {
		streamKinds[st.Str("type")] = st.Str("codec")
	}
	if streamKinds["audio"] != "opus" || streamKinds["video"] != "vp8" {
		t.Fatalf("replayed streams: %v", pubs[0])
	}
	parts := list(c.admin.sync(jc.Msg{"request": "listparticipants", "room": c.room}), "participants")
	found := false
	for _, p := range parts {
		found = found || (p.ID("id") == feed && p["publisher"] == true && p.Str("display") == "Recorded Rita")
	}
	if !found {
		t.Fatalf("listparticipants lacks the replayed feed %d: %v", feed, parts)
	}

	// Subscribe like to any publisher.
	sub := c.j.attach()
	s := newSubscriber(t)
	att := sub.async(jc.Msg{"request": "join", "room": c.room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": feed}}}, nil)
	if data(att).Str("videoroom") != "attached" {
		t.Fatalf("subscribe: %v", data(att))
	}
	if offer := att.Obj("jsep").Str("sdp"); !strings.Contains(offer, "VP8/90000") || !strings.Contains(strings.ToLower(offer), "opus/48000") {
		t.Fatalf("subscriber offer without the recorded codecs:\n%s", offer)
	}
	if d := data(sub.async(jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))); d.Str("started") != "ok" {
		t.Fatalf("start: %v", d)
	}

	// The replay ends by itself: the feed goes away as a leaving publisher.
	if d := data(watcher.event(hasKey("unpublished"))); d.ID("unpublished") != feed {
		t.Fatalf("unpublished: %v", d)
	}
	if d := data(watcher.event(hasKey("leaving"))); d.ID("leaving") != feed {
		t.Fatalf("leaving: %v", d)
	}
	upd := sub.event(has("videoroom", "updated"))
	for _, st := range list(data(upd), "streams") {
		if st["active"] != false {
			t.Fatalf("subscription still has the replayed feed: %v", data(upd))
		}
	}
	audio, video := s.arrivals("audio"), s.arrivals("video")
	t.Logf("recorded %v; received %d audio packets over %v, %d video packets over %v", recorded, len(audio), span(audio), len(video), span(video))
	// The subscription starts a moment after the feed does, so a little of
	// the beginning may be missing, but not more.
	for kind, as := range map[string][]arrival{"audio": audio, "video": video} {
		if sp := span(as); sp < recorded[kind]-1200*time.Millisecond || sp > recorded[kind]+1500*time.Millisecond {
			t.Errorf("%s received over %v, want about the recorded %v", kind, sp, recorded[kind])
		}
	}
	if want := recorded["audio"] - 1200*time.Millisecond; len(audio) < int(want/(20*time.Millisecond)) {
		t.Errorf("%d audio packets, want about one per 20 ms of %v", len(audio), want)
	}
	parts = list(c.admin.sync(jc.Msg{"request": "listparticipants", "room": c.room}), "participants")
	if len(parts) != 1 {
		t.Fatalf("participants after the replay: %v", parts)
	}

	// An unknown recording; a looping replay stopped by stop_replay; one
	// whose room is destroyed under it.
	if d := c.admin.sync(jc.Msg{"request": "replay", "room": c.room, "recording_id": "nope", "secret": "t"}); errCode(d) != 438 {
		t.Fatalf("replay of an unknown recording: %v", d)
	}
	d = c.admin.sync(jc.Msg{"request": "replay", "room": c.room, "recording_id": recording.Str("recording_id"), "secret": "t", "loop": true})
	if d.Str("replay_id") == "" {
		t.Fatalf("looping replay: %v", d)
	}
	looping := d.Str("replay_id")
	loopFeed := list(data(watcher.event(hasKey("publishers"))), "publishers")[0].ID("id")
	if d := c.admin.sync(jc.Msg{"request": "stop_replay", "replay_id": looping, "secret": "wrong"}); errCode(d) != 433 {
		t.Fatalf("stop_replay with a wrong secret: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "stop_replay", "replay_id": looping, "secret": "t"}); d.Str("videoroom") != "success" {
		t.Fatalf("stop_replay: %v", d)
	}
	if d := data(watcher.event(hasKey("unpublished"))); d.ID("unpublished") != loopFeed {
		t.Fatalf("unpublished after stop_replay: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "stop_replay", "replay_id": looping}); errCode(d) != 438 {
		t.Fatalf("stop_replay of a stopped replay: %v", d)
	}
	d = c.admin.sync(jc.Msg{"request": "replay", "room": c.room, "recording_id": recording.Str("recording_id"), "secret": "t", "loop": true})
	watcher.event(hasKey("publishers"))
	if d := c.admin.sync(jc.Msg{"request": "destroy", "room": c.room, "secret": "t"}); d.Str("videoroom") != "destroyed" {
		t.Fatalf("destroy: %v", d)
	}
	// The replay stops with its room (in the background): stopping it
	// again finds nothing.
	if !waitUntil(5*time.Second, func() bool {
		return errCode(c.admin.sync(jc.Msg{"request": "stop_replay", "replay_id": d.Str("replay_id")})) == 438
	}) {
		t.Fatalf("the replay of a destroyed room still runs")
	}
}

// A replayed feed is part of the extension's persisted state: after a
// kill -9 of the extension it is still listed, its subscriber still gets
// media, and stopping the replay still removes it from the room.
func TestReplaySurvivesExtensionCrash(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 7201, "record": true, "rec_dir": t.TempDir()})
	if c.gw.External {
		t.Skip("needs the gateway process")
	}
	recording, _ := recordRoom(t, c, "Recorded Rob", 3)
	if d := c.admin.sync(jc.Msg{"request": "create", "room": 7202}); d.Str("videoroom") != "created" {
		t.Fatalf("create: %v", d)
	}
	c.room = 7202
	watcher := c.j.attach()
	data(watcher.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Watcher"}, nil))
	d := c.admin.sync(jc.Msg{"request": "replay", "room": c.room, "recording_id": recording.Str("recording_id"), "loop": true})
	skipUnwiredReplay(t, d)
	replayID := d.Str("replay_id")
	if replayID == "" {
		t.Fatalf("replay: %v", d)
	}
	feed := list(data(watcher.event(hasKey("publishers"))), "publishers")[0].ID("id")
	sub := c.j.attach()
	s := newSubscriber(t)
	att := sub.async(jc.Msg{"request": "join", "room": c.room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": feed}}}, nil)
	if d := data(sub.async(jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))); d.Str("started") != "ok" {
		t.Fatalf("start: %v", d)
	}
	if !waitUntil(5*time.Second, func() bool { return len(s.arrivals("audio")) > 10 }) {
		t.Fatal("no replayed audio before the crash")
	}

	pid, err := c.gw.ExtensionPID("videoroom")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var parts []jc.Msg
	if !waitUntil(20*time.Second, func() bool {
		r := c.admin.message(jc.Msg{"request": "listparticipants", "room": c.room}, nil)
		parts = list(r.Obj("plugindata").Obj("data"), "participants")
		return r.Str("janus") == "success" && len(parts) > 0
	}) {
		t.Fatal("the restarted extension does not answer listparticipants")
	}
	if newPID, _ := c.gw.ExtensionPID("videoroom"); newPID == pid {
		t.Fatal("the videoroom extension was not restarted")
	}
	found := false
	for _, p := range parts {
		found = found || (p.ID("id") == feed && p["publisher"] == true && p.Str("display") == "Recorded Rob")
	}
	if len(parts) != 2 || !found {
		t.Fatalf("participants after the crash: %v", parts)
	}
	before := len(s.arrivals("audio"))
	if !waitUntil(5*time.Second, func() bool { return len(s.arrivals("audio")) > before+25 }) {
		t.Fatal("replayed audio stopped with the crash")
	}
	if d := c.admin.sync(jc.Msg{"request": "stop_replay", "replay_id": replayID}); d.Str("videoroom") != "success" {
		t.Fatalf("stop_replay after the crash: %v", d)
	}
	if d := data(watcher.event(hasKey("unpublished"))); d.ID("unpublished") != feed {
		t.Fatalf("unpublished: %v", d)
	}
	sub.event(has("videoroom", "updated"))
}
