package api

import "github.com/reprise-rtc/reprise/core/janus"

// Transport is the delivery target of sessions: the HTTP long-poll queues,
// or one WebSocket connection. A session belongs to the Transport that
// created it or last claimed it; its asynchronous events go there.
//
// The core calls Deliver and Release while holding its session lock, so
// that a release is never overtaken by a delivery: both must return
// quickly and must not call back into the Core.
type Transport interface {
	// Name is the Janus package name shown by the Admin API as
	// "session_transport", e.g. "janus.transport.http".
	Name() string
	// Deliver queues an event for the client of sessionID. The transport
	// owns msg afterwards.
	Deliver(sessionID uint64, msg *janus.Message)
	// Release tells the transport it no longer carries sessionID: the
	// session was destroyed, timed out, or claimed by another transport.
	Release(sessionID uint64)
}

// TransportInfo describes a transport in the "transports" map of
// server_info.
type TransportInfo struct {
	Package       string
	Name          string
	Author        string
	Description   string
	VersionString string
	Version       int
}
