package wsapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/core/transport/httpapi"
	"github.com/reprise-rtc/reprise/core/transport/internal/conformance"
	"github.com/reprise-rtc/reprise/core/transport/wsapi"
)

func create(t *testing.T, c *wsClient) uint64 {
	t.Helper()
	r := c.Send(t, map[string]any{"janus": "create", "transaction": "c"})
	if r.Uint("data", "id") == 0 {
		t.Fatalf("create: %v", r)
	}
	return r.Uint("data", "id")
}

func attach(t *testing.T, c *wsClient, sid uint64) uint64 {
	t.Helper()
	r := c.Send(t, map[string]any{"janus": "attach", "transaction": "a", "session_id": sid, "plugin": apitest.EchoPlugin})
	if r.Uint("data", "id") == 0 {
		t.Fatalf("attach: %v", r)
	}
	return r.Uint("data", "id")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSeveralSessionsPerSocketAndCloseDestroysThem(t *testing.T) {
	s := newServer(t, api.DefaultConfig())
	c := dial(t, s.url)
	sid1, sid2 := create(t, c), create(t, c)
	h1, h2 := attach(t, c, sid1), attach(t, c, sid2)

	s.core.Notify(h2, janus.Message{Janus: "webrtcup"})
	s.core.Notify(h1, janus.Message{Janus: "webrtcup"})
	for _, want := range []struct{ sid, h uint64 }{{sid1, h1}, {sid2, h2}} {
		ev, ok := c.Event(t, want.sid, 3*time.Second)
		if !ok || ev.Str("janus") != "webrtcup" || ev.Uint("sender") != want.h {
			t.Fatalf("event for session %d: %v", want.sid, ev)
		}
	}

	// Another socket's sessions survive this one closing.
	other := dial(t, s.url)
	sid3 := create(t, other)

	c.conn.Close()
	calls := s.backend.WaitCalls("Detach", 2, 3*time.Second)
	got := map[uint64]bool{}
	for _, call := range calls {
		got[call.Ref.HandleID] = true
	}
	if len(calls) != 2 || !got[h1] || !got[h2] {
		t.Fatalf("backend detaches after socket close: %+v", calls)
	}
	waitFor(t, "sessions to go", func() bool { return s.core.SessionCount() == 1 })
	if r := other.Send(t, map[string]any{"janus": "keepalive", "transaction": "k", "session_id": sid3}); r.Str("janus") != "ack" {
		t.Fatalf("other socket's session: %v", r)
	}
}

func TestClaimMovesSessionFromLongPollToWebSocket(t *testing.T) {
	be := apitest.New()
	core := api.New(api.DefaultConfig(), nil, nil)
	be.SetSink(core)
	core.SetBackend(be)
	mux := http.NewServeMux()
	hh := httpapi.Handler(core, httpapi.Options{LongPollHold: 200 * time.Millisecond})
	mux.Handle("/janus", hh)
	mux.Handle("/janus/", hh)
	mux.Handle("/ws", wsapi.Handler(core, wsapi.Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); core.Close() })

	post := func(path, body string) conformance.Msg {
		t.Helper()
		resp, err := http.Post(srv.URL+"/janus"+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return conformance.ParseMsg(t, data)
	}
	poll := func(sid uint64) (int, []byte) {
		t.Helper()
		resp, err := http.Get(fmt.Sprintf("%s/janus/%d", srv.URL, sid))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}

	sid := post("", `{"janus":"create","transaction":"c"}`).Uint("data", "id")
	hid := post(fmt.Sprintf("/%d", sid), fmt.Sprintf(`{"janus":"attach","transaction":"a","plugin":%q}`, apitest.EchoPlugin)).Uint("data", "id")

	ws := dial(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws")
	r := ws.Send(t, map[string]any{"janus": "claim", "transaction": "cl", "session_id": sid})
	if r.Str("janus") != "success" || r.Uint("session_id") != sid {
		t.Fatalf("claim: %v", r)
	}
	if status, body := poll(sid); status != http.StatusNotFound {
		t.Fatalf("long poll of a claimed session: %d %s", status, body)
	}
	// A request still sent over HTTP is answered over HTTP; its event goes
	// to the WebSocket that now owns the session.
	r = post(fmt.Sprintf("/%d/%d", sid, hid), `{"janus":"message","transaction":"m","body":{}}`)
	if r.Str("janus") != "ack" {
		t.Fatalf("message over HTTP: %v", r)
	}
	ev, ok := ws.Event(t, sid, 3*time.Second)
	if !ok || ev.Str("janus") != "event" || ev.Str("transaction") != "m" {
		t.Fatalf("event on the WebSocket: %v", ev)
	}

	// Claiming back over HTTP returns the events to the long poll.
	if r := post(fmt.Sprintf("/%d", sid), `{"janus":"claim","transaction":"cl2"}`); r.Str("janus") != "success" {
		t.Fatalf("claim back: %v", r)
	}
	core.Notify(hid, janus.Message{Janus: "webrtcup"})
	if status, body := poll(sid); status != http.StatusOK || !bytes.Contains(body, []byte(`"webrtcup"`)) {
		t.Fatalf("long poll after claiming back: %d %s", status, body)
	}
	// The WebSocket no longer owns it: closing the socket leaves it alone.
	ws.conn.Close()
	time.Sleep(100 * time.Millisecond)
	if core.SessionCount() != 1 || len(be.Calls("Detach")) != 0 {
		t.Fatalf("session destroyed with a socket that had lost it")
	}
}

func TestConcurrentDeliveryIsSerialised(t *testing.T) {
	s := newServer(t, api.DefaultConfig())
	c := dial(t, s.url)
	sid := create(t, c)
	hid := attach(t, c, sid)

	const senders, each = 20, 50
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				s.core.Notify(hid, janus.Message{Janus: "event", Transaction: fmt.Sprintf("%d-%d", g, i),
					PluginData: &janus.PluginData{Plugin: apitest.EchoPlugin, Data: json.RawMessage(`{"n":1}`)}})
			}
		}()
	}
	// Responses interleave with the events on the same socket.
	for range 10 {
		if r := c.Send(t, map[string]any{"janus": "keepalive", "transaction": "k", "session_id": sid}); r.Str("janus") != "ack" {
			t.Fatalf("keepalive: %v", r)
		}
	}
	wg.Wait()
	seen := map[string]bool{}
	for len(seen) < senders*each {
		ev, ok := c.Event(t, sid, 3*time.Second)
		if !ok {
			t.Fatalf("got %d of %d events", len(seen), senders*each)
		}
		seen[ev.Str("transaction")] = true
	}
}
