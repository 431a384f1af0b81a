package browser

import (
	"os"
	"testing"
)

// Files from Debian packages that the tests use; scripts/install-test-deps.sh
// installs them.
const (
	chromiumPath = "/usr/bin/chromium"
	// janus.js 1.1.2, the client release Reprise is wire-compatible with.
	janusJSPath = "/usr/share/javascript/janus-gateway/janus.js"
	// adapter.js defines window.adapter, which janus.js requires.
	adapterJSPath = "/usr/share/javascript/webrtc-adapter/adapter.js"
)

const installHint = "run scripts/install-test-deps.sh as root"

// requireBrowserDeps skips the test on a developer machine without Chromium,
// but fails it in CI (CI=true), where a missing browser means the install
// step is broken and skipping would hide every browser test.
func requireBrowserDeps(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing in CI: %v; %s", chromiumPath, err, installHint)
		}
		t.Skipf("%s not installed; %s to run the browser tests", chromiumPath, installHint)
	}
	for _, path := range []string{janusJSPath, adapterJSPath} {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s missing: %v; %s", path, err, installHint)
		}
	}
}
