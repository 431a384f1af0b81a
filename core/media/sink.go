package media

import (
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Sink takes a copy of every packet of one source stream, beside the
// routed peers: recorders and RTP forwarders are sinks. WriteRTP runs on
// the source's reading goroutine, so it must not block, and must not keep
// pkt or its payload after returning (copy what it needs).
type Sink interface {
	WriteRTP(pkt *rtp.Packet) error
	// Close is called once when the sink is removed or its source ends.
	Close() error
}

// StreamInfo describes a source stream to whoever attaches a sink.
type StreamInfo struct {
	Kind  webrtc.RTPCodecType
	Codec webrtc.RTPCodecParameters
}
