package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
)

// FuzzProcess feeds arbitrary requests to the core, for both APIs, with
// SID and HID in the input replaced by a live session and handle. The core
// must answer each with one marshalable response and never panic.
func FuzzProcess(f *testing.F) {
	for _, seed := range []string{
		`{"janus":"message","apisecret":"s","transaction":"m","session_id":SID,"handle_id":HID,"body":{"sync":true},"jsep":{"type":"offer","sdp":"v=0"}}`,
		`{"janus":"message","apisecret":"s","transaction":"m","session_id":SID,"handle_id":HID,"body":{},"janusSdp":{"type":5}}`,
		`{"janus":"trickle","apisecret":"s","transaction":"t","session_id":SID,"handle_id":HID,"candidates":[{"candidate":"c","sdpMLineIndex":"x"},5,null,{"completed":true}]}`,
		`{"janus":"trickle","apisecret":"s","transaction":"t","session_id":SID,"handle_id":HID,"candidate":{"sdpMid":0}}`,
		`{"janus":"attach","apisecret":"s","transaction":"a","session_id":SID,"plugin":"janus.plugin.echotest","opaque_id":"x","token":7}`,
		`{"janus":"detach","apisecret":"s","transaction":"d","session_id":SID,"handle_id":HID}`,
		`{"janus":"hangup","apisecret":"s","transaction":"d","session_id":SID,"handle_id":HID}`,
		`{"janus":"claim","apisecret":"s","transaction":"d","session_id":SID}`,
		`{"janus":"destroy","apisecret":"s","transaction":"d","session_id":SID}`,
		`{"janus":"create","transaction":"c","id":9223372036854775807}`,
		`{"janus":"handle_info","transaction":"h","session_id":SID,"handle_id":HID,"plugin_only":"yes","admin_secret":"a"}`,
		`{"janus":"add_token","transaction":"h","token":"t","plugins":[1,"janus.plugin.echotest",{}],"admin_secret":"a"}`,
		`{"janus":"allow_token","transaction":"h","token":"t","plugins":"x","admin_secret":"a"}`,
		`{"janus":"list_tokens","transaction":"h","admin_secret":"a"}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	be := apitest.New()
	be.EventDelay = 0
	cfg := api.DefaultConfig()
	cfg.TokenAuth = true
	cfg.AdminSecret = "a"
	cfg.APISecret = "s"
	core := api.New(cfg, nil, slog.New(slog.DiscardHandler))
	be.SetSink(core)
	core.SetBackend(be)
	f.Cleanup(core.Close)
	tr := newRecorder("fuzz")

	f.Fuzz(func(t *testing.T, data []byte, admin bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var resp any
		core.ProcessRaw(ctx, tr, []byte(`{"janus":"create","transaction":"c","apisecret":"s"}`), func(v any) { resp = v })
		sid := id(roundTrip(t, resp), "data", "id")
		core.ProcessRaw(ctx, tr, fmt.Appendf(nil, `{"janus":"attach","apisecret":"s","transaction":"a","apisecret":"s","session_id":%d,"plugin":%q}`, sid, apitest.EchoPlugin), func(v any) { resp = v })
		hid := id(roundTrip(t, resp), "data", "id")
		defer core.ProcessRaw(ctx, tr, fmt.Appendf(nil, `{"janus":"destroy","apisecret":"s","transaction":"d","apisecret":"s","session_id":%d}`, sid), func(any) {})

		data = bytes.ReplaceAll(data, []byte("SID"), fmt.Append(nil, sid))
		data = bytes.ReplaceAll(data, []byte("HID"), fmt.Append(nil, hid))
		replies := 0
		reply := func(v any) {
			replies++
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("response does not marshal: %v", err)
			}
		}
		if admin {
			core.ProcessAdminRaw(ctx, data, reply)
		} else {
			core.ProcessRaw(ctx, tr, data, reply)
		}
		if replies != 1 {
			t.Fatalf("%d replies to %q", replies, data)
		}
	})
}
