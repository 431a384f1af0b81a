package media

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// discardSink is a Sink that only counts.
type discardSink struct{ n int }

func (k *discardSink) WriteRTP(*rtp.Packet) error { k.n++; return nil }
func (k *discardSink) Close() error               { return nil }

// newFanoutRig wires one VP8 source to n bound downtracks (each with its
// own writer, as pion gives every subscriber its own stream) and sinks.
func newFanoutRig(t testing.TB, n, sinks int) (*source, []*countingWriter, []*discardSink) {
	t.Helper()
	var clock int64
	s := &source{
		handleID: 1, mid: "1", kind: webrtc.RTPCodecTypeVideo, family: familyVP8,
		codecs: []webrtc.RTPCodecParameters{vp8In},
		exts:   []webrtc.RTPHeaderExtensionParameter{{URI: videoOrientationURI, ID: 3}},
		clock:  func() int64 { clock++; return clock },
	}
	s.receiving.Store(true)
	s.sinkLayer.Store(-1)
	f := &fanout{}
	writers := make([]*countingWriter, n)
	for i := range writers {
		writers[i] = &countingWriter{}
		d := newDownTrack(uint64(100+i), "1", webrtc.RTPCodecTypeVideo, webrtc.MimeTypeVP8)
		out := vp8In
		out.PayloadType = 96
		if _, err := d.Bind(&fakeBinding{codecs: []webrtc.RTPCodecParameters{out}, writer: writers[i]}); err != nil {
			t.Fatal(err)
		}
		d.setSource(s)
		f.dsts = append(f.dsts, d)
	}
	var ks []*discardSink
	for i := 0; i < sinks; i++ {
		k := &discardSink{}
		ks = append(ks, k)
		f.sinks = append(f.sinks, newSinkEntry(fmt.Sprint(i), k))
	}
	s.fan.Store(f)
	return s, writers, ks
}

// rawVP8 is a VP8 packet with a full payload descriptor, as browsers send.
func rawVP8(t testing.TB, seq uint16) []byte {
	t.Helper()
	payload := vp8Payload(seq&0x7fff, uint8(seq/4), uint8(seq%2), false, false, "")
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 120, SequenceNumber: seq, Timestamp: uint32(seq) * 3000, SSRC: 0x1234},
		Payload: append(payload, make([]byte, 1000)...),
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

func TestFanoutAllocatesNothing(t *testing.T) {
	s, writers, sinks := newFanoutRig(t, 10, 2)
	raw := rawVP8(t, 1)
	var pkt rtp.Packet
	seq := uint16(1)
	allocs := testing.AllocsPerRun(500, func() {
		seq++
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		s.receive(0, raw, &pkt, int64(seq))
	})
	if allocs != 0 {
		t.Fatalf("fan-out to 10 destinations and 2 sinks allocates %.1f times per packet, want 0", allocs)
	}
	if writers[9].n < 500 || sinks[1].n < 500 {
		t.Fatalf("destination got %d packets, sink %d; want every one", writers[9].n, sinks[1].n)
	}
}

// BenchmarkFanout: one publisher packet to N subscribers through the real
// forwarding path (parse, account, per-destination layer logic, munging,
// header rewrite, write to the bound stream), without the network.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			s, _, _ := newFanoutRig(b, n, 0)
			raw := rawVP8(b, 1)
			var pkt rtp.Packet
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				seq := uint16(i)
				raw[2], raw[3] = byte(seq>>8), byte(seq)
				s.receive(0, raw, &pkt, int64(i))
			}
		})
	}
}

func TestSinkLifecycleWithoutStream(t *testing.T) {
	e := newTestEngine(t, Config{}, newRecorder())
	a, b, c := newSinkRecorder(), newSinkRecorder(), newSinkRecorder()
	if err := e.AddSink(7, "1", "a", a); err != nil {
		t.Fatal(err)
	}
	if err := e.AddSink(7, "1", "a", b); err != nil { // same id: replaces a
		t.Fatal(err)
	}
	if err := e.AddSink(8, "0", "c", c); err != nil {
		t.Fatal(err)
	}
	if err := e.AddSink(7, "", "x", c); err == nil {
		t.Fatal("sink on an empty mid accepted")
	}
	if _, ok := e.SourceInfo(7, "1"); ok {
		t.Fatal("SourceInfo for a stream that does not exist")
	}
	e.Hangup(7, ReasonClosePC) // no PeerConnection: still drops its sinks
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*sinkRecorder{"replaced": a, "hung up": b, "at shutdown": c} {
		if _, _, closed := k.snapshot(); closed != 1 {
			t.Errorf("%s sink closed %d times, want 1", name, closed)
		}
	}
	if err := e.AddSink(9, "1", "late", newSinkRecorder()); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddSink after Close: %v", err)
	}
}
