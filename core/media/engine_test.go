package media

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// recorder is an Events implementation that keeps everything it gets.
type recorder struct {
	mu         sync.Mutex
	up         map[uint64]int
	media      []string // "handle/mid/kind/receiving"
	hangups    map[uint64][]string
	candidates map[uint64][]webrtc.ICECandidateInit
	gathered   map[uint64]bool
	changed    chan struct{}
}

func newRecorder() *recorder {
	return &recorder{
		up: map[uint64]int{}, hangups: map[uint64][]string{},
		candidates: map[uint64][]webrtc.ICECandidateInit{}, gathered: map[uint64]bool{},
		changed: make(chan struct{}, 1),
	}
}

func (r *recorder) note() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) WebRTCUp(h uint64) { r.mu.Lock(); r.up[h]++; r.mu.Unlock(); r.note() }
func (r *recorder) Media(h uint64, mid, kind string, receiving bool) {
	r.mu.Lock()
	r.media = append(r.media, fmt.Sprintf("%d/%s/%s/%v", h, mid, kind, receiving))
	r.mu.Unlock()
	r.note()
}
func (r *recorder) Slowlink(uint64, string, string, bool, uint32) {}
func (r *recorder) Hangup(h uint64, reason string) {
	r.mu.Lock()
	r.hangups[h] = append(r.hangups[h], reason)
	r.mu.Unlock()
	r.note()
}
func (r *recorder) LocalCandidate(h uint64, c *webrtc.ICECandidateInit) {
	r.mu.Lock()
	if c == nil {
		r.gathered[h] = true
	} else {
		r.candidates[h] = append(r.candidates[h], *c)
	}
	r.mu.Unlock()
	r.note()
}

// waitFor polls cond (under the recorder lock) until it holds.
func (r *recorder) waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (r *recorder) sawMedia(entry string) bool {
	for _, m := range r.media {
		if m == entry {
			return true
		}
	}
	return false
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newTestEngine(t *testing.T, cfg Config, ev Events) *Engine {
	t.Helper()
	cfg.ICEEnforceList = []string{"127.0.0.1"}
	e, err := NewEngine(cfg, ev, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// newClientAPI is a browser stand-in: its own pion API on 127.0.0.1.
func newClientAPI(t *testing.T) *webrtc.API {
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
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}

// received collects what a client gets back on one track.
type received struct {
	mu       sync.Mutex
	seqs     []uint16
	payloads map[string]bool
}

func (r *received) add(p *rtp.Packet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs = append(r.seqs, p.SequenceNumber)
	r.payloads[string(p.Payload)] = true
}

func (r *received) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seqs)
}

func (r *received) snapshot() ([]uint16, map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := make(map[string]bool, len(r.payloads))
	for k, v := range r.payloads {
		p[k] = v
	}
	return append([]uint16(nil), r.seqs...), p
}

// client is a publishing/receiving test peer.
type client struct {
	pc      *webrtc.PeerConnection
	audio   *webrtc.TrackLocalStaticRTP
	video   *webrtc.TrackLocalStaticRTP
	vsender *webrtc.RTPSender
	got     map[string]*received // by kind
	sent    map[string]map[string]bool
	sentMu  sync.Mutex
	plis    chan struct{}
	rembs   chan float32
	stop    chan struct{}
	done    sync.WaitGroup
}

func newClient(t *testing.T, publish bool) *client {
	t.Helper()
	pc, err := newClientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{
		pc:    pc,
		got:   map[string]*received{"audio": {payloads: map[string]bool{}}, "video": {payloads: map[string]bool{}}},
		sent:  map[string]map[string]bool{"audio": {}, "video": {}},
		plis:  make(chan struct{}, 64),
		rembs: make(chan float32, 64),
		stop:  make(chan struct{}),
	}
	t.Cleanup(func() {
		close(c.stop)
		c.done.Wait()
		_ = pc.Close()
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			c.got[tr.Kind().String()].add(p)
		}
	})
	if !publish {
		return c
	}
	c.audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "client")
	c.video, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "client")
	if _, err := pc.AddTrack(c.audio); err != nil {
		t.Fatal(err)
	}
	if c.vsender, err = pc.AddTrack(c.video); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			pkts, _, err := c.vsender.ReadRTCP()
			if err != nil {
				return
			}
			for _, p := range pkts {
				switch p := p.(type) {
				case *rtcp.PictureLossIndication:
					select {
					case c.plis <- struct{}{}:
					default:
					}
				case *rtcp.ReceiverEstimatedMaximumBitrate:
					select {
					case c.rembs <- p.Bitrate:
					default:
					}
				}
			}
		}
	}()
	return c
}

// offer creates the client's offer with all candidates included.
func (c *client) offer(t *testing.T) string {
	t.Helper()
	o, err := c.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return c.pc.LocalDescription().SDP
}

// startSending writes numbered packets with recognisable payloads on
// both tracks every 10 ms until the test ends.
func (c *client) startSending() {
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			for _, kv := range []struct {
				kind  string
				track *webrtc.TrackLocalStaticRTP
				ts    uint32
			}{{"audio", c.audio, 480}, {"video", c.video, 900}} {
				payload := fmt.Sprintf("%s-%d", kv.kind, i)
				if kv.kind == "video" {
					// A VP8 payload descriptor byte first, so it looks like VP8.
					payload = "\x10" + payload
				}
				c.sentMu.Lock()
				c.sent[kv.kind][payload] = true
				c.sentMu.Unlock()
				_ = kv.track.WriteRTP(&rtp.Packet{
					Header:  rtp.Header{Version: 2, SequenceNumber: uint16(1000 + i), Timestamp: uint32(i) * kv.ts, Marker: true},
					Payload: []byte(payload),
				})
			}
		}
	}()
}

func (c *client) wasSent(kind, payload string) bool {
	c.sentMu.Lock()
	defer c.sentMu.Unlock()
	return c.sent[kind][payload]
}

func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEchoRoundTrip(t *testing.T) {
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	const h = 42
	// Routes first: they must attach once the tracks show up.
	for _, mid := range []string{"0", "1"} {
		if err := e.Route(h, mid, h, mid); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.RouteData(h, h); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, true)
	dc, err := c.pc.CreateDataChannel("chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	echoed := make(chan string, 4)
	dc.OnMessage(func(m webrtc.DataChannelMessage) { echoed <- string(m.Data) })
	dc.OnOpen(func() { _ = dc.SendText("hello") })

	answer, err := e.AnswerOffer(h, c.offer(t), AnswerOptions{SendBack: true, AudioCodecs: []string{"opus"}, VideoCodecs: []string{"vp8"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "a=candidate:") || !strings.Contains(answer, "127.0.0.1") {
		t.Fatalf("half-trickle answer carries no 127.0.0.1 candidate:\n%s", answer)
	}
	for _, line := range strings.Split(answer, "\n") {
		if strings.HasPrefix(line, "a=candidate:") && !strings.Contains(line, " 127.0.0.1 ") {
			t.Fatalf("candidate outside the enforce list: %s", line)
		}
	}
	for _, section := range strings.Split(answer, "m=")[1:] {
		if strings.HasPrefix(section, "audio") || strings.HasPrefix(section, "video") {
			if !strings.Contains(section, "a=sendrecv") || strings.Count(section, "a=rtpmap:") > 2 {
				t.Fatalf("echo answer must be sendrecv with one codec (+rtx) per m-line:\n%s", answer)
			}
		}
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	c.startSending()

	ev.waitFor(t, "webrtcup", 10*time.Second, func() bool { return ev.up[h] == 1 })
	ev.waitFor(t, "media receiving on both mids", 5*time.Second, func() bool {
		return ev.sawMedia("42/0/audio/true") && ev.sawMedia("42/1/video/true")
	})
	for _, kind := range []string{"audio", "video"} {
		waitUntil(t, kind+" echo", 5*time.Second, func() bool { return c.got[kind].count() >= 20 })
		_, payloads := c.got[kind].snapshot()
		for p := range payloads {
			if !c.wasSent(kind, p) {
				t.Fatalf("%s: received payload %q that was never sent", kind, p)
			}
		}
	}
	select {
	case msg := <-echoed:
		if msg != "hello" {
			t.Fatalf("data channel echoed %q, want hello", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("data channel message not echoed")
	}

	// Pause video: nothing more arrives. Resume: numbering continues at +1
	// and the source is asked for a keyframe.
	drainSignals(c.plis)
	e.SetPaused(h, "1", true)
	time.Sleep(150 * time.Millisecond) // let in-flight packets land
	before := c.got["video"].count()
	time.Sleep(300 * time.Millisecond)
	if after := c.got["video"].count(); after != before {
		t.Fatalf("%d video packets arrived while paused", after-before)
	}
	if c.got["audio"].count() == 0 {
		t.Fatal("audio stopped too")
	}
	seqsBefore, _ := c.got["video"].snapshot()
	e.SetPaused(h, "1", false)
	waitUntil(t, "video after resume", 5*time.Second, func() bool { return c.got["video"].count() > before+5 })
	seqs, _ := c.got["video"].snapshot()
	last, next := seqsBefore[len(seqsBefore)-1], seqs[len(seqsBefore)]
	if next != last+1 {
		t.Fatalf("first seq after resume = %d, last before pause = %d: not contiguous", next, last)
	}
	select {
	case <-c.plis:
	case <-time.After(3 * time.Second):
		t.Fatal("no PLI sent to the source on resume")
	}

	e.SetBitrateCap(h, 300000)
	select {
	case bps := <-c.rembs:
		if bps != 300000 {
			t.Fatalf("REMB %v, want 300000", bps)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no REMB after SetBitrateCap")
	}

	info := e.PeerInfo(h)
	if info["webrtcup"] != true || info["ice_state"] != "connected" {
		t.Fatalf("PeerInfo states: %v / %v", info["webrtcup"], info["ice_state"])
	}
	media := info["media"].(map[string]map[string]any)
	if in := media["1"]["in"].(map[string]any); in["packets"].(uint64) == 0 {
		t.Fatalf("PeerInfo shows no incoming video packets: %v", in)
	}

	e.Hangup(h, "Close PC")
	e.Hangup(h, "again")
	time.Sleep(300 * time.Millisecond) // pion's own close callbacks
	ev.mu.Lock()
	got := ev.hangups[h]
	ev.mu.Unlock()
	if len(got) != 1 || got[0] != "Close PC" {
		t.Fatalf("hangup events %v, want exactly [Close PC]", got)
	}
	if e.PeerInfo(h) != nil {
		t.Fatal("peer still registered after Hangup")
	}
}

func drainSignals[T any](ch chan T) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func TestMediaStopsAndResumes(t *testing.T) {
	ev := newRecorder()
	e := newTestEngine(t, Config{NoMediaTimeout: 300 * time.Millisecond}, ev)
	const h = 7
	c := newClient(t, true)
	answer, err := e.AnswerOffer(h, c.offer(t), AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(answer, "a=sendrecv") {
		t.Fatalf("publisher answer must be recvonly:\n%s", answer)
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	c.startSending()
	ev.waitFor(t, "audio receiving", 10*time.Second, func() bool { return ev.sawMedia("7/0/audio/true") })
	// Stop sending by closing the client's audio path: replace the track.
	if err := c.pc.GetSenders()[0].ReplaceTrack(nil); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "audio receiving:false", 3*time.Second, func() bool { return ev.sawMedia("7/0/audio/false") })
	if err := c.pc.GetSenders()[0].ReplaceTrack(c.audio); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "audio receiving again", 3*time.Second, func() bool {
		n := 0
		for _, m := range ev.media {
			if m == "7/0/audio/true" {
				n++
			}
		}
		return n == 2
	})
	// The client closing its PeerConnection sends a DTLS close_notify.
	_ = c.pc.Close()
	ev.waitFor(t, "hangup on DTLS alert", 5*time.Second, func() bool { return len(ev.hangups[h]) > 0 })
	time.Sleep(200 * time.Millisecond)
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if got := ev.hangups[h]; len(got) != 1 || got[0] != ReasonDTLSAlert {
		t.Fatalf("hangups %v, want exactly [%s]", got, ReasonDTLSAlert)
	}
}

// connectPublisher negotiates a publishing client with the engine and
// waits for webrtcup; it returns the engine's answer.
func connectPublisher(t *testing.T, e *Engine, ev *recorder, h uint64) string {
	t.Helper()
	c := newClient(t, true)
	answer, err := e.AnswerOffer(h, c.offer(t), AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "webrtcup", 10*time.Second, func() bool { return ev.up[h] == 1 })
	return answer
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).Port
}

func candidatePorts(sdp string) []int {
	var ports []int
	for _, line := range strings.Split(sdp, "\n") {
		f := strings.Fields(strings.TrimSpace(line))
		if len(f) > 5 && strings.HasPrefix(f[0], "a=candidate:") {
			var p int
			fmt.Sscan(f[5], &p)
			ports = append(ports, p)
		}
	}
	return ports
}

func TestUDPPortSettings(t *testing.T) {
	t.Run("single port", func(t *testing.T) {
		port := freeUDPPort(t)
		ev := newRecorder()
		e := newTestEngine(t, Config{UDPPort: port}, ev)
		// Two peers share the one port.
		for _, h := range []uint64{1, 2} {
			ports := candidatePorts(connectPublisher(t, e, ev, h))
			if len(ports) == 0 {
				t.Fatal("no candidates")
			}
			for _, p := range ports {
				if p != port {
					t.Fatalf("candidate port %d, want the mux port %d", p, port)
				}
			}
		}
	})
	t.Run("port range", func(t *testing.T) {
		ev := newRecorder()
		e := newTestEngine(t, Config{UDPPortMin: 41000, UDPPortMax: 41100}, ev)
		for _, p := range candidatePorts(connectPublisher(t, e, ev, 1)) {
			if p < 41000 || p > 41100 {
				t.Fatalf("candidate port %d outside 41000-41100", p)
			}
		}
	})
	t.Run("nat 1:1", func(t *testing.T) {
		e := newTestEngine(t, Config{NAT1To1IPs: []string{"203.0.113.7"}}, newRecorder())
		c := newClient(t, true)
		answer, err := e.AnswerOffer(1, c.offer(t), AnswerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(answer, "203.0.113.7") || strings.Contains(answer, "127.0.0.1 ") {
			t.Fatalf("host candidates should carry only the 1:1 address:\n%s", answer)
		}
	})
}

// TestOfferToSubscriber covers MakeOffer/ApplyAnswer and routing between
// two handles, with full trickle.
func TestOfferToSubscriber(t *testing.T) {
	ev := newRecorder()
	e := newTestEngine(t, Config{FullTrickle: true}, ev)
	const pub, sub = 1, 2
	c := newClient(t, true)
	answer, err := e.AnswerOffer(pub, c.offer(t), AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "publisher gathering complete", 5*time.Second, func() bool { return ev.gathered[pub] })
	c.startSending()
	ev.waitFor(t, "publisher media", 10*time.Second, func() bool {
		return ev.sawMedia("1/0/audio/true") && ev.sawMedia("1/1/video/true")
	})

	s := newClient(t, false)
	offer, err := e.MakeOffer(sub, []OfferStream{{Kind: "audio", Codec: "opus", MID: "a"}, {Kind: "video", Codec: "vp8", MID: "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(offer, "a=mid:a") || !strings.Contains(offer, "VP8/90000") || strings.Contains(offer, "H264") {
		t.Fatalf("offer should carry mids a/v with only the requested codecs:\n%s", offer)
	}
	if err := e.Route(pub, "0", sub, "a"); err != nil {
		t.Fatal(err)
	}
	if err := e.Route(pub, "1", sub, "v"); err != nil {
		t.Fatal(err)
	}
	if err := e.Route(pub, "0", sub, "v"); !errors.Is(err, ErrBadRoute) {
		t.Fatalf("audio routed to a video m-line: err = %v, want ErrBadRoute", err)
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		t.Fatal(err)
	}
	ans, err := s.pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pc.SetLocalDescription(ans); err != nil {
		t.Fatal(err)
	}
	if err := e.ApplyAnswer(sub, ans.SDP); err != nil {
		t.Fatal(err)
	}
	s.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil {
			_ = e.AddRemoteCandidate(sub, cand.ToJSON())
		} else {
			_ = e.EndOfCandidates(sub)
		}
	})
	// Our candidates were announced by event; hand them over like a gateway.
	ev.waitFor(t, "subscriber gathering complete", 5*time.Second, func() bool { return ev.gathered[sub] })
	ev.mu.Lock()
	cands := append([]webrtc.ICECandidateInit(nil), ev.candidates[sub]...)
	ev.mu.Unlock()
	if len(cands) == 0 {
		t.Fatal("no LocalCandidate events in full-trickle mode")
	}
	for _, cand := range cands {
		if !strings.Contains(cand.Candidate, "127.0.0.1") {
			t.Fatalf("candidate outside the enforce list: %s", cand.Candidate)
		}
		if err := s.pc.AddICECandidate(cand); err != nil {
			t.Fatal(err)
		}
	}
	ev.waitFor(t, "subscriber webrtcup", 10*time.Second, func() bool { return ev.up[sub] == 1 })
	for _, kind := range []string{"audio", "video"} {
		waitUntil(t, kind+" at subscriber", 5*time.Second, func() bool { return s.got[kind].count() >= 10 })
		_, payloads := s.got[kind].snapshot()
		for pl := range payloads {
			if !c.wasSent(kind, pl) {
				t.Fatalf("%s: subscriber got %q which the publisher never sent", kind, pl)
			}
		}
	}
	// Hanging up the publisher removes its routes; the subscriber stays.
	e.Hangup(pub, "Close PC")
	if in, _ := e.router.routesOf(sub); len(in) != 0 {
		t.Fatalf("routes into subscriber survive publisher hangup: %v", in)
	}
	if e.PeerInfo(sub) == nil {
		t.Fatal("subscriber gone with the publisher")
	}
}

func TestBadSDPIsReportedNotFatal(t *testing.T) {
	e := newTestEngine(t, Config{}, newRecorder())
	for _, bad := range []string{"", "hello", "v=0\r\n", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"} {
		if _, err := e.AnswerOffer(9, bad, AnswerOptions{SendBack: true}); !errors.Is(err, ErrBadSDP) {
			t.Fatalf("AnswerOffer(%q) err = %v, want ErrBadSDP", bad, err)
		}
	}
	if e.PeerInfo(9) != nil {
		t.Fatal("a failed first offer left a peer behind")
	}
	if err := e.ApplyAnswer(9, "garbage"); !errors.Is(err, ErrBadSDP) {
		t.Fatalf("ApplyAnswer(garbage) err = %v, want ErrBadSDP", err)
	}
}

func TestEnforceFilter(t *testing.T) {
	f, err := newEnforceFilter([]string{"127.0.0.1", "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.loopback {
		t.Fatal("127.0.0.1 in the list must turn on loopback gathering")
	}
	for ip, want := range map[string]bool{"127.0.0.1": true, "10.1.2.3": true, "10.2.0.1": false, "192.168.1.1": false} {
		if got := f.keepIP(net.ParseIP(ip)); got != want {
			t.Errorf("keepIP(%s) = %v, want %v", ip, got, want)
		}
	}
	if !f.keepInterface("lo") {
		t.Error("interface owning 127.0.0.1 rejected")
	}
	if f, _ := newEnforceFilter(nil); f != nil {
		t.Error("empty list must not filter")
	}
	if _, err := newEnforceFilter([]string{"not an interface"}); err == nil {
		t.Error("malformed entry accepted")
	}
}
