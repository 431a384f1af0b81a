package videoroom

import (
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// One publisher, two subscribers: both receive its audio and video; pause,
// per-stream send and unpublish act on what each subscriber gets.
func TestPublisherToTwoSubscribers(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 5001, "publishers": 2})
	alice, _, feed := c.publisher("Alice", 1, false)
	bob := c.j.attach()
	if d := data(bob.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Bob"}, nil)); len(list(d, "publishers")) != 1 {
		t.Fatalf("a late joiner does not see the publisher: %v", d)
	}
	sub1, s1 := c.subscriber([]jc.Msg{{"feed": feed}})
	sub2, s2 := c.subscriber([]jc.Msg{{"feed": feed, "mid": "0"}, {"feed": feed, "mid": "1"}})
	for _, s := range []*subscriberPeer{s1, s2} {
		receives(t, s, "audio", 1, 25)
		receives(t, s, "video", 1, 25)
	}
	// The core rewrites nothing visible: one continuous stream per m-line.
	checkContinuous(t, s1.arrivals("video"))

	// pause stops everything for that subscriber only.
	if d := data(sub1.async(jc.Msg{"request": "pause"}, nil)); d.Str("paused") != "ok" {
		t.Fatalf("pause: %v", d)
	}
	silent(t, s1, "video", 1, 500*time.Millisecond)
	receives(t, s2, "video", 1, 10)
	if d := data(sub1.async(jc.Msg{"request": "start"}, nil)); d.Str("started") != "ok" {
		t.Fatalf("start: %v", d)
	}
	receives(t, s1, "video", 1, 10)

	// configure send:false on one m-line.
	if d := data(sub2.async(jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "1", "send": false}}}, nil)); d.Str("configured") != "ok" {
		t.Fatalf("configure: %v", d)
	}
	silent(t, s2, "video", 1, 500*time.Millisecond)
	receives(t, s2, "audio", 1, 10)

	// A moderator mutes the publisher's audio for everyone.
	if d := c.admin.sync(jc.Msg{"request": "moderate", "room": c.room, "id": feed, "mid": "0", "mute": true}); d.Str("videoroom") != "success" {
		t.Fatalf("moderate: %v", d)
	}
	alice.event(has("moderation", "muted"))
	silent(t, s1, "audio", 1, 500*time.Millisecond)
	c.admin.sync(jc.Msg{"request": "moderate", "room": c.room, "id": feed, "mid": "0", "mute": false})
	receives(t, s1, "audio", 1, 10)

	// unpublish: others are told, subscriptions lose the feed (updated with
	// a new offer) and media stops.
	if d := data(alice.async(jc.Msg{"request": "unpublish"}, nil)); d.Str("unpublished") != "ok" {
		t.Fatalf("unpublish: %v", d)
	}
	if d := data(bob.event(hasKey("unpublished"))); d.ID("unpublished") != feed {
		t.Fatalf("unpublished event: %v", d)
	}
	for _, h := range []*handle{sub1, sub2} {
		ev := h.event(has("videoroom", "updated"))
		for _, st := range list(data(ev), "streams") {
			if st["active"] != false {
				t.Fatalf("stream still active after unpublish: %v", data(ev))
			}
		}
		if ev.Obj("jsep").Str("type") != "offer" {
			t.Fatalf("updated without an offer: %v", ev)
		}
	}
	silent(t, s1, "audio", 1, 500*time.Millisecond)
	parts := list(c.admin.sync(jc.Msg{"request": "listparticipants", "room": c.room}), "participants")
	if len(parts) != 2 || parts[0]["publisher"] != false || parts[1]["publisher"] != false {
		t.Fatalf("participants after unpublish: %v", parts)
	}
	// The publisher can publish again on the same handle.
	p2 := newPublisher(t, 7, false)
	ev := alice.async(jc.Msg{"request": "publish"}, p2.offer(t))
	p2.answer(t, ev.Obj("jsep"))
	p2.send()
	bob.event(hasKey("publishers"))
}

// checkContinuous fails on a sequence number jump within one m-line.
func checkContinuous(t *testing.T, as []arrival) {
	t.Helper()
	last := map[string]uint16{}
	for _, a := range as {
		if prev, ok := last[a.mid]; ok && a.pkt.SequenceNumber != prev+1 {
			t.Fatalf("mid %s: sequence jumps %d -> %d", a.mid, prev, a.pkt.SequenceNumber)
		}
		last[a.mid] = a.pkt.SequenceNumber
	}
}

// switch moves a subscription m-line to another publisher without a
// renegotiation: the packets of the new source arrive on the same m-line,
// with no gap in its sequence numbers.
func TestSwitchAndRenegotiation(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 5002})
	_, _, a := c.publisher("A", 1, false)
	bh, _, b := c.publisher("B", 2, false)
	sub, s := c.subscriber([]jc.Msg{{"feed": a}})
	receives(t, s, "video", 1, 20)
	d := data(sub.async(jc.Msg{"request": "switch", "streams": []jc.Msg{{"feed": b, "mid": "1", "sub_mid": "1"}}}, nil))
	if d.Str("switched") != "ok" || d.ID("changes") != 1 {
		t.Fatalf("switch: %v", d)
	}
	receives(t, s, "video", 2, 20)
	receives(t, s, "audio", 1, 10)
	checkContinuous(t, s.arrivals("video"))
	for _, a := range s.arrivals("video") {
		if a.mid != "1" {
			t.Fatalf("video arrived on mid %q", a.mid)
		}
	}

	// subscribe to B's audio: an updated event with a new offer, and after
	// the answer B's audio arrives on a new m-line.
	up := sub.async(jc.Msg{"request": "subscribe", "streams": []jc.Msg{{"feed": b, "mid": "0"}}}, nil)
	if data(up).Str("videoroom") != "updated" || len(list(data(up), "streams")) != 3 {
		t.Fatalf("subscribe: %v", data(up))
	}
	if d := data(sub.async(jc.Msg{"request": "start"}, s.answer(t, up.Obj("jsep")))); d.Str("started") != "ok" {
		t.Fatalf("start after subscribe: %v", d)
	}
	receives(t, s, "audio", 2, 10)
	// unsubscribe by subscription mid, then update (unsubscribe + subscribe).
	up = sub.async(jc.Msg{"request": "unsubscribe", "streams": []jc.Msg{{"sub_mid": "2"}}}, nil)
	sub.async(jc.Msg{"request": "start"}, s.answer(t, up.Obj("jsep")))
	silent(t, s, "audio", 2, 400*time.Millisecond)
	if d := data(sub.async(jc.Msg{"request": "update"}, nil)); errCode(d) != 429 {
		t.Fatalf("empty update: %v", d)
	}
	up = sub.async(jc.Msg{"request": "update", "subscribe": []jc.Msg{{"feed": b, "mid": "0"}}, "unsubscribe": []jc.Msg{{"feed": a, "mid": "0"}}}, nil)
	sub.async(jc.Msg{"request": "start"}, s.answer(t, up.Obj("jsep")))
	receives(t, s, "audio", 2, 10)
	silent(t, s, "audio", 1, 400*time.Millisecond)

	// B leaves: as in Janus, its media stops and the subscription is not
	// renegotiated (the room's "leaving" event is the client's cue).
	bh.async(jc.Msg{"request": "leave"}, nil)
	silent(t, s, "video", 2, 400*time.Millisecond)
	if err := sub.j.in.none(500*time.Millisecond, func(m jc.Msg) bool { return m.ID("sender") == sub.id && data(m).Str("videoroom") == "updated" }); err != nil {
		t.Fatal(err)
	}
	if d := data(sub.async(jc.Msg{"request": "leave"}, nil)); d.Str("left") != "ok" {
		t.Fatalf("leave: %v", d)
	}
}

// Data channel messages of a publisher reach its subscribers through the core.
func TestDataChannelToSubscriber(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 5003})
	_, p, feed := c.publisher("A", 1, true)
	sub := c.j.attach()
	s := newSubscriber(t)
	att := sub.async(jc.Msg{"request": "join", "room": c.room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": feed}}}, nil)
	streams := list(data(att), "streams")
	if len(streams) != 3 || streams[2].Str("type") != "data" {
		t.Fatalf("attached streams: %v", streams)
	}
	sub.async(jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	select {
	case <-s.dcOpen:
	case <-time.After(10 * time.Second):
		t.Fatal("no data channel opened to the subscriber")
	}
	if !waitUntil(10*time.Second, func() bool {
		_ = p.dc.SendText("hello room")
		for _, m := range s.dataMessages() {
			if m == "hello room" {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
		return false
	}) {
		t.Fatalf("data did not reach the subscriber; got %v", s.dataMessages())
	}
}
