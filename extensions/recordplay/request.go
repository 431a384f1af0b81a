package main

import (
	"encoding/json"
	"fmt"
	"math"
)

// request is any Record&Play request body; which fields matter depends on
// Request.
type request struct {
	Request    string
	ID         uint64 // 0: absent
	Name       string
	HasName    bool
	Filename   string
	AudioCodec string
	VideoCodec string
}

// fieldTypes are the JSON types of the fields this extension reads or
// validates, as Janus words them in its errors.
var fieldTypes = map[string]string{
	"request": "a string", "id": "a positive integer", "name": "a string", "filename": "a string",
	"audiocodec": "a string", "videocodec": "a string", "videoprofile": "a string", "opusred": "a boolean",
	"textdata": "a boolean", "update": "a boolean", "restart": "a boolean",
}

// parseRequest validates a message body the way Janus does before it looks
// at the request itself.
func parseRequest(body json.RawMessage) (*request, *rpError) {
	if len(body) == 0 || string(body) == "null" {
		return nil, fail(errNoMessage, "No message??")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, fail(errInvalidJSON, "JSON error: not an object")
	}
	for name, want := range fieldTypes {
		raw, ok := fields[name]
		if ok && !hasType(raw, want) {
			return nil, fail(errInvalidElement, "Invalid element type (%s should be %s)", name, want)
		}
	}
	rawReq, ok := fields["request"]
	if !ok {
		return nil, fail(errMissingElement, "Missing mandatory element (request)")
	}
	var r request
	_ = json.Unmarshal(rawReq, &r.Request)
	if raw, ok := fields["id"]; ok {
		var f float64
		_ = json.Unmarshal(raw, &f)
		r.ID = uint64(f)
	}
	if raw, ok := fields["name"]; ok {
		r.HasName = true
		_ = json.Unmarshal(raw, &r.Name)
	}
	for name, dst := range map[string]*string{"filename": &r.Filename, "audiocodec": &r.AudioCodec, "videocodec": &r.VideoCodec} {
		if raw, ok := fields[name]; ok {
			_ = json.Unmarshal(raw, dst)
		}
	}
	return &r, nil
}

// maxSafeID is the largest integer JavaScript represents exactly.
const maxSafeID = 1<<53 - 1

func hasType(raw json.RawMessage, want string) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch want {
	case "a boolean":
		_, ok := v.(bool)
		return ok
	case "a string":
		_, ok := v.(string)
		return ok
	case "a positive integer":
		f, ok := v.(float64)
		return ok && f > 0 && f <= maxSafeID && f == math.Trunc(f)
	default:
		panic(fmt.Sprintf("unknown type %q", want))
	}
}
