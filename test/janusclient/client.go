package janusclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Msg is one Janus JSON message.
type Msg map[string]any

// Str returns a string field.
func (m Msg) Str(k string) string { s, _ := m[k].(string); return s }

// ID returns a numeric id field (session_id, sender, data.id ...).
func (m Msg) ID(k string) uint64 {
	switch v := m[k].(type) {
	case float64:
		return uint64(v)
	case json.Number:
		n, _ := v.Int64()
		return uint64(n)
	}
	return 0
}

// Obj returns an object field.
func (m Msg) Obj(k string) Msg { o, _ := m[k].(map[string]any); return Msg(o) }

// ErrorCode is the Janus error code of an "error" message, or 0.
func (m Msg) ErrorCode() int {
	if m.Str("janus") != "error" {
		return 0
	}
	return int(m.Obj("error").ID("code"))
}

// Client talks to one gateway over one transport.
type Client interface {
	// Send sends msg (a transaction is added if absent) to the session and
	// handle given (0 for none) and returns the direct response.
	Send(ctx context.Context, session, handle uint64, msg Msg) (Msg, error)
	// SendRaw posts raw bytes (HTTP) or writes a raw frame (WS) and returns
	// the response; used for malformed-input tests.
	SendRaw(ctx context.Context, session, handle uint64, raw []byte) (Msg, error)
	// Events delivers asynchronous messages of the sessions this client
	// polls (HTTP: after Poll) or owns (WS).
	Events() <-chan Msg
	// Poll starts long-polling a session (HTTP only; a no-op over WS).
	Poll(session uint64)
	Close()
}

// Tx makes a random transaction id.
func Tx() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ---- HTTP

type httpClient struct {
	base   string
	hc     *http.Client
	events chan Msg
	ctx    context.Context
	cancel context.CancelFunc
	polled sync.Map
}

// NewHTTP makes a client of base, e.g. "http://127.0.0.1:8088/janus".
func NewHTTP(base string) Client {
	ctx, cancel := context.WithCancel(context.Background())
	return &httpClient{base: strings.TrimRight(base, "/"), hc: &http.Client{Timeout: 70 * time.Second},
		events: make(chan Msg, 256), ctx: ctx, cancel: cancel}
}

func (c *httpClient) url(session, handle uint64) string {
	u := c.base
	if session != 0 {
		u += fmt.Sprintf("/%d", session)
	}
	if handle != 0 {
		u += fmt.Sprintf("/%d", handle)
	}
	return u
}

func (c *httpClient) Send(ctx context.Context, session, handle uint64, msg Msg) (Msg, error) {
	if _, ok := msg["transaction"]; !ok {
		msg["transaction"] = Tx()
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return c.SendRaw(ctx, session, handle, raw)
}

func (c *httpClient) SendRaw(ctx context.Context, session, handle uint64, raw []byte) (Msg, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(session, handle), bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var m Msg
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("response %q: %w", body, err)
	}
	return m, nil
}

func (c *httpClient) Events() <-chan Msg { return c.events }

func (c *httpClient) Poll(session uint64) {
	if _, loaded := c.polled.LoadOrStore(session, true); loaded {
		return
	}
	go func() {
		for c.ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(c.ctx, http.MethodGet, c.url(session, 0)+"?maxev=10&rid="+Tx(), nil)
			resp, err := c.hc.Do(req)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var list []Msg
			if len(body) > 0 && body[0] == '[' {
				_ = json.Unmarshal(body, &list)
			} else {
				var m Msg
				if json.Unmarshal(body, &m) == nil {
					list = []Msg{m}
				}
			}
			for _, m := range list {
				if m.Str("janus") == "keepalive" {
					continue
				}
				select {
				case c.events <- m:
				case <-c.ctx.Done():
					return
				}
				if m.ErrorCode() == 458 || m.Str("janus") == "timeout" {
					return
				}
			}
		}
	}()
}

func (c *httpClient) Close() { c.cancel() }

// ---- WebSocket

type wsClient struct {
	conn    *websocket.Conn
	wmu     sync.Mutex
	mu      sync.Mutex
	waiting map[string]chan Msg
	events  chan Msg
	done    chan struct{}
}

// NewWS dials a gateway's WebSocket API with the janus-protocol subprotocol.
func NewWS(ctx context.Context, url string) (Client, error) {
	d := websocket.Dialer{Subprotocols: []string{"janus-protocol"}, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	if resp.Header.Get("Sec-WebSocket-Protocol") != "janus-protocol" {
		conn.Close()
		return nil, errors.New("server did not accept the janus-protocol subprotocol")
	}
	c := &wsClient{conn: conn, waiting: map[string]chan Msg{}, events: make(chan Msg, 256), done: make(chan struct{})}
	go c.read()
	return c, nil
}

// direct are the message types that answer a request rather than report.
var direct = map[string]bool{"success": true, "error": true, "ack": true, "pong": true, "server_info": true}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		var m Msg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		tx := m.Str("transaction")
		c.mu.Lock()
		ch, ok := c.waiting[tx]
		if ok && direct[m.Str("janus")] {
			delete(c.waiting, tx)
		}
		c.mu.Unlock()
		if ok && direct[m.Str("janus")] {
			ch <- m
			continue
		}
		if !ok && tx == "" && m.Str("janus") == "error" {
			c.mu.Lock()
			for k, w := range c.waiting { // an error to an unparsable frame has no transaction
				delete(c.waiting, k)
				w <- m
				break
			}
			c.mu.Unlock()
			continue
		}
		c.events <- m
	}
}

func (c *wsClient) Send(ctx context.Context, session, handle uint64, msg Msg) (Msg, error) {
	if _, ok := msg["transaction"]; !ok {
		msg["transaction"] = Tx()
	}
	if session != 0 {
		msg["session_id"] = session
	}
	if handle != 0 {
		msg["handle_id"] = handle
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return c.roundTrip(ctx, msg.Str("transaction"), raw)
}

func (c *wsClient) SendRaw(ctx context.Context, _, _ uint64, raw []byte) (Msg, error) {
	var probe struct {
		Transaction string `json:"transaction"`
	}
	_ = json.Unmarshal(raw, &probe)
	return c.roundTrip(ctx, probe.Transaction, raw)
}

func (c *wsClient) roundTrip(ctx context.Context, tx string, raw []byte) (Msg, error) {
	ch := make(chan Msg, 1)
	c.mu.Lock()
	c.waiting[tx] = ch
	c.mu.Unlock()
	c.wmu.Lock()
	err := c.conn.WriteMessage(websocket.TextMessage, raw)
	c.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		return m, nil
	case <-c.done:
		return nil, errors.New("websocket closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *wsClient) Events() <-chan Msg { return c.events }
func (c *wsClient) Poll(uint64)        {}
func (c *wsClient) Close()             { c.conn.Close() }

// WaitEvent returns the first event matching pred, or an error at timeout.
func WaitEvent(c Client, timeout time.Duration, pred func(Msg) bool) (Msg, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	var seen []string
	for {
		select {
		case m := <-c.Events():
			if pred(m) {
				return m, nil
			}
			b, _ := json.Marshal(m)
			seen = append(seen, string(b))
		case <-t.C:
			return nil, fmt.Errorf("no matching event in %v; saw %v", timeout, seen)
		}
	}
}
