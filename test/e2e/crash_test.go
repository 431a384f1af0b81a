package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// kill -9 of the echotest process: the gateway stays up, the client's
// handle is told (hangup of its peer, then detached), and once the
// extension is back a new attach works.
func TestEchoTestCrashIsContained(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	if gw.External {
		t.Skip("needs the gateway process")
	}
	c := transports(gw)[0].dial(t)
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
	if _, err := jc.WaitEvent(c, 15*time.Second, coreEvent(h, "webrtcup")); err != nil {
		t.Fatal(err)
	}

	pid, err := gw.ExtensionPID("echotest")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := jc.WaitEvent(c, 10*time.Second, coreEvent(h, "detached")); err != nil {
		t.Fatal(err)
	}
	if r := must(t, c, s, h, "error", jc.Msg{"janus": "message", "body": jc.Msg{}}); r.ErrorCode() != 459 {
		t.Fatalf("the crashed handle still answers: %v", r)
	}
	// The session itself and the gateway survive.
	must(t, c, s, 0, "ack", jc.Msg{"janus": "keepalive"})

	var h2 uint64
	ctx := ctxT(t, 20*time.Second)
	if !waitFor(ctx, 100*time.Millisecond, func() bool {
		r, err := c.Send(ctx, s, 0, jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest"})
		if err == nil && r.Str("janus") == "success" {
			h2 = r.Obj("data").ID("id")
			return true
		}
		return false
	}) {
		t.Fatal("no attach succeeded after the extension crash")
	}
	must(t, c, s, h2, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": true}})
	if _, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h2, func(d jc.Msg) bool { return d.Str("result") == "ok" })); err != nil {
		t.Fatal(err)
	}
	newPID, err := gw.ExtensionPID("echotest")
	if err != nil || newPID == pid {
		t.Fatalf("extension not restarted as a new process: %d -> %d (%v)", pid, newPID, err)
	}
	metrics := get(t, strings.TrimSuffix(gw.AdminURL, "/admin")+"/metrics")
	for _, want := range []string{`reprise_extension_up{extension="echotest"} 1`, `reprise_extension_restarts_total{extension="echotest"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if page := get(t, strings.TrimSuffix(gw.AdminURL, "/admin")+"/console"); !strings.Contains(page, "echotest") {
		t.Errorf("console page does not show the extension: %s", page)
	}
	if !strings.Contains(gw.Output(), "extension=echotest") {
		t.Error("extension output is not in the gateway log under its name")
	}
}
