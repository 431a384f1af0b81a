package janus

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeErrorsMatchJanus(t *testing.T) {
	cases := []struct {
		in          string
		code        int
		reasonHas   string
		exactReason string
	}{
		{in: ``, code: ErrInvalidJSON, reasonHas: "JSON error: "},
		{in: `xx`, code: ErrInvalidJSON, reasonHas: "JSON error: "},
		{in: `{"janus":"create"`, code: ErrInvalidJSON, reasonHas: "JSON error: "},
		{in: `{"janus":"create","transaction":"t"} {}`, code: ErrInvalidJSON, reasonHas: "JSON error: "},
		{in: `null`, code: ErrInvalidJSON, reasonHas: "JSON error: "},
		{in: `"s"`, code: ErrInvalidJSON, reasonHas: "JSON error: "},
		{in: `[1]`, code: ErrInvalidJSONObject, exactReason: "JSON error: not an object"},
		{in: `{}`, code: ErrMissingMandatoryElement, exactReason: "Missing mandatory element (transaction)"},
		{in: `{"janus":"create"}`, code: ErrMissingMandatoryElement, exactReason: "Missing mandatory element (transaction)"},
		{in: `{"transaction":"t"}`, code: ErrMissingMandatoryElement, exactReason: "Missing mandatory element (janus)"},
		{in: `{"janus":"create","transaction":5}`, code: ErrInvalidElementType, exactReason: "Invalid element type (transaction should be a string)"},
		{in: `{"janus":"create","transaction":null}`, code: ErrInvalidElementType, exactReason: "Invalid element type (transaction should be a string)"},
		{in: `{"janus":5,"transaction":"t"}`, code: ErrInvalidElementType, exactReason: "Invalid element type (janus should be a string)"},
		{in: `{"janus":null,"transaction":"t"}`, code: ErrInvalidElementType, exactReason: "Invalid element type (janus should be a string)"},
	}
	for _, c := range cases {
		req, err := Decode([]byte(c.in))
		if err == nil {
			t.Errorf("Decode(%q) = %+v, want error %d", c.in, req, c.code)
			continue
		}
		if err.Code != c.code {
			t.Errorf("Decode(%q) code = %d, want %d (%s)", c.in, err.Code, c.code, err.Reason)
		}
		if c.exactReason != "" && err.Reason != c.exactReason {
			t.Errorf("Decode(%q) reason = %q, want %q", c.in, err.Reason, c.exactReason)
		}
		if c.reasonHas != "" && !strings.HasPrefix(err.Reason, c.reasonHas) {
			t.Errorf("Decode(%q) reason = %q, want prefix %q", c.in, err.Reason, c.reasonHas)
		}
	}
}

func TestDecodeFields(t *testing.T) {
	in := `{"janus":"Message","transaction":"tx1","session_id":9007199254740991,"handle_id":42,
		"plugin":"janus.plugin.echotest","opaque_id":5,"token":"tok","apisecret":"sec","admin_secret":"adm",
		"body":{"audio":true},"jsep":{"type":"offer","sdp":"v=0"},"candidate":{"completed":true},
		"candidates":[],"plugins":["a"],"id":7,"plugin_only":true}`
	req, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if req.Janus != "Message" || req.Verb() != "message" || req.Transaction != "tx1" {
		t.Errorf("envelope = %q/%q/%q", req.Janus, req.Verb(), req.Transaction)
	}
	if req.SessionID != 9007199254740991 || req.HandleID != 42 || !req.HandleSet {
		t.Errorf("ids = %d/%d/%v", req.SessionID, req.HandleID, req.HandleSet)
	}
	if req.Plugin != (Text{Value: "janus.plugin.echotest", Set: true, OK: true}) {
		t.Errorf("plugin = %+v", req.Plugin)
	}
	if req.OpaqueID.OK || !req.OpaqueID.Set || req.OpaqueID.TypeError("opaque_id").Code != ErrInvalidElementType {
		t.Errorf("opaque_id = %+v", req.OpaqueID)
	}
	if req.Token.Value != "tok" || req.APISecret.Value != "sec" || req.AdminSecret.Value != "adm" {
		t.Errorf("secrets = %+v %+v %+v", req.Token, req.APISecret, req.AdminSecret)
	}
	for name, got := range map[string]json.RawMessage{"body": req.Body, "jsep": req.JSEP, "candidate": req.Candidate, "candidates": req.Candidates, "plugins": req.Plugins, "id": req.ID, "plugin_only": req.Fields["plugin_only"]} {
		if got == nil {
			t.Errorf("%s missing", name)
		}
	}
}

func TestDecodeJanusSdpIsJSEPAlias(t *testing.T) {
	req, err := Decode([]byte(`{"janus":"message","transaction":"t","body":{},"janusSdp":{"type":"answer","sdp":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(req.JSEP) != `{"type":"answer","sdp":"x"}` {
		t.Errorf("jsep = %s", req.JSEP)
	}
	// jsep wins when both are present.
	req, _ = Decode([]byte(`{"janus":"message","transaction":"t","jsep":{"type":"offer"},"janusSdp":{"type":"answer"}}`))
	if string(req.JSEP) != `{"type":"offer"}` {
		t.Errorf("jsep = %s", req.JSEP)
	}
}

func TestDecodeIDsLikeJanus(t *testing.T) {
	cases := []struct {
		in        string
		sid, hid  uint64
		handleSet bool
	}{
		{`{"janus":"x","transaction":"t"}`, 0, 0, false},
		{`{"janus":"x","transaction":"t","session_id":"12"}`, 0, 0, false},
		{`{"janus":"x","transaction":"t","session_id":12.0}`, 0, 0, false},
		{`{"janus":"x","transaction":"t","session_id":1e3}`, 0, 0, false},
		{`{"janus":"x","transaction":"t","session_id":true}`, 0, 0, false},
		{`{"janus":"x","transaction":"t","session_id":-1}`, 18446744073709551615, 0, false},
		{`{"janus":"x","transaction":"t","handle_id":null}`, 0, 0, false},
		{`{"janus":"x","transaction":"t","handle_id":0}`, 0, 0, true},
		{`{"janus":"x","transaction":"t","handle_id":"x"}`, 0, 0, true},
		{`{"janus":"x","transaction":"t","session_id":5,"handle_id":6}`, 5, 6, true},
		{`{"janus":"x","transaction":"t","session_id":99999999999999999999}`, 0, 0, false},
	}
	for _, c := range cases {
		req, err := Decode([]byte(c.in))
		if err != nil {
			t.Fatalf("Decode(%s): %v", c.in, err)
		}
		if req.SessionID != c.sid || req.HandleID != c.hid || req.HandleSet != c.handleSet {
			t.Errorf("Decode(%s) ids = %d/%d/%v, want %d/%d/%v", c.in, req.SessionID, req.HandleID, req.HandleSet, c.sid, c.hid, c.handleSet)
		}
	}
}

func TestErrorMessageShape(t *testing.T) {
	got, _ := json.Marshal(ErrorMessage(5, "t", NewError(ErrUnauthorized)))
	want := `{"janus":"error","session_id":5,"transaction":"t","error":{"code":403,"reason":"Unauthorized request (wrong or missing secret/token)"}}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	got, _ = json.Marshal(ErrorMessage(0, "", Errorf(ErrInvalidJSONObject, "JSON error: not an object")))
	want = `{"janus":"error","error":{"code":455,"reason":"JSON error: not an object"}}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
