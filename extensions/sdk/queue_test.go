package sdk

import (
	"sync"
	"testing"
)

func TestRequestQueueKeepsOrderAndRefusesAfterClose(t *testing.T) {
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	q := NewRequestQueue(7, func(h uint64, m Message) {
		mu.Lock()
		got = append(got, m.Transaction)
		n := len(got)
		mu.Unlock()
		if h != 7 {
			t.Errorf("handle %d", h)
		}
		if n == 3 {
			close(done)
		}
	})
	for _, tx := range []string{"a", "b", "c"} {
		if r := q.Enqueue(Message{Transaction: tx}, "hint"); r.kind != resultAck || r.hint != "hint" {
			t.Fatalf("enqueue %s: %+v", tx, r)
		}
	}
	<-done
	q.Close()
	q.Close()
	if r := q.Enqueue(Message{}, ""); r.kind != resultFail || r.code != 459 {
		t.Fatalf("enqueue after close: %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Fatalf("order %v", got)
	}
}

func TestRequestQueueRefusesWhenFull(t *testing.T) {
	block := make(chan struct{})
	q := NewRequestQueue(1, func(uint64, Message) { <-block })
	defer func() { close(block); q.Close() }()
	var refused bool
	for i := 0; i < requestQueueDepth+2; i++ {
		if r := q.Enqueue(Message{}, ""); r.kind == resultFail {
			refused = r.code == 462
			break
		}
	}
	if !refused {
		t.Fatal("a full queue accepted more requests")
	}
}
