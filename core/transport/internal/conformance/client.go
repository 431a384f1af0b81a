package conformance

import (
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/api/apitest"
)

// Client is a Janus API client over one transport.
type Client interface {
	// Send sends req and returns its response. session_id and handle_id
	// are given as fields; an HTTP client moves them into the URL path
	// the way janus.js does.
	Send(t testing.TB, req map[string]any) Msg
	// SendRaw sends data as is to the root endpoint and returns the answer.
	SendRaw(t testing.TB, data string) Msg
	// Event returns the next event of session sid, or ok false when none
	// came within timeout.
	Event(t testing.TB, sid uint64, timeout time.Duration) (m Msg, ok bool)
}

// Env is one fresh server for a subtest: a Core with the fake backend,
// served by the transport under test.
type Env struct {
	Core      *api.Core
	Backend   *apitest.Backend
	Transport string // Janus package name of the transport under test
	NewClient func(t testing.TB) Client
}
