package api

import (
	"time"

	"github.com/reprise-rtc/reprise/core/janus"
)

// watchdog times out idle sessions, checking every TimeoutCheckInterval.
func (c *Core) watchdog() {
	defer close(c.done)
	if c.cfg.SessionTimeout <= 0 {
		<-c.stop
		return
	}
	tick := time.NewTicker(c.cfg.TimeoutCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			c.expireSessions()
		}
	}
}

// expireSessions sends "timeout" to each idle session's transport, then
// removes the session and detaches its handles (tearing down their peers),
// as Janus does.
func (c *Core) expireSessions() {
	limit := c.now() - c.cfg.SessionTimeout.Microseconds()
	c.mu.Lock()
	var idle []uint64
	for id, s := range c.sessions {
		if s.lastActivity.Load() < limit {
			idle = append(idle, id)
		}
	}
	c.mu.Unlock()
	for _, id := range idle {
		refs, ok := c.unlinkSession(id, func(s *session) bool {
			if s.lastActivity.Load() >= limit {
				return false // a request arrived meanwhile
			}
			if s.owner != nil {
				s.owner.Deliver(s.id, &janus.Message{Janus: "timeout", SessionID: s.id})
			}
			return true
		})
		if ok {
			c.log.Info("session timed out", "session", id, "handles", len(refs))
			// Backend calls may block; the watchdog must keep its pace.
			go c.detachAll(refs)
		}
	}
}
