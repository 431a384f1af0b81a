package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// The Janus core API on both transports against the real binary: every
// request verb and the error codes a client can meet.
func TestCoreAPIConformance(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	for _, tr := range transports(gw) {
		t.Run(tr.name, func(t *testing.T) {
			c := tr.dial(t)
			r := must(t, c, 0, 0, "server_info", jc.Msg{"janus": "info"})
			if _, ok := r.Obj("plugins")["janus.plugin.echotest"]; !ok {
				t.Fatalf("info lists no echotest: %v", r)
			}
			must(t, c, 0, 0, "pong", jc.Msg{"janus": "ping"})
			s := session(t, c)
			h := attach(t, c, s, "janus.plugin.echotest")
			must(t, c, s, 0, "ack", jc.Msg{"janus": "keepalive"})
			must(t, c, s, h, "ack", jc.Msg{"janus": "trickle", "candidate": jc.Msg{"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}})
			must(t, c, s, h, "ack", jc.Msg{"janus": "trickle", "candidates": []jc.Msg{{"completed": true}}})
			must(t, c, s, h, "ack", jc.Msg{"janus": "trickle", "candidate": jc.Msg{"completed": true}})

			// An asynchronous plugin answer: ack, then an event with the transaction.
			ack := must(t, c, s, h, "ack", jc.Msg{"janus": "message", "body": jc.Msg{"audio": "yes"}})
			ev, err := jc.WaitEvent(c, 10*time.Second, pluginEvent(h, func(d jc.Msg) bool { return d.ID("error_code") == 413 }))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Str("transaction") != ack.Str("transaction") || ev.ID("session_id") != s {
				t.Fatalf("event %v does not match ack %v", ev, ack)
			}

			errs := []struct {
				session, handle uint64
				msg             jc.Msg
				code            int
			}{
				{0, 0, jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest"}, 457},
				{0, 0, jc.Msg{"janus": "bogus"}, 457},
				{s, 0, jc.Msg{"janus": "bogus"}, 453},
				{s, 0, jc.Msg{"janus": "attach"}, 456},
				{s, 0, jc.Msg{"janus": "attach", "plugin": 5}, 467},
				{s, 0, jc.Msg{"janus": "attach", "plugin": "janus.plugin.nope"}, 460},
				{s + 1, 0, jc.Msg{"janus": "keepalive"}, 458},
				{s, h + 1, jc.Msg{"janus": "message", "body": jc.Msg{}}, 459},
				{s, h, jc.Msg{"janus": "message"}, 456},
				{s, h, jc.Msg{"janus": "message", "body": 5}, 467},
				{s, h, jc.Msg{"janus": "message", "body": jc.Msg{}, "jsep": jc.Msg{"type": "offer", "sdp": "garbage"}}, 465},
				{s, h, jc.Msg{"janus": "message", "body": jc.Msg{}, "janusSdp": jc.Msg{"type": "bogus", "sdp": "v=0"}}, 464},
				{s, h, jc.Msg{"janus": "trickle"}, 456},
			}
			for _, e := range errs {
				r, err := c.Send(ctxT(t, 10*time.Second), e.session, e.handle, e.msg)
				if err != nil {
					t.Fatal(err)
				}
				if r.ErrorCode() != e.code || r.Obj("error").Str("reason") == "" {
					t.Errorf("%v: got %v, want error %d with a reason", e.msg, r, e.code)
				}
			}
			for raw, code := range map[string]int{`{not json`: 454, `{"janus":"create"}`: 456, `{"janus":"create","transaction":5}`: 467, `[1]`: 454} {
				r, err := c.SendRaw(ctxT(t, 10*time.Second), 0, 0, []byte(raw))
				if err != nil {
					t.Fatal(err)
				}
				if r.ErrorCode() != code && !(raw == `[1]` && r.ErrorCode() == 455) {
					t.Errorf("%s: got %v, want %d", raw, r, code)
				}
			}

			must(t, c, s, h, "success", jc.Msg{"janus": "detach"})
			if _, err := jc.WaitEvent(c, 10*time.Second, coreEvent(h, "detached")); err != nil {
				t.Fatal(err)
			}
			must(t, c, s, 0, "success", jc.Msg{"janus": "destroy"})
			if r := must(t, c, s, 0, "error", jc.Msg{"janus": "keepalive"}); r.ErrorCode() != 458 {
				t.Fatalf("destroyed session answered %v", r)
			}
		})
	}
}

// HTTP specifics: GET /janus/info, long-poll with maxev, the keepalive a
// long-poll returns when nothing happens, CORS, and claim moving a session
// to a WebSocket.
func TestHTTPLongPollClaimAndCORS(t *testing.T) {
	gw := harness.Start(t, harness.Options{ExtraArgs: []string{"-long-poll", "2s"}})
	resp, err := http.Get(gw.HTTPURL + "/info")
	if err != nil {
		t.Fatal(err)
	}
	var info jc.Msg
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if info.Str("janus") != "server_info" || resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("GET /janus/info: %v %v", resp.Header, info)
	}
	req, _ := http.NewRequest(http.MethodOptions, gw.HTTPURL, nil)
	req.Header.Set("Origin", "http://example.test")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") == "" || !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "content-type") {
		t.Fatalf("CORS preflight: %d %v", resp.StatusCode, resp.Header)
	}

	c := jc.NewHTTP(gw.HTTPURL)
	defer c.Close()
	s := must(t, c, 0, 0, "success", jc.Msg{"janus": "create"}).Obj("data").ID("id")
	poll := func(q string) []byte {
		resp, err := http.Get(gw.HTTPURL + "/" + itoa(s) + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	start := time.Now()
	if b := poll(""); !bytes.Contains(b, []byte(`"keepalive"`)) || time.Since(start) < time.Second {
		t.Fatalf("idle long-poll returned %s after %v", b, time.Since(start))
	}
	// Three events queued, maxev=2 returns an array of two, then one.
	var handles []uint64
	for i := 0; i < 3; i++ {
		handles = append(handles, must(t, c, s, 0, "success", jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest"}).Obj("data").ID("id"))
	}
	for _, h := range handles {
		must(t, c, s, h, "success", jc.Msg{"janus": "detach"})
	}
	var batch []jc.Msg
	if err := json.Unmarshal(poll("?maxev=2"), &batch); err != nil || len(batch) != 2 || batch[0].Str("janus") != "detached" {
		t.Fatalf("maxev=2: %v %v", batch, err)
	}
	var single jc.Msg
	if err := json.Unmarshal(poll(""), &single); err != nil || single.Str("janus") != "detached" {
		t.Fatalf("single event: %v %v", single, err)
	}

	// claim over a WebSocket: the session's events now go there.
	ws := transports(gw)[1].dial(t)
	must(t, ws, s, 0, "success", jc.Msg{"janus": "claim"})
	h := must(t, ws, s, 0, "success", jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest"}).Obj("data").ID("id")
	must(t, ws, s, h, "success", jc.Msg{"janus": "detach"})
	if _, err := jc.WaitEvent(ws, 5*time.Second, coreEvent(h, "detached")); err != nil {
		t.Fatal(err)
	}
}

// A session without keepalives times out: the client gets "timeout" and the
// session is gone.
func TestSessionTimeout(t *testing.T) {
	gw := harness.Start(t, harness.Options{ExtraArgs: []string{"-session-timeout", "2"}})
	for _, tr := range transports(gw) {
		t.Run(tr.name, func(t *testing.T) {
			c := tr.dial(t)
			s := session(t, c)
			attach(t, c, s, "janus.plugin.echotest")
			ev, err := jc.WaitEvent(c, 10*time.Second, func(m jc.Msg) bool { return m.Str("janus") == "timeout" })
			if err != nil {
				t.Fatal(err)
			}
			if ev.ID("session_id") != s {
				t.Fatalf("timeout for the wrong session: %v", ev)
			}
			time.Sleep(200 * time.Millisecond)
			if r := must(t, c, s, 0, "error", jc.Msg{"janus": "keepalive"}); r.ErrorCode() != 458 {
				t.Fatalf("timed-out session answered %v", r)
			}
		})
	}
}

// api_secret and stored tokens gate the API with 403; a token limited to
// other plugins cannot attach echotest (405).
func TestAuth(t *testing.T) {
	gw := harness.Start(t, harness.Options{ExtraArgs: []string{"-api-secret", "s3cret"}})
	c := jc.NewHTTP(gw.HTTPURL)
	defer c.Close()
	if r := must(t, c, 0, 0, "error", jc.Msg{"janus": "create"}); r.ErrorCode() != 403 {
		t.Fatalf("no secret: %v", r)
	}
	must(t, c, 0, 0, "success", jc.Msg{"janus": "create", "apisecret": "s3cret"})

	gw = harness.Start(t, harness.Options{ExtraArgs: []string{"-token-auth", "-admin-secret", "adm"}})
	c = jc.NewHTTP(gw.HTTPURL)
	defer c.Close()
	admin := jc.NewHTTP(gw.AdminURL)
	defer admin.Close()
	if r := must(t, admin, 0, 0, "error", jc.Msg{"janus": "list_tokens", "admin_secret": "wrong"}); r.ErrorCode() != 403 {
		t.Fatalf("admin without secret: %v", r)
	}
	must(t, admin, 0, 0, "success", jc.Msg{"janus": "add_token", "token": "good", "admin_secret": "adm"})
	must(t, admin, 0, 0, "success", jc.Msg{"janus": "add_token", "token": "other", "plugins": []string{"janus.plugin.videoroom"}, "admin_secret": "adm"})
	toks := must(t, admin, 0, 0, "success", jc.Msg{"janus": "list_tokens", "admin_secret": "adm"})
	if b, _ := json.Marshal(toks); !bytes.Contains(b, []byte(`"good"`)) || !bytes.Contains(b, []byte(`"other"`)) {
		t.Fatalf("list_tokens: %s", b)
	}
	if r := must(t, c, 0, 0, "error", jc.Msg{"janus": "create", "token": "bad"}); r.ErrorCode() != 403 {
		t.Fatalf("bad token: %v", r)
	}
	s := must(t, c, 0, 0, "success", jc.Msg{"janus": "create", "token": "good"}).Obj("data").ID("id")
	must(t, c, s, 0, "success", jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest", "token": "good"})
	s2 := must(t, c, 0, 0, "success", jc.Msg{"janus": "create", "token": "other"}).Obj("data").ID("id")
	if r := must(t, c, s2, 0, "error", jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest", "token": "other"}); r.ErrorCode() != 405 {
		t.Fatalf("token limited to videoroom attached echotest: %v", r)
	}
	sessions := must(t, admin, 0, 0, "success", jc.Msg{"janus": "list_sessions", "admin_secret": "adm"})
	if b, _ := json.Marshal(sessions["sessions"]); !bytes.Contains(b, []byte(itoa(s))) {
		t.Fatalf("list_sessions misses %d: %s", s, b)
	}
	must(t, admin, 0, 0, "success", jc.Msg{"janus": "remove_token", "token": "good", "admin_secret": "adm"})
	// keepalive needs no token in Janus; attach does.
	if r := must(t, c, s, 0, "error", jc.Msg{"janus": "attach", "plugin": "janus.plugin.echotest", "token": "good"}); r.ErrorCode() != 403 {
		t.Fatalf("removed token still works: %v", r)
	}
	must(t, admin, 0, 0, "success", jc.Msg{"janus": "get_status", "admin_secret": "adm"})
}
