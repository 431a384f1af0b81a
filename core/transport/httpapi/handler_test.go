package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/transport/internal/conformance"
)

func createWithHandle(t *testing.T, c httpClient) (sid, hid uint64) {
	t.Helper()
	r := c.Send(t, map[string]any{"janus": "create", "transaction": "c"})
	sid = r.Uint("data", "id")
	r = c.Send(t, map[string]any{"janus": "attach", "transaction": "a", "session_id": sid, "plugin": apitest.EchoPlugin})
	hid = r.Uint("data", "id")
	if sid == 0 || hid == 0 {
		t.Fatalf("setup failed: %v", r)
	}
	return sid, hid
}

func TestLongPollMaxevAndKeepalive(t *testing.T) {
	s := newServer(t, api.DefaultConfig(), testOptions())
	c := httpClient{base: s.base}
	sid, hid := createWithHandle(t, c)
	for i := range 3 {
		r := c.Send(t, map[string]any{"janus": "message", "transaction": fmt.Sprintf("m%d", i), "session_id": sid, "handle_id": hid, "body": map[string]any{}})
		if r.Str("janus") != "ack" {
			t.Fatalf("message: %v", r)
		}
	}
	time.Sleep(200 * time.Millisecond) // the fake plugin answers 20 ms after each ack

	_, out := c.do(t, http.MethodGet, fmt.Sprintf("%s/%d?maxev=2&rid=1", s.base, sid), nil)
	var batch []json.RawMessage
	if err := json.Unmarshal(out, &batch); err != nil || len(batch) != 2 {
		t.Fatalf("maxev=2 answer: %s", out)
	}
	seen := map[string]bool{}
	for i, raw := range batch {
		m := conformance.ParseMsg(t, raw)
		if m.Str("janus") != "event" || m.Uint("sender") != hid || m.Uint("session_id") != sid {
			t.Fatalf("event %d: %v", i, m)
		}
		seen[m.Str("transaction")] = true
	}
	_, out = c.do(t, http.MethodGet, fmt.Sprintf("%s/%d?maxev=5", s.base, sid), nil)
	if err := json.Unmarshal(out, &batch); err != nil || len(batch) != 1 {
		t.Fatalf("maxev=5 answer with one event left: %s", out)
	}
	seen[conformance.ParseMsg(t, batch[0]).Str("transaction")] = true
	if !seen["m0"] || !seen["m1"] || !seen["m2"] {
		t.Fatalf("events delivered: %v", seen)
	}

	// Nothing left: after the hold, a keepalive; inside an array when maxev > 1.
	start := time.Now()
	_, out = c.do(t, http.MethodGet, fmt.Sprintf("%s/%d?maxev=5", s.base, sid), nil)
	if string(out) != `[{"janus":"keepalive"}]` {
		t.Fatalf("empty maxev=5 poll: %s", out)
	}
	if held := time.Since(start); held < 250*time.Millisecond {
		t.Fatalf("poll returned after %v, want the 300 ms hold", held)
	}
	_, out = c.do(t, http.MethodGet, fmt.Sprintf("%s/%d", s.base, sid), nil)
	if string(out) != `{"janus":"keepalive"}` {
		t.Fatalf("empty poll: %s", out)
	}
}

func TestLongPollWakesOnEvent(t *testing.T) {
	opts := testOptions()
	opts.LongPollHold = 5 * time.Second
	s := newServer(t, api.DefaultConfig(), opts)
	c := httpClient{base: s.base}
	sid, hid := createWithHandle(t, c)
	go func() {
		time.Sleep(100 * time.Millisecond)
		s.core.Notify(hid, jsonEvent("late"))
	}()
	start := time.Now()
	_, out := c.do(t, http.MethodGet, fmt.Sprintf("%s/%d", s.base, sid), nil)
	m := conformance.ParseMsg(t, out)
	if m.Str("janus") != "event" || m.Str("transaction") != "late" {
		t.Fatalf("poll answer: %v", m)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("poll was not woken by the event")
	}
}

func TestLongPollUnknownSessionIs404(t *testing.T) {
	s := newServer(t, api.DefaultConfig(), testOptions())
	c := httpClient{base: s.base}
	status, out := c.do(t, http.MethodGet, s.base+"/123", nil)
	if status != http.StatusNotFound || len(out) != 0 {
		t.Fatalf("status %d body %q", status, out)
	}
}

func TestCORS(t *testing.T) {
	s := newServer(t, api.DefaultConfig(), testOptions())
	req, _ := http.NewRequest(http.MethodOptions, s.base+"/123", nil)
	req.Header.Set("Origin", "http://example.test")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Max-Age":       "86400",
		"Access-Control-Allow-Methods": "POST",
		"Access-Control-Allow-Headers": "content-type",
	}
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 0 {
		t.Fatalf("preflight status %d length %d", resp.StatusCode, resp.ContentLength)
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	resp, err = http.Post(s.base, "application/json", strings.NewReader(`{"janus":"ping","transaction":"p"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Max-Age") != "86400" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("POST headers: %v", resp.Header)
	}
}

func TestPathRules(t *testing.T) {
	s := newServer(t, api.DefaultConfig(), testOptions())
	c := httpClient{base: s.base}
	sid, hid := createWithHandle(t, c)
	post := func(path, body string) conformance.Msg {
		t.Helper()
		status, out := c.do(t, http.MethodPost, s.base+path, []byte(body))
		if status != http.StatusOK {
			t.Fatalf("POST %s: status %d", path, status)
		}
		return conformance.ParseMsg(t, out)
	}
	r := post(fmt.Sprintf("/%d", sid), `{"janus":"keepalive","transaction":"k","session_id":1}`)
	if r.ErrCode() != 457 || r.Str("error", "reason") != "Conflicting session ID (payload and path)" || r.Has("transaction") {
		t.Errorf("conflicting session: %v", r)
	}
	r = post(fmt.Sprintf("/%d/%d", sid, hid), `{"janus":"keepalive","transaction":"k","handle_id":1}`)
	if r.ErrCode() != 457 || r.Str("error", "reason") != "Conflicting handle ID (payload and path)" {
		t.Errorf("conflicting handle: %v", r)
	}
	// Ids in the body work at the root path, and matching ids in both places too.
	r = post("", fmt.Sprintf(`{"janus":"message","transaction":"m","session_id":%d,"handle_id":%d,"body":{"sync":true}}`, sid, hid))
	if r.Str("janus") != "success" || r.Uint("sender") != hid {
		t.Errorf("ids in body: %v", r)
	}
	r = post(fmt.Sprintf("/%d/%d/", sid, hid), fmt.Sprintf(`{"janus":"keepalive","transaction":"k","session_id":%d}`, sid))
	if r.Str("janus") != "ack" {
		t.Errorf("matching ids and trailing slash: %v", r)
	}
	r = post("/abc", `{"janus":"keepalive","transaction":"k"}`)
	if r.ErrCode() != 457 {
		t.Errorf("non-numeric session path is the root: %v", r)
	}
	r = post("", ``)
	if r.ErrCode() != 454 {
		t.Errorf("empty body: %v", r)
	}
	status, out := c.do(t, http.MethodDelete, s.base, nil)
	if m := conformance.ParseMsg(t, out); status != http.StatusOK || m.ErrCode() != 450 || m.Str("error", "reason") != "Unsupported method DELETE" {
		t.Errorf("DELETE: %d %s", status, out)
	}
	for _, path := range []string{"", "/1/2/3"} {
		if status, _ := c.do(t, http.MethodGet, s.base+path, nil); status != http.StatusNotFound {
			t.Errorf("GET %q: status %d, want 404", path, status)
		}
	}
	if status, _ := c.do(t, http.MethodPost, s.base+"/1/2/3", []byte(`{}`)); status != http.StatusNotFound {
		t.Errorf("POST with three segments: status %d", status)
	}
	_, out = c.do(t, http.MethodGet, s.base+"/info", nil)
	if m := conformance.ParseMsg(t, out); m.Str("janus") != "server_info" || len(m.Str("transaction")) != 12 {
		t.Errorf("GET /info: %v", m)
	}
}

func TestAPISecret(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.APISecret = "s3cret"
	s := newServer(t, cfg, testOptions())
	c := httpClient{base: s.base}
	r := c.Send(t, map[string]any{"janus": "create", "transaction": "c"})
	if r.ErrCode() != 403 || r.Str("error", "reason") != "Unauthorized request (wrong or missing secret/token)" || r.Str("transaction") != "c" {
		t.Fatalf("create without secret: %v", r)
	}
	r = c.Send(t, map[string]any{"janus": "create", "transaction": "c", "apisecret": "s3cret"})
	sid := r.Uint("data", "id")
	if sid == 0 {
		t.Fatalf("create with secret: %v", r)
	}
	_, out := c.do(t, http.MethodGet, fmt.Sprintf("%s/%d", s.base, sid), nil)
	if m := conformance.ParseMsg(t, out); m.ErrCode() != 403 {
		t.Fatalf("long poll without secret: %v", m)
	}
	_, out = c.do(t, http.MethodGet, fmt.Sprintf("%s/%d?apisecret=s3cret", s.base, sid), nil)
	if m := conformance.ParseMsg(t, out); m.Str("janus") != "keepalive" {
		t.Fatalf("long poll with secret: %v", m)
	}
	// info and ping need no secret.
	if r := c.Send(t, map[string]any{"janus": "ping", "transaction": "p"}); r.Str("janus") != "pong" {
		t.Fatalf("ping: %v", r)
	}
	if r := c.Send(t, map[string]any{"janus": "info", "transaction": "i"}); r.Str("janus") != "server_info" || r.Get("api_secret") != true {
		t.Fatalf("info: %v", r)
	}
}
