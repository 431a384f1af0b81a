package media

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// newMediaClientAPI is a browser stand-in that also speaks the header
// extensions simulcast and talk detection need (mid, rid, audio level).
func newMediaClientAPI(t *testing.T) *webrtc.API {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		uri  string
		kind webrtc.RTPCodecType
	}{
		{sdp.SDESMidURI, webrtc.RTPCodecTypeAudio},
		{sdp.SDESMidURI, webrtc.RTPCodecTypeVideo},
		{sdp.SDESRTPStreamIDURI, webrtc.RTPCodecTypeVideo},
		{sdp.AudioLevelURI, webrtc.RTPCodecTypeAudio},
	} {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: x.uri}, x.kind); err != nil {
			t.Fatal(err)
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}

// simulcastRIDOrder is what janus.js sends: full resolution first.
var simulcastRIDOrder = []string{"h", "m", "l"}

// publisher sends opus (with an audio level) and VP8 in three simulcast
// encodings, like Chrome with janus.js simulcast: true. Every VP8 packet
// is a whole frame with a real payload descriptor (15-bit picture ID,
// TL0PICIDX, TID pattern 0,2,1,2) and a tag "<rid>-<frame>"; a layer sends
// a key frame first and then only when a PLI names its SSRC.
type publisher struct {
	name   string // prefix of every tag, to tell publishers apart
	pc     *webrtc.PeerConnection
	audio  *webrtc.TrackLocalStaticRTP
	layers []*webrtc.TrackLocalStaticRTP
	vsend  *webrtc.RTPSender
	level  atomic.Int32 // audio level sent, -dBov

	mu      sync.Mutex
	keyNext map[string]bool // rid -> next frame is a key frame
	plis    map[uint32]int  // PLIs received by media SSRC
	rembs   []float32       // REMB bitrates received
	ssrcRID map[uint32]string

	stop chan struct{}
	done sync.WaitGroup
}

func newPublisher(t *testing.T, simulcast bool) *publisher {
	t.Helper()
	pc, err := newMediaClientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &publisher{
		pc: pc, keyNext: map[string]bool{}, plis: map[uint32]int{}, ssrcRID: map[uint32]string{},
		stop: make(chan struct{}),
	}
	c.level.Store(127)
	t.Cleanup(func() {
		close(c.stop)
		_ = pc.Close() // ends the RTCP readers
		c.done.Wait()
	})
	c.audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "pub")
	if _, err := pc.AddTrack(c.audio); err != nil {
		t.Fatal(err)
	}
	rids := simulcastRIDOrder
	if !simulcast {
		rids = []string{""}
	}
	for _, rid := range rids {
		var opts []func(*webrtc.TrackLocalStaticRTP)
		if rid != "" {
			opts = append(opts, webrtc.WithRTPStreamID(rid))
		}
		tr, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "pub", opts...)
		if err != nil {
			t.Fatal(err)
		}
		c.layers = append(c.layers, tr)
		c.keyNext[rid] = true
	}
	if c.vsend, err = pc.AddTrack(c.layers[0]); err != nil {
		t.Fatal(err)
	}
	for _, tr := range c.layers[1:] {
		if err := c.vsend.AddEncoding(tr); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// connect negotiates the publisher with the engine as handle h.
func (c *publisher) connect(t *testing.T, e *Engine, h uint64) {
	t.Helper()
	answer, err := e.AnswerOffer(h, clientOffer(t, c.pc), AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	for _, enc := range c.vsend.GetParameters().Encodings {
		c.ssrcRID[uint32(enc.SSRC)] = enc.RID
	}
	for _, enc := range c.vsend.GetParameters().Encodings {
		rid := enc.RID
		c.done.Add(1)
		go func() {
			defer c.done.Done()
			for {
				pkts, _, err := c.vsend.ReadSimulcastRTCP(rid)
				if err != nil {
					return
				}
				c.noteRTCP(pkts)
			}
		}()
	}
}

func (c *publisher) noteRTCP(pkts []rtcp.Packet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.PictureLossIndication:
			c.plis[p.MediaSSRC]++
			if rid, ok := c.ssrcRID[p.MediaSSRC]; ok {
				c.keyNext[rid] = true
			}
		case *rtcp.ReceiverEstimatedMaximumBitrate:
			c.rembs = append(c.rembs, p.Bitrate)
		}
	}
}

// pliCount returns the PLIs received for the layer rid.
func (c *publisher) pliCount(rid string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ssrc, r := range c.ssrcRID {
		if r == rid {
			return c.plis[ssrc]
		}
	}
	return 0
}

func (c *publisher) ssrcOf(rid string) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ssrc, r := range c.ssrcRID {
		if r == rid {
			return ssrc
		}
	}
	return 0
}

func (c *publisher) rembList() []float32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]float32(nil), c.rembs...)
}

// start sends a frame on every layer and an audio packet every 20 ms.
func (c *publisher) start() {
	var midID, ridID, levelID uint8
	for _, x := range c.vsend.GetParameters().HeaderExtensions {
		switch x.URI {
		case sdp.SDESMidURI:
			midID = uint8(x.ID)
		case sdp.SDESRTPStreamIDURI:
			ridID = uint8(x.ID)
		}
	}
	for _, s := range c.pc.GetSenders() {
		if s == c.vsend {
			continue
		}
		for _, x := range s.GetParameters().HeaderExtensions {
			if x.URI == sdp.AudioLevelURI {
				levelID = uint8(x.ID)
			}
		}
	}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			ap := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: uint32(n) * 960},
				Payload: []byte(fmt.Sprintf("%saudio-%d", c.name, n))}
			if levelID != 0 {
				_ = ap.Header.SetExtension(levelID, []byte{byte(c.level.Load())})
			}
			_ = ap.Header.SetExtension(midID, []byte("0"))
			_ = c.audio.WriteRTP(ap)
			for li, tr := range c.layers {
				rid := tr.RID()
				c.mu.Lock()
				key := c.keyNext[rid]
				c.keyNext[rid] = false
				c.mu.Unlock()
				tid := uint8([]int{0, 2, 1, 2}[n%4])
				if key {
					tid = 0 // as VP8 encoders do
				}
				pic := uint16(1000*(li+1)+n) & 0x7fff
				payload := vp8Payload(pic, uint8(n/4+50*li), tid, n%4 == 1, key, fmt.Sprintf("%s%s-%d", c.name, rid, n))
				p := &rtp.Packet{
					Header:  rtp.Header{Version: 2, SequenceNumber: uint16(10000*li + n), Timestamp: uint32(n)*1800 + uint32(li)*5000, Marker: true},
					Payload: payload,
				}
				_ = p.Header.SetExtension(midID, []byte("1"))
				if rid != "" {
					_ = p.Header.SetExtension(ridID, []byte(rid))
				}
				_ = tr.WriteRTP(p)
			}
		}
	}()
}

// clientOffer makes a pion client's offer with its candidates.
func clientOffer(t *testing.T, pc *webrtc.PeerConnection) string {
	t.Helper()
	o, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return pc.LocalDescription().SDP
}

// gotPacket is one packet a subscriber received.
type gotPacket struct {
	seq     uint16
	ts      uint32
	ssrc    uint32
	payload []byte
}

// subscriber receives whatever the engine offers, logging packets by mid.
type subscriber struct {
	pc *webrtc.PeerConnection
	mu sync.Mutex
	by map[string][]gotPacket
	// ssrcs of the tracks, by mid
	ssrcs map[string]uint32
}

func newSubscriber(t *testing.T) *subscriber {
	t.Helper()
	pc, err := newMediaClientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	s := &subscriber{pc: pc, by: map[string][]gotPacket{}, ssrcs: map[string]uint32{}}
	t.Cleanup(func() { _ = pc.Close() })
	pc.OnTrack(func(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		mid := ""
		for _, x := range pc.GetTransceivers() {
			if x.Receiver() == recv {
				mid = x.Mid()
			}
		}
		s.mu.Lock()
		s.ssrcs[mid] = uint32(tr.SSRC())
		s.mu.Unlock()
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.by[mid] = append(s.by[mid], gotPacket{seq: p.SequenceNumber, ts: p.Timestamp, ssrc: p.SSRC, payload: append([]byte(nil), p.Payload...)})
			s.mu.Unlock()
		}
	})
	return s
}

// answer applies an engine offer and hands back the client's answer.
func (s *subscriber) answer(t *testing.T, e *Engine, h uint64, offer string) {
	t.Helper()
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		t.Fatal(err)
	}
	ans, err := s.pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(ans); err != nil {
		t.Fatal(err)
	}
	<-gathered
	if err := e.ApplyAnswer(h, s.pc.LocalDescription().SDP); err != nil {
		t.Fatal(err)
	}
}

func (s *subscriber) packets(mid string) []gotPacket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gotPacket(nil), s.by[mid]...)
}

func (s *subscriber) count(mid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.by[mid])
}

// vp8Tag returns the tag a publisher put after the VP8 header.
func vp8Tag(payload []byte) string {
	d := parseVP8(payload)
	if !d.valid || len(payload) <= d.size {
		return ""
	}
	return string(payload[d.size+1:])
}
