package media

import (
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// fakeBinding stands in for pion's TrackLocalContext so the forwarding path
// can be driven without a network.
type fakeBinding struct {
	codecs []webrtc.RTPCodecParameters
	writer webrtc.TrackLocalWriter
}

func (f *fakeBinding) CodecParameters() []webrtc.RTPCodecParameters { return f.codecs }
func (f *fakeBinding) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter {
	return []webrtc.RTPHeaderExtensionParameter{{URI: videoOrientationURI, ID: 7}}
}
func (f *fakeBinding) SSRC() webrtc.SSRC                       { return 0xCAFE }
func (f *fakeBinding) SSRCRetransmission() webrtc.SSRC         { return 0 }
func (f *fakeBinding) SSRCForwardErrorCorrection() webrtc.SSRC { return 0 }
func (f *fakeBinding) WriteStream() webrtc.TrackLocalWriter    { return f.writer }
func (f *fakeBinding) ID() string                              { return "fake" }
func (f *fakeBinding) RTCPReader() interceptor.RTCPReader      { return nil }

// countingWriter records what the downtrack hands to pion.
type countingWriter struct {
	n       int
	last    rtp.Header
	payload int
}

func (w *countingWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.n++
	w.last.SequenceNumber, w.last.Timestamp, w.last.SSRC = h.SequenceNumber, h.Timestamp, h.SSRC
	w.last.PayloadType = h.PayloadType
	w.payload = len(payload)
	w.last.Extension, w.last.ExtensionProfile = h.Extension, h.ExtensionProfile
	w.last.Extensions = w.last.Extensions[:0]
	for _, id := range h.GetExtensionIDs() {
		_ = w.last.SetExtension(id, h.GetExtension(id))
	}
	return len(payload), nil
}
func (w *countingWriter) Write(b []byte) (int, error) { return len(b), nil }

var vp8In = webrtc.RTPCodecParameters{
	RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
	PayloadType:        120,
}

// newForwardRig wires a source to one bound downtrack writing to w.
func newForwardRig(t testing.TB, w webrtc.TrackLocalWriter) (*source, *downTrack) {
	t.Helper()
	var clock int64
	s := &source{
		handleID: 1, mid: "1", kind: webrtc.RTPCodecTypeVideo,
		codecs: []webrtc.RTPCodecParameters{vp8In},
		exts:   []webrtc.RTPHeaderExtensionParameter{{URI: videoOrientationURI, ID: 3}},
		clock:  func() int64 { clock++; return clock },
	}
	s.receiving.Store(true) // no events in these tests
	d := newDownTrack(2, "1", webrtc.RTPCodecTypeVideo, webrtc.MimeTypeVP8)
	out := vp8In
	out.PayloadType = 96
	if _, err := d.Bind(&fakeBinding{codecs: []webrtc.RTPCodecParameters{out}, writer: w}); err != nil {
		t.Fatal(err)
	}
	d.setSource(s)
	s.fan.Store(&fanout{dsts: []*downTrack{d}})
	return s, d
}

// rawPacket is a VP8 packet with a video-orientation extension (id 3).
func rawPacket(t testing.TB, seq uint16) []byte {
	t.Helper()
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 120, SequenceNumber: seq, Timestamp: uint32(seq) * 3000, SSRC: 0x1234},
		Payload: make([]byte, 1000),
	}
	if err := p.Header.SetExtension(3, []byte{1}); err != nil {
		t.Fatal(err)
	}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestForwardRewritesForBinding(t *testing.T) {
	w := &countingWriter{}
	s, d := newForwardRig(t, w)
	var pkt rtp.Packet
	s.handle(rawPacket(t, 500), &pkt, 1)
	if w.n != 1 {
		t.Fatalf("writes = %d, want 1", w.n)
	}
	if w.last.SSRC != 0xCAFE || w.last.PayloadType != 96 || w.last.SequenceNumber != 500 || w.payload != 1000 {
		t.Fatalf("written header %+v payload %d: want SSRC cafe, PT 96, seq 500, 1000 bytes", w.last, w.payload)
	}
	if ids := w.last.GetExtensionIDs(); len(ids) != 1 || ids[0] != 7 {
		t.Fatalf("extension ids on the wire %v, want [7] (orientation remapped from 3)", ids)
	}
	d.setPaused(true)
	s.handle(rawPacket(t, 501), &pkt, 2)
	if w.n != 1 {
		t.Fatal("paused destination still written")
	}
	d.setPaused(false)
	s.handle(rawPacket(t, 900), &pkt, 3)
	if w.last.SequenceNumber != 501 {
		t.Fatalf("seq after resume = %d, want 501", w.last.SequenceNumber)
	}
}

// TestForwardAllocatesNothing pins the hot path at zero allocations.
func TestForwardAllocatesNothing(t *testing.T) {
	s, _ := newForwardRig(t, &countingWriter{})
	raw := rawPacket(t, 1)
	var pkt rtp.Packet
	seq := uint16(1)
	allocs := testing.AllocsPerRun(1000, func() {
		seq++
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		s.handle(raw, &pkt, int64(seq))
	})
	if allocs != 0 {
		t.Fatalf("forwarding allocates %.1f times per packet, want 0", allocs)
	}
}

// BenchmarkForward measures our per-packet path: unmarshal into the reused
// packet, accounting, munging and the write to the bound stream.
func BenchmarkForward(b *testing.B) {
	s, _ := newForwardRig(b, &countingWriter{})
	benchmarkForward(b, s)
}

func benchmarkForward(b *testing.B, s *source) {
	raw := rawPacket(b, 1)
	var pkt rtp.Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seq := uint16(i)
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		s.handle(raw, &pkt, int64(i))
	}
}

// interceptorWriter mirrors how pion feeds a bound track's writes into the
// interceptor chain (one fresh Attributes map per packet, as pion does).
type interceptorWriter struct{ w interceptor.RTPWriter }

func (i interceptorWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return i.w.Write(h, payload, interceptor.Attributes{})
}
func (i interceptorWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkForwardWithInterceptors adds pion's sending interceptors (NACK
// responder, sender reports, TWCC) configured as in the engine, ending in a
// discard writer instead of SRTP. The difference to BenchmarkForward is
// pion's cost, not ours.
func BenchmarkForwardWithInterceptors(b *testing.B) {
	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		b.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureNack(me, ir); err != nil {
		b.Fatal(err)
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		b.Fatal(err)
	}
	if err := webrtc.ConfigureTWCCSender(me, ir); err != nil {
		b.Fatal(err)
	}
	chain, err := ir.Build("bench")
	if err != nil {
		b.Fatal(err)
	}
	defer chain.Close()
	info := &interceptor.StreamInfo{
		SSRC: 0xCAFE, PayloadType: 96, MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []interceptor.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}},
	}
	w := chain.BindLocalStream(info, interceptor.RTPWriterFunc(
		func(h *rtp.Header, payload []byte, _ interceptor.Attributes) (int, error) { return len(payload), nil }))
	s, _ := newForwardRig(b, interceptorWriter{w: w})
	benchmarkForward(b, s)
}

// BenchmarkReceiveInterceptors measures pion's receiving interceptors
// (NACK generator, receiver reports, TWCC feedback) per packet, which run
// inside TrackRemote.Read before our code sees the packet.
func BenchmarkReceiveInterceptors(b *testing.B) {
	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		b.Fatal(err)
	}
	ir := &interceptor.Registry{}
	_ = webrtc.ConfigureNack(me, ir)
	_ = webrtc.ConfigureRTCPReports(ir)
	_ = webrtc.ConfigureTWCCSender(me, ir)
	chain, err := ir.Build("bench")
	if err != nil {
		b.Fatal(err)
	}
	defer chain.Close()
	raw := rawPacket(b, 1)
	info := &interceptor.StreamInfo{
		SSRC: 0x1234, PayloadType: 120, MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []interceptor.RTCPFeedback{{Type: "nack"}},
	}
	r := chain.BindRemoteStream(info, interceptor.RTPReaderFunc(
		func(buf []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
			return copy(buf, raw), a, nil
		}))
	buf := make([]byte, receiveBufferSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seq := uint16(i)
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		if _, _, err := r.Read(buf, nil); err != nil {
			b.Fatal(err)
		}
	}
}
