package api

import (
	"sync/atomic"

	"github.com/reprise-rtc/reprise/core/janus"
)

// session is one Janus session. Fields other than id, created and
// lastActivity are guarded by Core.mu.
type session struct {
	id           uint64
	created      int64        // µs since core start
	lastActivity atomic.Int64 // µs since core start

	owner   Transport
	handles map[uint64]*handle

	// janusSDP: the client once sent its SDP as "janusSdp", so every jsep
	// sent to it is repeated under that name.
	janusSDP atomic.Bool
}

// withLegacySDP repeats msg's jsep as "janusSdp" when the session (or the
// configuration) asks for it.
func (s *session) withLegacySDP(msg *janus.Message, always bool) {
	if msg.JSEP != nil && (always || s.janusSDP.Load()) {
		msg.JanusSDP = msg.JSEP
	}
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
