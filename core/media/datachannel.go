package media

import (
	"sync"

	"github.com/pion/webrtc/v4"
)

// dataRouter holds data channel routes: every message a source handle
// receives on a channel is sent on the channel with the same label of each
// destination handle (the same handle, for an echo). Data channel traffic
// is light, so a plain lock is fine here.
type dataRouter struct {
	mu     sync.RWMutex
	routes map[uint64]map[uint64]struct{} // src handle -> dst handles
}

func newDataRouter() *dataRouter {
	return &dataRouter{routes: map[uint64]map[uint64]struct{}{}}
}

func (r *dataRouter) add(src, dst uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.routes[src] == nil {
		r.routes[src] = map[uint64]struct{}{}
	}
	r.routes[src][dst] = struct{}{}
}

func (r *dataRouter) remove(src, dst uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.routes[src], dst)
	if len(r.routes[src]) == 0 {
		delete(r.routes, src)
	}
}

func (r *dataRouter) destinations(src uint64) []uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]uint64, 0, len(r.routes[src]))
	for dst := range r.routes[src] {
		out = append(out, dst)
	}
	return out
}

func (r *dataRouter) dropHandle(h uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.routes, h)
	for src, dsts := range r.routes {
		delete(dsts, h)
		if len(dsts) == 0 {
			delete(r.routes, src)
		}
	}
}

// RouteData forwards data channel messages received from srcHandle to
// dstHandle, on the channel with the same label. When the destination has
// no such channel yet but already has an SCTP association, one is opened.
func (e *Engine) RouteData(srcHandle, dstHandle uint64) error {
	if e.isClosed() {
		return ErrClosed
	}
	e.data.add(srcHandle, dstHandle)
	return nil
}

// UnrouteData stops forwarding data channel messages from src to dst.
func (e *Engine) UnrouteData(srcHandle, dstHandle uint64) {
	e.data.remove(srcHandle, dstHandle)
}

// addDataChannel registers a channel (remote- or locally-opened) by label.
func (e *Engine) addDataChannel(p *peerConn, dc *webrtc.DataChannel) {
	label := dc.Label()
	p.mu.Lock()
	p.channels[label] = dc
	p.mu.Unlock()
	dc.OnClose(func() {
		p.mu.Lock()
		if p.channels[label] == dc {
			delete(p.channels, label)
		}
		p.mu.Unlock()
	})
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		e.forwardData(p.id, label, msg)
	})
}

func (e *Engine) forwardData(src uint64, label string, msg webrtc.DataChannelMessage) {
	for _, dst := range e.data.destinations(src) {
		p := e.peer(dst)
		if p == nil {
			continue
		}
		dc := e.channelFor(p, label)
		if dc == nil {
			continue
		}
		var err error
		if msg.IsString {
			err = dc.SendText(string(msg.Data))
		} else {
			err = dc.Send(msg.Data)
		}
		if err != nil {
			p.log.Debug("data channel send failed", "label", label, "err", err)
		}
	}
}

// channelFor returns the peer's channel with that label, opening one if
// the peer already has an SCTP association (at least one channel).
func (e *Engine) channelFor(p *peerConn, label string) *webrtc.DataChannel {
	p.mu.Lock()
	dc := p.channels[label]
	haveSCTP := len(p.channels) > 0
	p.mu.Unlock()
	if dc != nil || !haveSCTP {
		return dc
	}
	dc, err := p.pc.CreateDataChannel(label, nil)
	if err != nil {
		p.log.Debug("open data channel failed", "label", label, "err", err)
		return nil
	}
	e.addDataChannel(p, dc)
	return nil // usable once open; this message is not queued
}
