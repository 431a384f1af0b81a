package media

import (
	"fmt"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// talkingEvents is an Events that also implements TalkEvents.
type talkingEvents struct {
	*recorder
	talkRecorder
}

// TestTalkingFromAudioLevels: a publisher's audio carries the RFC 6464
// level; loud windows turn talking on, quiet ones off, each reported once.
func TestTalkingFromAudioLevels(t *testing.T) {
	ev := &talkingEvents{recorder: newRecorder()}
	e := newTestEngine(t, Config{}, ev)
	const pub = 31
	e.SetTalkDetection(pub, "0", 10, 25) // before the stream exists
	c := newPublisher(t, false)
	c.connect(t, e, pub)
	c.start()
	ev.waitFor(t, "publisher audio", 10*time.Second, func() bool { return ev.sawMedia("31/0/audio/true") })
	time.Sleep(300 * time.Millisecond)
	if got := ev.talkRecorder.list(); len(got) != 0 {
		t.Fatalf("talking events while silent: %v", got)
	}
	c.level.Store(10)
	waitUntil(t, "talking", 3*time.Second, func() bool { return len(ev.talkRecorder.list()) == 1 })
	time.Sleep(300 * time.Millisecond) // more loud windows: no repeats
	c.level.Store(100)
	waitUntil(t, "stopped talking", 3*time.Second, func() bool { return len(ev.talkRecorder.list()) >= 2 })
	got := ev.talkRecorder.list()
	if len(got) != 2 || got[0] != "31/0/true/10" || got[1][:11] != "31/0/false/" {
		t.Fatalf("talk events %v, want [31/0/true/10 31/0/false/...]", got)
	}
	e.SetTalkDetection(pub, "0", 0, 0)
	c.level.Store(0)
	time.Sleep(400 * time.Millisecond)
	if got := ev.talkRecorder.list(); len(got) != 2 {
		t.Fatalf("events after disabling: %v", got)
	}
}

// TestPublisherFeedback covers what the engine tells a publisher: fir_freq
// keyframe requests, a subscriber's FIR turned into a PLI, and a REMB that
// carries the publisher's own cap whatever its subscribers report.
func TestPublisherFeedback(t *testing.T) {
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	const pub = 41
	e.SetKeyframeInterval(pub, "1", 600*time.Millisecond)
	c := newPublisher(t, false)
	c.connect(t, e, pub)
	c.start()
	ev.waitFor(t, "publisher video", 10*time.Second, func() bool { return ev.sawMedia("41/1/video/true") })
	e.SetBitrateCap(pub, 256000)

	var subs []*subscriber
	for i, h := range []uint64{42, 43} {
		s := newSubscriber(t)
		offer, err := e.MakeOffer(h, []OfferStream{{SourceHandle: pub, SourceMID: "1"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Route(pub, "1", h, "0"); err != nil {
			t.Fatal(err)
		}
		s.answer(t, e, h, offer)
		waitUntil(t, fmt.Sprintf("video at subscriber %d", i), 10*time.Second, func() bool { return s.count("0") > 5 })
		subs = append(subs, s)
	}
	// Subscribers report low estimates of their own: never relayed.
	for _, s := range subs {
		remb := &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 50000, SSRCs: []uint32{s.ssrcs["0"]}}
		if err := s.pc.WriteRTCP([]rtcp.Packet{remb}); err != nil {
			t.Fatal(err)
		}
	}
	// fir_freq alone (no subscriber asking) keeps keyframes coming.
	start := c.pliCount("")
	time.Sleep(1900 * time.Millisecond)
	if n := c.pliCount("") - start; n < 2 || n > 4 {
		t.Fatalf("%d keyframe requests in 1.9 s with fir_freq 600 ms", n)
	}
	rembs := c.rembList()
	if len(rembs) < 2 {
		t.Fatalf("publisher got %d REMBs in ~2 s, want about one per second", len(rembs))
	}
	for _, b := range rembs {
		if b != 256000 {
			t.Fatalf("publisher got REMB %v, want only its cap 256000 (all: %v)", b, rembs)
		}
	}

	// A FIR from a subscriber becomes a PLI to the publisher.
	e.SetKeyframeInterval(pub, "1", 0)
	time.Sleep(keyframeInterval + 100*time.Millisecond)
	before := c.pliCount("")
	fir := &rtcp.FullIntraRequest{MediaSSRC: subs[0].ssrcs["0"], FIR: []rtcp.FIREntry{{SSRC: subs[0].ssrcs["0"], SequenceNumber: 1}}}
	if err := subs[0].pc.WriteRTCP([]rtcp.Packet{fir}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "FIR relayed as PLI", 3*time.Second, func() bool { return c.pliCount("") > before })
	time.Sleep(800 * time.Millisecond)
	if n := c.pliCount("") - before; n != 1 {
		t.Fatalf("%d PLIs after one FIR with fir_freq off, want 1", n)
	}
	out := e.PeerInfo(42)["media"].(map[string]map[string]any)["0"]["out"].(map[string]any)
	if out["firs"].(uint64) != 1 {
		t.Fatalf("PeerInfo firs = %v, want 1", out["firs"])
	}
}
