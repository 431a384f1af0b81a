package media

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// sentPacket is what a recordingWriter saw for one write.
type sentPacket struct {
	seq     uint16
	ts      uint32
	marker  bool
	payload []byte
}

// recordingWriter keeps copies of every packet a downtrack writes.
type recordingWriter struct {
	mu   sync.Mutex
	pkts []sentPacket
}

func (w *recordingWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pkts = append(w.pkts, sentPacket{seq: h.SequenceNumber, ts: h.Timestamp, marker: h.Marker, payload: append([]byte(nil), payload...)})
	return len(payload), nil
}
func (w *recordingWriter) Write(b []byte) (int, error) { return len(b), nil }

func (w *recordingWriter) take() []sentPacket {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.pkts
	w.pkts = nil
	return out
}

// layeredRig is a source with n simulcast layers (or one VP9 SVC stream)
// feeding one bound downtrack, with a hand-driven clock and the PLIs the
// source sent.
type layeredRig struct {
	s     *source
	d     *downTrack
	w     *recordingWriter
	now   int64
	plis  []uint32
	plisM sync.Mutex
	seq   [maxLayers]uint16
	pkt   rtp.Packet
}

func newLayeredRig(t *testing.T, n int, codec webrtc.RTPCodecParameters) *layeredRig {
	t.Helper()
	g := &layeredRig{w: &recordingWriter{}, now: int64(time.Second)}
	g.s = &source{
		handleID: 1, mid: "1", kind: webrtc.RTPCodecTypeVideo, family: familyOf(codec.MimeType),
		codec: codec, codecs: []webrtc.RTPCodecParameters{codec}, nLayers: n,
		clock: func() int64 { return g.now },
		sendRTCP: func(pkts []rtcp.Packet) error {
			g.plisM.Lock()
			defer g.plisM.Unlock()
			for _, p := range pkts {
				if pli, ok := p.(*rtcp.PictureLossIndication); ok {
					g.plis = append(g.plis, pli.MediaSSRC)
				}
			}
			return nil
		},
	}
	g.s.receiving.Store(true)
	g.s.sinkLayer.Store(-1)
	for i := 0; i < n; i++ {
		g.s.layers[i].rid = fmt.Sprint(i)
		g.s.layers[i].ssrc.Store(layerSSRC(i))
		g.seq[i] = uint16(1000 * (i + 1))
	}
	g.d = newDownTrack(2, "v", webrtc.RTPCodecTypeVideo, codec.MimeType)
	out := codec
	out.PayloadType = 96
	if _, err := g.d.Bind(&fakeBinding{codecs: []webrtc.RTPCodecParameters{out}, writer: g.w}); err != nil {
		t.Fatal(err)
	}
	g.d.setSource(g.s)
	g.s.fan.Store(&fanout{dsts: []*downTrack{g.d}})
	return g
}

func layerSSRC(i int) uint32 { return 0x1000 + uint32(i) }

// send delivers one packet of layer li with payload, 10 ms after the last.
func (g *layeredRig) send(t *testing.T, li int, ts uint32, marker bool, payload []byte) {
	t.Helper()
	g.now += int64(10 * time.Millisecond)
	g.seq[li]++
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 120, SequenceNumber: g.seq[li], Timestamp: ts, SSRC: layerSSRC(li), Marker: marker},
		Payload: payload,
	}
	raw, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g.s.receive(li, raw, &g.pkt, g.now)
}

// sentPLIs returns the PLIs sent so far, waiting briefly for the first
// (they are written off the packet path).
func (g *layeredRig) sentPLIs() []uint32 {
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		g.plisM.Lock()
		out := g.plis
		if len(out) > 0 || time.Now().After(deadline) {
			g.plis = nil
			g.plisM.Unlock()
			return out
		}
		g.plisM.Unlock()
	}
}

// vp8Payload builds a VP8 packet payload: descriptor with a 15-bit picture
// ID, TL0PICIDX and TID/Y, then a VP8 header byte and a tag.
func vp8Payload(pic uint16, tl0, tid uint8, sync, key bool, tag string) []byte {
	b := []byte{vp8X | vp8S, vp8I | vp8L | vp8T, vp8M | byte(pic>>8), byte(pic), tl0, tid << 6}
	if sync {
		b[5] |= 0x20
	}
	hdr := byte(0x01) // P=1: inter frame
	if key {
		hdr = 0x00
	}
	return append(append(b, hdr), tag...)
}

var vp8Codec = webrtc.RTPCodecParameters{
	RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
	PayloadType:        120,
}

// frame sends one single-packet VP8 frame on every layer, as a simulcast
// sender does; keyOn lists the layers whose frame is a key frame.
func (g *layeredRig) frame(t *testing.T, n int, keyOn ...int) {
	t.Helper()
	for li := 0; li < g.s.numLayers(); li++ {
		key := false
		for _, k := range keyOn {
			key = key || k == li
		}
		tid := uint8([]int{0, 2, 1, 2}[n%4])
		pic := uint16(100*(li+1)+n) & 0x7fff
		tl0 := uint8(10*(li+1) + n/4)
		g.send(t, li, uint32(n)*3000+uint32(li)*77777, true, vp8Payload(pic, tl0, tid, tid != 0 && n%4 == 1, key, fmt.Sprintf("L%d-%d", li, n)))
	}
}

func tagOf(p sentPacket) string {
	d := parseVP8(p.payload)
	return string(p.payload[d.size+1:])
}

func TestSimulcastDefaultsToHighestAfterKeyframe(t *testing.T) {
	g := newLayeredRig(t, 3, vp8Codec)
	g.frame(t, 0)
	if got := g.w.take(); len(got) != 0 {
		t.Fatalf("forwarded %d packets before any key frame", len(got))
	}
	if plis := g.sentPLIs(); len(plis) == 0 || plis[len(plis)-1] != layerSSRC(2) {
		t.Fatalf("PLIs %x, want one for the highest layer %x", plis, layerSSRC(2))
	}
	g.frame(t, 1, 0, 1) // key frames on the lower layers only: still waiting
	if got := g.w.take(); len(got) != 0 {
		t.Fatalf("switched to a lower layer: %v", tagOf(got[0]))
	}
	g.frame(t, 2, 2)
	g.frame(t, 3)
	got := g.w.take()
	if len(got) != 2 || tagOf(got[0]) != "L2-2" || tagOf(got[1]) != "L2-3" {
		t.Fatalf("got %d packets, want L2-2, L2-3", len(got))
	}
}

func TestSimulcastSwitchIsSeamless(t *testing.T) {
	g := newLayeredRig(t, 3, vp8Codec)
	g.frame(t, 0, 0, 1, 2)
	for n := 1; n < 6; n++ {
		g.frame(t, n)
	}
	before := g.w.take()
	g.sentPLIs()
	g.now += int64(keyframeInterval) // let the throttle pass
	g.d.selectLayer(0, -1)
	g.frame(t, 6) // no key frame on layer 0 yet: stay on 2
	if plis := g.sentPLIs(); len(plis) == 0 || plis[0] != layerSSRC(0) {
		t.Fatalf("PLIs after SelectLayer %x, want layer 0's %x", plis, layerSSRC(0))
	}
	g.frame(t, 7, 0)
	g.frame(t, 8)
	after := g.w.take()
	all := append(before, after...)
	tags := make([]string, len(all))
	for i, p := range all {
		tags[i] = tagOf(p)
	}
	want := []string{"L2-0", "L2-1", "L2-2", "L2-3", "L2-4", "L2-5", "L2-6", "L0-7", "L0-8"}
	if fmt.Sprint(tags) != fmt.Sprint(want) {
		t.Fatalf("forwarded %v, want %v", tags, want)
	}
	for i := 1; i < len(all); i++ {
		if all[i].seq != all[i-1].seq+1 {
			t.Fatalf("seq %d after %d at %s: not contiguous", all[i].seq, all[i-1].seq, tags[i])
		}
		if int32(all[i].ts-all[i-1].ts) <= 0 {
			t.Fatalf("timestamp went back at %s: %d after %d", tags[i], all[i].ts, all[i-1].ts)
		}
		a, b := parseVP8(all[i-1].payload), parseVP8(all[i].payload)
		if b.pic != (a.pic+1)&0x7fff {
			t.Fatalf("picture id %d after %d at %s", b.pic, a.pic, tags[i])
		}
		if b.tl0 != a.tl0 && b.tl0 != a.tl0+1 {
			t.Fatalf("tl0picidx %d after %d at %s", b.tl0, a.tl0, tags[i])
		}
	}
	if first := parseVP8(after[1].payload); !first.pic15 || !first.hasTL0 {
		t.Fatal("rewritten descriptor lost fields")
	}
}

func TestSimulcastFallsBackWhenLayerStops(t *testing.T) {
	g := newLayeredRig(t, 3, vp8Codec)
	g.frame(t, 0, 0, 1, 2)
	g.w.take()
	// Layer 2 stops (the browser dropped it): after the timeout the
	// destination takes layer 1 at its next key frame.
	for n := 1; n < 80; n++ {
		g.send(t, 0, uint32(n)*3000, true, vp8Payload(uint16(n), 0, 0, false, false, fmt.Sprintf("L0-%d", n)))
		key := n == 70
		g.send(t, 1, uint32(n)*3000, true, vp8Payload(uint16(n), 0, 0, false, key, fmt.Sprintf("L1-%d", n)))
	}
	got := g.w.take()
	if len(got) == 0 || tagOf(got[0]) != "L1-70" {
		t.Fatalf("after layer 2 stopped got %d packets, first %q; want L1-70 onwards", len(got), func() string {
			if len(got) == 0 {
				return ""
			}
			return tagOf(got[0])
		}())
	}
}

func TestTemporalLayerCap(t *testing.T) {
	g := newLayeredRig(t, 1, vp8Codec)
	g.d.selectLayer(2, 0)
	g.frame(t, 0, 0)
	for n := 1; n < 8; n++ {
		g.frame(t, n)
	}
	got := g.w.take()
	for i, p := range got {
		if d := parseVP8(p.payload); d.tid != 0 {
			t.Fatalf("TID %d forwarded with temporal cap 0", d.tid)
		}
		if i > 0 && p.seq != got[i-1].seq+1 {
			t.Fatalf("gap in output seq after dropping TIDs: %d after %d", p.seq, got[i-1].seq)
		}
	}
	if len(got) != 2 {
		t.Fatalf("forwarded %d packets, want the 2 TID 0 frames of 8", len(got))
	}
	// Going up waits for a layer sync frame (n%4 == 1 carries Y).
	g.d.selectLayer(2, -1)
	g.frame(t, 8)
	g.frame(t, 9)
	g.frame(t, 10)
	tags := []string{}
	for _, p := range g.w.take() {
		tags = append(tags, tagOf(p))
	}
	if fmt.Sprint(tags) != "[L0-8 L0-9 L0-10]" {
		t.Fatalf("after raising the cap got %v", tags)
	}
}

// vp9Payload builds a non-flexible VP9 SVC packet of one layer frame.
func vp9Payload(pic uint16, tid, sid uint8, inter, begin, end bool, tag string) []byte {
	f := byte(vp9I | vp9L)
	if inter {
		f |= vp9P
	}
	if begin {
		f |= vp9B
	}
	if end {
		f |= vp9E
	}
	layers := tid<<5 | sid<<1
	if sid > 0 {
		layers |= 0x01 // D: depends on the layer below
	}
	return append([]byte{f, 0x80 | byte(pic>>8), byte(pic), layers, 0}, tag...)
}

func TestVP9SpatialLayerCap(t *testing.T) {
	vp9 := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"},
		PayloadType:        120,
	}
	g := newLayeredRig(t, 1, vp9)
	picture := func(n int) {
		for sid := uint8(0); sid < 3; sid++ {
			last := sid == 2
			g.send(t, 0, uint32(n)*3000, last, vp9Payload(uint16(n), 0, sid, n%10 != 0, true, true, fmt.Sprintf("S%d-%d", sid, n)))
		}
	}
	picture(0)
	if got := g.w.take(); len(got) != 3 {
		t.Fatalf("default forwards %d layer frames of 3", len(got))
	}
	g.d.selectLayer(1, -1)
	picture(1)
	got := g.w.take()
	if len(got) != 2 || string(got[1].payload[5:]) != "S1-1" || !got[1].marker {
		t.Fatalf("spatial cap 1: %d packets, want S0,S1 with the marker on S1", len(got))
	}
	g.d.selectLayer(2, -1) // up: only at a key frame
	picture(2)
	if got := g.w.take(); len(got) != 2 {
		t.Fatalf("spatial layer raised without a key frame: %d packets", len(got))
	}
	picture(10) // key frame
	if got := g.w.take(); len(got) != 3 {
		t.Fatalf("after key frame %d packets, want 3", len(got))
	}
}

// sinkRecorder is a Sink that keeps what it got.
type sinkRecorder struct {
	mu     sync.Mutex
	ssrcs  map[uint32]int
	seqs   []uint16
	closed int
}

func newSinkRecorder() *sinkRecorder { return &sinkRecorder{ssrcs: map[uint32]int{}} }

func (k *sinkRecorder) WriteRTP(p *rtp.Packet) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ssrcs[p.SSRC]++
	k.seqs = append(k.seqs, p.SequenceNumber)
	return nil
}

func (k *sinkRecorder) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closed++
	return nil
}

func (k *sinkRecorder) snapshot() (map[uint32]int, []uint16, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	m := map[uint32]int{}
	for s, n := range k.ssrcs {
		m[s] = n
	}
	return m, append([]uint16(nil), k.seqs...), k.closed
}

func TestSinkGetsChosenLayerUnmodified(t *testing.T) {
	g := newLayeredRig(t, 3, vp8Codec)
	k := newSinkEntry("rec", newSinkRecorder())
	own := newSinkEntry("fwd", newSinkRecorder())
	own.layer.Store(1) // a forwarder with a substream of its own
	g.s.fan.Store(&fanout{dsts: []*downTrack{g.d}, sinks: []*sinkEntry{k, own}})
	for n := 0; n < 5; n++ {
		g.frame(t, n)
	}
	if ssrcs, _, _ := own.sink.(*sinkRecorder).snapshot(); len(ssrcs) != 1 || ssrcs[layerSSRC(1)] != 5 {
		t.Fatalf("sink with its own layer 1 got SSRCs %v", ssrcs)
	}
	ssrcs, seqs, _ := k.sink.(*sinkRecorder).snapshot()
	if len(ssrcs) != 1 || ssrcs[layerSSRC(2)] != 5 {
		t.Fatalf("sink got SSRCs %v, want only the highest layer's", ssrcs)
	}
	if seqs[0] != 3001 || seqs[4] != 3005 {
		t.Fatalf("sink seqs %v, want the sender's own numbers 3001..3005", seqs)
	}
	g.s.sinkLayer.Store(0)
	g.frame(t, 5)
	if ssrcs, _, _ := k.sink.(*sinkRecorder).snapshot(); ssrcs[layerSSRC(0)] != 1 {
		t.Fatalf("after SelectSinkLayer(0) sink SSRCs %v", ssrcs)
	}
	if err := k.close(); err != nil {
		t.Fatal(err)
	}
	g.frame(t, 6)
	if ssrcs, _, closed := k.sink.(*sinkRecorder).snapshot(); ssrcs[layerSSRC(0)] != 1 || closed != 1 {
		t.Fatalf("closed sink still written (%v) or closed %d times", ssrcs, closed)
	}
}

func TestTalkDetection(t *testing.T) {
	ev := &talkRecorder{}
	s := &source{handleID: 3, mid: "0", kind: webrtc.RTPCodecTypeAudio, audioLevelID: 1, talkEv: ev}
	s.talk.cfg.Store(packTalk(10, 25))
	var pkt rtp.Packet
	feed := func(level byte, n int) {
		for i := 0; i < n; i++ {
			pkt.Header = rtp.Header{Version: 2}
			_ = pkt.Header.SetExtension(1, []byte{0x80 | level})
			s.talk.observe(s, &pkt)
		}
	}
	feed(60, 10)
	feed(10, 9)
	if got := ev.list(); len(got) != 0 {
		t.Fatalf("events before a loud window completed: %v", got)
	}
	feed(10, 1)
	feed(10, 30) // still talking: no repeat
	feed(25, 10) // average == threshold: not talking (Janus compares with <)
	want := "[3/0/true/10 3/0/false/25]"
	if got := fmt.Sprint(ev.list()); got != want {
		t.Fatalf("talk events %s, want %s", got, want)
	}
	s.talk.cfg.Store(0)
	feed(0, 50)
	if got := fmt.Sprint(ev.list()); got != want {
		t.Fatalf("events with detection off: %s", got)
	}
}

// talkRecorder records Talking events.
type talkRecorder struct {
	mu  sync.Mutex
	got []string
}

func (r *talkRecorder) Talking(h uint64, mid string, talking bool, level float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%d/%s/%v/%v", h, mid, talking, level))
}

func (r *talkRecorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func TestSimulcastRIDs(t *testing.T) {
	for _, c := range []struct {
		simulcast string
		rids      []string
		want      string
	}{
		{"send h;m;l", nil, "[h m l]"},
		{"send ~h;m,x;l recv a", nil, "[h m l]"},
		{"", []string{"q send", "h send", "f send", "z recv"}, "[q h f]"},
		{"send a;b;c;d", nil, "[a b c]"},
		{"recv a;b", nil, "[]"},
	} {
		if got := fmt.Sprint(simulcastRIDs(c.simulcast, c.rids)); got != c.want {
			t.Errorf("simulcastRIDs(%q, %q) = %s, want %s", c.simulcast, c.rids, got, c.want)
		}
	}
}

func TestH264Keyframe(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"idr", []byte{0x65, 1}, true},
		{"sps", []byte{0x67, 1}, true},
		{"p slice", []byte{0x41, 1}, false},
		{"stap-a sps", []byte{0x18, 0, 2, 0x67, 1, 0, 1, 0x68}, true},
		{"stap-a sei", []byte{0x18, 0, 2, 0x06, 1}, false},
		{"stap-a truncated", []byte{0x18, 0, 9, 0x67}, false},
		{"fu-a idr start", []byte{0x7c, 0x85}, true},
		{"fu-a idr middle", []byte{0x7c, 0x05}, false},
		{"empty", nil, false},
	} {
		if got := h264Keyframe(c.b); got != c.want {
			t.Errorf("%s: h264Keyframe = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFmtpCompatible(t *testing.T) {
	h := webrtc.MimeTypeH264
	if !fmtpCompatible(h, "profile-level-id=42e01f;packetization-mode=1", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034") {
		t.Error("same H.264 profile at another level rejected")
	}
	if fmtpCompatible(h, "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=42e01f") {
		t.Error("packetization-mode 1 and default 0 accepted")
	}
	if fmtpCompatible(h, "profile-level-id=64001f;packetization-mode=1", "profile-level-id=42e01f;packetization-mode=1") {
		t.Error("high and constrained baseline accepted")
	}
	if fmtpCompatible(webrtc.MimeTypeVP9, "profile-id=2", "") || !fmtpCompatible(webrtc.MimeTypeVP9, "profile-id=0", "") {
		t.Error("VP9 profile-id comparison")
	}
	spec, err := offerCodec(webrtc.RTPCodecTypeVideo, "h264", "profile-level-id=42001f;packetization-mode=0")
	if err != nil || spec.pt != 104 || spec.fmtp != "profile-level-id=42001f;packetization-mode=0" {
		t.Fatalf("offerCodec h264 pm0 42001f = pt %d fmtp %q, %v; want our pt 104 with the publisher's fmtp", spec.pt, spec.fmtp, err)
	}
	if spec, _ := offerCodec(webrtc.RTPCodecTypeVideo, "vp9", "profile-id=2"); spec.pt != 100 {
		t.Fatalf("offerCodec vp9 profile 2 pt %d, want 100", spec.pt)
	}
}

// TestSimulcastForwardAllocatesNothing pins the layered path (layer choice,
// temporal cap, VP8 picture ID rewrite) at zero allocations per packet.
func TestSimulcastForwardAllocatesNothing(t *testing.T) {
	g := newLayeredRig(t, 3, vp8Codec)
	g.frame(t, 0, 0, 1, 2)
	g.d.selectLayer(0, 1)
	g.frame(t, 1, 0) // switched: picture IDs are rewritten from now on
	g.w.take()
	w := &countingWriter{}
	g.d.mu.Lock()
	g.d.writer = w
	g.d.mu.Unlock()
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 120, SSRC: layerSSRC(0)},
		Payload: vp8Payload(7, 1, 0, false, false, "x"),
	}
	raw, _ := p.Marshal()
	other := append([]byte(nil), raw...)
	other[11] = byte(layerSSRC(2)) // a packet of a layer not forwarded
	seq := uint16(5000)
	allocs := testing.AllocsPerRun(500, func() {
		seq++
		g.now += int64(time.Millisecond)
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		other[2], other[3] = byte(seq>>8), byte(seq)
		g.s.receive(0, raw, &g.pkt, g.now)
		g.s.receive(2, other, &g.pkt, g.now)
	})
	if allocs != 0 {
		t.Fatalf("simulcast forwarding allocates %.1f times per packet pair", allocs)
	}
	if w.n < 500 {
		t.Fatalf("forwarded %d of 500 layer-0 packets", w.n)
	}
}
