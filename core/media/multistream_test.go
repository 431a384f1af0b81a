package media

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func mlineString(ms []MLine) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		state := "on"
		if !m.Active {
			state = "off"
		}
		parts[i] = fmt.Sprintf("%d:%s:%s:%s:%s", m.Index, m.MID, m.Kind, m.Codec, state)
	}
	return strings.Join(parts, " ")
}

// lastTagPrefix reports whether the newest packet on mid carries prefix.
func (s *subscriber) lastTagPrefix(mid, prefix string, video bool) bool {
	pkts := s.packets(mid)
	if len(pkts) == 0 {
		return false
	}
	p := pkts[len(pkts)-1].payload
	if video {
		return strings.HasPrefix(vp8Tag(p), prefix)
	}
	return strings.HasPrefix(string(p), prefix)
}

// TestMultistreamSubscriber: one subscriber PeerConnection carries the
// audio and video of two publishers plus the data m-line; re-offers then
// remove one publisher (its m-lines go inactive, in place), add another
// (reusing the stopped m-lines, numbering continuing) and add one more
// stream when nothing is free (a new m-line at the end).
func TestMultistreamSubscriber(t *testing.T) {
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	const pubA, pubB, pubC, sub = 21, 22, 23, 29
	for _, p := range []struct {
		h    uint64
		name string
	}{{pubA, "A"}, {pubB, "B"}, {pubC, "C"}} {
		c := newPublisher(t, false)
		c.name = p.name
		c.connect(t, e, p.h)
		c.start()
	}
	for _, h := range []uint64{pubA, pubB, pubC} {
		ev.waitFor(t, "publisher media", 10*time.Second, func() bool {
			return ev.sawMedia(fmt.Sprintf("%d/1/video/true", h)) && ev.sawMedia(fmt.Sprintf("%d/0/audio/true", h))
		})
	}
	from := func(h uint64, mid string) OfferStream { return OfferStream{SourceHandle: h, SourceMID: mid} }

	s := newSubscriber(t)
	offer, err := e.MakeOffer(sub, []OfferStream{from(pubA, "0"), from(pubA, "1"), from(pubB, "0"), from(pubB, "1"), {Kind: "data"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mlineString(e.MLines(sub)), "0:0:audio:opus:on 1:1:video:vp8:on 2:2:audio:opus:on 3:3:video:vp8:on 4:4:data::on"; got != want {
		t.Fatalf("first offer m-lines\n got %s\nwant %s", got, want)
	}
	route := func(src uint64, srcMid string, dstMid string) {
		t.Helper()
		if err := e.Route(src, srcMid, sub, dstMid); err != nil {
			t.Fatal(err)
		}
	}
	route(pubA, "0", "0")
	route(pubA, "1", "1")
	route(pubB, "0", "2")
	route(pubB, "1", "3")
	s.answer(t, e, sub, offer)
	for mid, want := range map[string]string{"0": "Aaudio", "1": "A-", "2": "Baudio", "3": "B-"} {
		mid, want := mid, want
		waitUntil(t, "mid "+mid+" from "+want, 10*time.Second, func() bool { return s.lastTagPrefix(mid, want, mid == "1" || mid == "3") })
	}
	if _, ok := e.PeerInfo(sub)["data_channels"].([]string); !ok {
		t.Fatal("no data channel list")
	}

	// A leaves: its m-lines stay in place, inactive.
	e.Unroute(pubA, "0", sub, "0")
	e.Unroute(pubA, "1", sub, "1")
	offer, err = e.MakeOffer(sub, []OfferStream{{MID: "2", SourceHandle: pubB, SourceMID: "0"}, {MID: "3", SourceHandle: pubB, SourceMID: "1"}, {Kind: "data"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mlineString(e.MLines(sub)), "0:0:audio:opus:off 1:1:video:vp8:off 2:2:audio:opus:on 3:3:video:vp8:on 4:4:data::on"; got != want {
		t.Fatalf("after removing A\n got %s\nwant %s", got, want)
	}
	if n := strings.Count(offer, "a=inactive"); n != 2 {
		t.Fatalf("re-offer has %d inactive m-lines, want 2:\n%s", n, offer)
	}
	s.answer(t, e, sub, offer)
	lastA := s.packets("1")
	time.Sleep(100 * time.Millisecond)

	// C arrives: it takes A's stopped m-lines.
	offer, err = e.MakeOffer(sub, []OfferStream{
		{MID: "2", SourceHandle: pubB, SourceMID: "0"}, {MID: "3", SourceHandle: pubB, SourceMID: "1"}, {Kind: "data"},
		from(pubC, "0"), from(pubC, "1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mlineString(e.MLines(sub)), "0:0:audio:opus:on 1:1:video:vp8:on 2:2:audio:opus:on 3:3:video:vp8:on 4:4:data::on"; got != want {
		t.Fatalf("after adding C\n got %s\nwant %s", got, want)
	}
	route(pubC, "0", "0")
	route(pubC, "1", "1")
	s.answer(t, e, sub, offer)
	waitUntil(t, "C's video on the reused m-line", 10*time.Second, func() bool { return s.lastTagPrefix("1", "C-", true) })
	waitUntil(t, "C's audio on the reused m-line", 10*time.Second, func() bool { return s.lastTagPrefix("0", "Caudio", false) })
	if !s.lastTagPrefix("3", "B-", true) {
		t.Fatal("B's video moved or stopped")
	}
	all := s.packets("1")
	firstC := len(lastA)
	for firstC < len(all) && !strings.HasPrefix(vp8Tag(all[firstC].payload), "C-") {
		firstC++
	}
	if firstC == len(all) || firstC == 0 {
		t.Fatal("no C packets after A's")
	}
	if prev, next := all[firstC-1].seq, all[firstC].seq; next != prev+1 {
		t.Fatalf("reused m-line restarted numbering: A's last seq %d, C's first %d", prev, next)
	}

	// One more stream with nothing free: appended after the data m-line.
	offer, err = e.MakeOffer(sub, []OfferStream{
		{MID: "0", SourceHandle: pubC, SourceMID: "0"}, {MID: "1", SourceHandle: pubC, SourceMID: "1"},
		{MID: "2", SourceHandle: pubB, SourceMID: "0"}, {MID: "3", SourceHandle: pubB, SourceMID: "1"}, {Kind: "data"},
		from(pubA, "1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mlineString(e.MLines(sub)), "0:0:audio:opus:on 1:1:video:vp8:on 2:2:audio:opus:on 3:3:video:vp8:on 4:4:data::on 5:5:video:vp8:on"; got != want {
		t.Fatalf("after adding A's video again\n got %s\nwant %s", got, want)
	}
	route(pubA, "1", "5")
	s.answer(t, e, sub, offer)
	waitUntil(t, "A's video on the new m-line", 10*time.Second, func() bool { return s.lastTagPrefix("5", "A-", true) })

	if _, err := e.MakeOffer(sub, []OfferStream{{MID: "1", Kind: "audio"}}); err == nil {
		t.Fatal("re-offer turning a video m-line into audio accepted")
	}
}
