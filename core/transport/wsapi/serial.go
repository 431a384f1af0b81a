package wsapi

import "sync"

// serializer runs the functions given for one key in order, and different
// keys concurrently: requests on one handle (an offer, then its trickles)
// keep their order, while a slow plugin call does not hold up keepalives.
type serializer struct {
	mu      sync.Mutex
	pending map[uint64][]func()
	wg      sync.WaitGroup
}

func newSerializer() *serializer { return &serializer{pending: make(map[uint64][]func())} }

func (s *serializer) run(key uint64, fn func()) {
	s.mu.Lock()
	q, busy := s.pending[key]
	s.pending[key] = append(q, fn)
	s.mu.Unlock()
	if busy {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			s.mu.Lock()
			q := s.pending[key]
			if len(q) == 0 {
				delete(s.pending, key)
				s.mu.Unlock()
				return
			}
			next := q[0]
			s.pending[key] = q[1:]
			s.mu.Unlock()
			next()
		}
	}()
}

// wait blocks until every function given so far has run.
func (s *serializer) wait() { s.wg.Wait() }
