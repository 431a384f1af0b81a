package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/janus"
)

// recorder is an api.Transport that keeps what it is given.
type recorder struct {
	name string

	mu       sync.Mutex
	events   []*janus.Message
	released []uint64
	changed  chan struct{}
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, changed: make(chan struct{}, 1)}
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Deliver(_ uint64, m *janus.Message) {
	r.mu.Lock()
	r.events = append(r.events, m)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) Release(sid uint64) {
	r.mu.Lock()
	r.released = append(r.released, sid)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// waitEvent waits for an event with the given janus value.
func (r *recorder) waitEvent(t *testing.T, kind string, timeout time.Duration) *janus.Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for _, m := range r.events {
			if m.Janus == kind {
				r.mu.Unlock()
				return m
			}
		}
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-deadline.C:
			t.Fatalf("no %q event within %v", kind, timeout)
			return nil
		}
	}
}

func (r *recorder) releasedIDs() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint64(nil), r.released...)
}

type fixture struct {
	core    *api.Core
	backend *apitest.Backend
	tr      *recorder
}

func newFixture(t *testing.T, cfg api.Config) *fixture {
	t.Helper()
	be := apitest.New()
	core := api.New(cfg, nil, slog.New(slog.DiscardHandler))
	be.SetSink(core)
	core.SetBackend(be)
	t.Cleanup(core.Close)
	return &fixture{core: core, backend: be, tr: newRecorder("test.transport")}
}

// do sends a JSON request (fmt-style) on transport tr and returns the
// response as a generic object.
func (f *fixture) do(t *testing.T, tr api.Transport, format string, args ...any) map[string]any {
	t.Helper()
	var got any
	f.core.ProcessRaw(context.Background(), tr, fmt.Appendf(nil, format, args...), func(resp any) { got = resp })
	return roundTrip(t, got)
}

func (f *fixture) admin(t *testing.T, format string, args ...any) map[string]any {
	t.Helper()
	var got any
	f.core.ProcessAdminRaw(context.Background(), fmt.Appendf(nil, format, args...), func(resp any) { got = resp })
	return roundTrip(t, got)
}

func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("response does not marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func id(m map[string]any, path ...string) uint64 {
	var cur any = m
	for _, p := range path {
		obj, _ := cur.(map[string]any)
		cur = obj[p]
	}
	n, _ := cur.(float64)
	return uint64(n)
}

func errCode(m map[string]any) int {
	e, _ := m["error"].(map[string]any)
	n, _ := e["code"].(float64)
	return int(n)
}

func (f *fixture) session(t *testing.T, extra string) uint64 {
	t.Helper()
	r := f.do(t, f.tr, `{"janus":"create","transaction":"c"%s}`, extra)
	if id(r, "data", "id") == 0 {
		t.Fatalf("create: %v", r)
	}
	return id(r, "data", "id")
}

func (f *fixture) handle(t *testing.T, sid uint64, plugin, extra string) uint64 {
	t.Helper()
	r := f.do(t, f.tr, `{"janus":"attach","transaction":"a","session_id":%d,"plugin":%q%s}`, sid, plugin, extra)
	if id(r, "data", "id") == 0 {
		t.Fatalf("attach: %v", r)
	}
	return id(r, "data", "id")
}

func TestSessionTimeout(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.SessionTimeout = time.Second
	cfg.TimeoutCheckInterval = 50 * time.Millisecond
	f := newFixture(t, cfg)
	idle := f.session(t, "")
	h1 := f.handle(t, idle, apitest.EchoPlugin, "")
	h2 := f.handle(t, idle, apitest.SyncPlugin, "")
	busy := f.session(t, "")

	// Keepalives keep one session alive past the timeout.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				f.do(t, f.tr, `{"janus":"keepalive","transaction":"k","session_id":%d}`, busy)
			}
		}
	}()
	defer func() { close(stop); <-done }()

	start := time.Now()
	ev := f.tr.waitEvent(t, "timeout", 3*time.Second)
	if elapsed := time.Since(start); elapsed < 800*time.Millisecond {
		t.Fatalf("timed out after %v, before the 1 s timeout", elapsed)
	}
	if got := roundTrip(t, ev); len(got) != 2 || id(got, "session_id") != idle {
		t.Fatalf("timeout event: %v", got)
	}
	calls := f.backend.WaitCalls("Detach", 2, 2*time.Second)
	got := map[uint64]bool{}
	for _, c := range calls {
		got[c.Ref.HandleID] = true
	}
	if len(calls) != 2 || !got[h1] || !got[h2] {
		t.Fatalf("backend detaches: %+v", calls)
	}
	if rel := f.tr.releasedIDs(); len(rel) != 1 || rel[0] != idle {
		t.Fatalf("released: %v", rel)
	}
	if r := f.do(t, f.tr, `{"janus":"keepalive","transaction":"k","session_id":%d}`, idle); errCode(r) != 458 {
		t.Fatalf("timed-out session still answers: %v", r)
	}
	if r := f.do(t, f.tr, `{"janus":"keepalive","transaction":"k","session_id":%d}`, busy); r["janus"] != "ack" {
		t.Fatalf("kept-alive session was timed out: %v", r)
	}
}

func TestSessionTimeoutZeroDisables(t *testing.T) {
	cfg := api.Config{TimeoutCheckInterval: 20 * time.Millisecond}
	f := newFixture(t, cfg)
	sid := f.session(t, "")
	time.Sleep(150 * time.Millisecond)
	if r := f.do(t, f.tr, `{"janus":"keepalive","transaction":"k","session_id":%d}`, sid); r["janus"] != "ack" {
		t.Fatalf("session gone with timeouts disabled: %v", r)
	}
	info := f.do(t, f.tr, `{"janus":"info","transaction":"i"}`)
	if info["session-timeout"] != float64(0) {
		t.Fatalf("session-timeout: %v", info["session-timeout"])
	}
}

func TestAPISecret(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.APISecret = "s3"
	f := newFixture(t, cfg)
	ok := `,"apisecret":"s3"`
	for _, bad := range []string{``, `,"apisecret":"nope"`, `,"apisecret":5`} {
		if r := f.do(t, f.tr, `{"janus":"create","transaction":"c"%s}`, bad); errCode(r) != 403 || r["transaction"] != "c" {
			t.Fatalf("create with %q: %v", bad, r)
		}
	}
	sid := f.session(t, ok)
	h := f.handle(t, sid, apitest.EchoPlugin, ok)
	for _, req := range []string{
		`{"janus":"attach","transaction":"t","session_id":%d,"plugin":"janus.plugin.echotest"}`,
		`{"janus":"message","transaction":"t","session_id":%d,"handle_id":%d,"body":{}}`,
		`{"janus":"trickle","transaction":"t","session_id":%d,"handle_id":%d,"candidate":{"completed":true}}`,
		`{"janus":"hangup","transaction":"t","session_id":%d,"handle_id":%d}`,
		`{"janus":"detach","transaction":"t","session_id":%d,"handle_id":%d}`,
		`{"janus":"claim","transaction":"t","session_id":%d}`,
		`{"janus":"destroy","transaction":"t","session_id":%d}`,
	} {
		args := []any{sid, h}[:strings.Count(req, "%d")]
		r := f.do(t, f.tr, req, args...)
		if errCode(r) != 403 || id(r, "session_id") != sid {
			t.Errorf("%s without secret: %v", req, r)
		}
	}
	if len(f.backend.Calls("Message"))+len(f.backend.Calls("Detach"))+len(f.backend.Calls("Hangup")) != 0 {
		t.Fatalf("unauthorised requests reached the backend: %v", f.backend.Calls(""))
	}
	// Exempt: info, ping, keepalive.
	for _, req := range []string{`{"janus":"info","transaction":"t"}`, `{"janus":"ping","transaction":"t"}`, fmt.Sprintf(`{"janus":"keepalive","transaction":"t","session_id":%d}`, sid)} {
		if r := f.do(t, f.tr, "%s", req); r["janus"] == "error" {
			t.Errorf("%s: %v", req, r)
		}
	}
	if r := f.do(t, f.tr, `{"janus":"message","transaction":"t","session_id":%d,"handle_id":%d,"body":{"sync":true}%s}`, sid, h, ok); r["janus"] != "success" {
		t.Fatalf("message with secret: %v", r)
	}
	if !f.core.Authorized("s3", "") || f.core.Authorized("x", "") {
		t.Fatal("Authorized disagrees with the secret")
	}
}

func TestTokenAuthWithPluginLimits(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.TokenAuth = true
	cfg.AdminSecret = "adm"
	f := newFixture(t, cfg)

	if r := f.do(t, f.tr, `{"janus":"create","transaction":"c","token":"limited"}`); errCode(r) != 403 {
		t.Fatalf("unknown token: %v", r)
	}
	r := f.admin(t, `{"janus":"add_token","transaction":"t1","admin_secret":"adm","token":"limited","plugins":[%q,"janus.plugin.unknown"]}`, apitest.SyncPlugin)
	if r["janus"] != "success" || r["transaction"] != "t1" || fmt.Sprint(r["data"]) != fmt.Sprintf("map[plugins:[%s]]", apitest.SyncPlugin) {
		t.Fatalf("add_token limited: %v", r)
	}
	r = f.admin(t, `{"janus":"add_token","transaction":"t2","admin_secret":"adm","token":"all"}`)
	if fmt.Sprint(r["data"]) != fmt.Sprintf("map[plugins:[%s %s]]", apitest.EchoPlugin, apitest.SyncPlugin) {
		t.Fatalf("add_token unlimited: %v", r)
	}
	if r := f.admin(t, `{"janus":"add_token","transaction":"t","admin_secret":"adm","token":"all"}`); errCode(r) != 490 {
		t.Fatalf("duplicate add_token: %v", r)
	}

	sid := f.session(t, `,"token":"limited"`)
	r = f.do(t, f.tr, `{"janus":"attach","transaction":"a","session_id":%d,"plugin":%q,"token":"limited"}`, sid, apitest.EchoPlugin)
	if errCode(r) != 405 || r["error"].(map[string]any)["reason"] != "Provided token can't access plugin 'janus.plugin.echotest'" {
		t.Fatalf("attach outside the token's plugins: %v", r)
	}
	h := f.handle(t, sid, apitest.SyncPlugin, `,"token":"limited"`)
	if calls := f.backend.Calls("Attach"); len(calls) != 1 || calls[0].Ref.Token != "limited" {
		t.Fatalf("backend attach: %+v", calls)
	}
	f.handle(t, sid, apitest.EchoPlugin, `,"token":"all"`)

	r = f.admin(t, `{"janus":"list_tokens","transaction":"l","admin_secret":"adm"}`)
	want := fmt.Sprintf(`{"data":{"tokens":[{"allowed_plugins":[%q],"token":"limited"},{"allowed_plugins":[%q,%q],"token":"all"}]},"janus":"success","transaction":"l"}`, apitest.SyncPlugin, apitest.EchoPlugin, apitest.SyncPlugin)
	if got, _ := json.Marshal(r); string(got) != want {
		t.Fatalf("list_tokens:\n got %s\nwant %s", got, want)
	}

	r = f.admin(t, `{"janus":"allow_token","transaction":"t","admin_secret":"adm","token":"limited","plugins":[%q]}`, apitest.EchoPlugin)
	if r["janus"] != "success" {
		t.Fatalf("allow_token: %v", r)
	}
	f.handle(t, sid, apitest.EchoPlugin, `,"token":"limited"`)
	r = f.admin(t, `{"janus":"disallow_token","transaction":"t","admin_secret":"adm","token":"limited","plugins":[%q]}`, apitest.EchoPlugin)
	if fmt.Sprint(r["data"]) != fmt.Sprintf("map[plugins:[%s]]", apitest.SyncPlugin) {
		t.Fatalf("disallow_token: %v", r)
	}
	for req, code := range map[string]int{
		`{"janus":"allow_token","transaction":"t","admin_secret":"adm","token":"nope","plugins":["x"]}`:    470,
		`{"janus":"allow_token","transaction":"t","admin_secret":"adm","token":"all"}`:                     456,
		`{"janus":"allow_token","transaction":"t","admin_secret":"adm","token":"all","plugins":[]}`:        467,
		`{"janus":"allow_token","transaction":"t","admin_secret":"adm","token":"all","plugins":["bogus"]}`: 467,
		`{"janus":"add_token","transaction":"t","admin_secret":"adm"}`:                                     456,
		`{"janus":"add_token","transaction":"t","admin_secret":"adm","token":5}`:                           467,
		`{"janus":"add_token","transaction":"t","admin_secret":"adm","token":"n","plugins":"x"}`:           467,
		`{"janus":"remove_token","transaction":"t","admin_secret":"adm","token":"nope"}`:                   490,
		`{"janus":"add_token","transaction":"t","token":"x"}`:                                              403,
	} {
		if r := f.admin(t, "%s", req); errCode(r) != code {
			t.Errorf("%s: want %d, got %v", req, code, r)
		}
	}

	if r := f.admin(t, `{"janus":"remove_token","transaction":"t","admin_secret":"adm","token":"limited"}`); r["janus"] != "success" || len(r) != 2 {
		t.Fatalf("remove_token: %v", r)
	}
	r = f.do(t, f.tr, `{"janus":"message","transaction":"m","session_id":%d,"handle_id":%d,"body":{},"token":"limited"}`, sid, h)
	if errCode(r) != 403 {
		t.Fatalf("removed token still works: %v", r)
	}
	if info := f.do(t, f.tr, `{"janus":"info","transaction":"i"}`); info["auth_token"] != true {
		t.Fatalf("info auth_token: %v", info["auth_token"])
	}
}

func TestTokenRequestsNeedTokenAuth(t *testing.T) {
	f := newFixture(t, api.DefaultConfig())
	r := f.admin(t, `{"janus":"add_token","transaction":"p","token":"abc"}`)
	if errCode(r) != 490 || r["error"].(map[string]any)["reason"] != "Stored-Token based authentication disabled" {
		t.Fatalf("add_token with token_auth off: %v", r)
	}
}

func TestAdminRequests(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.AdminSecret = "adm"
	f := newFixture(t, cfg)
	sid := f.session(t, "")
	h := f.handle(t, sid, apitest.EchoPlugin, `,"opaque_id":"op1"`)

	if r := f.admin(t, `{"janus":"ping","transaction":"p"}`); r["janus"] != "pong" {
		t.Fatalf("ping: %v", r)
	}
	if r := f.admin(t, `{"janus":"info","transaction":"p"}`); r["janus"] != "server_info" {
		t.Fatalf("info: %v", r)
	}
	for _, req := range []string{
		`{"janus":"list_sessions","transaction":"p"}`,
		`{"janus":"list_sessions","transaction":"p","admin_secret":"bad"}`,
		fmt.Sprintf(`{"janus":"list_handles","transaction":"p","session_id":%d}`, sid),
	} {
		if r := f.admin(t, "%s", req); errCode(r) != 403 || r["transaction"] != "p" {
			t.Errorf("%s: %v", req, r)
		}
	}
	r := f.admin(t, `{"janus":"list_sessions","transaction":"p","admin_secret":"adm"}`)
	if got, _ := json.Marshal(r); string(got) != fmt.Sprintf(`{"janus":"success","sessions":[%d],"transaction":"p"}`, sid) {
		t.Fatalf("list_sessions: %s", got)
	}
	r = f.admin(t, `{"janus":"list_handles","transaction":"p","admin_secret":"adm","session_id":%d}`, sid)
	if got, _ := json.Marshal(r); string(got) != fmt.Sprintf(`{"handles":[%d],"janus":"success","session_id":%d,"transaction":"p"}`, h, sid) {
		t.Fatalf("list_handles: %s", got)
	}
	r = f.admin(t, `{"janus":"get_status","transaction":"p","admin_secret":"adm"}`)
	status, _ := r["status"].(map[string]any)
	if status["session_timeout"] != float64(60) || status["token_auth"] != false || len(status) != 14 {
		t.Fatalf("get_status: %v", r)
	}

	// handle_info: core fields first and in Janus's order, then the backend's.
	var raw any
	f.core.ProcessAdminRaw(context.Background(), fmt.Appendf(nil, `{"janus":"handle_info","transaction":"p","admin_secret":"adm","session_id":%d,"handle_id":%d}`, sid, h), func(v any) { raw = v })
	data, _ := json.Marshal(raw)
	keys := topKeysOfInfo(t, data)
	want := []string{"session_id", "session_last_activity", "session_timeout", "session_transport", "handle_id", "opaque_id", "loop-running", "created", "current_time", "plugin", "plugin_specific", "flags"}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Fatalf("handle_info keys %v\nwant %v", keys, want)
	}
	r = roundTrip(t, raw)
	info := r["info"].(map[string]any)
	if id(r, "handle_id") != h || id(info, "handle_id") != h || info["opaque_id"] != "op1" || info["session_transport"] != "test.transport" ||
		info["plugin"] != apitest.EchoPlugin || info["plugin_specific"].(map[string]any)["fake"] != true {
		t.Fatalf("handle_info: %v", r)
	}
	r = f.admin(t, `{"janus":"handle_info","transaction":"p","admin_secret":"adm","session_id":%d,"handle_id":%d,"plugin_only":true}`, sid, h)
	if info := r["info"].(map[string]any); info["flags"] != nil || info["plugin_specific"] == nil {
		t.Fatalf("plugin_only handle_info: %v", r)
	}

	for req, code := range map[string]int{
		`{"janus":"list_handles","transaction":"p","admin_secret":"adm"}`:                                                457,
		`{"janus":"foo","transaction":"p","admin_secret":"adm"}`:                                                         457,
		fmt.Sprintf(`{"janus":"handle_info","transaction":"p","admin_secret":"adm","session_id":%d}`, sid):               457,
		fmt.Sprintf(`{"janus":"ping","transaction":"p","admin_secret":"adm","session_id":%d,"handle_id":%d}`, sid, h):    457,
		`{"janus":"list_handles","transaction":"p","admin_secret":"adm","session_id":123}`:                               458,
		fmt.Sprintf(`{"janus":"handle_info","transaction":"p","admin_secret":"adm","session_id":%d,"handle_id":1}`, sid): 459,
	} {
		if r := f.admin(t, "%s", req); errCode(r) != code {
			t.Errorf("%s: want %d, got %v", req, code, r)
		}
	}
}

// topKeysOfInfo lists the keys of the "info" object in document order.
func topKeysOfInfo(t *testing.T, data []byte) []string {
	t.Helper()
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(data, &outer); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(outer["info"]))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestAttachFailures(t *testing.T) {
	f := newFixture(t, api.DefaultConfig())
	sid := f.session(t, "")
	f.backend.FailAttach(errors.New("extension unavailable"))
	r := f.do(t, f.tr, `{"janus":"attach","transaction":"a","session_id":%d,"plugin":%q}`, sid, apitest.EchoPlugin)
	if errCode(r) != 461 || r["error"].(map[string]any)["reason"] != "Couldn't attach to plugin: extension unavailable" {
		t.Fatalf("attach failure: %v", r)
	}
	f.backend.FailAttach(janus.Errorf(janus.ErrPluginNotFound, "gone"))
	if r := f.do(t, f.tr, `{"janus":"attach","transaction":"a","session_id":%d,"plugin":%q}`, sid, apitest.EchoPlugin); errCode(r) != 460 {
		t.Fatalf("attach janus error: %v", r)
	}
	r = f.admin(t, `{"janus":"list_handles","transaction":"p","session_id":%d}`, sid)
	if hs := r["handles"].([]any); len(hs) != 0 {
		t.Fatalf("failed attaches left handles: %v", hs)
	}
}

func TestNotifyFillsIDsAndDropsUnknownHandles(t *testing.T) {
	f := newFixture(t, api.DefaultConfig())
	sid := f.session(t, "")
	h := f.handle(t, sid, apitest.EchoPlugin, "")
	f.core.Notify(999, janus.Message{Janus: "webrtcup"})
	f.core.Notify(h, janus.Message{Janus: "webrtcup", SessionID: 1, Sender: 2})
	ev := f.tr.waitEvent(t, "webrtcup", time.Second)
	if ev.SessionID != sid || ev.Sender != h {
		t.Fatalf("event: %+v", ev)
	}
	f.tr.mu.Lock()
	n := len(f.tr.events)
	f.tr.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d events delivered, want 1", n)
	}
}

func TestClaimMovesOwnership(t *testing.T) {
	f := newFixture(t, api.DefaultConfig())
	sid := f.session(t, "")
	h := f.handle(t, sid, apitest.EchoPlugin, "")
	other := newRecorder("other")
	if r := f.do(t, other, `{"janus":"claim","transaction":"c","session_id":%d}`, sid); r["janus"] != "success" {
		t.Fatalf("claim: %v", r)
	}
	if rel := f.tr.releasedIDs(); len(rel) != 1 || rel[0] != sid {
		t.Fatalf("old owner not released: %v", rel)
	}
	f.core.Notify(h, janus.Message{Janus: "webrtcup"})
	other.waitEvent(t, "webrtcup", time.Second)
	if !f.core.OwnedBy(sid, other) || f.core.OwnedBy(sid, f.tr) {
		t.Fatal("ownership not moved")
	}
	// Closing the old transport leaves the claimed session alone.
	f.core.TransportClosed(f.tr)
	if f.core.SessionCount() != 1 {
		t.Fatal("session destroyed with its former transport")
	}
	f.core.TransportClosed(other)
	if f.core.SessionCount() != 0 || len(f.backend.WaitCalls("Detach", 1, time.Second)) != 1 {
		t.Fatal("session not destroyed with its transport")
	}
}

func TestBackendNotSet(t *testing.T) {
	core := api.New(api.DefaultConfig(), nil, nil)
	defer core.Close()
	tr := newRecorder("t")
	var got any
	core.ProcessRaw(context.Background(), tr, []byte(`{"janus":"create","transaction":"c"}`), func(v any) { got = v })
	sid := id(roundTrip(t, got), "data", "id")
	core.ProcessRaw(context.Background(), tr, fmt.Appendf(nil, `{"janus":"attach","transaction":"a","session_id":%d,"plugin":"x"}`, sid), func(v any) { got = v })
	if errCode(roundTrip(t, got)) != 490 {
		t.Fatalf("attach without backend: %v", got)
	}
}
