package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/reprise-rtc/reprise/core/janus"
)

// maxQueued bounds the events kept for a session nobody polls; the oldest
// go first. Session timeouts normally clear such sessions much earlier.
const maxQueued = 4096

// eventQueue holds a session's events until a long poll takes them.
type eventQueue struct {
	mu      sync.Mutex
	events  []*janus.Message
	wake    chan struct{} // closed when events arrive or the queue closes
	closed  bool
	dropped int
}

func newEventQueue() *eventQueue { return &eventQueue{wake: make(chan struct{})} }

func (q *eventQueue) push(m *janus.Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	if len(q.events) >= maxQueued {
		q.events = q.events[1:]
		q.dropped++
	}
	q.events = append(q.events, m)
	q.signalLocked()
}

// close ends the queue; events still in it go to polls already waiting.
func (q *eventQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.signalLocked()
	}
}

func (q *eventQueue) signalLocked() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// wait returns up to max events, waiting up to hold for the first one. It
// returns nothing on time-out, when ctx ends, or when the queue closed
// empty.
func (q *eventQueue) wait(ctx context.Context, max int, hold time.Duration) []*janus.Message {
	timer := time.NewTimer(hold)
	defer timer.Stop()
	for {
		q.mu.Lock()
		if n := min(max, len(q.events)); n > 0 {
			out := make([]*janus.Message, n)
			copy(out, q.events)
			q.events = q.events[n:]
			q.mu.Unlock()
			return out
		}
		if q.closed {
			q.mu.Unlock()
			return nil
		}
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-wake:
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
