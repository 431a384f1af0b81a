package media

import (
	"fmt"
	"testing"

	"github.com/pion/webrtc/v4"
)

// routerRig is a router over in-memory streams, without PeerConnections.
type routerRig struct {
	sources map[endpoint]*source
	downs   map[endpoint]*downTrack
	r       *router
}

func newRouterRig() *routerRig {
	g := &routerRig{sources: map[endpoint]*source{}, downs: map[endpoint]*downTrack{}}
	g.r = newRouter(func(ep endpoint) *source { return g.sources[ep] }, func(ep endpoint) *downTrack { return g.downs[ep] })
	return g
}

func (g *routerRig) addSource(h uint64, mid string, kind webrtc.RTPCodecType) *source {
	s := &source{handleID: h, mid: mid, kind: kind, clock: func() int64 { return 1 }}
	g.sources[endpoint{h, mid}] = s
	g.r.sourceChanged(endpoint{h, mid})
	return s
}

func (g *routerRig) addDown(h uint64, mid string, kind webrtc.RTPCodecType) *downTrack {
	d := newDownTrack(h, mid, kind, "")
	g.downs[endpoint{h, mid}] = d
	g.r.downChanged(endpoint{h, mid})
	return d
}

func TestRouteBeforeStreamsExist(t *testing.T) {
	g := newRouterRig()
	if err := g.r.route(endpoint{1, "0"}, endpoint{2, "v"}); err != nil {
		t.Fatal(err)
	}
	s := g.addSource(1, "0", webrtc.RTPCodecTypeVideo)
	if len(s.destinations()) != 0 {
		t.Fatal("source feeds a destination that does not exist yet")
	}
	d := g.addDown(2, "v", webrtc.RTPCodecTypeVideo)
	if got := s.destinations(); len(got) != 1 || got[0] != d {
		t.Fatalf("destinations = %v, want the new downtrack", got)
	}
	if d.src.Load() != s {
		t.Fatal("downtrack not attached to its source")
	}
}

func TestRouteSwitchReplacesSource(t *testing.T) {
	g := newRouterRig()
	a := g.addSource(1, "0", webrtc.RTPCodecTypeAudio)
	b := g.addSource(3, "0", webrtc.RTPCodecTypeAudio)
	d := g.addDown(2, "a", webrtc.RTPCodecTypeAudio)
	_ = g.r.route(endpoint{1, "0"}, endpoint{2, "a"})
	if err := g.r.route(endpoint{3, "0"}, endpoint{2, "a"}); err != nil {
		t.Fatal(err)
	}
	if len(a.destinations()) != 0 || len(b.destinations()) != 1 || d.src.Load() != b {
		t.Fatalf("after switch: a feeds %d, b feeds %d, d.src is b: %v", len(a.destinations()), len(b.destinations()), d.src.Load() == b)
	}
	// Unrouting the replaced source is a no-op; unrouting the live one detaches.
	g.r.unroute(endpoint{1, "0"}, endpoint{2, "a"})
	if d.src.Load() != b {
		t.Fatal("stale unroute detached the current source")
	}
	g.r.unroute(endpoint{3, "0"}, endpoint{2, "a"})
	if d.src.Load() != nil || len(b.destinations()) != 0 {
		t.Fatal("unroute left the destination attached")
	}
}

func TestRouteKindMismatchAndDropHandle(t *testing.T) {
	g := newRouterRig()
	g.addSource(1, "0", webrtc.RTPCodecTypeAudio)
	g.addDown(2, "v", webrtc.RTPCodecTypeVideo)
	if err := g.r.route(endpoint{1, "0"}, endpoint{2, "v"}); err == nil {
		t.Fatal("audio routed to video")
	}
	if err := g.r.route(endpoint{1, ""}, endpoint{2, "v"}); err == nil {
		t.Fatal("empty mid accepted")
	}
	s := g.addSource(1, "1", webrtc.RTPCodecTypeVideo)
	_ = g.r.route(endpoint{1, "1"}, endpoint{2, "v"})
	g.r.dropHandle(2)
	if len(s.destinations()) != 0 {
		t.Fatal("routes to a hung-up handle survive")
	}
	if in, out := g.r.routesOf(1); len(in)+len(out) != 0 {
		t.Fatalf("routes left: %v %v", in, out)
	}
}

// slowlinkRecorder captures slowlink events only.
type slowlinkRecorder struct {
	recorder
	got []string
}

func (r *slowlinkRecorder) Slowlink(h uint64, mid, kind string, uplink bool, lost uint32) {
	r.got = append(r.got, fmtSlowlink(h, mid, kind, uplink, lost))
}

func fmtSlowlink(h uint64, mid, kind string, uplink bool, lost uint32) string {
	dir := "down"
	if uplink {
		dir = "up"
	}
	return fmt.Sprintf("%s/%s/%s/%d", kind, mid, dir, lost)
}

func TestSlowlinkDirections(t *testing.T) {
	ev := &slowlinkRecorder{}
	e := &Engine{cfg: Config{SlowlinkThreshold: 5}, ev: ev}
	p := &peerConn{id: 9}
	s := &source{handleID: 9, mid: "1", kind: webrtc.RTPCodecTypeVideo}
	d := newDownTrack(9, "1", webrtc.RTPCodecTypeVideo, "")

	// Below threshold: nothing.
	s.lost.Store(3)
	d.nacked.Store(4)
	e.checkSlowlink(p, []*source{s}, []*downTrack{d})
	if len(ev.got) != 0 {
		t.Fatalf("events below threshold: %v", ev.got)
	}
	// 10 more lost on what we receive (uplink), 6 more NACKed / 8 more
	// reported lost on what we send (downlink, the larger one counts).
	s.lost.Store(13)
	d.nacked.Store(10)
	d.remoteLost.Store(8)
	e.checkSlowlink(p, []*source{s}, []*downTrack{d})
	want := []string{"video/1/up/10", "video/1/down/8"}
	if len(ev.got) != 2 || ev.got[0] != want[0] || ev.got[1] != want[1] {
		t.Fatalf("slowlink events %v, want %v", ev.got, want)
	}
	// The window resets: no loss, no event.
	e.checkSlowlink(p, []*source{s}, []*downTrack{d})
	if len(ev.got) != 2 {
		t.Fatalf("event without new loss: %v", ev.got)
	}
}
