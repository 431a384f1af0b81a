package videoroom

import (
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// simulcastPublisher sends VP8 video in three encodings, best first ("h",
// "m", "l" as janus.js names them); every packet is a key frame whose
// payload says which encoding it belongs to (byte 13: 0 = l .. 2 = h).
type simulcastPublisher struct {
	pc     *webrtc.PeerConnection
	sender *webrtc.RTPSender
	tracks []*webrtc.TrackLocalStaticRTP
	rids   []string
	stop   chan struct{}
	// Negotiated header extension ids: pion does not tag the encodings
	// itself, the sender writes mid and rid into every packet.
	midID, ridID uint8
	mid          string
}

// answer applies the gateway's answer and learns the extension ids.
func (p *simulcastPublisher) answer(t *testing.T, sdpText string) {
	t.Helper()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdpText}); err != nil {
		t.Fatal(err)
	}
	for _, x := range p.sender.GetParameters().HeaderExtensions {
		switch x.URI {
		case sdp.SDESMidURI:
			p.midID = uint8(x.ID)
		case sdp.SDESRTPStreamIDURI:
			p.ridID = uint8(x.ID)
		}
	}
	for _, tr := range p.pc.GetTransceivers() {
		if tr.Sender() == p.sender {
			p.mid = tr.Mid()
		}
	}
	if p.midID == 0 || p.ridID == 0 {
		t.Fatalf("mid/rid extensions not negotiated: %v", p.sender.GetParameters().HeaderExtensions)
	}
}

func newSimulcastPublisher(t *testing.T) *simulcastPublisher {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{sdp.SDESMidURI, sdp.SDESRTPStreamIDURI, sdp.SDESRepairRTPStreamIDURI} {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: uri}, webrtc.RTPCodecTypeVideo); err != nil {
			t.Fatal(err)
		}
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &simulcastPublisher{pc: pc, stop: make(chan struct{}), rids: []string{"h", "m", "l"}}
	var sender *webrtc.RTPSender
	for i, rid := range []string{"h", "m", "l"} {
		tr, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "sim", webrtc.WithRTPStreamID(rid))
		if err != nil {
			t.Fatal(err)
		}
		p.tracks = append(p.tracks, tr)
		if i == 0 {
			if sender, err = pc.AddTrack(tr); err != nil {
				t.Fatal(err)
			}
		} else if err := sender.AddEncoding(tr); err != nil {
			t.Fatal(err)
		}
	}
	p.sender = sender
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(p.stop); pc.Close() }) })
	return p
}

func (p *simulcastPublisher) send() {
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
			for i, tr := range p.tracks {
				layer := byte(2 - i)
				// VP8 descriptor (start of partition 0), then a key frame
				// header: P bit 0, start code, 16x16.
				payload := []byte{0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 16, 0, 16, 0, 0xC, 5, layer}
				pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: n * 3000, Marker: true}, Payload: payload}
				_ = pkt.SetExtension(p.midID, []byte(p.mid))
				_ = pkt.SetExtension(p.ridID, []byte(p.rids[i]))
				_ = tr.WriteRTP(pkt)
			}
		}
	}()
}

// layerCount counts the simulcast packets of a layer a subscriber got since index from.
func layerCount(s *subscriberPeer, layer byte, from int) int {
	n := 0
	as := s.arrivals("video")
	for i := from; i < len(as); i++ {
		if p := as[i].pkt.Payload; len(p) > 13 && p[11] == 0xC && p[13] == layer {
			n++
		}
	}
	return n
}

// A simulcast publisher is announced with "simulcast": true, and a
// subscriber's configure substream picks the encoding it receives.
func TestSimulcastSubstream(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 6005})
	h := c.j.attach()
	feed := data(h.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Sim"}, nil)).ID("id")
	p := newSimulcastPublisher(t)
	ev := h.async(jc.Msg{"request": "publish"}, offerOf(t, p.pc))
	streams := list(data(ev), "streams")
	if len(streams) != 1 || streams[0]["simulcast"] != true {
		t.Fatalf("published streams: %v", data(ev))
	}
	p.answer(t, ev.Obj("jsep").Str("sdp"))
	p.send()
	h.core("webrtcup")
	sub, s := c.subscriber([]jc.Msg{{"feed": feed}})
	if !waitUntil(10*time.Second, func() bool { return len(s.arrivals("video")) > 20 }) {
		t.Fatal("no simulcast video reaches the subscriber")
	}
	for _, target := range []byte{0, 2, 1} {
		d := data(sub.async(jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "0", "substream": target}}}, nil))
		skipUnimplemented(t, d, "SelectLayer")
		if d.Str("configured") != "ok" {
			t.Fatalf("configure substream %d: %v", target, d)
		}
		time.Sleep(300 * time.Millisecond)
		from := len(s.arrivals("video"))
		time.Sleep(500 * time.Millisecond)
		got, total := layerCount(s, target, from), len(s.arrivals("video"))-from
		if total < 10 || got != total {
			t.Fatalf("substream %d: %d of %d packets from it", target, got, total)
		}
	}
}
