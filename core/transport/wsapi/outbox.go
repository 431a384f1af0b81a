package wsapi

import "sync"

// outbox queues messages for the connection's single writer, so that
// Deliver never blocks and socket writes are serialised.
type outbox struct {
	mu     sync.Mutex
	items  []any
	wake   chan struct{} // has a token when items are waiting
	closed bool
	limit  int
}

func newOutbox(limit int) *outbox { return &outbox{wake: make(chan struct{}, 1), limit: limit} }

// push queues v. It reports false when the outbox is closed or overflowing
// (the client does not read), in which case the connection should go.
func (o *outbox) push(v any) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || len(o.items) >= o.limit {
		return false
	}
	o.items = append(o.items, v)
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns everything queued; ok is false once the outbox is closed.
func (o *outbox) take() (items []any, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	items, o.items = o.items, nil
	return items, !o.closed
}

func (o *outbox) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	select {
	case o.wake <- struct{}{}:
	default:
	}
}
