package media

import (
	"fmt"
	"sync"
)

// endpoint names a stream: a handle's m-line.
type endpoint struct {
	handle uint64
	mid    string
}

// router owns the route graph. A destination is fed by at most one source
// (routing another source to it replaces the old route, which is how a
// switch happens); a source may feed any number of destinations. Routes
// may name streams that do not exist yet; they take effect when both ends
// appear. On every change the affected sources get a fresh immutable
// destination slice, so the packet path never takes this lock.
//
// Lock order: router.mu, then Engine.mu, then peerConn.mu, then downTrack.mu.
type router struct {
	mu    sync.Mutex
	bySrc map[endpoint]map[endpoint]struct{}
	byDst map[endpoint]endpoint

	findSource func(endpoint) *source
	findDown   func(endpoint) *downTrack
}

func newRouter(findSource func(endpoint) *source, findDown func(endpoint) *downTrack) *router {
	return &router{
		bySrc:      map[endpoint]map[endpoint]struct{}{},
		byDst:      map[endpoint]endpoint{},
		findSource: findSource,
		findDown:   findDown,
	}
}

func (r *router) route(src, dst endpoint) error {
	if src.mid == "" || dst.mid == "" {
		return fmt.Errorf("%w: empty mid", ErrBadRoute)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, d := r.findSource(src), r.findDown(dst); s != nil && d != nil && s.kind != d.kind {
		return fmt.Errorf("%w: %s source %d/%s to %s destination %d/%s",
			ErrBadRoute, s.kind, src.handle, src.mid, d.kind, dst.handle, dst.mid)
	}
	old, had := r.byDst[dst]
	if had && old == src {
		return nil
	}
	if had {
		delete(r.bySrc[old], dst)
		if len(r.bySrc[old]) == 0 {
			delete(r.bySrc, old)
		}
	}
	r.byDst[dst] = src
	if r.bySrc[src] == nil {
		r.bySrc[src] = map[endpoint]struct{}{}
	}
	r.bySrc[src][dst] = struct{}{}
	if had {
		r.publishLocked(old)
	}
	r.publishLocked(src)
	r.attachLocked(dst)
	return nil
}

func (r *router) unroute(src, dst endpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur, ok := r.byDst[dst]; !ok || cur != src {
		return
	}
	delete(r.byDst, dst)
	delete(r.bySrc[src], dst)
	if len(r.bySrc[src]) == 0 {
		delete(r.bySrc, src)
	}
	r.publishLocked(src)
	r.attachLocked(dst)
}

// sourceOf returns the source routed to dst, if any.
func (r *router) sourceOf(dst endpoint) (endpoint, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	src, ok := r.byDst[dst]
	return src, ok
}

// sourceChanged is called when a source appears or goes away.
func (r *router) sourceChanged(src endpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publishLocked(src)
	for dst := range r.bySrc[src] {
		r.attachLocked(dst)
	}
}

// downChanged is called when a destination appears or goes away.
func (r *router) downChanged(dst endpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if src, ok := r.byDst[dst]; ok {
		r.publishLocked(src)
	}
	r.attachLocked(dst)
}

// dropHandle removes every route to or from a handle.
func (r *router) dropHandle(handle uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	touched := map[endpoint]struct{}{}
	for dst, src := range r.byDst {
		if dst.handle != handle && src.handle != handle {
			continue
		}
		delete(r.byDst, dst)
		delete(r.bySrc[src], dst)
		if len(r.bySrc[src]) == 0 {
			delete(r.bySrc, src)
		}
		touched[src] = struct{}{}
		if dst.handle != handle {
			r.attachLocked(dst)
		}
	}
	for src := range touched {
		if src.handle != handle {
			r.publishLocked(src)
		}
	}
}

// routesOf lists the routes touching a handle, for PeerInfo.
func (r *router) routesOf(handle uint64) (in, out []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for dst, src := range r.byDst {
		if dst.handle == handle {
			in = append(in, fmt.Sprintf("%d/%s -> %s", src.handle, src.mid, dst.mid))
		}
		if src.handle == handle {
			out = append(out, fmt.Sprintf("%s -> %d/%s", src.mid, dst.handle, dst.mid))
		}
	}
	return in, out
}

// publishLocked gives a source its current destination list.
func (r *router) publishLocked(src endpoint) {
	s := r.findSource(src)
	if s == nil {
		return
	}
	list := make([]*downTrack, 0, len(r.bySrc[src]))
	for dst := range r.bySrc[src] {
		if d := r.findDown(dst); d != nil && d.kind == s.kind {
			list = append(list, d)
		}
	}
	s.dsts.Store(&list)
}

// attachLocked points a destination at its routed source (or none).
func (r *router) attachLocked(dst endpoint) {
	d := r.findDown(dst)
	if d == nil {
		return
	}
	var s *source
	if src, ok := r.byDst[dst]; ok {
		s = r.findSource(src)
	}
	if s != nil && s.kind != d.kind {
		s = nil
	}
	d.setSource(s)
}
