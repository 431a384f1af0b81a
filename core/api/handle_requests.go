package api

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/reprise-rtc/reprise/core/janus"
)

// HangupReason is the reason Janus gives a hangup requested through the API.
const HangupReason = "Janus API"

func (c *Core) detach(ctxIn context.Context, h *handle, req *janus.Request) (any, followUp) {
	s := h.session
	sid, hid, tr := s.id, h.ref.HandleID, req.Transaction
	fail := func(err *janus.Error) (any, followUp) { return janus.ErrorMessage(sid, tr, err), nil }
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return fail(err)
	}
	b, jerr := c.getBackend()
	if jerr != nil {
		return fail(jerr)
	}
	c.mu.Lock()
	if c.handles[hid] != h || h.state != handleReady {
		c.mu.Unlock()
		return fail(janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", hid, sid))
	}
	// Still registered while detaching: the plugin's last events (e.g. a
	// "done" event) reach the client before "detached", as in Janus.
	h.state = handleDetaching
	c.mu.Unlock()

	err := b.Detach(backendCtx(ctxIn), h.ref)

	c.mu.Lock()
	// If the handle is already gone, HandleGone or a session teardown got
	// there first and the client has been told (or no longer cares).
	ours := c.handles[hid] == h
	if ours {
		delete(c.handles, hid)
		delete(s.handles, hid)
	}
	c.mu.Unlock()
	sendDetached := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ours && c.sessions[sid] == s && s.owner != nil {
			s.owner.Deliver(sid, &janus.Message{Janus: "detached", SessionID: sid, Sender: hid})
		}
	}
	if err != nil {
		// The handle is gone either way; the client still learns it.
		return janus.ErrorMessage(sid, tr, asJanusError(err, janus.ErrPluginDetach, "Couldn't detach from plugin: ")), sendDetached
	}
	c.log.Debug("handle detached", "session", sid, "handle", hid)
	return &janus.Message{Janus: "success", SessionID: sid, Transaction: tr}, sendDetached
}

func (c *Core) hangup(ctx context.Context, h *handle, req *janus.Request) any {
	sid, tr := h.session.id, req.Transaction
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return janus.ErrorMessage(sid, tr, err)
	}
	b, jerr := c.getBackend()
	if jerr != nil {
		return janus.ErrorMessage(sid, tr, jerr)
	}
	if err := b.Hangup(backendCtx(ctx), h.ref, HangupReason); err != nil {
		return janus.ErrorMessage(sid, tr, asJanusError(err, janus.ErrUnknown, ""))
	}
	return &janus.Message{Janus: "success", SessionID: sid, Transaction: tr}
}

func (c *Core) message(ctx context.Context, h *handle, req *janus.Request) any {
	sid, hid, tr := h.session.id, h.ref.HandleID, req.Transaction
	fail := func(err *janus.Error) any { return janus.ErrorMessage(sid, tr, err) }
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return fail(err)
	}
	if req.Body == nil {
		return fail(janus.Errorf(janus.ErrMissingMandatoryElement, "Missing mandatory element (body)"))
	}
	if !janus.IsObject(req.Body) {
		return fail(janus.Errorf(janus.ErrInvalidElementType, "Invalid element type (body should be an object)"))
	}
	if req.JSEP != nil {
		if err := checkJSEP(req.JSEP); err != nil {
			return fail(err)
		}
	}
	if req.JanusSDP {
		h.session.janusSDP.Store(true)
	}
	b, jerr := c.getBackend()
	if jerr != nil {
		return fail(jerr)
	}
	res, err := b.Message(backendCtx(ctx), h.ref, tr, req.Body, req.JSEP)
	if err != nil {
		return fail(asJanusError(err, janus.ErrPluginMessage, "Couldn't send message to plugin: "))
	}
	if !res.Sync {
		return &janus.Message{Janus: "ack", SessionID: sid, Transaction: tr, Hint: res.Hint}
	}
	data := res.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	msg := &janus.Message{
		Janus: "success", SessionID: sid, Transaction: tr, Sender: hid,
		PluginData: &janus.PluginData{Plugin: h.ref.Plugin, Data: data},
		JSEP:       res.JSEP,
	}
	h.session.withLegacySDP(msg, c.cfg.AlwaysJanusSDP)
	return msg
}

// checkJSEP applies the checks Janus makes on a jsep before any SDP
// parsing (which is the backend's): object, type and sdp strings, and a
// known type.
func checkJSEP(raw json.RawMessage) *janus.Error {
	if !janus.IsObject(raw) {
		return janus.Errorf(janus.ErrInvalidJSONObject, "Invalid jsep object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return janus.Errorf(janus.ErrInvalidJSONObject, "Invalid jsep object")
	}
	typ, ok := fields["type"]
	if !ok {
		return janus.Errorf(janus.ErrMissingMandatoryElement, "JSEP error: missing mandatory element (type)")
	}
	var typeText string
	if json.Unmarshal(typ, &typeText) != nil {
		return janus.Errorf(janus.ErrInvalidElementType, "JSEP error: invalid element type (type should be a string)")
	}
	sdp, ok := fields["sdp"]
	if !ok {
		return janus.Errorf(janus.ErrMissingMandatoryElement, "JSEP error: missing mandatory element (sdp)")
	}
	var sdpText string
	if json.Unmarshal(sdp, &sdpText) != nil {
		return janus.Errorf(janus.ErrInvalidElementType, "JSEP error: invalid element type (sdp should be a string)")
	}
	switch strings.ToLower(typeText) {
	case "offer", "answer":
		return nil
	}
	return janus.Errorf(janus.ErrJSEPUnknownType, "JSEP error: unknown message type '%s'", typeText)
}

func (c *Core) trickle(ctx context.Context, h *handle, req *janus.Request) any {
	sid, tr := h.session.id, req.Transaction
	fail := func(err *janus.Error) any { return janus.ErrorMessage(sid, tr, err) }
	if _, err := c.authorize(req.APISecret, req.Token); err != nil {
		return fail(err)
	}
	if req.Candidate == nil && req.Candidates == nil {
		return fail(janus.Errorf(janus.ErrMissingMandatoryElement, "Missing mandatory element (candidate|candidates)"))
	}
	if req.Candidate != nil && req.Candidates != nil {
		return fail(janus.Errorf(janus.ErrInvalidJSON, "Can't have both candidate and candidates"))
	}
	var list []Candidate
	if req.Candidate != nil {
		if cand, ok := parseCandidate(req.Candidate); ok {
			list = append(list, cand)
		}
	} else if janus.IsArray(req.Candidates) {
		var raws []json.RawMessage
		if json.Unmarshal(req.Candidates, &raws) == nil {
			for _, r := range raws {
				if cand, ok := parseCandidate(r); ok {
					list = append(list, cand)
				}
			}
		}
	}
	// Janus acknowledges malformed candidates and drops them; so do we.
	if len(list) > 0 {
		b, jerr := c.getBackend()
		if jerr != nil {
			return fail(jerr)
		}
		if err := b.Trickle(backendCtx(ctx), h.ref, list); err != nil {
			return fail(asJanusError(err, janus.ErrUnknown, ""))
		}
	}
	return &janus.Message{Janus: "ack", SessionID: sid, Transaction: tr}
}

func parseCandidate(raw json.RawMessage) (Candidate, bool) {
	if !janus.IsObject(raw) {
		return Candidate{}, false
	}
	var cand Candidate
	if err := json.Unmarshal(raw, &cand); err != nil {
		return Candidate{}, false
	}
	if cand.Completed {
		return Candidate{Completed: true}, true
	}
	return cand, true
}
