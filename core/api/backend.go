package api

import (
	"context"
	"encoding/json"

	"github.com/reprise-rtc/reprise/core/janus"
)

// PluginInfo describes one plugin package served by an extension, as listed
// under "plugins" in the Janus info response.
type PluginInfo struct {
	Package       string // e.g. "janus.plugin.echotest"
	Name          string
	Author        string
	Description   string
	VersionString string
	Version       int
}

// HandleRef identifies a handle to the backend.
type HandleRef struct {
	SessionID uint64
	HandleID  uint64
	Plugin    string // package name the handle is attached to
	OpaqueID  string
	Token     string
}

// PluginResult is a plugin's answer to a message: either synchronous data
// (sent to the client as "success" with plugindata) or an acknowledgement
// (sent as "ack"; the answer follows as an "event" with the same transaction).
type PluginResult struct {
	Sync bool
	Data json.RawMessage // plugin data object when Sync
	JSEP json.RawMessage // optional jsep with a synchronous answer
	Hint string          // optional "hint" of an ack
}

// Candidate is one trickled ICE candidate as janus.js sends it.
type Candidate struct {
	SDPMid        *string `json:"sdpMid,omitempty"`
	SDPMLineIndex *uint16 `json:"sdpMLineIndex,omitempty"`
	Candidate     string  `json:"candidate"`
	Completed     bool    `json:"completed,omitempty"`
}

// Backend is everything behind the Janus API: the extension host (plugins)
// and the media core (peers). Errors returned may be *janus.Error to choose
// the Janus error code; any other error becomes 490 (unknown).
type Backend interface {
	Plugins() []PluginInfo
	// Attach creates the handle in the extension serving h.Plugin.
	Attach(ctx context.Context, h HandleRef) error
	// Message hands a "message" request to the handle's plugin. jsep is nil
	// when absent; "janusSdp" has already been normalised to jsep.
	Message(ctx context.Context, h HandleRef, transaction string, body, jsep json.RawMessage) (PluginResult, error)
	// Trickle passes remote candidates to the handle's peer.
	Trickle(ctx context.Context, h HandleRef, candidates []Candidate) error
	// Hangup closes the handle's PeerConnection (Janus "hangup" request).
	Hangup(ctx context.Context, h HandleRef, reason string) error
	// Detach destroys the handle in its extension and closes its peer.
	Detach(ctx context.Context, h HandleRef) error
	// HandleInfo returns the admin API "info" object for handle_info.
	HandleInfo(ctx context.Context, h HandleRef) (map[string]any, error)
}

// Sink is how the backend reaches clients asynchronously. The api package
// implements it; the backend receives it before any handle exists.
type Sink interface {
	// Notify delivers an event to the session owning handleID. msg.SessionID
	// and msg.Sender are filled in by the sink. Unknown handles are dropped.
	Notify(handleID uint64, msg janus.Message)
	// HandleGone removes a handle the backend can no longer serve (its
	// extension crashed) after sending "detached" to its session.
	HandleGone(handleID uint64)
}

// ensure the error type is referenced by this contract.
var _ error = (*janus.Error)(nil)
