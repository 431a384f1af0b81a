package videoroom

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

func newAPI(t *testing.T) *webrtc.API {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	// VIDEOROOM_PEER_IP adds the address facing a Janus oracle run in a
	// network namespace (see oracle/netns-janus.sh); otherwise loopback only.
	extra := net.ParseIP(os.Getenv("VIDEOROOM_PEER_IP"))
	se.SetIPFilter(func(ip net.IP) bool { return (ip.IsLoopback() && ip.To4() != nil) || (extra != nil && ip.Equal(extra)) })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	// Browsers offer the audio level extension; VideoRoom's talking events need it.
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se))
}

// publisherPeer sends numbered audio (payload mark 0xA) and video (0xB)
// packets every 20 ms, optionally with a data channel.
type publisherPeer struct {
	pc     *webrtc.PeerConnection
	audio  *webrtc.TrackLocalStaticRTP
	video  *webrtc.TrackLocalStaticRTP
	dc     *webrtc.DataChannel
	id     byte // tells this publisher's packets apart (payload byte 2)
	stop   chan struct{}
	loud   atomic.Bool // send a loud audio level (talking)
	once   sync.Once
	levels atomic.Uint32 // header extension id of the audio level, once known
	// skipEvery > 0 leaves a sequence gap every that many packets (a lossy uplink).
	skipEvery atomic.Int32
	plis      atomic.Int32 // keyframe requests (PLI/FIR) the gateway sent
}

func newPublisher(t *testing.T, id byte, withData bool) *publisherPeer {
	t.Helper()
	pc, err := newAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &publisherPeer{pc: pc, id: id, stop: make(chan struct{})}
	p.audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "pub")
	p.video, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "pub")
	for _, tr := range []webrtc.TrackLocal{p.audio, p.video} {
		x, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				pkts, _, err := x.Sender().ReadRTCP()
				if err != nil {
					return
				}
				for _, pk := range pkts {
					switch pk.(type) {
					case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
						p.plis.Add(1)
					}
				}
			}
		}()
	}
	if withData {
		if p.dc, err = pc.CreateDataChannel("JanusDataChannel", nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(p.close)
	return p
}

func (p *publisherPeer) close() {
	p.once.Do(func() { close(p.stop); p.pc.Close() })
}

// offer returns the complete offer (every candidate in it) as a jsep.
func (p *publisherPeer) offer(t *testing.T) jc.Msg {
	t.Helper()
	return offerOf(t, p.pc)
}

func offerOf(t *testing.T, pc *webrtc.PeerConnection) jc.Msg {
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
	return jc.Msg{"type": "offer", "sdp": pc.LocalDescription().SDP}
}

func (p *publisherPeer) answer(t *testing.T, jsep jc.Msg) {
	t.Helper()
	if jsep.Str("type") != "answer" {
		t.Fatalf("not an answer: %v", jsep)
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: jsep.Str("sdp")}); err != nil {
		t.Fatal(err)
	}
	var d sdp.SessionDescription
	if d.UnmarshalString(jsep.Str("sdp")) == nil {
		for _, md := range d.MediaDescriptions {
			for _, a := range md.Attributes {
				if a.Key == "extmap" && md.MediaName.Media == "audio" {
					var id uint32
					var uri string
					if n, _ := sscanExtmap(a.Value, &id, &uri); n == 2 && uri == audioLevelURI {
						p.levels.Store(id)
					}
				}
			}
		}
	}
}

// send starts the packet clock.
func (p *publisherPeer) send() {
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var n uint32
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			n++
			if k := uint32(p.skipEvery.Load()); k > 0 && n%k == 0 {
				n++ // never sent: the gateway sees it lost
			}
			for _, tr := range []struct {
				t    *webrtc.TrackLocalStaticRTP
				mark byte
				ts   uint32
			}{{p.audio, 0xA, 960}, {p.video, 0xB, 3000}} {
				payload := []byte{0x10, tr.mark, p.id, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), 0, 0}
				pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: n * tr.ts, Marker: true}, Payload: payload}
				if id := p.levels.Load(); id != 0 && tr.mark == 0xA {
					level := byte(127)
					if p.loud.Load() {
						level = 5
					}
					_ = pkt.SetExtension(uint8(id), []byte{0x80 | level})
				}
				_ = tr.t.WriteRTP(pkt)
			}
		}
	}()
}

// subscriberPeer answers the gateway's offers and records what arrives.
type subscriberPeer struct {
	pc *webrtc.PeerConnection

	mu       sync.Mutex
	received map[string][]arrival // by kind
	messages []string             // data channel
	dcOpen   chan struct{}
	once     sync.Once
}

type arrival struct {
	at  time.Time
	pkt rtp.Packet
	mid string
}

func newSubscriber(t *testing.T) *subscriberPeer {
	t.Helper()
	pc, err := newAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	s := &subscriberPeer{pc: pc, received: map[string][]arrival{}, dcOpen: make(chan struct{})}
	pc.OnTrack(func(tr *webrtc.TrackRemote, rcv *webrtc.RTPReceiver) {
		kind := tr.Kind().String()
		mid := ""
		for _, x := range pc.GetTransceivers() {
			if x.Receiver() == rcv {
				mid = x.Mid()
			}
		}
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.received[kind] = append(s.received[kind], arrival{at: time.Now(), pkt: *pkt, mid: mid})
			s.mu.Unlock()
		}
	})
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnOpen(func() { s.once.Do(func() { close(s.dcOpen) }) })
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			s.mu.Lock()
			s.messages = append(s.messages, string(m.Data))
			s.mu.Unlock()
		})
	})
	t.Cleanup(func() { pc.Close() })
	return s
}

// answer applies the gateway's offer and returns the complete answer.
func (s *subscriberPeer) answer(t *testing.T, offer jc.Msg) jc.Msg {
	t.Helper()
	if offer.Str("type") != "offer" {
		t.Fatalf("not an offer: %v", offer)
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.Str("sdp")}); err != nil {
		t.Fatal(err)
	}
	a, err := s.pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(a); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return jc.Msg{"type": "answer", "sdp": s.pc.LocalDescription().SDP}
}

// count is how many packets of kind from publisher id arrived.
func (s *subscriberPeer) count(kind string, id byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.received[kind] {
		if len(a.pkt.Payload) > 2 && a.pkt.Payload[2] == id {
			n++
		}
	}
	return n
}

func (s *subscriberPeer) arrivals(kind string) []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrival(nil), s.received[kind]...)
}

func (s *subscriberPeer) dataMessages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

// waitUntil polls cond every 20 ms until it holds or d passes.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}
