package media

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// ErrVirtualSourceClosed is returned by VirtualSource.WriteRTP once the
// source was closed or the engine shut down.
var ErrVirtualSourceClosed = errors.New("virtual source closed")

// placeholderSSRC stands for a virtual source's SSRC before its first packet.
const placeholderSSRC = 1

// VirtualSource is an incoming stream with no PeerConnection behind it: a
// player (replay of a recording, a generated feed) writes the packets the
// way a publisher's browser would send them. Under its (handle, mid) it is
// indistinguishable from a received stream to routes, sinks, MakeOffer
// (OfferStream.SourceHandle/SourceMID), SourceInfo, SelectSinkLayer and the
// keyframe logic; keyframe requests from destinations (subscriber PLI/FIR,
// a new route, a resume) reach the writer through OnKeyframeRequest, at
// most once per 500 ms like PLIs sent to a publisher.
//
// Being peerless it has no PeerInfo entry and produces no Events (no
// media, talking or slowlink notifications for a handle no client owns),
// and the periodic keyframe interval (SetKeyframeInterval) does not apply.
type VirtualSource struct {
	e   *Engine
	ep  endpoint
	src *source

	onKeyframe atomic.Pointer[func()]
	closed     atomic.Bool

	// mu serialises writers: the source's per-layer accounting and the
	// scratch buffers below belong to one goroutine at a time, as the
	// reading goroutine of a received track owns them.
	mu      sync.Mutex
	buf     [receiveBufferSize]byte
	scratch rtp.Packet
}

// AddVirtualSource creates the stream (handleID, mid) carrying codec, fed
// by WriteRTP. handleID must be an id no real handle uses (the gateway
// allocates them); a PeerConnection or another virtual source already
// under (handleID, mid) is an error. codec.MimeType decides the kind
// ("audio/..." or "video/...") and must be a codec the engine negotiates;
// codec.SDPFmtpLine is what MakeOffer offers for it (H.264 profile and
// packetization mode, VP9 profile). Routes and sinks already naming
// (handleID, mid) take effect at once, as when a publisher's track arrives.
func (e *Engine) AddVirtualSource(handleID uint64, mid string, codec webrtc.RTPCodecParameters) (*VirtualSource, error) {
	if mid == "" {
		return nil, fmt.Errorf("add virtual source: %w: empty mid", ErrBadRoute)
	}
	var kind webrtc.RTPCodecType
	switch mime := strings.ToLower(codec.MimeType); {
	case strings.HasPrefix(mime, "audio/"):
		kind = webrtc.RTPCodecTypeAudio
	case strings.HasPrefix(mime, "video/"):
		kind = webrtc.RTPCodecTypeVideo
	default:
		return nil, fmt.Errorf("add virtual source: codec %q is neither audio nor video", codec.MimeType)
	}
	if !weSupport(kind, codec.MimeType) {
		return nil, fmt.Errorf("add virtual source: unsupported %s codec %q", kind, codec.MimeType)
	}
	if codec.PayloadType > 127 {
		return nil, fmt.Errorf("add virtual source: payload type %d out of range", codec.PayloadType)
	}
	ep := endpoint{handle: handleID, mid: mid}
	v := &VirtualSource{e: e, ep: ep}
	v.src = &source{
		handleID: handleID,
		mid:      mid,
		kind:     kind,
		family:   familyOf(codec.MimeType),
		codec:    codec,
		codecs:   []webrtc.RTPCodecParameters{codec},
		sendRTCP: v.feedback,
		clock:    e.now,
		nLayers:  1,
	}
	v.src.sinkLayer.Store(-1)
	// Keyframe requests need an SSRC to address; until the first packet
	// names the real one, any non-zero value lets them through.
	v.src.layers[0].ssrc.Store(placeholderSSRC)

	e.mu.Lock()
	switch {
	case e.closed:
		e.mu.Unlock()
		return nil, ErrClosed
	case e.peers[handleID] != nil:
		e.mu.Unlock()
		return nil, fmt.Errorf("add virtual source %d/%s: handle has a PeerConnection", handleID, mid)
	case e.virtual[ep] != nil:
		e.mu.Unlock()
		return nil, fmt.Errorf("add virtual source %d/%s: already exists", handleID, mid)
	}
	if e.virtual == nil {
		e.virtual = map[endpoint]*VirtualSource{}
	}
	e.virtual[ep] = v
	e.mu.Unlock()

	e.optionsFor(ep).applyTo(v.src)
	e.router.sourceChanged(ep)
	e.log.Debug("virtual source added", "handle", handleID, "mid", mid, "codec", codec.MimeType)
	return v, nil
}

// RemoveVirtualSources closes every virtual source of handleID and, like
// a publisher's hangup, removes every route from it and closes its sinks.
func (e *Engine) RemoveVirtualSources(handleID uint64) {
	e.mu.RLock()
	var list []*VirtualSource
	for ep, v := range e.virtual {
		if ep.handle == handleID {
			list = append(list, v)
		}
	}
	e.mu.RUnlock()
	for _, v := range list {
		v.Close()
	}
	e.router.dropHandle(handleID)
	e.dropOptions(handleID)
}

// virtualSource is findSource's fallback for endpoints without a peer.
func (e *Engine) virtualSource(ep endpoint) *source {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if v := e.virtual[ep]; v != nil {
		return v.src
	}
	return nil
}

// HandleID is the stream's handle id, as routes and offers refer to it.
func (v *VirtualSource) HandleID() uint64 { return v.ep.handle }

// MID is the stream's mid.
func (v *VirtualSource) MID() string { return v.ep.mid }

// Codec is the codec given to AddVirtualSource.
func (v *VirtualSource) Codec() webrtc.RTPCodecParameters { return v.src.codec }

// OnKeyframeRequest sets the function called (on its own goroutine) when a
// destination needs a keyframe; nil removes it. A video player answers by
// sending a keyframe soon: jumping to the next one, or repeating the last.
func (v *VirtualSource) OnKeyframeRequest(f func()) {
	if f == nil {
		v.onKeyframe.Store(nil)
		return
	}
	v.onKeyframe.Store(&f)
}

// feedback is the source's RTCP path: a PLI or FIR meant for the sender
// becomes a keyframe request callback.
func (v *VirtualSource) feedback(pkts []rtcp.Packet) error {
	for _, p := range pkts {
		switch p.(type) {
		case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
			if f := v.onKeyframe.Load(); f != nil && !v.closed.Load() {
				(*f)()
			}
			return nil
		}
	}
	return nil
}

// WriteRTP feeds one packet to every destination and sink of the stream,
// exactly as a received packet is: it is serialised and read back through
// the receive path, so pkt is not kept or modified and nothing is
// allocated. The payload type is replaced by the codec's; the SSRC,
// sequence number and timestamp are the writer's (keep them continuous:
// destinations rewrite them per subscriber, sinks record them as given).
// Safe for concurrent use, though one writer per source is the normal case.
func (v *VirtualSource) WriteRTP(pkt *rtp.Packet) error {
	select {
	case <-v.e.stop:
		return ErrVirtualSourceClosed
	default:
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed.Load() {
		return ErrVirtualSourceClosed
	}
	n, err := pkt.MarshalTo(v.buf[:])
	if err != nil {
		return fmt.Errorf("virtual source %d/%s: %w", v.ep.handle, v.ep.mid, err)
	}
	// Second byte: marker bit and payload type.
	v.buf[1] = v.buf[1]&0x80 | byte(v.src.codec.PayloadType)&0x7f
	l := &v.src.layers[0]
	if pkt.SSRC != 0 && l.ssrc.Load() != pkt.SSRC {
		l.ssrc.Store(pkt.SSRC) // keyframe requests need an SSRC to address
	}
	v.src.receive(0, v.buf[:n], &v.scratch, v.src.clock())
	return nil
}

// Close removes the stream: destinations routed from it stop receiving
// (the routes stay, so a new virtual source under the same handle and mid
// feeds them again, like a publisher's renegotiated track), and its sinks
// are closed. Later WriteRTP calls fail. Close is idempotent.
func (v *VirtualSource) Close() {
	if !v.closed.CompareAndSwap(false, true) {
		return
	}
	e := v.e
	e.mu.Lock()
	if e.virtual[v.ep] == v {
		delete(e.virtual, v.ep)
	}
	e.mu.Unlock()
	// Wait for a WriteRTP in progress, so nothing is forwarded after Close.
	v.mu.Lock()
	v.mu.Unlock() //nolint:staticcheck // empty critical section is the barrier
	e.router.sourceEnded(v.ep, v.src)
	e.log.Debug("virtual source closed", "handle", v.ep.handle, "mid", v.ep.mid)
}
