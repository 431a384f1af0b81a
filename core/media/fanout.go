package media

import (
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
)

// fanout is everything one source feeds: routed destinations and sinks.
// It is immutable once published; the router builds a new one on every
// change and swaps it in atomically, so the packet path reads it without
// a lock.
type fanout struct {
	dsts  []*downTrack
	sinks []*sinkEntry
}

// sinkEntry wraps a Sink so that Close never overlaps a WriteRTP: the
// packet path may still hold an old fanout when the sink is removed.
type sinkEntry struct {
	id   string
	sink Sink
	// layer is the simulcast layer this sink takes; sinkFollowsStream
	// means the stream's default (SelectSinkLayer).
	layer atomic.Int32

	mu     sync.Mutex
	closed bool
}

// sinkFollowsStream marks a sink without a layer of its own.
const sinkFollowsStream = -1

func newSinkEntry(id string, k Sink) *sinkEntry {
	e := &sinkEntry{id: id, sink: k}
	e.layer.Store(sinkFollowsStream)
	return e
}

// takes reports whether the sink wants packets of layer li of a source
// with n layers whose default sink layer is def.
func (k *sinkEntry) takes(li, n, def int) bool {
	want := int(k.layer.Load())
	if want == sinkFollowsStream {
		return li == def
	}
	if want >= n {
		want = n - 1
	}
	return li == want
}

// write hands pkt to the sink unless it was closed.
func (k *sinkEntry) write(pkt *rtp.Packet) {
	k.mu.Lock()
	if !k.closed {
		_ = k.sink.WriteRTP(pkt)
	}
	k.mu.Unlock()
}

// close closes the sink once; later writes are dropped.
func (k *sinkEntry) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	return k.sink.Close()
}
