package media

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// collectSink keeps the payload types and sequence numbers it was given.
type collectSink struct {
	mu     sync.Mutex
	pts    []uint8
	seqs   []uint16
	closed bool
}

func (k *collectSink) WriteRTP(p *rtp.Packet) error {
	k.mu.Lock()
	k.pts = append(k.pts, p.PayloadType)
	k.seqs = append(k.seqs, p.SequenceNumber)
	k.mu.Unlock()
	return nil
}

func (k *collectSink) Close() error {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	return nil
}

func (k *collectSink) snapshot() (n int, pts []uint8, closed bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.seqs), append([]uint8(nil), k.pts...), k.closed
}

// vp8KeyframePacket is a one-packet VP8 key frame (S bit set, P bit clear).
func vp8KeyframePacket(seq uint16, ts uint32) *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 33, SequenceNumber: seq, Timestamp: ts, SSRC: 0xabc, Marker: true},
		Payload: []byte{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00},
	}
}

func TestVirtualSourceFeedsSubscriber(t *testing.T) {
	e := newTestEngine(t, Config{}, nil)
	const vh, sub = 1 << 40, 7
	vp8 := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		PayloadType:        96,
	}
	vs, err := e.AddVirtualSource(vh, "v", vp8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddVirtualSource(vh, "v", vp8); err == nil {
		t.Fatal("second virtual source under the same endpoint accepted")
	}
	var keyframes atomic.Int32
	vs.OnKeyframeRequest(func() { keyframes.Add(1) })

	info, ok := e.SourceInfo(vh, "v")
	if !ok || info.Kind != webrtc.RTPCodecTypeVideo || info.Codec.MimeType != webrtc.MimeTypeVP8 {
		t.Fatalf("SourceInfo = %+v, %v", info, ok)
	}
	sink := &collectSink{}
	if err := e.AddSink(vh, "v", "rec", sink); err != nil {
		t.Fatal(err)
	}

	s := newSubscriber(t)
	offer, err := e.MakeOffer(sub, []OfferStream{{SourceHandle: vh, SourceMID: "v"}})
	if err != nil {
		t.Fatal(err)
	}
	s.answer(t, e, sub, offer)
	lines := e.MLines(sub)
	if len(lines) != 1 || lines[0].Kind != "video" || lines[0].Codec != "vp8" {
		t.Fatalf("MLines = %+v", lines)
	}
	mid := lines[0].MID
	if err := e.Route(vh, "v", sub, mid); err != nil {
		t.Fatal(err)
	}
	// The new route asks for a keyframe, as for a publisher.
	waitUntil(t, "keyframe request on route", 2*time.Second, func() bool { return keyframes.Load() >= 1 })

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			_ = vs.WriteRTP(vp8KeyframePacket(uint16(1000+i), uint32(i*900)))
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	waitUntil(t, "subscriber packets", 10*time.Second, func() bool { return s.count(mid) >= 20 })

	// A PLI from the subscriber reaches the player (past the 500 ms throttle).
	time.Sleep(keyframeInterval + 50*time.Millisecond)
	before := keyframes.Load()
	s.mu.Lock()
	ssrc := s.ssrcs[mid]
	s.mu.Unlock()
	if err := s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "keyframe request from PLI", 2*time.Second, func() bool { return keyframes.Load() > before })

	n, pts, _ := sink.snapshot()
	if n == 0 {
		t.Fatal("sink got nothing")
	}
	for _, pt := range pts {
		if pt != 96 {
			t.Fatalf("sink got payload type %d, want the codec's 96", pt)
		}
	}

	vs.Close()
	if _, ok := e.SourceInfo(vh, "v"); ok {
		t.Fatal("SourceInfo still reports a closed virtual source")
	}
	if err := vs.WriteRTP(vp8KeyframePacket(1, 1)); !errors.Is(err, ErrVirtualSourceClosed) {
		t.Fatalf("WriteRTP after Close = %v", err)
	}
	if _, _, closed := sink.snapshot(); !closed {
		t.Fatal("sink not closed with its virtual source")
	}
	time.Sleep(200 * time.Millisecond) // packets in flight
	got := s.count(mid)
	time.Sleep(300 * time.Millisecond)
	if after := s.count(mid); after != got {
		t.Fatalf("subscriber still receiving after Close: %d -> %d", got, after)
	}

	// A new virtual source under the same endpoint feeds the kept route.
	vs2, err := e.AddVirtualSource(vh, "v", vp8)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		_ = vs2.WriteRTP(vp8KeyframePacket(uint16(5000+i), uint32(i*900)))
		time.Sleep(5 * time.Millisecond)
	}
	waitUntil(t, "packets from the replacement source", 5*time.Second, func() bool { return s.count(mid) > got })

	e.RemoveVirtualSources(vh)
	if err := vs2.WriteRTP(vp8KeyframePacket(1, 1)); !errors.Is(err, ErrVirtualSourceClosed) {
		t.Fatalf("WriteRTP after RemoveVirtualSources = %v", err)
	}
	if src, ok := e.router.sourceOf(endpoint{sub, mid}); ok {
		t.Fatalf("route from removed virtual handle kept: %+v", src)
	}
}

func TestAddVirtualSourceRejects(t *testing.T) {
	e := newTestEngine(t, Config{}, nil)
	bad := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "text/plain"}},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "video/H266", ClockRate: 90000}},
	}
	for _, c := range bad {
		if _, err := e.AddVirtualSource(1<<40, "x", c); err == nil {
			t.Errorf("codec %q accepted", c.MimeType)
		}
	}
	opus := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111}
	if _, err := e.AddVirtualSource(1<<40, "", opus); err == nil {
		t.Error("empty mid accepted")
	}
	_ = e.Close()
	if _, err := e.AddVirtualSource(1<<40, "a", opus); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// The write path must not allocate, like the receive path it reuses.
func TestVirtualSourceWriteDoesNotAllocate(t *testing.T) {
	e := newTestEngine(t, Config{}, nil)
	vp8 := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		PayloadType:        96,
	}
	vs, err := e.AddVirtualSource(1<<40, "v", vp8)
	if err != nil {
		t.Fatal(err)
	}
	sink := &discardSink{}
	if err := e.AddSink(1<<40, "v", "d", sink); err != nil {
		t.Fatal(err)
	}
	pkt := vp8KeyframePacket(1, 0)
	_ = vs.WriteRTP(pkt) // first packet flips the receiving state
	allocs := testing.AllocsPerRun(200, func() {
		pkt.SequenceNumber++
		_ = vs.WriteRTP(pkt)
	})
	if allocs != 0 {
		t.Fatalf("WriteRTP allocates %.1f times per packet", allocs)
	}
	if sink.n < 200 {
		t.Fatalf("sink got %d packets", sink.n)
	}
}
