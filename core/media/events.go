package media

import "github.com/pion/webrtc/v4"

// Events receives the per-handle notifications Janus sends as webrtcup,
// media, slowlink and hangup. The gateway implements it. Methods are called
// from media goroutines and must return quickly (queue, don't block).
type Events interface {
	// WebRTCUp reports that ICE and DTLS completed for the handle.
	WebRTCUp(handleID uint64)
	// Media reports that packets on a stream started (receiving true) or
	// stopped for longer than Config.NoMediaTimeout (receiving false).
	Media(handleID uint64, mid, kind string, receiving bool)
	// Slowlink reports packet loss above Config.SlowlinkThreshold in the
	// last second. uplink follows Janus: true when the loss is in the
	// packets the gateway receives from the peer, false when it is in the
	// packets the gateway sends to it (as reported by the peer's RTCP).
	Slowlink(handleID uint64, mid, kind string, uplink bool, lost uint32)
	// Hangup reports that the handle's PeerConnection is gone. It is called
	// exactly once per PeerConnection.
	Hangup(handleID uint64, reason string)
	// LocalCandidate delivers a gathered local candidate (full trickle
	// only); nil means gathering completed.
	LocalCandidate(handleID uint64, c *webrtc.ICECandidateInit)
}

// Hangup reasons produced by the engine itself.
const (
	ReasonICEFailed  = "ICE failed"
	ReasonDTLSAlert  = "DTLS alert"
	ReasonClosePC    = "Close PC"
	ReasonShutdown   = "Gateway shutdown"
	ReasonDTLSFailed = "DTLS failed"
)
