package api

import (
	"context"
	"encoding/json"
	"slices"
	"sort"

	"github.com/reprise-rtc/reprise/core/janus"
)

// ProcessAdminRaw decodes data and processes it as ProcessAdmin does.
func (c *Core) ProcessAdminRaw(ctx context.Context, data []byte, reply Reply) {
	req, jerr := janus.Decode(data)
	if jerr != nil {
		reply(janus.ErrorMessage(0, "", jerr))
		return
	}
	c.ProcessAdmin(ctx, req, reply)
}

// ProcessAdmin runs one Admin API request. Admin requests are not session
// activity.
func (c *Core) ProcessAdmin(ctx context.Context, req *janus.Request, reply Reply) {
	reply(c.admin(ctx, req))
}

func (c *Core) admin(ctx context.Context, req *janus.Request) any {
	verb, tr := req.Verb(), req.Transaction
	sid := req.SessionID
	if sid == 0 && req.HandleID == 0 {
		switch verb {
		case "info":
			return c.serverInfo(tr)
		case "ping":
			return &janus.Message{Janus: "pong", Transaction: tr}
		}
		if !c.adminAuthorized(req) {
			return janus.ErrorMessage(0, tr, janus.NewError(janus.ErrUnauthorized))
		}
		switch verb {
		case "get_status":
			return c.adminStatus(tr)
		case "list_sessions":
			return c.adminListSessions(tr)
		case "add_token", "allow_token", "disallow_token", "list_tokens", "remove_token":
			return c.adminToken(verb, req)
		}
		return janus.ErrorMessage(0, tr, janus.Errorf(janus.ErrInvalidRequestPath, "Unhandled request '%s' at this path", req.Janus))
	}
	if sid == 0 {
		return janus.ErrorMessage(0, tr, janus.NewError(janus.ErrSessionNotFound))
	}
	fail := func(err *janus.Error) any { return janus.ErrorMessage(sid, tr, err) }
	if req.HandleSet && req.HandleID == 0 {
		return fail(janus.NewError(janus.ErrHandleNotFound))
	}
	if !c.adminAuthorized(req) {
		return fail(janus.NewError(janus.ErrUnauthorized))
	}
	c.mu.Lock()
	s := c.sessions[sid]
	if s == nil {
		c.mu.Unlock()
		return fail(janus.Errorf(janus.ErrSessionNotFound, "No such session %d", sid))
	}
	var h *handle
	if req.HandleSet {
		h = s.handles[req.HandleID]
		if h == nil {
			c.mu.Unlock()
			return fail(janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", req.HandleID, sid))
		}
	}
	if h == nil {
		defer c.mu.Unlock()
		if verb != "list_handles" {
			return fail(janus.Errorf(janus.ErrInvalidRequestPath, "Unhandled request '%s' at this path", req.Janus))
		}
		ids := make([]uint64, 0, len(s.handles))
		for id := range s.handles {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return &handleList{Janus: "success", SessionID: sid, Transaction: tr, Handles: ids}
	}
	if verb != "handle_info" {
		c.mu.Unlock()
		return fail(janus.Errorf(janus.ErrInvalidRequestPath, "Unhandled request '%s' at this path", req.Janus))
	}
	info := c.coreHandleInfo(s, h)
	ref := h.ref
	c.mu.Unlock()
	c.mergeBackendInfo(ctx, &info, ref, pluginOnly(req))
	return &handleInfo{Janus: "success", SessionID: sid, Transaction: tr, HandleID: ref.HandleID, Info: info}
}

type handleList struct {
	Janus       string   `json:"janus"`
	SessionID   uint64   `json:"session_id"`
	Transaction string   `json:"transaction"`
	Handles     []uint64 `json:"handles"`
}

type handleInfo struct {
	Janus       string        `json:"janus"`
	SessionID   uint64        `json:"session_id"`
	Transaction string        `json:"transaction"`
	HandleID    uint64        `json:"handle_id"`
	Info        orderedObject `json:"info"`
}

// coreHandleInfo is the part of handle_info the core knows. Caller holds c.mu.
func (c *Core) coreHandleInfo(s *session, h *handle) orderedObject {
	var info orderedObject
	info.add("session_id", s.id)
	info.add("session_last_activity", s.lastActivity.Load())
	info.add("session_timeout", int64(c.cfg.SessionTimeout.Seconds()))
	if s.owner != nil {
		info.add("session_transport", s.owner.Name())
	}
	info.add("handle_id", h.ref.HandleID)
	if h.ref.OpaqueID != "" {
		info.add("opaque_id", h.ref.OpaqueID)
	}
	info.add("loop-running", true)
	info.add("created", h.created)
	info.add("current_time", c.now())
	info.add("plugin", h.ref.Plugin)
	return info
}

// mergeBackendInfo appends the backend's handle info after the core
// fields: plugin_specific first (where Janus puts it), then the rest
// (flags, sdps, streams...) with keys sorted; keys the core already set
// win. With pluginOnly only plugin_specific is kept.
func (c *Core) mergeBackendInfo(ctx context.Context, info *orderedObject, ref HandleRef, pluginOnly bool) {
	b, jerr := c.getBackend()
	if jerr != nil {
		return
	}
	extra, err := b.HandleInfo(ctx, ref)
	if err != nil {
		c.log.Warn("backend handle info", "handle", ref.HandleID, "err", err)
		return
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if pluginOnly && k != "plugin_specific" {
			continue
		}
		if !info.has(k) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "plugin_specific") != (keys[j] == "plugin_specific") {
			return keys[i] == "plugin_specific"
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		info.add(k, extra[k])
	}
}

func pluginOnly(req *janus.Request) bool {
	var v bool
	return json.Unmarshal(req.Fields["plugin_only"], &v) == nil && v
}

type sessionList struct {
	Janus       string   `json:"janus"`
	Transaction string   `json:"transaction"`
	Sessions    []uint64 `json:"sessions"`
}

func (c *Core) adminListSessions(tr string) any {
	c.mu.Lock()
	ids := make([]uint64, 0, len(c.sessions))
	for id := range c.sessions {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	slices.Sort(ids)
	return &sessionList{Janus: "success", Transaction: tr, Sessions: ids}
}

// status is get_status's "status" object, with Janus's keys.
type status struct {
	TokenAuth             bool  `json:"token_auth"`
	SessionTimeout        int64 `json:"session_timeout"`
	ReclaimSessionTimeout int64 `json:"reclaim_session_timeout"`
	CandidatesTimeout     int64 `json:"candidates_timeout"`
	LogLevel              int   `json:"log_level"`
	LogTimestamps         bool  `json:"log_timestamps"`
	LogColors             bool  `json:"log_colors"`
	LockingDebug          bool  `json:"locking_debug"`
	RefcountDebug         bool  `json:"refcount_debug"`
	LibniceDebug          bool  `json:"libnice_debug"`
	MinNACKQueue          int   `json:"min_nack_queue"`
	NACKOptimizations     bool  `json:"nack-optimizations"`
	NoMediaTimer          int   `json:"no_media_timer"`
	SlowlinkThreshold     int   `json:"slowlink_threshold"`
}

type statusReply struct {
	Janus       string `json:"janus"`
	Transaction string `json:"transaction"`
	Status      status `json:"status"`
}

func (c *Core) adminStatus(tr string) any {
	return &statusReply{Janus: "success", Transaction: tr, Status: status{
		TokenAuth:         c.cfg.TokenAuth,
		SessionTimeout:    int64(c.cfg.SessionTimeout.Seconds()),
		CandidatesTimeout: 45,
		LogLevel:          4,
		MinNACKQueue:      200,
		NoMediaTimer:      1,
	}}
}
