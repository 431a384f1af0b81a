// Package browser holds the end-to-end tests that drive a real browser:
// headless Chromium (via chromedp) loads testdata/www pages that use the
// unmodified janus.js client against the gateway, or against whatever target
// the harness is pointed at (see test/harness).
//
// The tests need Debian's chromium, libjs-janus-gateway and
// libjs-webrtc-adapter, which scripts/install-test-deps.sh installs.
package browser
