// Package harness starts the Reprise gateway binary for end-to-end tests.
//
// Start runs <repo>/bin/gateway (built by `make build`) on free loopback
// ports with a throw-away data directory, waits until its Janus API answers,
// and stops it when the test ends. Its output is kept and written to the test
// log when the test fails.
//
// The same tests can be pointed at another Janus-compatible server, such as
// the real Janus used as an oracle, by setting REPRISE_TARGET_HTTP and/or
// REPRISE_TARGET_WS (and optionally REPRISE_TARGET_ADMIN); Start then launches
// nothing and returns those URLs.
package harness
