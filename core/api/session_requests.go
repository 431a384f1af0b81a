package api

import (
	"context"

	"github.com/reprise-rtc/reprise/core/janus"
)

// idData is the "data" of create and attach successes.
type idData struct {
	ID uint64 `json:"id"`
}

func (c *Core) create(t Transport, req *janus.Request) any {
	tr := req.Transaction
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return janus.ErrorMessage(0, tr, err)
	}
	var id uint64
	if req.ID != nil {
		n, ok := janus.Integer(req.ID)
		if !ok || n < 0 {
			// Janus leaves the transaction out of this one error.
			return janus.ErrorMessage(0, "", janus.Errorf(janus.ErrInvalidElementType, "Invalid element type (id should be a positive integer)"))
		}
		id = uint64(n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if id != 0 {
		if c.sessions[id] != nil {
			return janus.ErrorMessage(id, tr, janus.Errorf(janus.ErrSessionConflict, "Session ID already in use"))
		}
	} else {
		for id = randomID(); c.sessions[id] != nil; id = randomID() {
		}
	}
	s := &session{id: id, created: c.now(), handles: make(map[uint64]*handle)}
	c.touch(s)
	c.sessions[id] = s
	c.setOwnerLocked(s, t)
	c.log.Debug("session created", "session", id, "transport", t.Name())
	return &janus.Message{Janus: "success", Transaction: tr, Data: idData{ID: id}}
}

func (c *Core) destroy(s *session, req *janus.Request) (any, followUp) {
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return janus.ErrorMessage(s.id, req.Transaction, err), nil
	}
	refs, ok := c.unlinkSession(s.id, func(cur *session) bool { return cur == s })
	if !ok {
		return janus.ErrorMessage(s.id, req.Transaction, janus.Errorf(janus.ErrSessionNotFound, "No such session %d", s.id)), nil
	}
	c.log.Debug("session destroyed", "session", s.id, "handles", len(refs))
	// Janus answers at once and tears the handles down afterwards.
	return &janus.Message{Janus: "success", SessionID: s.id, Transaction: req.Transaction}, func() { c.detachAll(refs) }
}

func (c *Core) claim(t Transport, s *session, req *janus.Request) any {
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return janus.ErrorMessage(s.id, req.Transaction, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions[s.id] != s {
		return janus.ErrorMessage(s.id, req.Transaction, janus.Errorf(janus.ErrSessionNotFound, "No such session %d", s.id))
	}
	c.setOwnerLocked(s, t)
	return &janus.Message{Janus: "success", SessionID: s.id, Transaction: req.Transaction}
}

func (c *Core) attach(ctxIn context.Context, s *session, req *janus.Request) any {
	sid, tr := s.id, req.Transaction
	fail := func(err *janus.Error) any { return janus.ErrorMessage(sid, tr, err) }
	viaToken, err := c.authorize(req.APISecret, req.Token)
	if err != nil {
		return fail(err)
	}
	if !req.Plugin.Set {
		return fail(janus.Errorf(janus.ErrMissingMandatoryElement, "Missing mandatory element (plugin)"))
	}
	if err := req.Plugin.TypeError("plugin"); err != nil {
		return fail(err)
	}
	if err := req.OpaqueID.TypeError("opaque_id"); err != nil {
		return fail(err)
	}
	b, err := c.getBackend()
	if err != nil {
		return fail(err)
	}
	plugin := req.Plugin.Value
	if !hasPlugin(b.Plugins(), plugin) {
		return fail(janus.Errorf(janus.ErrPluginNotFound, "No such plugin '%s'", plugin))
	}
	if viaToken && !c.tokens.allows(req.Token.Value, plugin) {
		return fail(janus.Errorf(janus.ErrUnauthorizedPlugin, "Provided token can't access plugin '%s'", plugin))
	}

	c.mu.Lock()
	if c.sessions[sid] != s {
		c.mu.Unlock()
		return fail(janus.Errorf(janus.ErrSessionNotFound, "No such session %d", sid))
	}
	hid := randomID()
	for c.handles[hid] != nil {
		hid = randomID()
	}
	h := &handle{
		ref:     HandleRef{SessionID: sid, HandleID: hid, Plugin: plugin, OpaqueID: req.OpaqueID.Value, Token: req.Token.Value},
		session: s,
		created: c.now(),
		state:   handleAttaching,
	}
	// Registered before the backend call so events the plugin emits while
	// attaching already reach the session.
	s.handles[hid] = h
	c.handles[hid] = h
	c.mu.Unlock()

	ctx := backendCtx(ctxIn)
	attachErr := b.Attach(ctx, h.ref)

	c.mu.Lock()
	alive := c.handles[hid] == h
	if attachErr != nil {
		if alive {
			delete(c.handles, hid)
			delete(s.handles, hid)
		}
		c.mu.Unlock()
		return fail(asJanusError(attachErr, janus.ErrPluginAttach, "Couldn't attach to plugin: "))
	}
	if !alive {
		// The session went away while the backend was attaching.
		c.mu.Unlock()
		if err := b.Detach(ctx, h.ref); err != nil {
			c.log.Warn("detaching handle of a session destroyed during attach", "handle", hid, "err", err)
		}
		return fail(janus.Errorf(janus.ErrSessionNotFound, "No such session %d", sid))
	}
	h.state = handleReady
	c.mu.Unlock()
	c.log.Debug("handle attached", "session", sid, "handle", hid, "plugin", plugin)
	return &janus.Message{Janus: "success", SessionID: sid, Transaction: tr, Data: idData{ID: hid}}
}

func hasPlugin(list []PluginInfo, pkg string) bool {
	for _, p := range list {
		if p.Package == pkg {
			return true
		}
	}
	return false
}
