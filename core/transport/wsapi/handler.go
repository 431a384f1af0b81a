package wsapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/reprise-rtc/reprise/core/api"
)

// Subprotocol is the WebSocket subprotocol of the Janus API.
const Subprotocol = "janus-protocol"

// Options tune the WebSocket transport. Zero values take defaults.
type Options struct {
	MaxMessageBytes int64         // largest request accepted; default 4 MiB
	WriteTimeout    time.Duration // per message; default 10 s
	MaxQueued       int           // unsent messages before a non-reading client is dropped; default 8192
	// CheckOrigin decides whether to accept a browser's Origin; default
	// accepts all, as Janus does.
	CheckOrigin func(r *http.Request) bool
	Logger      *slog.Logger
}

type handler struct {
	core     *api.Core
	opts     Options
	upgrader websocket.Upgrader
}

// Handler returns the WebSocket transport for core, to mount at the
// WebSocket endpoint (Janus serves it at the root of its own port). It
// registers itself in server_info's transports.
func Handler(core *api.Core, opts Options) http.Handler {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = 4 << 20
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = 8192
	}
	if opts.CheckOrigin == nil {
		opts.CheckOrigin = func(*http.Request) bool { return true }
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	core.RegisterTransport(api.TransportInfo{
		Package:       PackageName,
		Name:          "Reprise WebSockets transport",
		Author:        "Reprise",
		Description:   "Janus API over WebSockets (janus-protocol).",
		VersionString: "0.0.1",
		Version:       1,
	})
	return &handler{
		core: core,
		opts: opts,
		upgrader: websocket.Upgrader{
			Subprotocols: []string{Subprotocol},
			CheckOrigin:  opts.CheckOrigin,
		},
	}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	c := &conn{
		core:   h.core,
		ws:     ws,
		opts:   h.opts,
		log:    h.opts.Logger.With("remote", r.RemoteAddr),
		out:    newOutbox(h.opts.MaxQueued),
		serial: newSerializer(),
	}
	c.serve()
}
