// Package httpapi is the Janus REST transport: POST requests to /janus,
// /janus/{session} and /janus/{session}/{handle}, GET /janus/info, and the
// GET /janus/{session} long poll that carries a session's events, all
// shaped as Janus 1.1.2's HTTP transport shapes them.
package httpapi
