package rest

import "net/http"

// SetCORS adds the headers Janus's HTTP transport sends on every response:
// the allowed origin, a one-day preflight cache, and an echo of the
// preflight's requested method and headers.
func SetCORS(w http.ResponseWriter, r *http.Request, allowOrigin string) {
	h := w.Header()
	if allowOrigin == "" {
		allowOrigin = "*"
	}
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	if allowOrigin != "*" {
		h.Set("Vary", "Origin")
	}
	h.Set("Access-Control-Max-Age", "86400")
	if m := r.Header.Get("Access-Control-Request-Method"); m != "" {
		h.Set("Access-Control-Allow-Methods", m)
	}
	if hs := r.Header.Get("Access-Control-Request-Headers"); hs != "" {
		h.Set("Access-Control-Allow-Headers", hs)
	}
}
