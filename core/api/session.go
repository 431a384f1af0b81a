package api

import "sync/atomic"

// session is one Janus session. Fields other than id, created and
// lastActivity are guarded by Core.mu.
type session struct {
	id           uint64
	created      int64        // µs since core start
	lastActivity atomic.Int64 // µs since core start

	owner   Transport
	handles map[uint64]*handle
}

// handleState tracks a handle through its life so teardown never races a
// backend call that is still creating or destroying it.
type handleState int

const (
	handleAttaching handleState = iota // Backend.Attach in flight
	handleReady
	handleDetaching // Backend.Detach in flight; events still flow, requests do not
)

// handle is one plugin handle. Fields other than ref, session and created
// are guarded by Core.mu.
type handle struct {
	ref     HandleRef
	session *session
	created int64 // µs since core start
	state   handleState
}
