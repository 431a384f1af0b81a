package media

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// keyframeInterval throttles PLIs sent to one source: several subscribers
// joining at once need one keyframe, not one each.
const keyframeInterval = 500 * time.Millisecond

// receiveBufferSize fits any packet pion hands us (its receive MTU is 1460).
const receiveBufferSize = 1500

// source is one incoming stream (a received m-line) of a peer. Its own
// goroutine reads the track and feeds every routed destination.
type source struct {
	handleID uint64
	mid      string
	kind     webrtc.RTPCodecType
	track    *webrtc.TrackRemote
	codecs   []webrtc.RTPCodecParameters
	exts     []webrtc.RTPHeaderExtensionParameter
	// sendRTCP writes feedback (PLI) to the sending peer.
	sendRTCP func([]rtcp.Packet) error
	clock    func() int64
	events   Events

	dsts atomic.Pointer[[]*downTrack] // immutable; replaced on route changes

	lastAt    atomic.Int64 // clock() of the last packet
	receiving atomic.Bool
	mediaMu   sync.Mutex // orders receiving true/false events

	packets, bytes atomic.Uint64
	lost           atomic.Int64 // cumulative, from sequence gaps
	lastPLI        atomic.Int64
	plisSent       atomic.Uint64

	// Sequence tracking for loss, touched only by the reading goroutine.
	seqStarted bool
	baseSeq    uint16
	maxSeq     uint16
	cycles     uint64

	slowlinkBaseline int64 // monitor goroutine only
}

func (s *source) kindName() string { return s.kind.String() }

// run reads the track until it ends. The buffer and packet are reused for
// every read: nothing is allocated per packet here.
func (s *source) run() {
	buf := make([]byte, receiveBufferSize)
	var pkt rtp.Packet
	for {
		n, _, err := s.track.Read(buf)
		if err != nil {
			return
		}
		s.handle(buf[:n], &pkt, s.clock())
	}
}

// handle accounts one raw packet and forwards it to every destination.
func (s *source) handle(b []byte, pkt *rtp.Packet, now int64) {
	if err := pkt.Unmarshal(b); err != nil {
		return
	}
	s.account(pkt.SequenceNumber, len(pkt.Payload), now)
	if dsts := s.dsts.Load(); dsts != nil {
		for _, d := range *dsts {
			d.forward(s, pkt, now)
		}
	}
}

func (s *source) account(seq uint16, size int, now int64) {
	received := s.packets.Add(1)
	s.bytes.Add(uint64(size))
	s.lastAt.Store(now)
	if !s.seqStarted {
		s.seqStarted = true
		s.baseSeq, s.maxSeq = seq, seq
	} else if ahead := int16(seq - s.maxSeq); ahead > 0 {
		if seq < s.maxSeq {
			s.cycles += 1 << 16
		}
		s.maxSeq = seq
	}
	expected := s.cycles + uint64(s.maxSeq) - uint64(s.baseSeq) + 1
	lost := int64(expected) - int64(received)
	if lost < 0 {
		lost = 0
	}
	s.lost.Store(lost)
	if !s.receiving.Load() {
		s.setReceiving(true, now)
	}
}

// setReceiving flips the media state and reports it. For false, the
// staleness is re-checked under the lock so a packet that just arrived wins.
func (s *source) setReceiving(receiving bool, now int64) bool {
	s.mediaMu.Lock()
	defer s.mediaMu.Unlock()
	if s.receiving.Load() == receiving {
		return false
	}
	s.receiving.Store(receiving)
	if s.events != nil {
		s.events.Media(s.handleID, s.mid, s.kindName(), receiving)
	}
	return true
}

// requestKeyframe sends a PLI for a video source, at most once per
// keyframeInterval. The write happens off the caller's goroutine, since
// callers may hold route locks.
func (s *source) requestKeyframe() {
	if s.kind != webrtc.RTPCodecTypeVideo || s.sendRTCP == nil {
		return
	}
	now := s.clock()
	last := s.lastPLI.Load()
	if last != 0 && now-last < int64(keyframeInterval) {
		return
	}
	if !s.lastPLI.CompareAndSwap(last, now) {
		return
	}
	s.plisSent.Add(1)
	ssrc := uint32(s.track.SSRC())
	go func() {
		_ = s.sendRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
	}()
}

// destinations returns the current destination list (never nil).
func (s *source) destinations() []*downTrack {
	if p := s.dsts.Load(); p != nil {
		return *p
	}
	return nil
}
