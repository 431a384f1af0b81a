package replay

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/core/media"
)

// arrivals records when a subscriber's packets arrive, by mid.
type arrivals struct {
	mu    sync.Mutex
	first map[string]time.Time
	last  map[string]time.Time
	n     map[string]int
}

func (a *arrivals) note(mid string) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.first[mid]; !ok {
		a.first[mid] = now
	}
	a.last[mid] = now
	a.n[mid]++
}

func (a *arrivals) get(mid string) (n int, span time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n[mid], a.last[mid].Sub(a.first[mid])
}

// newSubscriberPC is a browser stand-in on 127.0.0.1 that counts what it
// receives per mid.
func newSubscriberPC(t *testing.T) (*webrtc.PeerConnection, *arrivals) {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	a := &arrivals{first: map[string]time.Time{}, last: map[string]time.Time{}, n: map[string]int{}}
	pc.OnTrack(func(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		mid := ""
		for _, x := range pc.GetTransceivers() {
			if x.Receiver() == recv {
				mid = x.Mid()
			}
		}
		for {
			if _, _, err := tr.ReadRTP(); err != nil {
				return
			}
			a.note(mid)
		}
	})
	return pc, a
}

// A recording replayed through virtual sources reaches a subscriber that
// was offered those sources, audio and video, for the recorded duration.
func TestReplayIntoSubscriber(t *testing.T) {
	audioPath := opusFile(t, "2")
	videoPath := ivfFile(t, "libvpx", "2")

	e, err := media.NewEngine(media.Config{ICEEnforceList: []string{"127.0.0.1"}}, nil,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const feed, sub = uint64(1) << 50, uint64(42)
	opus := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
		PayloadType:        111,
	}
	vp8 := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		PayloadType:        96,
	}
	av, err := e.AddVirtualSource(feed, "a", opus)
	if err != nil {
		t.Fatal(err)
	}
	vv, err := e.AddVirtualSource(feed, "v", vp8)
	if err != nil {
		t.Fatal(err)
	}

	pc, got := newSubscriberPC(t)
	offer, err := e.MakeOffer(sub, []media.OfferStream{
		{SourceHandle: feed, SourceMID: "a"},
		{SourceHandle: feed, SourceMID: "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		t.Fatal(err)
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		t.Fatal(err)
	}
	<-gathered
	if err := e.ApplyAnswer(sub, pc.LocalDescription().SDP); err != nil {
		t.Fatal(err)
	}
	lines := e.MLines(sub)
	if len(lines) != 2 || lines[0].Codec != "opus" || lines[1].Codec != "vp8" {
		t.Fatalf("offered m-lines %+v", lines)
	}
	if err := e.Route(feed, "a", sub, lines[0].MID); err != nil {
		t.Fatal(err)
	}
	if err := e.Route(feed, "v", sub, lines[1].MID); err != nil {
		t.Fatal(err)
	}
	connected := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	if pc.ConnectionState() == webrtc.PeerConnectionStateConnected {
		once.Do(func() { close(connected) })
	}
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("subscriber did not connect")
	}

	ap, err := NewPlayer(Track{Path: audioPath}, av, Options{})
	if err != nil {
		t.Fatal(err)
	}
	vp, err := NewPlayer(Track{Path: videoPath}, vv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(ap, vp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Play(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Players() {
		if r, err := waitDone(t, p, 10*time.Second); r != ReasonEnded || err != nil {
			t.Fatalf("%s ended with %s, %v", p.Codec(), r, err)
		}
	}
	time.Sleep(200 * time.Millisecond) // last packets in flight

	an, aspan := got.get(lines[0].MID)
	vn, vspan := got.get(lines[1].MID)
	t.Logf("subscriber got audio %d packets over %v, video %d packets over %v (sent %d/%d)",
		an, aspan, vn, vspan, ap.Stats().Packets, vp.Stats().Packets)
	if an < int(ap.Stats().Packets)*9/10 || vn < int(vp.Stats().Packets)*9/10 {
		t.Fatalf("subscriber got %d audio / %d video packets of %d / %d sent",
			an, vn, ap.Stats().Packets, vp.Stats().Packets)
	}
	if aspan < 1700*time.Millisecond || vspan < 1700*time.Millisecond {
		t.Fatalf("media arrived over %v (audio) and %v (video), want about the recorded 2 s", aspan, vspan)
	}
}
