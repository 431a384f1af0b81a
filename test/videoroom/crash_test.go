package videoroom

import (
	"syscall"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// maxGap is the longest pause between packets of kind from publisher id
// that arrived within [from, to].
func maxGap(s *subscriberPeer, kind string, id byte, from, to time.Time) time.Duration {
	var last time.Time
	var gap time.Duration
	for _, a := range s.arrivals(kind) {
		if len(a.pkt.Payload) < 3 || a.pkt.Payload[2] != id || a.at.Before(from) || a.at.After(to) {
			continue
		}
		if !last.IsZero() && a.at.Sub(last) > gap {
			gap = a.at.Sub(last)
		}
		last = a.at
	}
	if last.IsZero() {
		return to.Sub(from)
	}
	return gap
}

// kill -9 of the videoroom process during a call with one publisher and two
// subscribers: media keeps flowing (it never passed through the process),
// and the restarted extension knows the room, its participants and the
// subscriptions again, so everything can go on.
func TestCrashSurvival(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 5005, "description": "Crash room", "notify_joining": true})
	if c.gw.External {
		t.Skip("needs the gateway process")
	}
	alice, _, feed := c.publisher("Alice", 1, false)
	bob := c.j.attach()
	bobJoined := data(bob.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Bob"}, nil))
	sub1, s1 := c.subscriber([]jc.Msg{{"feed": feed}})
	sub2, s2 := c.subscriber([]jc.Msg{{"feed": feed, "mid": "1"}})
	receives(t, s1, "audio", 1, 10)
	receives(t, s2, "video", 1, 10)

	pid, err := c.gw.ExtensionPID("videoroom")
	if err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var newPID int
	if !waitUntil(20*time.Second, func() bool {
		newPID, err = c.gw.ExtensionPID("videoroom")
		return err == nil && newPID != pid
	}) {
		t.Fatal("the videoroom extension did not come back")
	}
	// Requests work again once the new process has finished its Init.
	var parts []jc.Msg
	if !waitUntil(20*time.Second, func() bool {
		r := c.admin.message(jc.Msg{"request": "listparticipants", "room": c.room}, nil)
		parts = list(r.Obj("plugindata").Obj("data"), "participants")
		return r.Str("janus") == "success" && len(parts) > 0
	}) {
		t.Fatal("the restarted extension does not answer listparticipants")
	}
	back := time.Now()
	time.Sleep(500 * time.Millisecond)
	for name, g := range map[string]time.Duration{
		"subscriber 1 audio": maxGap(s1, "audio", 1, killed.Add(-300*time.Millisecond), back.Add(300*time.Millisecond)),
		"subscriber 1 video": maxGap(s1, "video", 1, killed.Add(-300*time.Millisecond), back.Add(300*time.Millisecond)),
		"subscriber 2 video": maxGap(s2, "video", 1, killed.Add(-300*time.Millisecond), back.Add(300*time.Millisecond)),
	} {
		t.Logf("%s: longest gap %v across the crash", name, g)
		if g > 100*time.Millisecond {
			t.Errorf("%s: %v without packets across the crash", name, g)
		}
	}
	t.Logf("extension back %v after kill -9", back.Sub(killed))

	// The room still lists everyone, as before.
	want := map[uint64]string{feed: "Alice", bobJoined.ID("id"): "Bob"}
	if len(parts) != 2 {
		t.Fatalf("participants after the crash: %v", parts)
	}
	for _, p := range parts {
		if want[p.ID("id")] != p.Str("display") || (p.ID("id") == feed) != (p["publisher"] == true) {
			t.Fatalf("participants after the crash: %v", parts)
		}
	}
	if l := list(c.admin.sync(jc.Msg{"request": "list"}), "list"); len(l) != 3 {
		t.Fatalf("rooms after the crash: %v", l)
	}

	// New joins work and see the publisher; a new subscription gets media.
	carol := c.j.attach()
	cj := data(carol.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Carol"}, nil))
	if pubs := list(cj, "publishers"); len(pubs) != 1 || pubs[0].ID("id") != feed || len(list(cj, "attendees")) != 1 {
		t.Fatalf("join after the crash: %v", cj)
	}
	alice.event(hasKey("joining"))
	_, s3 := c.subscriber([]jc.Msg{{"feed": feed}})
	receives(t, s3, "video", 1, 10)

	// The admin API sees the restored state of each handle.
	info := adminHandleInfo(t, c.gw.AdminURL, sub1)
	if ps := info.Obj("plugin_specific"); ps.Str("type") != "subscriber" || ps.ID("room") != c.room || len(list(ps, "streams")) != 2 {
		t.Fatalf("handle_info of a subscription after the crash: %v", info)
	}
	if ps := adminHandleInfo(t, c.gw.AdminURL, alice).Obj("plugin_specific"); ps.Str("type") != "publisher" || ps.ID("id") != feed || ps["active"] != true {
		t.Fatalf("handle_info of the publisher after the crash: %v", ps)
	}

	// The old subscriptions are known: pause and start act on them.
	sub1.async(jc.Msg{"request": "pause"}, nil)
	silent(t, s1, "video", 1, 400*time.Millisecond)
	sub1.async(jc.Msg{"request": "start"}, nil)
	receives(t, s1, "video", 1, 10)

	// And the publisher's unpublishing reaches them all.
	alice.async(jc.Msg{"request": "unpublish"}, nil)
	for _, h := range []*handle{sub1, sub2} {
		h.event(has("videoroom", "updated"))
	}
	bob.event(hasKey("unpublished"))
	alice.async(jc.Msg{"request": "leave"}, nil)
	bob.event(hasKey("leaving"))
}

// adminHandleInfo asks the admin API for a handle's info object.
func adminHandleInfo(t *testing.T, adminURL string, h *handle) jc.Msg {
	t.Helper()
	c := jc.NewHTTP(adminURL)
	defer c.Close()
	r, err := c.Send(ctxT(t, 10*time.Second), 0, 0, jc.Msg{"janus": "handle_info", "admin_secret": "janusoverlord",
		"session_id": h.session, "handle_id": h.id})
	if err != nil || r.Str("janus") != "success" {
		t.Fatalf("handle_info: %v %v", r, err)
	}
	return r.Obj("info")
}
