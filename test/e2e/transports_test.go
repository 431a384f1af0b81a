package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

type transport struct {
	name string
	dial func(t *testing.T) jc.Client
}

// transports gives a client factory per Janus transport of gw.
func transports(gw *harness.Gateway) []transport {
	return []transport{
		{"http", func(t *testing.T) jc.Client {
			c := jc.NewHTTP(gw.HTTPURL)
			t.Cleanup(c.Close)
			return c
		}},
		{"ws", func(t *testing.T) jc.Client {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := jc.NewWS(ctx, gw.WSURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			return c
		}},
	}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// must sends and fails the test unless the response is of the wanted type.
func must(t *testing.T, c jc.Client, session, handle uint64, want string, msg jc.Msg) jc.Msg {
	t.Helper()
	r, err := c.Send(ctxT(t, 20*time.Second), session, handle, msg)
	if err != nil {
		t.Fatalf("%v: %v", msg, err)
	}
	if r.Str("janus") != want {
		t.Fatalf("%v: got %v, want %q", msg, r, want)
	}
	return r
}

// session creates a session (and starts polling it over HTTP).
func session(t *testing.T, c jc.Client) uint64 {
	t.Helper()
	r := must(t, c, 0, 0, "success", jc.Msg{"janus": "create"})
	id := r.Obj("data").ID("id")
	if id == 0 || id > 1<<53 {
		t.Fatalf("session id %d not a JavaScript-safe positive integer", id)
	}
	c.Poll(id)
	return id
}

func attach(t *testing.T, c jc.Client, s uint64, plugin string) uint64 {
	t.Helper()
	r := must(t, c, s, 0, "success", jc.Msg{"janus": "attach", "plugin": plugin, "opaque_id": "e2e-" + jc.Tx()})
	return r.Obj("data").ID("id")
}

func pluginEvent(handle uint64, pred func(data jc.Msg) bool) func(jc.Msg) bool {
	return func(m jc.Msg) bool {
		return m.Str("janus") == "event" && m.ID("sender") == handle && pred(m.Obj("plugindata").Obj("data"))
	}
}

func coreEvent(handle uint64, kind string) func(jc.Msg) bool {
	return func(m jc.Msg) bool { return m.Str("janus") == kind && m.ID("sender") == handle }
}
