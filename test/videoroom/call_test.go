package videoroom

import (
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// call is a gateway with one room and the clients of a test.
type call struct {
	t     *testing.T
	gw    *harness.Gateway
	j     *janus
	admin *handle
	room  uint64
}

func newCall(t *testing.T, opts harness.Options, room jc.Msg) *call {
	t.Helper()
	gw := harness.Start(t, opts)
	c := &call{t: t, gw: gw, j: newJanus(t, gw.HTTPURL)}
	c.admin = c.j.attach()
	if room != nil {
		room["request"] = "create"
		d := c.admin.sync(room)
		if d.Str("videoroom") != "created" {
			t.Fatalf("create room: %v", d)
		}
		c.room = d.ID("room")
	}
	return c
}

// publisher joins the room and publishes audio+video (and data), and waits
// until its PeerConnection is up.
func (c *call) publisher(display string, id byte, withData bool) (*handle, *publisherPeer, uint64) {
	c.t.Helper()
	h := c.j.attach()
	joined := data(h.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": display}, nil))
	if joined.Str("videoroom") != "joined" {
		c.t.Fatalf("join: %v", joined)
	}
	p := newPublisher(c.t, id, withData)
	ev := h.async(jc.Msg{"request": "publish"}, p.offer(c.t))
	if d := data(ev); d.Str("configured") != "ok" {
		c.t.Fatalf("publish: %v", d)
	}
	p.answer(c.t, ev.Obj("jsep"))
	p.send()
	h.core("webrtcup")
	return h, p, joined.ID("id")
}

// subscriber subscribes a new handle to streams and starts it.
func (c *call) subscriber(streams []jc.Msg) (*handle, *subscriberPeer) {
	c.t.Helper()
	h := c.j.attach()
	s := newSubscriber(c.t)
	att := h.async(jc.Msg{"request": "join", "room": c.room, "ptype": "subscriber", "streams": streams}, nil)
	if data(att).Str("videoroom") != "attached" {
		c.t.Fatalf("subscribe: %v", data(att))
	}
	if d := data(h.async(jc.Msg{"request": "start"}, s.answer(c.t, att.Obj("jsep")))); d.Str("started") != "ok" {
		c.t.Fatalf("start: %v", d)
	}
	h.core("webrtcup")
	return h, s
}

// receives waits until s has at least n more packets of kind from publisher id.
func receives(t *testing.T, s *subscriberPeer, kind string, id byte, n int) {
	t.Helper()
	base := s.count(kind, id)
	if !waitUntil(10*time.Second, func() bool { return s.count(kind, id) >= base+n }) {
		t.Fatalf("%s from publisher %d: %d packets, want %d more", kind, id, s.count(kind, id), n)
	}
}

// silent checks that s gets (almost) no packets of kind from publisher id for d.
func silent(t *testing.T, s *subscriberPeer, kind string, id byte, d time.Duration) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // packets already on their way
	before := s.count(kind, id)
	time.Sleep(d)
	if after := s.count(kind, id); after > before+1 {
		t.Fatalf("%s from publisher %d still flowing: %d -> %d", kind, id, before, after)
	}
}
