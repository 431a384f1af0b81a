package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/transport/httpapi"
	"github.com/reprise-rtc/reprise/core/transport/internal/conformance"
)

// server is a Core with the fake backend behind the HTTP transport.
type server struct {
	core    *api.Core
	backend *apitest.Backend
	srv     *httptest.Server
	base    string
}

func newServer(t testing.TB, cfg api.Config, opts httpapi.Options) *server {
	t.Helper()
	be := apitest.New()
	core := api.New(cfg, nil, nil)
	be.SetSink(core)
	core.SetBackend(be)
	h := httpapi.Handler(core, opts)
	mux := http.NewServeMux()
	mux.Handle("/janus", h)
	mux.Handle("/janus/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		core.Close()
	})
	return &server{core: core, backend: be, srv: srv, base: srv.URL + "/janus"}
}

func testOptions() httpapi.Options { return httpapi.Options{LongPollHold: 300 * time.Millisecond} }

// httpClient talks to the HTTP transport the way janus.js does.
type httpClient struct{ base string }

func (c httpClient) do(t testing.TB, method, url string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (c httpClient) Send(t testing.TB, req map[string]any) conformance.Msg {
	t.Helper()
	path := c.base
	body := make(map[string]any, len(req))
	for k, v := range req {
		body[k] = v
	}
	if sid, ok := body["session_id"]; ok {
		path += fmt.Sprintf("/%v", sid)
		delete(body, "session_id")
		if hid, ok := body["handle_id"]; ok {
			path += fmt.Sprintf("/%v", hid)
			delete(body, "handle_id")
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	status, out := c.do(t, http.MethodPost, path, data)
	if status != http.StatusOK {
		t.Fatalf("POST %s: status %d", path, status)
	}
	return conformance.ParseMsg(t, out)
}

func (c httpClient) SendRaw(t testing.TB, data string) conformance.Msg {
	t.Helper()
	_, out := c.do(t, http.MethodPost, c.base, []byte(data))
	return conformance.ParseMsg(t, out)
}

func (c httpClient) Event(t testing.TB, sid uint64, timeout time.Duration) (conformance.Msg, bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		status, out := c.do(t, http.MethodGet, fmt.Sprintf("%s/%d?rid=%d", c.base, sid, time.Now().UnixNano()), nil)
		if status != http.StatusOK {
			t.Fatalf("long poll: status %d", status)
		}
		m := conformance.ParseMsg(t, out)
		if m.Str("janus") != "keepalive" {
			return m, true
		}
	}
	return nil, false
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Env {
		s := newServer(t, api.DefaultConfig(), testOptions())
		return conformance.Env{
			Core:      s.core,
			Backend:   s.backend,
			Transport: httpapi.PackageName,
			NewClient: func(testing.TB) conformance.Client { return httpClient{base: s.base} },
		}
	})
}
