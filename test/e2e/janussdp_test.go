package e2e

import (
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// A client that sends its SDP as "janusSdp" (seed 003's) reads the answer
// under that name too; a client using "jsep" sees no extra field.
func TestJanusSdpAlias(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	for _, legacy := range []bool{true, false} {
		c := transports(gw)[1].dial(t)
		s := session(t, c)
		h := attach(t, c, s, "janus.plugin.echotest")
		p := newTestPeer(t)
		field := "jsep"
		if legacy {
			field = "janusSdp"
		}
		must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": true}, field: jc.Msg{"type": "offer", "sdp": p.offer(t)}})
		ev, err := jc.WaitEvent(c, 15*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" }))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Obj("jsep").Str("type") != "answer" {
			t.Fatalf("no jsep answer: %v", ev)
		}
		_, has := ev["janusSdp"]
		if has != legacy || (legacy && ev.Obj("janusSdp").Str("sdp") != ev.Obj("jsep").Str("sdp")) {
			t.Fatalf("legacy=%v: janusSdp present=%v in %v", legacy, has, ev)
		}
	}
}
