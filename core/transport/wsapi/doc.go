// Package wsapi is the Janus WebSocket transport (subprotocol
// "janus-protocol"): one socket carries requests, responses and events of
// any number of sessions; when it closes, the sessions it owns are
// destroyed, as Janus does with reclaim_session_timeout 0.
package wsapi
