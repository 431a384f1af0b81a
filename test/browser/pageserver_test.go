package browser

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/reprise-rtc/reprise/test/harness"
)

// servePages serves testdata/www plus janus.js and adapter.js on 127.0.0.1,
// so the pages load the client exactly as a web application would. The
// server closes when the test ends.
func servePages(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServer(http.Dir(filepath.Join(harness.RepoRoot(), "testdata", "www"))))
	mux.HandleFunc("GET /janus.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, janusJSPath)
	})
	mux.HandleFunc("GET /adapter.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, adapterJSPath)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
