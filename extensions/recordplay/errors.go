package main

import "fmt"

// Error codes of the Janus Record&Play API.
const (
	errNoMessage        = 411
	errInvalidJSON      = 412
	errInvalidRequest   = 413
	errInvalidElement   = 414
	errMissingElement   = 415
	errNotFound         = 416
	errInvalidRecording = 417
	errInvalidState     = 418
	errInvalidSDP       = 419
	errRecordingExists  = 420
	errUnknown          = 499
)

// rpError is a Record&Play error as plugin data.
type rpError struct {
	Code   int
	Reason string
}

func fail(code int, format string, args ...any) *rpError {
	return &rpError{Code: code, Reason: fmt.Sprintf(format, args...)}
}

func (e *rpError) data() map[string]any {
	return map[string]any{"recordplay": "event", "error_code": e.Code, "error": e.Reason}
}

// statusEvent is the event of a session's status change; id 0 is left out.
func statusEvent(status string, id uint64) map[string]any {
	result := map[string]any{"status": status}
	if id != 0 {
		result["id"] = id
	}
	return map[string]any{"recordplay": "event", "result": result}
}

// doneEvent tells the client its recording or playout session is over.
func doneEvent() map[string]any { return map[string]any{"recordplay": "event", "result": "done"} }
