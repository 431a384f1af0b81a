package janus

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Text is an optional string element of a request. Set reports that the key
// was present (even as null); OK reports that its value was a JSON string.
type Text struct {
	Value string
	Set   bool
	OK    bool
}

// TypeError returns the Janus 467 error for an element that is present but
// not a string, or nil.
func (t Text) TypeError(name string) *Error {
	if t.Set && !t.OK {
		return Errorf(ErrInvalidElementType, "Invalid element type (%s should be a string)", name)
	}
	return nil
}

// Request is one decoded Janus API or Admin API request. Only the envelope
// (janus, transaction) is validated by Decode; every other element is kept
// as sent so the handler of the verb can apply Janus's per-verb rules.
type Request struct {
	Janus       string // verb exactly as sent; compare with Verb()
	Transaction string

	// SessionID and HandleID follow Janus: an element that is absent, null
	// or not an integer counts as 0; negative integers wrap to uint64.
	SessionID uint64
	HandleID  uint64
	// HandleSet is true when "handle_id" is present and not null. Janus
	// rejects such a request with 459 when the value is 0 or not an integer.
	HandleSet bool

	Plugin      Text // attach
	OpaqueID    Text // attach
	Token       Text // stored-token auth; also the admin token requests' subject
	APISecret   Text // "apisecret"
	AdminSecret Text // "admin_secret"

	Body json.RawMessage // message; nil when absent
	JSEP json.RawMessage // "jsep", or the legacy alias "janusSdp"; nil when absent
	// JanusSDP is set when the jsep came under the legacy name "janusSdp":
	// such clients read SDP back under that name too.
	JanusSDP   bool
	Candidate  json.RawMessage // trickle
	Candidates json.RawMessage // trickle
	Plugins    json.RawMessage // admin add_token/allow_token/disallow_token
	ID         json.RawMessage // create: client-chosen session id

	// Fields holds every member of the request object, for elements not
	// named above (e.g. admin "plugin_only").
	Fields map[string]json.RawMessage
}

// Verb is the request verb lower-cased: Janus matches verbs case-insensitively.
func (r *Request) Verb() string { return strings.ToLower(r.Janus) }

// Decode parses a Janus API request. The errors are the ones Janus gives
// before it looks at the verb: 454 (not JSON), 455 (not an object), 456
// (missing transaction or janus) and 467 (transaction or janus not a string).
// Janus checks transaction before janus; so does Decode.
func Decode(data []byte) (*Request, *Error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, Errorf(ErrInvalidJSON, "JSON error: empty request")
	}
	var probe any
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, Errorf(ErrInvalidJSON, "JSON error: %v", err)
	}
	switch trimmed[0] {
	case '{':
	case '[':
		return nil, Errorf(ErrInvalidJSONObject, "JSON error: not an object")
	default:
		// Like Janus (jansson), scalars at the top level are a syntax error.
		return nil, Errorf(ErrInvalidJSON, "JSON error: '[' or '{' expected near '%s'", snippet(trimmed))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, Errorf(ErrInvalidJSON, "JSON error: %v", err)
	}
	r := &Request{Fields: fields}

	tr, ok := fields["transaction"]
	if !ok {
		return nil, Errorf(ErrMissingMandatoryElement, "Missing mandatory element (transaction)")
	}
	if !jsonString(tr, &r.Transaction) {
		return nil, Errorf(ErrInvalidElementType, "Invalid element type (transaction should be a string)")
	}
	verb, ok := fields["janus"]
	if !ok {
		return nil, Errorf(ErrMissingMandatoryElement, "Missing mandatory element (janus)")
	}
	if !jsonString(verb, &r.Janus) {
		return nil, Errorf(ErrInvalidElementType, "Invalid element type (janus should be a string)")
	}

	r.SessionID, _ = jsonID(fields["session_id"])
	if h, ok := fields["handle_id"]; ok && !isNull(h) {
		r.HandleSet = true
		r.HandleID, _ = jsonID(h)
	}
	r.Plugin = text(fields, "plugin")
	r.OpaqueID = text(fields, "opaque_id")
	r.Token = text(fields, "token")
	r.APISecret = text(fields, "apisecret")
	r.AdminSecret = text(fields, "admin_secret")
	r.Body = fields["body"]
	r.JSEP = fields["jsep"]
	if r.JSEP == nil {
		r.JSEP = fields["janusSdp"]
		r.JanusSDP = r.JSEP != nil
	}
	r.Candidate = fields["candidate"]
	r.Candidates = fields["candidates"]
	r.Plugins = fields["plugins"]
	r.ID = fields["id"]
	return r, nil
}

// Integer reads raw as a JSON integer (Janus's json_is_integer). ok is false when raw is not an
// integer token (floats, strings, null) or does not fit in an int64.
func Integer(raw json.RawMessage) (v int64, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, false
	}
	for i, c := range raw {
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// IsObject reports whether raw is a JSON object.
func IsObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// IsArray reports whether raw is a JSON array.
func IsArray(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '['
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonID converts a session or handle id element the way Janus does: a
// non-integer counts as 0 and a negative integer wraps around.
func jsonID(raw json.RawMessage) (uint64, bool) {
	n, ok := Integer(raw)
	if !ok {
		return 0, false
	}
	return uint64(n), true
}

func jsonString(raw json.RawMessage, out *string) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return false
	}
	return json.Unmarshal(raw, out) == nil
}

func text(fields map[string]json.RawMessage, key string) Text {
	raw, ok := fields[key]
	if !ok {
		return Text{}
	}
	t := Text{Set: true}
	t.OK = jsonString(raw, &t.Value)
	return t
}

// snippet shortens input for an error reason.
func snippet(b []byte) string {
	const max = 32
	if len(b) > max {
		b = b[:max]
	}
	return strings.ToValidUTF8(string(b), "?")
}
