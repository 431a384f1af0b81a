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
// appear. Sinks are attached to source endpoints the same way. On every
// change the affected sources get a fresh immutable fanout, so the packet
// path never takes this lock.
//
// Lock order: router.mu, then Engine.mu, then peerConn.mu, then downTrack.mu.
type router struct {
	mu    sync.Mutex
	bySrc map[endpoint]map[endpoint]struct{}
	byDst map[endpoint]endpoint
	sinks map[endpoint][]*sinkEntry

	findSource func(endpoint) *source
	findDown   func(endpoint) *downTrack
}

func newRouter(findSource func(endpoint) *source, findDown func(endpoint) *downTrack) *router {
	return &router{
		bySrc:      map[endpoint]map[endpoint]struct{}{},
		byDst:      map[endpoint]endpoint{},
		sinks:      map[endpoint][]*sinkEntry{},
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

// dropHandle removes every route to or from a handle, and closes the
// sinks of its streams.
func (r *router) dropHandle(handle uint64) {
	var closing []*sinkEntry
	defer func() { closeSinks(closing) }()
	r.mu.Lock()
	defer r.mu.Unlock()
	for src, list := range r.sinks {
		if src.handle == handle {
			closing = append(closing, list...)
			delete(r.sinks, src)
			r.publishLocked(src)
		}
	}
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

// publishLocked gives a source its current fanout.
func (r *router) publishLocked(src endpoint) {
	s := r.findSource(src)
	if s == nil {
		return
	}
	f := &fanout{dsts: make([]*downTrack, 0, len(r.bySrc[src]))}
	for dst := range r.bySrc[src] {
		if d := r.findDown(dst); d != nil && d.kind == s.kind {
			f.dsts = append(f.dsts, d)
		}
	}
	f.sinks = append(f.sinks, r.sinks[src]...)
	s.fan.Store(f)
}

// addSink attaches a sink to a source endpoint under id, replacing (and
// returning, for closing) a sink already there under the same id.
func (r *router) addSink(src endpoint, id string, k Sink) (replaced *sinkEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.sinks[src]
	entry := newSinkEntry(id, k)
	next := make([]*sinkEntry, 0, len(list)+1)
	for _, old := range list {
		if old.id == id {
			replaced = old
			continue
		}
		next = append(next, old)
	}
	r.sinks[src] = append(next, entry)
	r.publishLocked(src)
	return replaced
}

// findSink returns the sink registered under id on src.
func (r *router) findSink(src endpoint, id string) *sinkEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.sinks[src] {
		if k.id == id {
			return k
		}
	}
	return nil
}

// removeSink detaches the sink with id and returns it for closing.
func (r *router) removeSink(src endpoint, id string) *sinkEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var removed *sinkEntry
	next := make([]*sinkEntry, 0, len(r.sinks[src]))
	for _, k := range r.sinks[src] {
		if k.id == id {
			removed = k
			continue
		}
		next = append(next, k)
	}
	if removed == nil {
		return nil
	}
	if len(next) == 0 {
		delete(r.sinks, src)
	} else {
		r.sinks[src] = next
	}
	r.publishLocked(src)
	return removed
}

// sourceEnded is called when source s of src stopped for good. Unless a
// newer source took its place, its sinks are closed: their stream is over.
func (r *router) sourceEnded(src endpoint, s *source) {
	var closing []*sinkEntry
	r.mu.Lock()
	if cur := r.findSource(src); cur == nil {
		closing = r.sinks[src]
		delete(r.sinks, src)
	}
	r.publishLocked(src)
	for dst := range r.bySrc[src] {
		r.attachLocked(dst)
	}
	r.mu.Unlock()
	s.fan.Store(nil)
	closeSinks(closing)
}

// closeAll closes every sink (engine shutdown).
func (r *router) closeAll() {
	r.mu.Lock()
	var closing []*sinkEntry
	for src, list := range r.sinks {
		closing = append(closing, list...)
		delete(r.sinks, src)
	}
	r.mu.Unlock()
	closeSinks(closing)
}

func closeSinks(list []*sinkEntry) {
	for _, k := range list {
		_ = k.close()
	}
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
