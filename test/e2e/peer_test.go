package e2e

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// testPeer is a pion client that sends a recognisable audio and video
// stream and records what comes back per kind.
type testPeer struct {
	pc    *webrtc.PeerConnection
	audio *webrtc.TrackLocalStaticRTP
	video *webrtc.TrackLocalStaticRTP

	mu       sync.Mutex
	received map[string][]rtp.Packet // by kind
	stop     chan struct{}
	// skipEvery > 0 leaves a sequence-number gap after every that many video
	// packets, as a lossy uplink would; paused stops sending altogether.
	skipEvery atomic.Int32
	paused    atomic.Bool
}

func newTestPeer(t *testing.T) *testPeer {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &testPeer{pc: pc, received: map[string][]rtp.Packet{}, stop: make(chan struct{})}
	p.audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "test")
	p.video, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "test")
	for _, tr := range []webrtc.TrackLocal{p.audio, p.video} {
		if _, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		kind := tr.Kind().String()
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.received[kind] = append(p.received[kind], *pkt)
			p.mu.Unlock()
		}
	})
	t.Cleanup(func() { close(p.stop); pc.Close() })
	return p
}

// offer makes the offer with every local candidate in it.
func (p *testPeer) offer(t *testing.T) string {
	t.Helper()
	o, err := p.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return p.pc.LocalDescription().SDP
}

func (p *testPeer) answer(t *testing.T, sdp string) {
	t.Helper()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		t.Fatal(err)
	}
}

// send writes numbered packets on both tracks every 20 ms: payload byte 0
// tells the kind (0xA for audio, 0xB for video), bytes 1-4 a counter.
func (p *testPeer) send() {
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
			if p.paused.Load() {
				continue
			}
			n++
			if k := uint32(p.skipEvery.Load()); k > 0 && n%k == 0 {
				n++ // this number is never sent: the gateway sees it lost
			}
			for _, tr := range []struct {
				t    *webrtc.TrackLocalStaticRTP
				mark byte
				ts   uint32
			}{{p.audio, 0xA, 960}, {p.video, 0xB, 3000}} {
				// A VP8 payload descriptor marking every packet a keyframe
				// start keeps decoders downstream happy.
				payload := []byte{0x10, tr.mark, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), 0x00, 0x00, 0x00}
				_ = tr.t.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: n * tr.ts, Marker: true}, Payload: payload})
			}
		}
	}()
}

// echoed returns how many packets came back for a kind carrying our mark.
func (p *testPeer) echoed(kind string, mark byte) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, pkt := range p.received[kind] {
		if len(pkt.Payload) > 1 && pkt.Payload[1] == mark {
			n++
		}
	}
	return n
}

func (p *testPeer) packets(kind string) []rtp.Packet {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]rtp.Packet(nil), p.received[kind]...)
}

func waitFor(ctx context.Context, every time.Duration, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(every):
		}
	}
}
