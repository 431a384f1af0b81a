package janus

import (
	"encoding/json"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		``, `xx`, `null`, `[1]`, `{}`, `{"janus":"create"}`, `{"transaction":"t"}`,
		`{"janus":"create","transaction":"c","id":12345}`,
		`{"janus":"attach","transaction":"a","session_id":1,"plugin":"janus.plugin.echotest","opaque_id":"o"}`,
		`{"janus":"message","transaction":"m","session_id":1,"handle_id":2,"body":{"audio":true},"jsep":{"type":"offer","sdp":"v=0\r\n"}}`,
		`{"janus":"message","transaction":"m","janusSdp":{"type":"answer","sdp":""},"body":{}}`,
		`{"janus":"trickle","transaction":"t","candidates":[{"candidate":"c","sdpMid":"0","sdpMLineIndex":0},{"completed":true}]}`,
		`{"janus":"add_token","transaction":"t","admin_secret":"s","token":"x","plugins":["a",5]}`,
		`{"janus":"keepalive","transaction":"k","session_id":-1,"handle_id":"x"}`,
		`{"janus":"x","transaction":"\u0000\ud800","session_id":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := Decode(data)
		if (req == nil) == (err == nil) {
			t.Fatalf("Decode(%q) returned req=%v err=%v: exactly one must be set", data, req, err)
		}
		if err != nil {
			if err.Code < 450 || err.Code > 490 || err.Reason == "" {
				t.Fatalf("Decode(%q) gave odd error %+v", data, err)
			}
			return
		}
		// An accepted request is a JSON object with string janus and transaction.
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			t.Fatalf("Decode accepted non-object %q", data)
		}
		_ = req.Verb()
		if req.HandleID != 0 && !req.HandleSet {
			t.Fatalf("handle id %d without HandleSet", req.HandleID)
		}
	})
}
