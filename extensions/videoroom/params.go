package main

import (
	"bytes"
	"encoding/json"
	"math"
)

// params is a request body with the typed, Janus-worded accessors the
// VideoRoom API validates its fields with.
type params map[string]json.RawMessage

func parseParams(body []byte) (params, *vrError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, fail(errNoMessage, "No message??")
	}
	var p params
	if err := json.Unmarshal(trimmed, &p); err != nil || p == nil {
		return nil, fail(errInvalidJSON, "JSON error: not an object")
	}
	return p, nil
}

func (p params) has(name string) bool {
	raw, ok := p[name]
	return ok && string(raw) != "null"
}

// str returns a string field; ok is false when it is absent.
func (p params) str(name string) (v string, ok bool, e *vrError) {
	if !p.has(name) {
		return "", false, nil
	}
	if err := json.Unmarshal(p[name], &v); err != nil {
		return "", false, invalidType(name, "a string")
	}
	return v, true, nil
}

func (p params) mustStr(name string) (string, *vrError) {
	v, ok, e := p.str(name)
	if e != nil {
		return "", e
	}
	if !ok {
		return "", missing(name)
	}
	return v, nil
}

// uint returns a non-negative integer field.
func (p params) uint(name string) (v uint64, ok bool, e *vrError) {
	if !p.has(name) {
		return 0, false, nil
	}
	var f float64
	if err := json.Unmarshal(p[name], &f); err != nil || f < 0 || f != math.Trunc(f) || f > 1<<53 {
		return 0, false, invalidType(name, "a positive integer")
	}
	return uint64(f), true, nil
}

func (p params) mustUint(name string) (uint64, *vrError) {
	v, ok, e := p.uint(name)
	if e != nil {
		return 0, e
	}
	if !ok {
		return 0, missing(name)
	}
	return v, nil
}

func (p params) boolean(name string) (v bool, ok bool, e *vrError) {
	if !p.has(name) {
		return false, false, nil
	}
	if err := json.Unmarshal(p[name], &v); err != nil {
		return false, false, invalidType(name, "a boolean")
	}
	return v, true, nil
}

func (p params) strList(name string) (v []string, ok bool, e *vrError) {
	if !p.has(name) {
		return nil, false, nil
	}
	if err := json.Unmarshal(p[name], &v); err != nil {
		return nil, false, invalidType(name, "an array")
	}
	return v, true, nil
}

// objects returns an array of objects, each as params.
func (p params) objects(name string) (v []params, ok bool, e *vrError) {
	if !p.has(name) {
		return nil, false, nil
	}
	if err := json.Unmarshal(p[name], &v); err != nil {
		return nil, false, invalidType(name, "an array")
	}
	for _, o := range v {
		if o == nil {
			return nil, false, invalidType(name, "an array of objects")
		}
	}
	return v, true, nil
}

// check validates the types of the named optional fields at once, so a
// request is refused before any of it is applied.
func (p params) check(strs, uints, bools, lists []string) *vrError {
	for _, n := range strs {
		if _, _, e := p.str(n); e != nil {
			return e
		}
	}
	for _, n := range uints {
		if _, _, e := p.uint(n); e != nil {
			return e
		}
	}
	for _, n := range bools {
		if _, _, e := p.boolean(n); e != nil {
			return e
		}
	}
	for _, n := range lists {
		if _, _, e := p.strList(n); e != nil {
			return e
		}
	}
	return nil
}
