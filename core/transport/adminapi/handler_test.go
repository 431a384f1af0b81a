package adminapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/transport/adminapi"
	"github.com/reprise-rtc/reprise/core/transport/httpapi"
)

func TestAdminOverHTTP(t *testing.T) {
	be := apitest.New()
	cfg := api.DefaultConfig()
	cfg.AdminSecret = "janusoverlord"
	core := api.New(cfg, nil, slog.New(slog.DiscardHandler))
	be.SetSink(core)
	core.SetBackend(be)
	mux := http.NewServeMux()
	jh := httpapi.Handler(core, httpapi.Options{})
	mux.Handle("/janus", jh)
	mux.Handle("/janus/", jh)
	ah := adminapi.Handler(core, adminapi.Options{})
	mux.Handle("/admin", ah)
	mux.Handle("/admin/", ah)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); core.Close() })

	post := func(path, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("POST %s: status %d headers %v", path, resp.StatusCode, resp.Header)
		}
		var m map[string]any
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	r := post("/janus", `{"janus":"create","transaction":"c"}`)
	sid := r["data"].(map[string]any)["id"].(json.Number)
	r = post("/janus/"+sid.String(), `{"janus":"attach","transaction":"a","plugin":"janus.plugin.echotest","opaque_id":"o"}`)
	hid := r["data"].(map[string]any)["id"].(json.Number)

	r = post("/admin", `{"janus":"list_sessions","transaction":"x","admin_secret":"janusoverlord"}`)
	if fmt.Sprint(r["sessions"]) != fmt.Sprintf("[%s]", sid) {
		t.Fatalf("list_sessions: %v", r)
	}
	r = post("/admin/"+sid.String(), `{"janus":"list_handles","transaction":"x","admin_secret":"janusoverlord"}`)
	if fmt.Sprint(r["handles"]) != fmt.Sprintf("[%s]", hid) || r["session_id"] != sid {
		t.Fatalf("list_handles: %v", r)
	}
	r = post("/admin/"+sid.String()+"/"+hid.String(), `{"janus":"handle_info","transaction":"x","admin_secret":"janusoverlord"}`)
	info, _ := r["info"].(map[string]any)
	if r["handle_id"] != hid || info["session_transport"] != httpapi.PackageName || info["opaque_id"] != "o" || info["plugin_specific"] == nil {
		t.Fatalf("handle_info: %v", r)
	}
	r = post("/admin/"+sid.String(), `{"janus":"list_handles","transaction":"x","admin_secret":"janusoverlord","session_id":1}`)
	if r["error"].(map[string]any)["reason"] != "Conflicting session ID (payload and path)" {
		t.Fatalf("conflicting ids: %v", r)
	}
	r = post("/admin", `{"janus":"list_sessions","transaction":"x"}`)
	if r["error"].(map[string]any)["code"] != json.Number("403") {
		t.Fatalf("no secret: %v", r)
	}
	r = post("/admin", `[]`)
	if r["error"].(map[string]any)["code"] != json.Number("455") {
		t.Fatalf("not an object: %v", r)
	}

	resp, err := http.Get(srv.URL + "/admin/info")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"janus":"server_info"`) {
		t.Fatalf("GET /admin/info: %s", body)
	}
	resp, err = http.Get(srv.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"janus":"error","error":{"code":454,"reason":"Request payload missing"}}` {
		t.Fatalf("GET /admin: %s", body)
	}
}
