package api_test

import (
	"log/slog"
	"net/http"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/transport/adminapi"
	"github.com/reprise-rtc/reprise/core/transport/httpapi"
	"github.com/reprise-rtc/reprise/core/transport/wsapi"
)

// Wiring a gateway: the Core comes first so the backend can be given the
// Core as its Sink; then the backend is handed to the Core and the
// transports are mounted.
func Example() {
	cfg := api.DefaultConfig()
	cfg.AdminSecret = "change-me"
	core := api.New(cfg, nil, slog.Default())
	defer core.Close()

	backend := apitest.New() // the real gateway uses its extension host + media core
	backend.SetSink(core)
	core.SetBackend(backend)

	janusAPI := http.NewServeMux()
	rest := httpapi.Handler(core, httpapi.Options{})
	janusAPI.Handle("/janus", rest)
	janusAPI.Handle("/janus/", rest)

	websockets := wsapi.Handler(core, wsapi.Options{}) // serve at the root of the WebSocket port

	admin := http.NewServeMux()
	adm := adminapi.Handler(core, adminapi.Options{})
	admin.Handle("/admin", adm)
	admin.Handle("/admin/", adm)

	_, _, _ = janusAPI, websockets, admin // hand each to an http.Server on its own listener
}
