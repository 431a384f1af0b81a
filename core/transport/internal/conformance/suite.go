package conformance

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
)

const wait = 3 * time.Second

var txCounter atomic.Int64

func tx() string { return fmt.Sprintf("tx%d", txCounter.Add(1)) }

// session is a test helper bound to one client and session.
type session struct {
	t  *testing.T
	c  Client
	id uint64
}

func (s *session) send(req map[string]any) Msg {
	s.t.Helper()
	if _, ok := req["transaction"]; !ok {
		req["transaction"] = tx()
	}
	req["session_id"] = s.id
	return s.c.Send(s.t, req)
}

func (s *session) attach(plugin, opaque string) uint64 {
	s.t.Helper()
	req := map[string]any{"janus": "attach", "plugin": plugin}
	if opaque != "" {
		req["opaque_id"] = opaque
	}
	r := s.send(req)
	if r.Str("janus") != "success" || r.Uint("data", "id") == 0 {
		s.t.Fatalf("attach: %v", r)
	}
	return r.Uint("data", "id")
}

func (s *session) toHandle(h uint64, req map[string]any) Msg {
	s.t.Helper()
	req["handle_id"] = h
	return s.send(req)
}

func (s *session) event(what string) Msg {
	s.t.Helper()
	m, ok := s.c.Event(s.t, s.id, wait)
	if !ok {
		s.t.Fatalf("no event (waiting for %s)", what)
	}
	return m
}

func newSession(t *testing.T, c Client) *session {
	t.Helper()
	r := c.Send(t, map[string]any{"janus": "create", "transaction": tx()})
	if r.Str("janus") != "success" {
		t.Fatalf("create: %v", r)
	}
	return &session{t: t, c: c, id: r.Uint("data", "id")}
}

func expectError(t *testing.T, r Msg, code int, reason string) {
	t.Helper()
	if r.Str("janus") != "error" || r.ErrCode() != code {
		t.Fatalf("want error %d, got %v", code, r)
	}
	if reason != "" && r.Str("error", "reason") != reason {
		t.Fatalf("want reason %q, got %q", reason, r.Str("error", "reason"))
	}
}

func expectJanus(t *testing.T, r Msg, janus string, sid uint64, transaction string) {
	t.Helper()
	if r.Str("janus") != janus || r.Uint("session_id") != sid || r.Str("transaction") != transaction {
		t.Fatalf("want %s session %d transaction %q, got %v", janus, sid, transaction, r)
	}
}

// Run runs the suite; newEnv builds a fresh server for each subtest.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	cases := []struct {
		name string
		fn   func(t *testing.T, env Env)
	}{
		{"InfoAndPing", testInfoAndPing},
		{"MalformedRequests", testMalformed},
		{"SessionLifecycle", testSessionLifecycle},
		{"AttachErrors", testAttachErrors},
		{"AsyncMessage", testAsyncMessage},
		{"SyncMessage", testSyncMessage},
		{"MessageErrors", testMessageErrors},
		{"Trickle", testTrickle},
		{"Hangup", testHangup},
		{"Detach", testDetach},
		{"DestroyTearsDownHandles", testDestroy},
		{"PluginCrash", testPluginCrash},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newEnv(t)) })
	}
}

func testInfoAndPing(t *testing.T, env Env) {
	c := env.NewClient(t)
	r := c.Send(t, map[string]any{"janus": "ping", "transaction": "p1"})
	expectJanus(t, r, "pong", 0, "p1")
	r = c.Send(t, map[string]any{"janus": "info", "transaction": "i1"})
	expectJanus(t, r, "server_info", 0, "i1")
	if r.Str("name") != "Reprise (Janus API)" || r.Uint("version") != 1102 || r.Str("version_string") != "1.1.2" {
		t.Errorf("identity fields: %v", r)
	}
	for _, key := range []string{"session-timeout", "data_channels", "api_secret", "auth_token", "dependencies"} {
		if !r.Has(key) {
			t.Errorf("server_info lacks %q", key)
		}
	}
	if r.Str("plugins", apitest.EchoPlugin, "name") != "Fake EchoTest" || r.Uint("plugins", apitest.SyncPlugin, "version") != 1 {
		t.Errorf("plugins: %v", r.Get("plugins"))
	}
	if !r.Has("transports", env.Transport, "name") {
		t.Errorf("transports lack %s: %v", env.Transport, r.Get("transports"))
	}
}

func testMalformed(t *testing.T, env Env) {
	c := env.NewClient(t)
	cases := []struct {
		in     string
		code   int
		reason string
	}{
		{`xx`, 454, ""},
		{`[1]`, 455, "JSON error: not an object"},
		{`{}`, 456, "Missing mandatory element (transaction)"},
		{`{"janus":"create"}`, 456, "Missing mandatory element (transaction)"},
		{`{"transaction":"t"}`, 456, "Missing mandatory element (janus)"},
		{`{"janus":"create","transaction":5}`, 467, "Invalid element type (transaction should be a string)"},
		{`{"janus":5,"transaction":"t"}`, 467, "Invalid element type (janus should be a string)"},
		{`{"janus":"create","transaction":"c","id":"x"}`, 467, "Invalid element type (id should be a positive integer)"},
		{`{"janus":"create","transaction":"c","id":-3}`, 467, "Invalid element type (id should be a positive integer)"},
	}
	for _, tc := range cases {
		r := c.SendRaw(t, tc.in)
		expectError(t, r, tc.code, tc.reason)
		if r.Has("transaction") || r.Has("session_id") {
			t.Errorf("%s: error carries transaction or session: %v", tc.in, r)
		}
		if tc.code == 454 && !strings.HasPrefix(r.Str("error", "reason"), "JSON error: ") {
			t.Errorf("%s: reason %q", tc.in, r.Str("error", "reason"))
		}
	}
	r := c.Send(t, map[string]any{"janus": "foo", "transaction": "t"})
	expectError(t, r, 457, "Unhandled request 'foo' at this path")
	expectJanus(t, r, "error", 0, "t")
	r = c.Send(t, map[string]any{"janus": "attach", "transaction": "t", "plugin": apitest.EchoPlugin})
	expectError(t, r, 457, "Unhandled request 'attach' at this path")
	r = c.Send(t, map[string]any{"janus": "PING", "transaction": "t"})
	expectJanus(t, r, "pong", 0, "t")
}

func testSessionLifecycle(t *testing.T, env Env) {
	c := env.NewClient(t)
	s := newSession(t, c)
	if s.id == 0 || s.id > 1<<53-1 {
		t.Fatalf("session id %d not a positive JS-safe integer", s.id)
	}
	r := c.Send(t, map[string]any{"janus": "create", "transaction": "c", "id": 4242})
	if r.Str("janus") != "success" || r.Uint("data", "id") != 4242 {
		t.Fatalf("create with id: %v", r)
	}
	r = c.Send(t, map[string]any{"janus": "create", "transaction": "c", "id": 4242})
	expectError(t, r, 468, "Session ID already in use")
	expectJanus(t, r, "error", 4242, "c")

	r = s.send(map[string]any{"janus": "keepalive", "transaction": "k"})
	expectJanus(t, r, "ack", s.id, "k")
	r = s.send(map[string]any{"janus": "foo", "transaction": "f"})
	expectError(t, r, 453, "Unknown request 'foo'")
	expectJanus(t, r, "error", s.id, "f")
	expectError(t, s.send(map[string]any{"janus": "info"}), 453, "Unknown request 'info'")
	expectError(t, s.send(map[string]any{"janus": "create"}), 453, "Unknown request 'create'")
	expectError(t, s.send(map[string]any{"janus": "detach"}), 457, "Unhandled request 'detach' at this path")
	expectError(t, s.send(map[string]any{"janus": "message", "body": map[string]any{}}), 457, "Unhandled request 'message' at this path")

	r = c.Send(t, map[string]any{"janus": "keepalive", "transaction": "k", "session_id": 1})
	expectError(t, r, 458, "No such session 1")
	expectJanus(t, r, "error", 1, "k")

	r = s.send(map[string]any{"janus": "destroy", "transaction": "d"})
	expectJanus(t, r, "success", s.id, "d")
	r = s.send(map[string]any{"janus": "destroy", "transaction": "d"})
	expectError(t, r, 458, fmt.Sprintf("No such session %d", s.id))
}

func testAttachErrors(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	expectError(t, s.send(map[string]any{"janus": "attach"}), 456, "Missing mandatory element (plugin)")
	expectError(t, s.send(map[string]any{"janus": "attach", "plugin": 5}), 467, "Invalid element type (plugin should be a string)")
	expectError(t, s.send(map[string]any{"janus": "attach", "plugin": "nope"}), 460, "No such plugin 'nope'")
	expectError(t, s.send(map[string]any{"janus": "attach", "plugin": apitest.EchoPlugin, "opaque_id": 5}), 467, "Invalid element type (opaque_id should be a string)")
	if n := len(env.Backend.Calls("Attach")); n != 0 {
		t.Fatalf("backend saw %d attaches for invalid requests", n)
	}
	h := s.attach(apitest.EchoPlugin, "")
	expectError(t, s.toHandle(h, map[string]any{"janus": "attach", "plugin": apitest.EchoPlugin}), 457, "Unhandled request 'attach' at this path")
	expectError(t, s.toHandle(h, map[string]any{"janus": "destroy"}), 457, "Unhandled request 'destroy' at this path")
}

func testAsyncMessage(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.EchoPlugin, "opaque-1")
	calls := env.Backend.Calls("Attach")
	if len(calls) != 1 || calls[0].Ref != (api.HandleRef{SessionID: s.id, HandleID: h, Plugin: apitest.EchoPlugin, OpaqueID: "opaque-1"}) {
		t.Fatalf("backend attach calls: %+v", calls)
	}

	r := s.toHandle(h, map[string]any{"janus": "message", "transaction": "m1", "body": map[string]any{"audio": true}})
	expectJanus(t, r, "ack", s.id, "m1")
	if r.Str("hint") != apitest.AckHint {
		t.Errorf("ack hint: %v", r)
	}
	ev := s.event("plugin event")
	expectJanus(t, ev, "event", s.id, "m1")
	if ev.Uint("sender") != h || ev.Str("plugindata", "plugin") != apitest.EchoPlugin || ev.Str("plugindata", "data", "result") != "ok" {
		t.Fatalf("event: %v", ev)
	}
	msgs := env.Backend.Calls("Message")
	if len(msgs) != 1 || msgs[0].Transaction != "m1" || string(msgs[0].Body) != `{"audio":true}` || msgs[0].JSEP != nil {
		t.Fatalf("backend message calls: %+v", msgs)
	}

	offer := map[string]any{"type": "offer", "sdp": "v=0\r\n"}
	r = s.toHandle(h, map[string]any{"janus": "message", "transaction": "m2", "body": map[string]any{}, "jsep": offer})
	expectJanus(t, r, "ack", s.id, "m2")
	ev = s.event("event with answer")
	if ev.Str("transaction") != "m2" || ev.Str("jsep", "type") != "answer" {
		t.Fatalf("event with jsep: %v", ev)
	}
	// janusSdp is accepted as the jsep.
	r = s.toHandle(h, map[string]any{"janus": "message", "transaction": "m3", "body": map[string]any{}, "janusSdp": offer})
	expectJanus(t, r, "ack", s.id, "m3")
	s.event("event m3")
	msgs = env.Backend.Calls("Message")
	if len(msgs) != 3 || string(msgs[1].JSEP) == "" || string(msgs[2].JSEP) != string(msgs[1].JSEP) {
		t.Fatalf("jsep not passed on: %+v", msgs)
	}
}

func testSyncMessage(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.SyncPlugin, "")
	r := s.toHandle(h, map[string]any{"janus": "message", "transaction": "s1", "body": map[string]any{"request": "list"}})
	expectJanus(t, r, "success", s.id, "s1")
	if r.Uint("sender") != h || r.Str("plugindata", "plugin") != apitest.SyncPlugin || r.Str("plugindata", "data", "fake") != "sync" ||
		r.Str("plugindata", "data", "echo", "request") != "list" {
		t.Fatalf("sync success: %v", r)
	}
	if r.Has("data") || r.Has("hint") {
		t.Errorf("sync success carries extra fields: %v", r)
	}
}

func testMessageErrors(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.EchoPlugin, "")
	msg := func(extra map[string]any) Msg {
		req := map[string]any{"janus": "message"}
		for k, v := range extra {
			req[k] = v
		}
		return s.toHandle(h, req)
	}
	expectError(t, msg(nil), 456, "Missing mandatory element (body)")
	expectError(t, msg(map[string]any{"body": 5}), 467, "Invalid element type (body should be an object)")
	expectError(t, msg(map[string]any{"body": nil}), 467, "Invalid element type (body should be an object)")
	body := map[string]any{}
	expectError(t, msg(map[string]any{"body": body, "jsep": 5}), 455, "Invalid jsep object")
	expectError(t, msg(map[string]any{"body": body, "jsep": map[string]any{}}), 456, "JSEP error: missing mandatory element (type)")
	expectError(t, msg(map[string]any{"body": body, "jsep": map[string]any{"type": 5}}), 467, "JSEP error: invalid element type (type should be a string)")
	expectError(t, msg(map[string]any{"body": body, "jsep": map[string]any{"type": "foo"}}), 456, "JSEP error: missing mandatory element (sdp)")
	expectError(t, msg(map[string]any{"body": body, "jsep": map[string]any{"type": "offer", "sdp": 5}}), 467, "JSEP error: invalid element type (sdp should be a string)")
	expectError(t, msg(map[string]any{"body": body, "jsep": map[string]any{"type": "foo", "sdp": "x"}}), 464, "JSEP error: unknown message type 'foo'")
	if n := len(env.Backend.Calls("Message")); n != 0 {
		t.Fatalf("backend saw %d invalid messages", n)
	}
	// A backend's *janus.Error reaches the client unchanged.
	r := msg(map[string]any{"transaction": "e", "body": map[string]any{"error": 465}})
	expectError(t, r, 465, "fake failure 465")
	expectJanus(t, r, "error", s.id, "e")

	r = s.toHandle(999, map[string]any{"janus": "message", "body": body})
	expectError(t, r, 459, fmt.Sprintf("No such handle 999 in session %d", s.id))
	// handle_id 0 in the body is a bad handle (over HTTP a 0 in the path is
	// simply no handle), so send it to the root endpoint.
	r = s.c.SendRaw(t, fmt.Sprintf(`{"janus":"keepalive","transaction":"k0","session_id":%d,"handle_id":0}`, s.id))
	expectError(t, r, 459, "Handle not found")
	expectJanus(t, r, "error", s.id, "k0")
}

func testTrickle(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.EchoPlugin, "")
	cand := map[string]any{"candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
	r := s.toHandle(h, map[string]any{"janus": "trickle", "transaction": "t1", "candidate": cand})
	expectJanus(t, r, "ack", s.id, "t1")
	r = s.toHandle(h, map[string]any{"janus": "trickle", "candidates": []any{cand, map[string]any{"completed": true}}})
	if r.Str("janus") != "ack" {
		t.Fatalf("trickle candidates: %v", r)
	}
	r = s.toHandle(h, map[string]any{"janus": "trickle", "candidate": map[string]any{"completed": true}})
	if r.Str("janus") != "ack" {
		t.Fatalf("trickle completed: %v", r)
	}
	calls := env.Backend.WaitCalls("Trickle", 3, wait)
	if len(calls) != 3 {
		t.Fatalf("backend trickles: %+v", calls)
	}
	c0 := calls[0].Candidates
	if len(c0) != 1 || c0[0].Candidate != cand["candidate"] || c0[0].SDPMid == nil || *c0[0].SDPMid != "0" || c0[0].SDPMLineIndex == nil || *c0[0].SDPMLineIndex != 0 {
		t.Errorf("first trickle: %+v", c0)
	}
	if c1 := calls[1].Candidates; len(c1) != 2 || !c1[1].Completed {
		t.Errorf("second trickle: %+v", c1)
	}
	if c2 := calls[2].Candidates; len(c2) != 1 || !c2[0].Completed {
		t.Errorf("third trickle: %+v", c2)
	}
	expectError(t, s.toHandle(h, map[string]any{"janus": "trickle"}), 456, "Missing mandatory element (candidate|candidates)")
	expectError(t, s.toHandle(h, map[string]any{"janus": "trickle", "candidate": cand, "candidates": []any{}}), 454, "Can't have both candidate and candidates")
	expectError(t, s.send(map[string]any{"janus": "trickle", "candidate": cand}), 457, "Unhandled request 'trickle' at this path")
}

func testHangup(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.EchoPlugin, "")
	r := s.toHandle(h, map[string]any{"janus": "hangup", "transaction": "h1"})
	expectJanus(t, r, "success", s.id, "h1")
	calls := env.Backend.Calls("Hangup")
	if len(calls) != 1 || calls[0].Reason != "Janus API" || calls[0].Ref.HandleID != h {
		t.Fatalf("backend hangups: %+v", calls)
	}
	expectError(t, s.send(map[string]any{"janus": "hangup"}), 457, "Unhandled request 'hangup' at this path")
}

func testDetach(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.EchoPlugin, "")
	r := s.toHandle(h, map[string]any{"janus": "detach", "transaction": "d1"})
	expectJanus(t, r, "success", s.id, "d1")
	// The plugin's last event comes before "detached", as with Janus's echotest.
	ev := s.event("plugin's last event")
	if ev.Str("janus") != "event" || ev.Str("plugindata", "data", "result") != "done" || ev.Uint("sender") != h {
		t.Fatalf("first event after detach: %v", ev)
	}
	ev = s.event("detached")
	if ev.Str("janus") != "detached" || ev.Uint("sender") != h || ev.Uint("session_id") != s.id || ev.Has("transaction") {
		t.Fatalf("detached event: %v", ev)
	}
	if calls := env.Backend.Calls("Detach"); len(calls) != 1 || calls[0].Ref.HandleID != h {
		t.Fatalf("backend detaches: %+v", calls)
	}
	expectError(t, s.toHandle(h, map[string]any{"janus": "message", "body": map[string]any{}}), 459, fmt.Sprintf("No such handle %d in session %d", h, s.id))
}

func testDestroy(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h1 := s.attach(apitest.EchoPlugin, "")
	h2 := s.attach(apitest.SyncPlugin, "")
	r := s.send(map[string]any{"janus": "destroy", "transaction": "x"})
	expectJanus(t, r, "success", s.id, "x")
	calls := env.Backend.WaitCalls("Detach", 2, wait)
	got := map[uint64]bool{}
	for _, c := range calls {
		got[c.Ref.HandleID] = true
	}
	if len(calls) != 2 || !got[h1] || !got[h2] {
		t.Fatalf("backend detaches after destroy: %+v", calls)
	}
	if env.Core.SessionCount() != 0 {
		t.Fatalf("%d sessions left", env.Core.SessionCount())
	}
}

func testPluginCrash(t *testing.T, env Env) {
	s := newSession(t, env.NewClient(t))
	h := s.attach(apitest.EchoPlugin, "")
	env.Core.HandleGone(h)
	ev := s.event("detached")
	if ev.Str("janus") != "detached" || ev.Uint("sender") != h {
		t.Fatalf("event: %v", ev)
	}
	expectError(t, s.toHandle(h, map[string]any{"janus": "message", "body": map[string]any{}}), 459, "")
	if n := len(env.Backend.Calls("Detach")); n != 0 {
		t.Fatalf("backend Detach called %d times for a handle it lost", n)
	}
}
