package recordplay

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

const pluginPackage = "janus.plugin.recordplay"

// newPeer is a pion PeerConnection that only uses IPv4 loopback.
func newPeer(t *testing.T) *webrtc.PeerConnection {
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
	return pc
}

// gathered sets desc as local description and returns it with all candidates.
func gathered(t *testing.T, pc *webrtc.PeerConnection, desc webrtc.SessionDescription) string {
	t.Helper()
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		t.Fatal(err)
	}
	<-done
	return pc.LocalDescription().SDP
}

// handle is a Janus client attached to the recordplay plugin; each handle
// has its own WebSocket so waiting for one handle's events drops no other's.
type handle struct {
	t       *testing.T
	c       jc.Client
	session uint64
	id      uint64
}

func attach(t *testing.T, gw *harness.Gateway) *handle {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := jc.NewWS(ctx, gw.WSURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	h := &handle{t: t, c: c}
	h.session = h.send(0, "success", jc.Msg{"janus": "create"}).Obj("data").ID("id")
	h.id = h.send(0, "success", jc.Msg{"janus": "attach", "plugin": pluginPackage}).Obj("data").ID("id")
	return h
}

func (h *handle) send(handle uint64, want string, msg jc.Msg) jc.Msg {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var session uint64
	if msg.Str("janus") != "create" {
		session = h.session
	}
	r, err := h.c.Send(ctx, session, handle, msg)
	if err != nil {
		h.t.Fatalf("%v: %v", msg, err)
	}
	if r.Str("janus") != want {
		h.t.Fatalf("%v: got %v, want %q", msg, r, want)
	}
	return r
}

// sync sends a synchronous request and returns its plugin data.
func (h *handle) sync(body jc.Msg) jc.Msg {
	h.t.Helper()
	return h.send(h.id, "success", jc.Msg{"janus": "message", "body": body}).Obj("plugindata").Obj("data")
}

// async sends an asynchronous request (acked) with an optional jsep.
func (h *handle) async(body jc.Msg, jsep jc.Msg) {
	h.t.Helper()
	msg := jc.Msg{"janus": "message", "body": body}
	if jsep != nil {
		msg["jsep"] = jsep
	}
	h.send(h.id, "ack", msg)
}

// event waits for the handle's next plugin event and returns it whole.
func (h *handle) event(timeout time.Duration) jc.Msg {
	h.t.Helper()
	ev, err := jc.WaitEvent(h.c, timeout, func(m jc.Msg) bool { return m.Str("janus") == "event" && m.ID("sender") == h.id })
	if err != nil {
		h.t.Fatal(err)
	}
	return ev
}

func data(ev jc.Msg) jc.Msg { return ev.Obj("plugindata").Obj("data") }
