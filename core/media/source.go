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

// source is one incoming stream (a received m-line) of a peer. A plain
// m-line has one layer; a simulcast one has a layer per rid, each read by
// its own goroutine, all feeding the same destinations and sinks, which
// pick the layer they want.
type source struct {
	handleID uint64
	mid      string
	kind     webrtc.RTPCodecType
	family   codecFamily
	receiver *webrtc.RTPReceiver // pion receiver the layers belong to
	codec    webrtc.RTPCodecParameters
	codecs   []webrtc.RTPCodecParameters
	exts     []webrtc.RTPHeaderExtensionParameter
	// sendRTCP writes feedback (PLI, REMB) to the sending peer.
	sendRTCP func([]rtcp.Packet) error
	clock    func() int64
	events   Events
	talkEv   TalkEvents // events, when it implements TalkEvents

	// nLayers is fixed when the source is created: the number of rids the
	// remote announced, or 1. Zero is read as 1.
	nLayers int
	layers  [maxLayers]layer
	running atomic.Int32 // layers with a reading goroutine

	fan       atomic.Pointer[fanout] // immutable; replaced on route/sink changes
	sinkLayer atomic.Int32           // layer sinks get; -1 = the highest

	firstAt   atomic.Int64 // clock() of the first packet on any layer
	lastAt    atomic.Int64 // clock() of the last packet on any layer
	receiving atomic.Bool
	mediaMu   sync.Mutex // orders receiving true/false events

	packets, bytes atomic.Uint64 // all layers
	lost           atomic.Int64  // all layers, cumulative, from sequence gaps

	audioLevelID uint8 // negotiated ssrc-audio-level extension, 0 = none
	talk         talkDetector

	keyframeEvery  atomic.Int64 // periodic keyframe request (fir_freq), ns; 0 = off
	lastPeriodicKF int64        // monitor goroutine only

	slowlinkBaseline int64 // monitor goroutine only
}

func (s *source) kindName() string { return s.kind.String() }

func (s *source) numLayers() int {
	if s.nLayers < 1 {
		return 1
	}
	return s.nLayers
}

// simulcast reports whether destinations must choose among several layers.
func (s *source) simulcast() bool { return s.nLayers > 1 }

// layerFor returns the index of the layer carrying rid ("" for a plain
// m-line), or -1 when the remote never announced that rid.
func (s *source) layerFor(rid string) int {
	if !s.simulcast() {
		if rid == "" || s.layers[0].rid == "" || s.layers[0].rid == rid {
			return 0
		}
		return -1
	}
	for i := 0; i < s.nLayers; i++ {
		if s.layers[i].rid == rid {
			return i
		}
	}
	return -1
}

// run reads one layer's track until it ends. The buffer and packet are
// reused for every read: nothing is allocated per packet here.
func (s *source) run(li int, track *webrtc.TrackRemote) {
	buf := make([]byte, receiveBufferSize)
	var pkt rtp.Packet
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		s.receive(li, buf[:n], &pkt, s.clock())
	}
}

// handle is receive for a plain (single layer) source.
func (s *source) handle(b []byte, pkt *rtp.Packet, now int64) { s.receive(0, b, pkt, now) }

// receive accounts one raw packet of layer li and hands it to every
// destination and sink. It is the per-packet hot path: no allocations.
func (s *source) receive(li int, b []byte, pkt *rtp.Packet, now int64) {
	if err := pkt.Unmarshal(b); err != nil {
		return
	}
	l := &s.layers[li]
	if d := l.account(pkt.SequenceNumber, len(pkt.Payload), now); d != 0 {
		s.lost.Add(d)
	}
	s.packets.Add(1)
	s.bytes.Add(uint64(len(pkt.Payload)))
	s.lastAt.Store(now)
	if s.firstAt.Load() == 0 {
		s.firstAt.CompareAndSwap(0, now)
	}
	if !s.receiving.Load() {
		s.setReceiving(true, now)
	}
	if s.audioLevelID != 0 {
		s.talk.observe(s, pkt)
	}
	f := s.fan.Load()
	if f == nil {
		return
	}
	var info packetInfo
	info.layer = li
	if s.kind == webrtc.RTPCodecTypeVideo {
		info.inspect(s.family, pkt.Payload)
	}
	for _, d := range f.dsts {
		d.forward(s, pkt, &info, now)
	}
	if len(f.sinks) > 0 {
		n, def := s.numLayers(), s.sinkLayerIndex()
		for _, k := range f.sinks {
			if k.takes(li, n, def) {
				k.write(pkt)
			}
		}
	}
}

// sinkLayerIndex is the layer whose packets sinks receive.
func (s *source) sinkLayerIndex() int {
	n := s.numLayers()
	want := int(s.sinkLayer.Load())
	if want < 0 || want >= n {
		return n - 1
	}
	return want
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

// requestKeyframe asks every layer of a video source for a keyframe.
func (s *source) requestKeyframe() {
	for i := 0; i < s.numLayers(); i++ {
		s.requestLayerKeyframe(i)
	}
}

// requestLayerKeyframe sends a PLI for one layer of a video source, at
// most once per keyframeInterval. The write happens off the caller's
// goroutine, since callers may hold route locks or be on the packet path.
func (s *source) requestLayerKeyframe(li int) {
	if s.kind != webrtc.RTPCodecTypeVideo || s.sendRTCP == nil || li < 0 || li >= s.numLayers() {
		return
	}
	l := &s.layers[li]
	ssrc := l.ssrc.Load()
	if ssrc == 0 {
		return // not received yet: nothing to address the PLI to
	}
	now := s.clock()
	last := l.lastPLI.Load()
	if last != 0 && now-last < int64(keyframeInterval) {
		return
	}
	if !l.lastPLI.CompareAndSwap(last, now) {
		return
	}
	l.plisSent.Add(1)
	go func() {
		_ = s.sendRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
	}()
}

// pickLayer resolves the layer a destination asking for want should get
// now: want itself (clamped to what exists) when it is flowing, else the
// best flowing layer below it, else the lowest flowing one above it. With
// nothing flowing it stays on want. Right after the source starts, layers
// not seen yet count as flowing: browsers start them a few packets apart.
func (s *source) pickLayer(want int, now int64) int {
	n := s.numLayers()
	if want >= n || want < 0 {
		want = n - 1
	}
	if n == 1 {
		return 0
	}
	starting := now-s.firstAt.Load() < int64(layerTimeout)
	usable := func(i int) bool {
		l := &s.layers[i]
		return l.active(now) || starting && l.lastAt.Load() == 0
	}
	for i := want; i >= 0; i-- {
		if usable(i) {
			return i
		}
	}
	for i := want + 1; i < n; i++ {
		if usable(i) {
			return i
		}
	}
	return want
}

// ssrcs appends the SSRCs of the received layers.
func (s *source) ssrcs(buf []uint32) []uint32 {
	for i := 0; i < s.numLayers(); i++ {
		if ssrc := s.layers[i].ssrc.Load(); ssrc != 0 {
			buf = append(buf, ssrc)
		}
	}
	return buf
}

// plisSent sums the PLIs sent to every layer.
func (s *source) plisSent() uint64 {
	var n uint64
	for i := 0; i < s.numLayers(); i++ {
		n += s.layers[i].plisSent.Load()
	}
	return n
}

// destinations returns the current destination list (never nil).
func (s *source) destinations() []*downTrack {
	if f := s.fan.Load(); f != nil {
		return f.dsts
	}
	return nil
}

// info describes the source to sink owners.
func (s *source) info() StreamInfo {
	return StreamInfo{Kind: s.kind, Codec: s.codec}
}
