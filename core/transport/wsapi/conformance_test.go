package wsapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/transport/internal/conformance"
	"github.com/reprise-rtc/reprise/core/transport/wsapi"
)

type server struct {
	core    *api.Core
	backend *apitest.Backend
	srv     *httptest.Server
	url     string
}

func newServer(t testing.TB, cfg api.Config) *server {
	t.Helper()
	be := apitest.New()
	core := api.New(cfg, nil, nil)
	be.SetSink(core)
	core.SetBackend(be)
	srv := httptest.NewServer(wsapi.Handler(core, wsapi.Options{}))
	t.Cleanup(func() {
		srv.Close()
		core.Close()
	})
	return &server{core: core, backend: be, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http")}
}

// wsClient is a janus-protocol client: responses are matched to requests,
// everything else is an event.
type wsClient struct {
	conn      *websocket.Conn
	responses chan conformance.Msg

	mu      sync.Mutex
	events  []conformance.Msg
	arrived chan struct{}
	closed  chan struct{}
}

var responseKinds = map[string]bool{"success": true, "error": true, "ack": true, "pong": true, "server_info": true}

func dial(t testing.TB, url string) *wsClient {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{wsapi.Subprotocol}}
	conn, resp, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if conn.Subprotocol() != wsapi.Subprotocol {
		t.Fatalf("subprotocol %q", conn.Subprotocol())
	}
	_ = resp
	c := &wsClient{conn: conn, responses: make(chan conformance.Msg, 64), arrived: make(chan struct{}, 1), closed: make(chan struct{})}
	go c.read(t)
	t.Cleanup(func() { conn.Close(); <-c.closed })
	return c
}

func (c *wsClient) read(t testing.TB) {
	defer close(c.closed)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		m := conformance.ParseMsg(t, data)
		if responseKinds[m.Str("janus")] {
			c.responses <- m
			continue
		}
		c.mu.Lock()
		c.events = append(c.events, m)
		c.mu.Unlock()
		select {
		case c.arrived <- struct{}{}:
		default:
		}
	}
}

func (c *wsClient) SendRaw(t testing.TB, data string) conformance.Msg {
	t.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(data)); err != nil {
		t.Fatalf("write: %v", err)
	}
	select {
	case m := <-c.responses:
		return m
	case <-time.After(3 * time.Second):
		t.Fatalf("no response to %s", data)
		return nil
	}
}

func (c *wsClient) Send(t testing.TB, req map[string]any) conformance.Msg {
	t.Helper()
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	m := c.SendRaw(t, string(data))
	if tx, _ := req["transaction"].(string); m.Str("transaction") != tx && m.Has("transaction") {
		t.Fatalf("response to %s has transaction %q", data, m.Str("transaction"))
	}
	return m
}

func (c *wsClient) Event(t testing.TB, sid uint64, timeout time.Duration) (conformance.Msg, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i, m := range c.events {
			if m.Uint("session_id") == sid {
				c.events = append(c.events[:i], c.events[i+1:]...)
				c.mu.Unlock()
				return m, true
			}
		}
		c.mu.Unlock()
		select {
		case <-c.arrived:
		case <-deadline.C:
			return nil, false
		}
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Env {
		s := newServer(t, api.DefaultConfig())
		return conformance.Env{
			Core:      s.core,
			Backend:   s.backend,
			Transport: wsapi.PackageName,
			NewClient: func(tb testing.TB) conformance.Client { return dial(tb, s.url) },
		}
	})
}
