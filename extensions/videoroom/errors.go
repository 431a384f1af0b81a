package main

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error codes of the Janus VideoRoom API (JANUS_VIDEOROOM_ERROR_*).
const (
	errNoMessage        = 421
	errInvalidJSON      = 422
	errInvalidRequest   = 423
	errJoinFirst        = 424
	errAlreadyJoined    = 425
	errNoSuchRoom       = 426
	errRoomExists       = 427
	errNoSuchFeed       = 428
	errMissingElement   = 429
	errInvalidElement   = 430
	errInvalidSDPType   = 431
	errPublishersFull   = 432
	errUnauthorized     = 433
	errAlreadyPublished = 434
	errNotPublished     = 435
	errIDExists         = 436
	errInvalidSDP       = 437
	// errNoSuchRecording is Reprise's own: replay and stop_replay name a
	// recording or replay the gateway does not have.
	errNoSuchRecording = 438
	errUnknown         = 499
)

// vrError is a VideoRoom error: it travels inside the plugin data, never
// as a Janus API error.
type vrError struct {
	code int
	msg  string
}

func (e *vrError) Error() string { return fmt.Sprintf("%d %s", e.code, e.msg) }

func fail(code int, format string, args ...any) *vrError {
	return &vrError{code: code, msg: fmt.Sprintf(format, args...)}
}

func missing(name string) *vrError {
	return fail(errMissingElement, "Missing mandatory element (%s)", name)
}

func invalidType(name, want string) *vrError {
	return fail(errInvalidElement, "Invalid element type (%s should be %s)", name, want)
}

// data is the plugin data of an error, as Janus sends it.
func (e *vrError) data() map[string]any {
	return map[string]any{"videoroom": "event", "error_code": e.code, "error": e.msg}
}

// coreFeatureError turns a failed core call into the error a client sees.
// A core that does not offer the feature (gRPC Unimplemented) is named as
// such so that clients (and tests) can tell it from a failure.
func coreFeatureError(feature string, err error) *vrError {
	if isUnimplemented(err) {
		return fail(errUnknown, "%s is not available in this gateway (unimplemented)", feature)
	}
	return fail(errUnknown, "%s failed: %v", feature, err)
}

func isUnimplemented(err error) bool { return hasCode(err, codes.Unimplemented) }

// hasCode reports whether a core call failed with the given gRPC code.
func hasCode(err error, code codes.Code) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s, ok := status.FromError(e); ok && s.Code() == code {
			return true
		}
	}
	return false
}
