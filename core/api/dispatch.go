package api

import (
	"context"

	"github.com/reprise-rtc/reprise/core/janus"
)

// Reply sends a response on the transport a request arrived on. The value
// is JSON-marshalable: a *janus.Message or a Janus-shaped struct.
type Reply func(resp any)

// ProcessRaw decodes data and processes it as Process does; decoding errors
// are answered with Janus's error shapes (no transaction).
func (c *Core) ProcessRaw(ctx context.Context, t Transport, data []byte, reply Reply) {
	req, jerr := janus.Decode(data)
	if jerr != nil {
		reply(janus.ErrorMessage(0, "", jerr))
		return
	}
	c.Process(ctx, t, req, reply)
}

// Process runs one Janus API request received on transport t. reply is
// called exactly once, before any event the request causes (such as
// "detached") is delivered, so clients see them in Janus's order. It
// returns once the request's work, including backend teardown, is done.
func (c *Core) Process(ctx context.Context, t Transport, req *janus.Request, reply Reply) {
	resp, after := c.dispatch(ctx, t, req)
	reply(resp)
	if after != nil {
		after()
	}
}

// followUp is work to run after the response has been sent.
type followUp func()

func (c *Core) dispatch(ctx context.Context, t Transport, req *janus.Request) (any, followUp) {
	verb := req.Verb()
	tr := req.Transaction
	if req.SessionID == 0 && req.HandleID == 0 {
		switch verb {
		case "info":
			return c.serverInfo(tr), nil
		case "ping":
			return &janus.Message{Janus: "pong", Transaction: tr}, nil
		case "create":
			return c.create(t, req), nil
		}
		return janus.ErrorMessage(0, tr, janus.Errorf(janus.ErrInvalidRequestPath, "Unhandled request '%s' at this path", req.Janus)), nil
	}
	if req.SessionID == 0 {
		return janus.ErrorMessage(0, tr, janus.NewError(janus.ErrSessionNotFound)), nil
	}
	sid := req.SessionID
	fail := func(err *janus.Error) (any, followUp) { return janus.ErrorMessage(sid, tr, err), nil }

	s, h, jerr := c.lookup(req)
	if jerr != nil {
		return fail(jerr)
	}
	wrongPath := janus.Errorf(janus.ErrInvalidRequestPath, "Unhandled request '%s' at this path", req.Janus)
	switch verb {
	case "keepalive":
		// Janus answers keepalives without looking at secrets or tokens.
		return &janus.Message{Janus: "ack", SessionID: sid, Transaction: tr}, nil
	case "attach":
		if h != nil {
			return fail(wrongPath)
		}
		return c.attach(ctx, s, req), nil
	case "destroy":
		if h != nil {
			return fail(wrongPath)
		}
		return c.destroy(s, req)
	case "claim":
		return c.claim(t, s, req), nil
	case "detach":
		if h == nil {
			return fail(wrongPath)
		}
		return c.detach(ctx, h, req)
	case "hangup":
		if h == nil {
			return fail(wrongPath)
		}
		return c.hangup(ctx, h, req), nil
	case "message":
		if h == nil {
			return fail(wrongPath)
		}
		return c.message(ctx, h, req), nil
	case "trickle":
		if h == nil {
			return fail(wrongPath)
		}
		return c.trickle(ctx, h, req), nil
	}
	return fail(janus.Errorf(janus.ErrUnknownRequest, "Unknown request '%s'", req.Janus))
}

// lookup finds the request's session (touching it: any request is
// activity) and, when a handle is addressed, the handle.
func (c *Core) lookup(req *janus.Request) (*session, *handle, *janus.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[req.SessionID]
	if s == nil {
		return nil, nil, janus.Errorf(janus.ErrSessionNotFound, "No such session %d", req.SessionID)
	}
	c.touch(s)
	if !req.HandleSet {
		return s, nil, nil
	}
	if req.HandleID == 0 {
		return nil, nil, janus.NewError(janus.ErrHandleNotFound)
	}
	h := s.handles[req.HandleID]
	if h == nil || h.state != handleReady {
		return nil, nil, janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", req.HandleID, req.SessionID)
	}
	return s, h, nil
}
