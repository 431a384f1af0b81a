package sdk

import "encoding/json"

// Info describes an extension to the gateway.
type Info struct {
	Name     string // short name, e.g. "echotest"
	Version  string // the extension's own version
	Packages []Package
	// KeepsHandlesOnRestart asks the core to keep this extension's handles
	// and their media across a crash and hand them back to Init; the
	// extension must then rebuild its state (e.g. from the KV store).
	KeepsHandlesOnRestart bool
}

// Package is one Janus plugin package an extension serves.
type Package struct {
	Package       string // e.g. "janus.plugin.echotest"
	Name          string
	Author        string
	Description   string
	VersionString string
	Version       int
}

// Handle is a Janus handle attached to one of the extension's packages.
type Handle struct {
	SessionID uint64
	ID        uint64
	Plugin    string
	OpaqueID  string
	Token     string
	HasPeer   bool
}

// InitState is what the core hands an extension when it (re)starts.
type InitState struct {
	Config   json.RawMessage // extension settings from the gateway config; may be empty
	Handles  []Handle        // live handles kept across a restart
	Restarts int             // how many times the core has restarted this extension
}

// JSEP is a session description as janus.js sends and expects it.
type JSEP struct {
	Type    string `json:"type"`
	SDP     string `json:"sdp"`
	Trickle *bool  `json:"trickle,omitempty"`
}

// Message is a "message" request addressed to a handle.
type Message struct {
	Transaction string
	Body        json.RawMessage
	JSEP        *JSEP // nil when the request carried none
}

// MediaEventKind says which core event a MediaEvent carries.
type MediaEventKind int

// Media events the core reports for a handle's PeerConnection.
const (
	WebRTCUp MediaEventKind = iota + 1
	MediaChange
	SlowLink
	HungUp
	Talking
	// FeedAdded: a virtual feed (a replayed participant) joined room RoomID;
	// Feed describes it and Handle is its virtual handle.
	FeedAdded
	// FeedRemoved: the virtual feed Handle left room RoomID.
	FeedRemoved
	// ReplayEnded: the replay ReplayID is over (Reason ended|stopped|error).
	ReplayEnded
)

// MediaEvent is a PeerConnection event of one of the extension's handles.
type MediaEvent struct {
	Handle    uint64
	Kind      MediaEventKind
	MID       string
	Media     string  // audio | video | data
	Receiving bool    // MediaChange
	Uplink    bool    // SlowLink
	Lost      uint32  // SlowLink
	Reason    string  // HungUp
	IsTalking bool    // Talking: true when talking starts, false when it stops
	Level     float64 // Talking: average audio level (0 loudest .. 127)

	Plugin   string       // FeedAdded
	RoomID   uint64       // FeedAdded, FeedRemoved, ReplayEnded
	ReplayID string       // FeedAdded, FeedRemoved, ReplayEnded
	Feed     *VirtualFeed // FeedAdded
}

// Result is an extension's answer to a message; build it with Sync, Ack or Fail.
type Result struct {
	kind   resultKind
	data   any
	jsep   *JSEP
	hint   string
	code   int
	reason string
}

type resultKind int

const (
	resultAck resultKind = iota
	resultSync
	resultFail
)

// Sync answers at once: the client gets "success" with data as plugindata.
func Sync(data any) Result { return Result{kind: resultSync, data: data} }

// SyncJSEP answers at once with a jsep attached.
func SyncJSEP(data any, jsep *JSEP) Result { return Result{kind: resultSync, data: data, jsep: jsep} }

// Ack tells the client to wait: it gets "ack" (with hint, if any) and the
// answer follows as an event pushed with the same transaction.
func Ack(hint string) Result { return Result{kind: resultAck, hint: hint} }

// Fail answers with a Janus API error (code 462 unless the extension has a
// better one); plugin-level errors are normally plugin data instead.
func Fail(code int, reason string) Result {
	return Result{kind: resultFail, code: code, reason: reason}
}
