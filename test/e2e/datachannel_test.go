package e2e

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// Data-channel messages come back like media, relayed inside the core; the
// echotest's "data": false stops them.
func TestEchoTestDataChannel(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	c := transports(gw)[1].dial(t)
	s := session(t, c)
	h := attach(t, c, s, "janus.plugin.echotest")
	p := newTestPeer(t)
	dc, err := p.pc.CreateDataChannel("JanusDataChannel", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 16)
	dc.OnMessage(func(m webrtc.DataChannelMessage) { got <- string(m.Data) })
	opened := make(chan struct{})
	dc.OnOpen(func() { close(opened) })

	must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": true, "video": true, "data": true},
		"jsep": jc.Msg{"type": "offer", "sdp": p.offer(t)}})
	ev, err := jc.WaitEvent(c, 15*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" }))
	if err != nil {
		t.Fatal(err)
	}
	p.answer(t, ev.Obj("jsep").Str("sdp"))
	select {
	case <-opened:
	case <-time.After(15 * time.Second):
		t.Fatal("data channel did not open")
	}
	if err := dc.SendText("hello reprise"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m != "hello reprise" {
			t.Fatalf("echoed %q", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no data echo")
	}

	must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"data": false}})
	if _, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" })); err != nil {
		t.Fatal(err)
	}
	_ = dc.SendText("should not come back")
	select {
	case m := <-got:
		t.Fatalf("data echoed while off: %q", m)
	case <-time.After(700 * time.Millisecond):
	}
}
