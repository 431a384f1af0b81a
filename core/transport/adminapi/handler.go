package adminapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/core/transport/internal/rest"
)

// Options tune the Admin API handler. Zero values take defaults.
type Options struct {
	BasePath     string // default "/admin"
	MaxBodyBytes int64  // default 1 MiB
	AllowOrigin  string // default "*"
	Logger       *slog.Logger
}

type handler struct {
	core *api.Core
	opts Options
}

// Handler returns the Admin API for core. Mount it on the base path and
// the base path with a trailing slash. Bind it to a private address: the
// admin_secret is its only protection.
func Handler(core *api.Core, opts Options) http.Handler {
	if opts.BasePath == "" {
		opts.BasePath = "/admin"
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &handler{core: core, opts: opts}
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
		if p.Segments == 1 && p.First == "info" {
			req := &janus.Request{Janus: "info", Transaction: rest.RandomTransaction()}
			h.core.ProcessAdmin(r.Context(), req, h.write(w))
			return
		}
		// Janus's admin transport answers any other GET like an empty POST.
		h.write(w)(janus.ErrorMessage(0, "", janus.Errorf(janus.ErrInvalidJSON, "Request payload missing")))
	case http.MethodPost:
		h.post(w, r, p)
	default:
		h.write(w)(janus.ErrorMessage(0, "", janus.Errorf(janus.ErrTransportSpecific, "Unsupported method %s", r.Method)))
	}
}

func (h *handler) write(w http.ResponseWriter) api.Reply {
	return func(v any) {
		if err := rest.WriteJSON(w, v); err != nil {
			h.opts.Logger.Debug("admin api response", "err", err)
		}
	}
}

func (h *handler) post(w http.ResponseWriter, r *http.Request, p rest.Path) {
	reply := h.write(w)
	body, err := rest.ReadBody(r, h.opts.MaxBodyBytes)
	switch {
	case errors.Is(err, rest.ErrBodyTooLarge):
		reply(janus.ErrorMessage(0, "", janus.Errorf(janus.ErrTransportSpecific, "Request payload too large")))
		return
	case err != nil:
		return
	case len(body) == 0:
		reply(janus.ErrorMessage(0, "", janus.Errorf(janus.ErrInvalidJSON, "Request payload missing")))
		return
	}
	req, jerr := janus.Decode(body)
	if jerr != nil {
		reply(janus.ErrorMessage(0, "", jerr))
		return
	}
	if jerr := p.Apply(req); jerr != nil {
		reply(janus.ErrorMessage(0, "", jerr))
		return
	}
	h.core.ProcessAdmin(r.Context(), req, reply)
}
