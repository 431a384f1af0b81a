package media

import "errors"

var (
	// ErrBadSDP wraps every failure to parse or apply a remote SDP; the
	// gateway maps it to Janus error 465 (JANUS_ERROR_JSEP_INVALID_SDP).
	ErrBadSDP = errors.New("invalid SDP")
	// ErrNoPeer is returned when a handle has no PeerConnection.
	ErrNoPeer = errors.New("no PeerConnection for handle")
	// ErrClosed is returned after Engine.Close.
	ErrClosed = errors.New("media engine closed")
	// ErrBadRoute is returned for a route that can never carry media.
	ErrBadRoute = errors.New("invalid route")
)
