package janus

// Reasons Janus uses when an error is raised without a specific cause.
var defaultReasons = map[int]string{
	ErrUnauthorized:       "Unauthorized request (wrong or missing secret/token)",
	ErrUnauthorizedPlugin: "Unauthorized access to plugin (token is not allowed to)",
	ErrSessionNotFound:    "Session not found",
	ErrHandleNotFound:     "Handle not found",
	ErrPluginNotFound:     "Plugin not found",
	ErrUnknown:            "Unknown error",
}

// NewError returns an *Error with Janus's generic reason for code.
func NewError(code int) *Error {
	reason, ok := defaultReasons[code]
	if !ok {
		reason = "Unknown error"
	}
	return &Error{Code: code, Reason: reason}
}

// ErrorMessage is the "error" response to a request. A zero sessionID or
// empty transaction is left out, as Janus does when it does not know them.
func ErrorMessage(sessionID uint64, transaction string, err *Error) *Message {
	return &Message{Janus: "error", SessionID: sessionID, Transaction: transaction, Error: err}
}
