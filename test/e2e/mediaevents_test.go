package e2e

import (
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// The core's "slowlink" and "media" events reach the client as Janus sends
// them: loss on what the gateway receives is an uplink slowlink, and a
// stream that stops is reported receiving:false, then true when it resumes.
func TestSlowlinkAndMediaEvents(t *testing.T) {
	gw := harness.Start(t, harness.Options{ExtraArgs: []string{"-slowlink-threshold", "4", "-no-media-timer", "1"}})
	c := transports(gw)[1].dial(t)
	s := session(t, c)
	h := attach(t, c, s, "janus.plugin.echotest")
	p := newTestPeer(t)
	must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": true, "video": true},
		"jsep": jc.Msg{"type": "offer", "sdp": p.offer(t)}})
	ev, err := jc.WaitEvent(c, 15*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" }))
	if err != nil {
		t.Fatal(err)
	}
	p.answer(t, ev.Obj("jsep").Str("sdp"))
	p.skipEvery.Store(3) // a third of the packets never arrive
	p.send()
	sl, err := jc.WaitEvent(c, 15*time.Second, func(m jc.Msg) bool { return coreEvent(h, "slowlink")(m) && m["uplink"] == true })
	if err != nil {
		t.Fatal(err)
	}
	if sl["uplink"] != true || sl.ID("lost") < 4 || sl.Str("media") == "" || sl.Str("mid") == "" {
		t.Fatalf("slowlink event: %v", sl)
	}
	p.skipEvery.Store(0)
	p.paused.Store(true)
	if _, err := jc.WaitEvent(c, 10*time.Second, func(m jc.Msg) bool {
		return coreEvent(h, "media")(m) && m.Str("type") == "video" && m["receiving"] == false && m.Str("mid") != ""
	}); err != nil {
		t.Fatal(err)
	}
	p.paused.Store(false)
	if _, err := jc.WaitEvent(c, 10*time.Second, func(m jc.Msg) bool {
		return coreEvent(h, "media")(m) && m.Str("type") == "video" && m["receiving"] == true
	}); err != nil {
		t.Fatal(err)
	}
}
