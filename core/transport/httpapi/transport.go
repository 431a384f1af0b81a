package httpapi

import (
	"sync"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/janus"
)

// PackageName is the transport's Janus package name.
const PackageName = "janus.transport.http"

// transport is the api.Transport of every session created or claimed over
// HTTP: one event queue per session.
type transport struct {
	mu     sync.Mutex
	queues map[uint64]*eventQueue
}

var _ api.Transport = (*transport)(nil)

func newTransport() *transport { return &transport{queues: make(map[uint64]*eventQueue)} }

func (t *transport) Name() string { return PackageName }

func (t *transport) Deliver(sessionID uint64, msg *janus.Message) { t.queue(sessionID).push(msg) }

func (t *transport) Release(sessionID uint64) {
	t.mu.Lock()
	q := t.queues[sessionID]
	delete(t.queues, sessionID)
	t.mu.Unlock()
	if q != nil {
		q.close()
	}
}

// queue returns the session's queue, creating it on first use.
func (t *transport) queue(sessionID uint64) *eventQueue {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queues[sessionID]
	if q == nil {
		q = newEventQueue()
		t.queues[sessionID] = q
	}
	return q
}

// forget drops q if it is still the session's queue: a poll raced with
// the session's release and created a queue nobody will close.
func (t *transport) forget(sessionID uint64, q *eventQueue) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.queues[sessionID] == q {
		delete(t.queues, sessionID)
	}
}
