package media

import (
	"strings"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// TestSimulcastEndToEnd: a pion publisher sends three simulcast encodings
// (rids h, m, l as janus.js does) and a subscriber switches between them.
// The subscriber's stream must stay one continuous stream (sequence
// numbers and VP8 picture IDs), a sink must get the top layer untouched,
// and the subscriber's PLIs must reach the layer it is watching.
func TestSimulcastEndToEnd(t *testing.T) {
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	const pub, sub = 10, 11
	sink := newSinkRecorder()
	if err := e.AddSink(pub, "1", "rec", sink); err != nil { // before the publisher exists
		t.Fatal(err)
	}
	fwd := newSinkRecorder()
	if err := e.AddSink(pub, "1", "fwd", fwd); err != nil {
		t.Fatal(err)
	}
	if !e.SelectSinkLayerFor(pub, "1", "fwd", 0) || e.SelectSinkLayerFor(pub, "1", "nope", 0) {
		t.Fatal("SelectSinkLayerFor: wrong report of which sinks exist")
	}
	c := newPublisher(t, true)
	c.connect(t, e, pub)
	c.start()
	ev.waitFor(t, "publisher video", 10*time.Second, func() bool { return ev.sawMedia("10/1/video/true") })
	waitUntil(t, "all three layers", 5*time.Second, func() bool {
		s := e.findSource(endpoint{pub, "1"})
		return s != nil && s.numLayers() == 3 && s.layers[0].packets.Load() > 0 && s.layers[2].packets.Load() > 0
	})
	info, ok := e.SourceInfo(pub, "1")
	if !ok || info.Kind != webrtc.RTPCodecTypeVideo || !strings.EqualFold(info.Codec.MimeType, webrtc.MimeTypeVP8) {
		t.Fatalf("SourceInfo = %+v, %v", info, ok)
	}
	in := e.PeerInfo(pub)["media"].(map[string]map[string]any)["1"]["in"].(map[string]any)
	layers, _ := in["simulcast"].([]map[string]any)
	if len(layers) != 3 || layers[0]["rid"] != "l" || layers[2]["rid"] != "h" {
		t.Fatalf("PeerInfo simulcast layers %v, want l, m, h from lowest", layers)
	}

	s := newSubscriber(t)
	offer, err := e.MakeOffer(sub, []OfferStream{{SourceHandle: pub, SourceMID: "0"}, {SourceHandle: pub, SourceMID: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ src, dst string }{{"0", "0"}, {"1", "1"}} {
		if err := e.Route(pub, r.src, sub, r.dst); err != nil {
			t.Fatal(err)
		}
	}
	s.answer(t, e, sub, offer)
	waitUntil(t, "video at the subscriber", 10*time.Second, func() bool { return s.count("1") >= 10 })
	for _, p := range s.packets("1") {
		if tag := vp8Tag(p.payload); !strings.HasPrefix(tag, "h-") {
			t.Fatalf("default layer: got %q, want only the highest (h)", tag)
		}
	}

	e.SelectLayer(sub, "1", 0, -1)
	waitUntil(t, "switch to the lowest layer", 5*time.Second, func() bool {
		pkts := s.packets("1")
		return len(pkts) > 0 && strings.HasPrefix(vp8Tag(pkts[len(pkts)-1].payload), "l-")
	})
	if c.pliCount("l") == 0 {
		t.Fatal("no PLI reached the lowest layer's SSRC")
	}
	e.SelectLayer(sub, "1", 1, 0) // middle layer, base temporal layer only
	waitUntil(t, "switch to the middle layer", 5*time.Second, func() bool {
		pkts := s.packets("1")
		return len(pkts) > 0 && strings.HasPrefix(vp8Tag(pkts[len(pkts)-1].payload), "m-")
	})
	time.Sleep(200 * time.Millisecond)
	pkts := s.packets("1")
	seen := map[byte]bool{}
	for i, p := range pkts {
		tag := vp8Tag(p.payload)
		seen[tag[0]] = true
		if i == 0 {
			continue
		}
		prev := pkts[i-1]
		if p.seq != prev.seq+1 {
			t.Fatalf("seq %d after %d (%s after %s): the subscriber sees a gap", p.seq, prev.seq, tag, vp8Tag(prev.payload))
		}
		if int32(p.ts-prev.ts) < 0 {
			t.Fatalf("timestamp went back at %s", tag)
		}
		if tag[0] != vp8Tag(prev.payload)[0] {
			a, b := parseVP8(prev.payload), parseVP8(p.payload)
			if b.pic != (a.pic+1)&0x7fff || !b.keyframe {
				t.Fatalf("layer switch %s -> %s: picture id %d -> %d, key frame %v", vp8Tag(prev.payload), tag, a.pic, b.pic, b.keyframe)
			}
		}
		if tag[0] == 'm' {
			if d := parseVP8(p.payload); d.tid != 0 {
				t.Fatalf("%s has TID %d with temporal cap 0", tag, d.tid)
			}
		}
	}
	if !seen['h'] || !seen['l'] || !seen['m'] {
		t.Fatalf("layers seen %v, want h, l and m", seen)
	}
	out := e.PeerInfo(sub)["media"].(map[string]map[string]any)["1"]["out"].(map[string]any)
	if out["substream"] != int32(1) || out["temporal_target"] != int32(0) {
		t.Fatalf("PeerInfo out %v: want substream 1, temporal 0", out)
	}

	// A PLI from the subscriber reaches the layer it watches.
	time.Sleep(keyframeInterval + 50*time.Millisecond)
	before := c.pliCount("m")
	ssrc := s.ssrcs["1"]
	if err := s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "subscriber PLI at the publisher", 3*time.Second, func() bool { return c.pliCount("m") > before })

	// The sink got the top layer only, with the publisher's own numbering.
	ssrcs, seqs, closed := sink.snapshot()
	if len(ssrcs) != 1 || ssrcs[c.ssrcOf("h")] == 0 || closed != 0 {
		t.Fatalf("sink got SSRCs %v (h is %d), closed %d", ssrcs, c.ssrcOf("h"), closed)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("sink seqs not the sender's: %d after %d", seqs[i], seqs[i-1])
		}
	}
	if ssrcs, _, _ := fwd.snapshot(); len(ssrcs) != 1 || ssrcs[c.ssrcOf("l")] == 0 {
		t.Fatalf("sink on its own layer 0 got SSRCs %v (l is %d)", ssrcs, c.ssrcOf("l"))
	}
	e.RemoveSink(pub, "1", "fwd")
	if _, _, closed := fwd.snapshot(); closed != 1 {
		t.Fatalf("RemoveSink closed the sink %d times", closed)
	}
	e.Hangup(pub, ReasonClosePC)
	if _, _, closed := sink.snapshot(); closed != 1 {
		t.Fatalf("sink closed %d times after the publisher hung up, want 1", closed)
	}
}
