package janus

import "encoding/json"

// PluginData is the "plugindata" object of success and event messages.
type PluginData struct {
	Plugin string          `json:"plugin"`
	Data   json.RawMessage `json:"data"`
}

// Message is any message the gateway sends to a client. Field order follows
// Janus so captured sessions diff cleanly; zero fields are omitted.
type Message struct {
	Janus       string          `json:"janus"`
	SessionID   uint64          `json:"session_id,omitempty"`
	Transaction string          `json:"transaction,omitempty"`
	Sender      uint64          `json:"sender,omitempty"`
	Hint        string          `json:"hint,omitempty"`
	Data        any             `json:"data,omitempty"`
	PluginData  *PluginData     `json:"plugindata,omitempty"`
	JSEP        json.RawMessage `json:"jsep,omitempty"`
	// JanusSDP repeats JSEP under the legacy name for clients that sent it so.
	JanusSDP json.RawMessage `json:"janusSdp,omitempty"`
	Error    *Error          `json:"error,omitempty"`

	// Media and PeerConnection events (webrtcup, media, slowlink, hangup, trickle).
	MID       string  `json:"mid,omitempty"`
	Type      string  `json:"type,omitempty"`  // "media": audio|video|data
	Media     string  `json:"media,omitempty"` // "slowlink": audio|video
	Receiving *bool   `json:"receiving,omitempty"`
	Uplink    *bool   `json:"uplink,omitempty"`
	Lost      *uint32 `json:"lost,omitempty"`
	Reason    string  `json:"reason,omitempty"`
	Candidate any     `json:"candidate,omitempty"`
}
