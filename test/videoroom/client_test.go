package videoroom

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

const plugin = "janus.plugin.videoroom"

// inbox keeps every asynchronous message of a client so that a test can take
// the ones it waits for in any order without losing the others.
type inbox struct {
	c    jc.Client
	mu   sync.Mutex
	msgs []jc.Msg
	more chan struct{}
}

func newInbox(c jc.Client) *inbox {
	in := &inbox{c: c, more: make(chan struct{}, 1)}
	go func() {
		for m := range c.Events() {
			in.mu.Lock()
			in.msgs = append(in.msgs, m)
			in.mu.Unlock()
			select {
			case in.more <- struct{}{}:
			default:
			}
		}
	}()
	return in
}

// take removes and returns the first message matching pred, waiting up to timeout.
func (in *inbox) take(timeout time.Duration, pred func(jc.Msg) bool) (jc.Msg, error) {
	deadline := time.Now().Add(timeout)
	for {
		in.mu.Lock()
		for i, m := range in.msgs {
			if pred(m) {
				in.msgs = append(in.msgs[:i], in.msgs[i+1:]...)
				in.mu.Unlock()
				return m, nil
			}
		}
		in.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("no matching message in %v; have %s", timeout, in.dump())
		}
		select {
		case <-in.more:
		case <-time.After(min(left, 50*time.Millisecond)):
		}
	}
}

// none fails when a message matching pred arrives within d.
func (in *inbox) none(d time.Duration, pred func(jc.Msg) bool) error {
	if m, err := in.take(d, pred); err == nil {
		b, _ := json.Marshal(m)
		return fmt.Errorf("unexpected message %s", b)
	}
	return nil
}

func (in *inbox) dump() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	b, _ := json.Marshal(in.msgs)
	return string(b)
}

// janus is one Janus API client with its inbox, shared by every session of a test.
type janus struct {
	t  *testing.T
	c  jc.Client
	in *inbox
}

func newJanus(t *testing.T, httpURL string) *janus {
	c := jc.NewHTTP(httpURL)
	t.Cleanup(c.Close)
	return &janus{t: t, c: c, in: newInbox(c)}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// send posts a request and returns the direct response.
func (j *janus) send(session, handle uint64, msg jc.Msg) jc.Msg {
	j.t.Helper()
	r, err := j.c.Send(ctxT(j.t, 20*time.Second), session, handle, msg)
	if err != nil {
		j.t.Fatalf("%v: %v", msg, err)
	}
	return r
}

// handle is a videoroom handle of its own session, as janus.js makes them.
type handle struct {
	j       *janus
	session uint64
	id      uint64
}

func (j *janus) attach() *handle {
	j.t.Helper()
	r := j.send(0, 0, jc.Msg{"janus": "create"})
	if r.Str("janus") != "success" {
		j.t.Fatalf("create session: %v", r)
	}
	s := r.Obj("data").ID("id")
	j.c.Poll(s)
	return j.attachTo(s)
}

func (j *janus) attachTo(s uint64) *handle {
	j.t.Helper()
	var r jc.Msg
	// Right after a crash the extension may need a moment to come back.
	for i := 0; i < 100; i++ {
		r = j.send(s, 0, jc.Msg{"janus": "attach", "plugin": plugin, "opaque_id": "vr-" + jc.Tx()})
		if r.Str("janus") == "success" {
			return &handle{j: j, session: s, id: r.Obj("data").ID("id")}
		}
		time.Sleep(100 * time.Millisecond)
	}
	j.t.Fatalf("attach: %v", r)
	return nil
}

// sync sends a synchronous request and returns its plugin data.
func (h *handle) sync(body jc.Msg) jc.Msg {
	h.j.t.Helper()
	r := h.message(body, nil)
	if r.Str("janus") != "success" {
		h.j.t.Fatalf("%v: got %v, want success", body, r)
	}
	return r.Obj("plugindata").Obj("data")
}

// message sends a message (with a jsep under "jsep" when given) and returns the response.
func (h *handle) message(body jc.Msg, jsep jc.Msg) jc.Msg {
	h.j.t.Helper()
	m := jc.Msg{"janus": "message", "body": body}
	if jsep != nil {
		m["jsep"] = jsep
	}
	return h.j.send(h.session, h.id, m)
}

// async sends a request that is acknowledged and answered by an event, and
// returns that event.
func (h *handle) async(body jc.Msg, jsep jc.Msg) jc.Msg {
	h.j.t.Helper()
	return h.asyncField(body, "jsep", jsep)
}

func (h *handle) asyncField(body jc.Msg, field string, jsep jc.Msg) jc.Msg {
	h.j.t.Helper()
	m := jc.Msg{"janus": "message", "body": body, "transaction": jc.Tx()}
	if jsep != nil {
		m[field] = jsep
	}
	r := h.j.send(h.session, h.id, m)
	if r.Str("janus") != "ack" {
		h.j.t.Fatalf("%v: got %v, want ack", body, r)
	}
	ev, err := h.j.in.take(20*time.Second, func(e jc.Msg) bool {
		return e.Str("janus") == "event" && e.ID("sender") == h.id && e.Str("transaction") == m.Str("transaction")
	})
	if err != nil {
		h.j.t.Fatalf("%v: %v", body, err)
	}
	return ev
}

// event waits for an unsolicited plugin event of this handle whose data matches.
func (h *handle) event(pred func(d jc.Msg) bool) jc.Msg {
	h.j.t.Helper()
	ev, err := h.j.in.take(15*time.Second, func(e jc.Msg) bool {
		return e.Str("janus") == "event" && e.ID("sender") == h.id && pred(e.Obj("plugindata").Obj("data"))
	})
	if err != nil {
		h.j.t.Fatal(err)
	}
	return ev
}

// core waits for a core event ("webrtcup", "media", "hangup" ...) of this handle.
func (h *handle) core(kind string) jc.Msg {
	h.j.t.Helper()
	ev, err := h.j.in.take(15*time.Second, func(e jc.Msg) bool { return e.Str("janus") == kind && e.ID("sender") == h.id })
	if err != nil {
		h.j.t.Fatal(err)
	}
	return ev
}

func data(ev jc.Msg) jc.Msg { return ev.Obj("plugindata").Obj("data") }

func has(key, value string) func(jc.Msg) bool {
	return func(d jc.Msg) bool { return d.Str(key) == value }
}

func hasKey(key string) func(jc.Msg) bool {
	return func(d jc.Msg) bool { _, ok := d[key]; return ok }
}

// errCode is the VideoRoom error_code of plugin data, or 0.
func errCode(d jc.Msg) int { return int(d.ID("error_code")) }

func list(d jc.Msg, key string) []jc.Msg {
	raw, _ := d[key].([]any)
	out := make([]jc.Msg, 0, len(raw))
	for _, x := range raw {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
