package conformance

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// Msg is one JSON object received from the server, numbers kept exact.
type Msg map[string]any

// ParseMsg decodes a JSON object.
func ParseMsg(t testing.TB, data []byte) Msg {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m Msg
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a JSON object: %s (%v)", data, err)
	}
	return m
}

// Get walks nested objects; nil when a step is missing.
func (m Msg) Get(path ...string) any {
	var cur any = map[string]any(m)
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			if mm, ok2 := cur.(Msg); ok2 {
				obj = mm
			} else {
				return nil
			}
		}
		cur = obj[p]
	}
	return cur
}

// Str is the string at path, or "".
func (m Msg) Str(path ...string) string {
	s, _ := m.Get(path...).(string)
	return s
}

// Uint is the integer at path, or 0.
func (m Msg) Uint(path ...string) uint64 {
	n, ok := m.Get(path...).(json.Number)
	if !ok {
		return 0
	}
	v, _ := strconv.ParseUint(string(n), 10, 64)
	return v
}

// Has reports whether path exists.
func (m Msg) Has(path ...string) bool { return m.Get(path...) != nil }

// ErrCode is the error code of an "error" message, or 0.
func (m Msg) ErrCode() int { return int(m.Uint("error", "code")) }

func (m Msg) String() string {
	b, _ := json.Marshal(map[string]any(m))
	return string(b)
}
