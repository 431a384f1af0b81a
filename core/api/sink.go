package api

import "github.com/reprise-rtc/reprise/core/janus"

// Notify delivers a backend event to the transport owning the handle's
// session, filling session_id and sender. Events of unknown handles are
// dropped: the handle was detached or its session is gone.
func (c *Core) Notify(handleID uint64, msg janus.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.handles[handleID]
	if h == nil || h.session.owner == nil {
		return
	}
	msg.SessionID = h.session.id
	msg.Sender = handleID
	h.session.withLegacySDP(&msg, c.cfg.AlwaysJanusSDP)
	h.session.owner.Deliver(h.session.id, &msg)
}

// HandleGone sends "detached" for a handle the backend lost (its extension
// crashed) and forgets it without calling Backend.Detach.
func (c *Core) HandleGone(handleID uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.handles[handleID]
	if h == nil {
		return
	}
	s := h.session
	delete(c.handles, handleID)
	delete(s.handles, handleID)
	// A handle still attaching was never announced to the client; its
	// attach request fails instead.
	if s.owner != nil && h.state != handleAttaching {
		s.owner.Deliver(s.id, &janus.Message{Janus: "detached", SessionID: s.id, Sender: handleID})
	}
}
