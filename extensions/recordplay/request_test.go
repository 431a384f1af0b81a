package main

import (
	"encoding/json"
	"testing"
)

func TestParseRequestValidates(t *testing.T) {
	for _, tc := range []struct {
		body string
		code int
	}{
		{``, errNoMessage},
		{`[1]`, errInvalidJSON},
		{`{}`, errMissingElement},
		{`{"request":5}`, errInvalidElement},
		{`{"request":"play","id":"7"}`, errInvalidElement},
		{`{"request":"play","id":-1}`, errInvalidElement},
		{`{"request":"play","id":1.5}`, errInvalidElement},
		{`{"request":"record","name":3}`, errInvalidElement},
		{`{"request":"play","id":7}`, 0},
	} {
		_, e := parseRequest(json.RawMessage(tc.body))
		got := 0
		if e != nil {
			got = e.Code
		}
		if got != tc.code {
			t.Errorf("%s: code %d, want %d (%v)", tc.body, got, tc.code, e)
		}
	}
	r, e := parseRequest(json.RawMessage(`{"request":"record","id":42,"name":"talk","filename":"/tmp/x","videocodec":"vp8"}`))
	if e != nil || r.Request != "record" || r.ID != 42 || r.Name != "talk" || !r.HasName || r.Filename != "/tmp/x" || r.VideoCodec != "vp8" {
		t.Fatalf("parsed %+v %v", r, e)
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"request":"list"}`, `{"request":"record","id":1,"name":"n"}`, `{"id":1e300}`, `null`, `{"request":"play","id":9007199254740991}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, e := parseRequest(body)
		if (r == nil) == (e == nil) {
			t.Fatalf("want exactly one of request and error: %v %v", r, e)
		}
		if r != nil && r.ID > maxSafeID {
			t.Fatalf("id %d beyond JavaScript's safe integers", r.ID)
		}
	})
}

func TestCodecName(t *testing.T) {
	for in, want := range map[string]string{"audio/opus": "opus", "video/VP8": "vp8", "H264": "h264", "": ""} {
		if got := codecName(in); got != want {
			t.Errorf("codecName(%q) = %q, want %q", in, got, want)
		}
	}
}
