package gateway

import "sync"

// eventQueue runs one extension's media events and handle teardowns in
// order, off the media goroutines (which must never wait on an extension).
type eventQueue struct {
	mu      sync.Mutex
	pending []func()
	wake    chan struct{}
}

func newEventQueue() *eventQueue {
	q := &eventQueue{wake: make(chan struct{}, 1)}
	go q.loop()
	return q
}

func (q *eventQueue) push(f func()) {
	q.mu.Lock()
	q.pending = append(q.pending, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) loop() {
	for range q.wake {
		for {
			q.mu.Lock()
			if len(q.pending) == 0 {
				q.mu.Unlock()
				break
			}
			f := q.pending[0]
			q.pending = q.pending[1:]
			q.mu.Unlock()
			f()
		}
	}
}

func (g *Gateway) queue(ext string) *eventQueue {
	g.queuesMu.Lock()
	defer g.queuesMu.Unlock()
	q := g.queues[ext]
	if q == nil {
		q = newEventQueue()
		g.queues[ext] = q
	}
	return q
}
