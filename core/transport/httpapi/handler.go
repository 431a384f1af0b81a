package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/core/transport/internal/rest"
)

// Options tune the HTTP transport. Zero values take Janus's defaults.
type Options struct {
	BasePath     string        // default "/janus"
	LongPollHold time.Duration // how long a GET waits for events; default 30 s
	MaxBodyBytes int64         // default 4 MiB
	AllowOrigin  string        // Access-Control-Allow-Origin; default "*"
	Logger       *slog.Logger  // default slog.Default()
}

type handler struct {
	core *api.Core
	t    *transport
	opts Options
}

// Handler returns the HTTP transport for core. Mount it on both the base
// path and the base path with a trailing slash (e.g. "/janus" and
// "/janus/"). It registers itself in server_info's transports.
func Handler(core *api.Core, opts Options) http.Handler {
	if opts.BasePath == "" {
		opts.BasePath = "/janus"
	}
	if opts.LongPollHold <= 0 {
		opts.LongPollHold = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 4 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	core.RegisterTransport(api.TransportInfo{
		Package:       PackageName,
		Name:          "Reprise REST (HTTP/HTTPS) transport",
		Author:        "Reprise",
		Description:   "Janus API over HTTP: requests by POST, events by long poll.",
		VersionString: "0.0.2",
		Version:       2,
	})
	return &handler{core: core, t: newTransport(), opts: opts}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest.SetCORS(w, r, h.opts.AllowOrigin)
	p, ok := rest.ParsePath(h.opts.BasePath, r.URL.Path)
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodOptions:
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		h.get(w, r, p)
	case http.MethodPost:
		h.post(w, r, p)
	default:
		h.write(w, janus.ErrorMessage(0, "", janus.Errorf(janus.ErrTransportSpecific, "Unsupported method %s", r.Method)))
	}
}

func (h *handler) write(w http.ResponseWriter, v any) {
	if err := rest.WriteJSON(w, v); err != nil {
		h.opts.Logger.Debug("http api response", "err", err)
	}
}

func (h *handler) post(w http.ResponseWriter, r *http.Request, p rest.Path) {
	body, err := rest.ReadBody(r, h.opts.MaxBodyBytes)
	switch {
	case errors.Is(err, rest.ErrBodyTooLarge):
		h.write(w, janus.ErrorMessage(0, "", janus.Errorf(janus.ErrTransportSpecific, "Request payload too large")))
		return
	case err != nil:
		return // the client went away
	case len(body) == 0:
		h.write(w, janus.ErrorMessage(0, "", janus.Errorf(janus.ErrInvalidJSON, "Request payload missing")))
		return
	}
	req, jerr := janus.Decode(body)
	if jerr != nil {
		h.write(w, janus.ErrorMessage(0, "", jerr))
		return
	}
	if jerr := p.Apply(req); jerr != nil {
		h.write(w, janus.ErrorMessage(0, "", jerr))
		return
	}
	h.core.Process(r.Context(), h.t, req, func(resp any) { h.write(w, resp) })
}

func (h *handler) get(w http.ResponseWriter, r *http.Request, p rest.Path) {
	switch {
	case p.Segments == 1 && p.First == "info":
		req := &janus.Request{Janus: "info", Transaction: rest.RandomTransaction()}
		h.core.Process(r.Context(), h.t, req, func(resp any) { h.write(w, resp) })
	case p.Segments == 1 && p.SessionID != 0:
		h.longPoll(w, r, p.SessionID)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// longPoll answers GET /janus/{session}: one event, an array of up to maxev
// events, or a keepalive when nothing came within the hold time.
func (h *handler) longPoll(w http.ResponseWriter, r *http.Request, sessionID uint64) {
	qs := r.URL.Query()
	if !h.core.Authorized(qs.Get("apisecret"), qs.Get("token")) {
		h.write(w, janus.ErrorMessage(0, "", janus.NewError(janus.ErrUnauthorized)))
		return
	}
	// A session that is not ours (unknown, or claimed by a WebSocket) is a
	// 404, as in Janus.
	if !h.core.TouchOwned(sessionID, h.t) {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	maxev := 1
	if n, err := strconv.Atoi(qs.Get("maxev")); err == nil && n > 1 {
		maxev = n
	}
	q := h.t.queue(sessionID)
	events := h.t.waitAndTidy(r, sessionID, q, maxev, h.opts.LongPollHold, h.core)
	if len(events) == 0 {
		events = []*janus.Message{{Janus: "keepalive"}}
	}
	// With maxev > 1 Janus always answers with an array, keepalive included.
	switch {
	case maxev == 1:
		h.write(w, events[0])
	default:
		h.write(w, events)
	}
}

func (t *transport) waitAndTidy(r *http.Request, sessionID uint64, q *eventQueue, maxev int, hold time.Duration, core *api.Core) []*janus.Message {
	events := q.wait(r.Context(), maxev, hold)
	if !core.OwnedBy(sessionID, t) {
		t.forget(sessionID, q)
	}
	return events
}
