package e2e

import (
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// A pion client offers audio+video to janus.plugin.echotest and gets its own
// RTP back, routed inside the core; toggling video pauses it without
// breaking the sequence; hangup and detach are reported as Janus does.
func TestEchoTestMediaComesBack(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	for _, tr := range transports(gw) {
		t.Run(tr.name, func(t *testing.T) {
			c := tr.dial(t)
			s := session(t, c)
			h := attach(t, c, s, "janus.plugin.echotest")
			p := newTestPeer(t)
			ack := must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": true, "video": true},
				"jsep": jc.Msg{"type": "offer", "sdp": p.offer(t)}})
			ev, err := jc.WaitEvent(c, 15*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" }))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Str("transaction") != ack.Str("transaction") || ev.Obj("plugindata").Str("plugin") != "janus.plugin.echotest" {
				t.Fatalf("event does not answer the request: %v", ev)
			}
			if ev.Obj("jsep").Str("type") != "answer" {
				t.Fatalf("no answer in %v", ev)
			}
			p.answer(t, ev.Obj("jsep").Str("sdp"))
			p.send()
			if _, err := jc.WaitEvent(c, 15*time.Second, coreEvent(h, "webrtcup")); err != nil {
				t.Fatal(err)
			}
			ctx := ctxT(t, 15*time.Second)
			if !waitFor(ctx, 50*time.Millisecond, func() bool { return p.echoed("audio", 0xA) >= 25 && p.echoed("video", 0xB) >= 25 }) {
				t.Fatalf("echo: audio %d, video %d packets back", p.echoed("audio", 0xA), p.echoed("video", 0xB))
			}

			// video off: packets stop; on: they resume with no sequence gap.
			must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"video": false}})
			if _, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" })); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond) // packets already in flight
			before := len(p.packets("video"))
			time.Sleep(600 * time.Millisecond)
			if after := len(p.packets("video")); after > before+2 {
				t.Fatalf("video still flowing while off: %d -> %d packets", before, after)
			}
			audioDuring := p.echoed("audio", 0xA)
			must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"video": true, "bitrate": 256000}})
			if _, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "ok" })); err != nil {
				t.Fatal(err)
			}
			if !waitFor(ctx, 50*time.Millisecond, func() bool { return len(p.packets("video")) > before+20 }) {
				t.Fatal("video did not resume")
			}
			if p.echoed("audio", 0xA) <= audioDuring {
				t.Fatal("audio stopped while only video was off")
			}
			pk := p.packets("video")
			for i := 1; i < len(pk); i++ {
				if pk[i].SequenceNumber != pk[i-1].SequenceNumber+1 {
					t.Fatalf("video sequence jumps %d -> %d at packet %d", pk[i-1].SequenceNumber, pk[i].SequenceNumber, i)
				}
			}

			// hangup: the client hears "hangup", the plugin says "done".
			must(t, c, s, h, "success", jc.Msg{"janus": "hangup"})
			if _, err := jc.WaitEvent(c, 10*time.Second, coreEvent(h, "hangup")); err != nil {
				t.Fatal(err)
			}
			if _, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.Str("result") == "done" })); err != nil {
				t.Fatal(err)
			}
			must(t, c, s, h, "success", jc.Msg{"janus": "detach"})
			if _, err := jc.WaitEvent(c, 10*time.Second, coreEvent(h, "detached")); err != nil {
				t.Fatal(err)
			}
			must(t, c, s, 0, "success", jc.Msg{"janus": "destroy"})
		})
	}
}
