package janus

import "fmt"

// Janus API error codes (Janus 1.1.2, apierror.h).
const (
	ErrUnauthorized            = 403
	ErrUnauthorizedPlugin      = 405
	ErrTransportSpecific       = 450
	ErrMissingRequest          = 452
	ErrUnknownRequest          = 453
	ErrInvalidJSON             = 454
	ErrInvalidJSONObject       = 455
	ErrMissingMandatoryElement = 456
	ErrInvalidRequestPath      = 457
	ErrSessionNotFound         = 458
	ErrHandleNotFound          = 459
	ErrPluginNotFound          = 460
	ErrPluginAttach            = 461
	ErrPluginMessage           = 462
	ErrPluginDetach            = 463
	ErrJSEPUnknownType         = 464
	ErrJSEPInvalidSDP          = 465
	ErrTrickleInvalidStream    = 466
	ErrInvalidElementType      = 467
	ErrSessionConflict         = 468
	ErrUnexpectedAnswer        = 469
	ErrTokenNotFound           = 470
	ErrWebRTCState             = 471
	ErrNotAcceptingSessions    = 472
	ErrUnknown                 = 490
)

// Error is a Janus API error: a numeric code and a readable reason.
type Error struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

func (e *Error) Error() string { return fmt.Sprintf("janus error %d: %s", e.Code, e.Reason) }

// Errorf builds an *Error with a formatted reason.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Reason: fmt.Sprintf(format, args...)}
}
