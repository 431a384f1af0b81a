package main

import (
	"slices"
	"testing"
)

func TestParamsAccessors(t *testing.T) {
	p, e := parseParams([]byte(`{"s":"x","n":5,"neg":-1,"frac":1.5,"b":true,"l":["a"],"o":[{"mid":"0"}],"nul":null}`))
	if e != nil {
		t.Fatal(e)
	}
	if v, ok, e := p.str("s"); v != "x" || !ok || e != nil {
		t.Errorf("str: %q %v %v", v, ok, e)
	}
	if _, _, e := p.str("n"); e == nil || e.code != errInvalidElement || e.msg != "Invalid element type (n should be a string)" {
		t.Errorf("str of a number: %v", e)
	}
	if v, ok, e := p.uint("n"); v != 5 || !ok || e != nil {
		t.Errorf("uint: %d %v %v", v, ok, e)
	}
	for _, n := range []string{"neg", "frac", "s"} {
		if _, _, e := p.uint(n); e == nil || e.msg != "Invalid element type ("+n+" should be a positive integer)" {
			t.Errorf("uint of %s: %v", n, e)
		}
	}
	if _, e := p.mustUint("missing"); e == nil || e.code != errMissingElement || e.msg != "Missing mandatory element (missing)" {
		t.Errorf("missing: %v", e)
	}
	if _, ok, e := p.str("nul"); ok || e != nil {
		t.Errorf("null counts as absent: %v %v", ok, e)
	}
	if v, ok, _ := p.boolean("b"); !v || !ok {
		t.Error("boolean")
	}
	if v, _, _ := p.strList("l"); !slices.Equal(v, []string{"a"}) {
		t.Errorf("strList: %v", v)
	}
	if o, _, _ := p.objects("o"); len(o) != 1 {
		t.Errorf("objects: %v", o)
	}
	for _, body := range []string{``, `null`, `  `} {
		if _, e := parseParams([]byte(body)); e == nil || e.code != errNoMessage {
			t.Errorf("%q: %v", body, e)
		}
	}
	for _, body := range []string{`[1]`, `"x"`, `{bad`} {
		if _, e := parseParams([]byte(body)); e == nil || e.code != errInvalidJSON {
			t.Errorf("%q: %v", body, e)
		}
	}
}

func TestSettingsFrom(t *testing.T) {
	p, _ := parseParams([]byte(`{"room":9}`))
	s, e := settingsFrom(p, 9)
	if e != nil || s.Description != "Room 9" || s.Publishers != 3 || !s.OpusFEC || !s.AudioLevelExt ||
		!slices.Equal(s.AudioCodecs, []string{"opus"}) || !slices.Equal(s.VideoCodecs, []string{"vp8"}) || s.AudioActivePackets != 100 {
		t.Fatalf("defaults: %+v %v", s, e)
	}
	p, _ = parseParams([]byte(`{"videocodec":"VP9, h264","audiocodec":"pcmu","allowed":["t"],"publishers":0,"opus_fec":false}`))
	s, e = settingsFrom(p, 1)
	if e != nil || !slices.Equal(s.VideoCodecs, []string{"vp9", "h264"}) || !slices.Equal(s.AudioCodecs, []string{"pcmu"}) ||
		!s.CheckAllowed || s.Publishers != 3 || s.OpusFEC {
		t.Fatalf("settings: %+v %v", s, e)
	}
	for body, msg := range map[string]string{
		`{"videocodec":"mpeg2"}`: "Invalid element (videocodec)",
		`{"audiocodec":","}`:     "Invalid element (audiocodec)",
		`{"publishers":"many"}`:  "Invalid element type (publishers should be a positive integer)",
		`{"is_private":"yes"}`:   "Invalid element type (is_private should be a boolean)",
		`{"allowed":"a"}`:        "Invalid element type (allowed should be an array)",
	} {
		p, _ := parseParams([]byte(body))
		if _, e := settingsFrom(p, 1); e == nil || e.msg != msg {
			t.Errorf("%s: %v, want %q", body, e, msg)
		}
	}
}

// Every create request a client may send is parsed without panicking, and
// accepted settings are usable.
func FuzzCreateRequest(f *testing.F) {
	for _, s := range []string{`{"room":1234,"publishers":6,"bitrate":128000}`, `{"audiocodec":"opus,pcmu","videocodec":"vp9"}`,
		`{"allowed":["a","b"],"is_private":true}`, `{}`, `[]`, `{"room":-1}`, `{"publishers":1e300}`, `{"videocodec":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, e := parseParams(body)
		if e != nil {
			return
		}
		id, _, _ := p.uint("room")
		s, e := settingsFrom(p, id)
		if e != nil {
			return
		}
		if s.Publishers <= 0 || len(s.AudioCodecs) == 0 || len(s.VideoCodecs) == 0 || s.Description == "" {
			t.Fatalf("unusable settings %+v from %s", s, body)
		}
		r := newRoom(s)
		_ = r.listEntry()
		_ = r.checkPin(p)
		_ = r.checkSecret(p)
	})
}
