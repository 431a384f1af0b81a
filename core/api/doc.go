// Package api is the Janus core: it owns sessions and handles, answers the
// Janus API and Admin API verbs exactly as Janus 1.1.2 does, and forwards
// plugin and media work to a Backend. Transports (HTTP, WebSocket) decode
// requests, hand them to Core.Process, and register themselves as the
// delivery target (Transport) of the sessions they create or claim.
//
// Wiring: Core implements Sink. Construct the Core first (with a nil
// Backend if the backend needs the Sink at construction), hand the Core to
// the backend as its Sink, then call Core.SetBackend. Requests that need
// the backend fail with 490 until it is set.
package api
