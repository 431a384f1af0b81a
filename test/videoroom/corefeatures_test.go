package videoroom

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// These tests exercise VideoRoom features that need core RPCs which may
// not be wired in the gateway yet. Each skips itself only when the gateway
// says the RPC is unimplemented, so they run as soon as it is.

// skipUnimplemented skips when a VideoRoom error says the core lacks the feature.
func skipUnimplemented(t *testing.T, d jc.Msg, feature string) {
	t.Helper()
	if errCode(d) == 499 && strings.Contains(d.Str("error"), "unimplemented") {
		t.Skipf("core feature not wired yet: %s (%s)", feature, d.Str("error"))
	}
}

// skipIfLogged skips when the extension logged that the core refused a
// call as unimplemented (for calls a client never hears about, as in Janus).
func skipIfLogged(t *testing.T, gw *harness.Gateway, msg, feature string) {
	t.Helper()
	for _, line := range strings.Split(gw.Output(), "\n") {
		if strings.Contains(line, msg) && strings.Contains(line, "code = Unimplemented") {
			t.Skipf("core feature not wired yet: %s", feature)
		}
	}
}

// configure record:true records the publisher's streams into the room's
// rec_dir; enable_recording does it for the whole room.
func TestRecording(t *testing.T) {
	dir := t.TempDir()
	c := newCall(t, harness.Options{}, jc.Msg{"room": 6001, "secret": "s", "rec_dir": dir})
	alice, _, _ := c.publisher("Alice", 1, false)
	d := data(alice.async(jc.Msg{"request": "configure", "record": true, "filename": "alice"}, nil))
	skipUnimplemented(t, d, "StartRecording")
	if d.Str("configured") != "ok" {
		t.Fatalf("configure record: %v", d)
	}
	time.Sleep(1500 * time.Millisecond)
	if d := data(alice.async(jc.Msg{"request": "configure", "record": false}, nil)); d.Str("configured") != "ok" {
		t.Fatalf("configure record off: %v", d)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "alice*"))
	if len(files) < 2 {
		t.Fatalf("recorded files: %v", files)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("empty recording %s", f)
		}
	}
	if d := c.admin.sync(jc.Msg{"request": "enable_recording", "room": c.room, "secret": "s", "record": true}); d["record"] != true {
		t.Fatalf("enable_recording: %v", d)
	}
	if l := roomIDs(c.admin.sync(jc.Msg{"request": "list"})); l[c.room]["record"] != true {
		t.Fatalf("room not marked recording: %v", l[c.room])
	}
	time.Sleep(time.Second)
	c.admin.sync(jc.Msg{"request": "enable_recording", "room": c.room, "secret": "s", "record": false})
	all, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(all) <= len(files) {
		t.Fatalf("enable_recording wrote no new files: %v", all)
	}
}

// rtp_forward sends a publisher stream as plain RTP to a UDP port;
// listforwarders shows it and stop_rtp_forward ends it.
func TestRtpForward(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 6002, "secret": "s"})
	_, _, feed := c.publisher("Alice", 1, false)
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	d := c.admin.sync(jc.Msg{"request": "rtp_forward", "room": c.room, "secret": "s", "publisher_id": feed, "host": "127.0.0.1",
		"streams": []jc.Msg{{"mid": "1", "port": port, "pt": 100, "ssrc": 4242}}})
	skipUnimplemented(t, d, "StartRtpForward")
	fws := list(d, "forwarders")
	if d.Str("videoroom") != "rtp_forward" || d.ID("publisher_id") != feed || len(fws) != 1 || fws[0].Str("type") != "video" || fws[0].ID("port") != uint64(port) {
		t.Fatalf("rtp_forward: %v", d)
	}
	got := 0
	buf := make([]byte, 1500)
	deadline := time.Now().Add(5 * time.Second)
	for got < 10 && time.Now().Before(deadline) {
		_ = conn.SetReadDeadline(deadline)
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			break
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) == nil && len(p.Payload) > 2 && p.Payload[1] == 0xB && p.Payload[2] == 1 && p.SSRC == 4242 && p.PayloadType == 100 {
			got++
		}
	}
	if got < 10 {
		t.Fatalf("%d forwarded video packets", got)
	}
	l := c.admin.sync(jc.Msg{"request": "listforwarders", "room": c.room, "secret": "s"})
	if pubs := list(l, "publishers"); len(pubs) != 1 || len(list(pubs[0], "forwarders")) != 1 {
		t.Fatalf("listforwarders: %v", l)
	}
	id := fws[0].ID("stream_id")
	if d := c.admin.sync(jc.Msg{"request": "stop_rtp_forward", "room": c.room, "secret": "s", "publisher_id": feed, "stream_id": id}); d.Str("videoroom") != "stop_rtp_forward" {
		t.Fatalf("stop_rtp_forward: %v", d)
	}
	time.Sleep(200 * time.Millisecond)
	_ = conn.SetReadDeadline(time.Now().Add(600 * time.Millisecond))
	for {
		if _, _, err := conn.ReadFromUDP(buf); err != nil {
			break
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if _, _, err := conn.ReadFromUDP(buf); err == nil {
		t.Fatal("packets still forwarded after stop_rtp_forward")
	}
}

// In a room with audiolevel_event, a publisher whose audio level rises is
// announced "talking" to everyone, and "stopped-talking" when it drops.
func TestTalkingEvents(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 6003, "audiolevel_event": true, "audio_active_packets": 10, "audio_level_average": 40})
	alice, p, feed := c.publisher("Alice", 1, false)
	bob := c.j.attach()
	bob.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Bob"}, nil)
	skipIfLogged(t, c.gw, "talk detection", "SetTalkDetection")
	p.loud.Store(true)
	ev, err := c.j.in.take(10*time.Second, func(m jc.Msg) bool { return m.ID("sender") == bob.id && data(m).Str("videoroom") == "talking" })
	if err != nil {
		skipIfLogged(t, c.gw, "talk detection", "SetTalkDetection")
		t.Fatal(err)
	}
	if d := data(ev); d.ID("id") != feed || d.ID("room") != c.room {
		t.Fatalf("talking: %v", d)
	}
	alice.event(has("videoroom", "talking"))
	parts := list(c.admin.sync(jc.Msg{"request": "listparticipants", "room": c.room}), "participants")
	for _, pt := range parts {
		if pt.ID("id") == feed && pt["talking"] != true {
			t.Fatalf("listparticipants while talking: %v", parts)
		}
	}
	p.loud.Store(false)
	bob.event(has("videoroom", "stopped-talking"))
}

// fir_freq makes the gateway ask publishers for a keyframe regularly.
func TestKeyframeInterval(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 6004, "fir_freq": 1})
	_, p, _ := c.publisher("Alice", 1, false)
	skipIfLogged(t, c.gw, "keyframe interval", "SetKeyframeInterval")
	start := p.plis.Load()
	time.Sleep(3500 * time.Millisecond)
	if n := p.plis.Load() - start; n < 2 {
		skipIfLogged(t, c.gw, "keyframe interval", "SetKeyframeInterval")
		t.Fatalf("%d keyframe requests in 3.5 s with fir_freq 1", n)
	}
}
