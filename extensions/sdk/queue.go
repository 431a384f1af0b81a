package sdk

import "sync"

// requestQueueDepth bounds one handle's pending requests; a client that
// floods a handle gets an error instead of unbounded memory.
const requestQueueDepth = 64

// RequestQueue runs one handle's asynchronous requests in arrival order,
// off the RPC goroutine: HandleMessage acks at once and the answer follows
// as an event, so the work must not run on the call that returns the ack.
type RequestQueue struct {
	mu     sync.Mutex
	ch     chan Message
	closed bool
}

// NewRequestQueue starts a queue that calls run for each message of the
// handle, one at a time, until Close.
func NewRequestQueue(handle uint64, run func(handle uint64, msg Message)) *RequestQueue {
	q := &RequestQueue{ch: make(chan Message, requestQueueDepth)}
	go func() {
		for msg := range q.ch {
			run(handle, msg)
		}
	}()
	return q
}

// Enqueue queues msg and returns the ack (with hint) for HandleMessage, or
// a Janus error when the handle is closing or has too many pending requests.
func (q *RequestQueue) Enqueue(msg Message, hint string) Result {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return Fail(459, "Handle is being detached")
	}
	select {
	case q.ch <- msg:
		return Ack(hint)
	default:
		return Fail(462, "Too many pending requests on this handle")
	}
}

// Close stops the queue once the requests already queued have run.
func (q *RequestQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}
