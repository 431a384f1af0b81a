package videoroom

import (
	"testing"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

const roomsConfig = `{"videoroom":{"admin_key":"k3y","lock_rtp_forward":true,"rooms":[{"room":77,"description":"Configured","pin":"p1n","publishers":2,"videocodec":"vp9,vp8"}]}}`

func roomIDs(d jc.Msg) map[uint64]jc.Msg {
	out := map[uint64]jc.Msg{}
	for _, r := range list(d, "list") {
		out[r.ID("room")] = r
	}
	return out
}

// Rooms come from the extension's configuration; "permanent" rooms are kept
// in the gateway's catalogue and come back after a gateway restart, others
// do not; admin_key guards room creation.
func TestConfiguredAndPermanentRooms(t *testing.T) {
	opts := harness.Options{ExtraArgs: []string{"-extension-config", roomsConfig}}
	gw := harness.Start(t, opts)
	if gw.External {
		t.Skip("needs to restart the gateway")
	}
	j := newJanus(t, gw.HTTPURL)
	h := j.attach()
	rooms := roomIDs(h.sync(jc.Msg{"request": "list"}))
	if len(rooms) != 1 || rooms[77].Str("description") != "Configured" || rooms[77]["pin_required"] != true ||
		rooms[77].ID("max_publishers") != 2 || rooms[77].Str("videocodec") != "vp9,vp8" {
		t.Fatalf("configured rooms: %v", rooms)
	}
	if d := h.sync(jc.Msg{"request": "create", "room": 88}); errCode(d) != 429 {
		t.Fatalf("create without admin_key: %v", d)
	}
	if d := h.sync(jc.Msg{"request": "create", "room": 88, "admin_key": "nope"}); errCode(d) != 433 {
		t.Fatalf("create with a wrong admin_key: %v", d)
	}
	if d := h.sync(jc.Msg{"request": "create", "room": 88, "admin_key": "k3y", "permanent": true, "secret": "s", "is_private": true}); d["permanent"] != true {
		t.Fatalf("permanent create: %v", d)
	}
	h.sync(jc.Msg{"request": "create", "room": 99, "admin_key": "k3y"})
	if d := h.sync(jc.Msg{"request": "edit", "room": 88, "secret": "s", "new_description": "Kept", "permanent": true}); d["permanent"] != true {
		t.Fatalf("permanent edit: %v", d)
	}
	if _, ok := roomIDs(h.sync(jc.Msg{"request": "list"}))[88]; ok {
		t.Fatal("a private room is listed without the admin_key")
	}
	if _, ok := roomIDs(h.sync(jc.Msg{"request": "list", "admin_key": "k3y"}))[88]; !ok {
		t.Fatal("the admin_key does not list private rooms")
	}
	// rtp_forward is locked behind the admin_key too.
	if d := h.sync(jc.Msg{"request": "rtp_forward", "room": 99, "publisher_id": 1, "host": "127.0.0.1"}); errCode(d) != 429 {
		t.Fatalf("rtp_forward without admin_key: %v", d)
	}
	j.c.Close() // its long poll would hold the shutdown
	if err := gw.Stop(); err != nil {
		t.Fatal(err)
	}

	opts.DataDir = gw.DataDir
	gw2 := harness.Start(t, opts)
	j2 := newJanus(t, gw2.HTTPURL)
	h2 := j2.attach()
	var rooms2 map[uint64]jc.Msg
	waitUntil(5e9, func() bool {
		rooms2 = roomIDs(h2.sync(jc.Msg{"request": "list", "admin_key": "k3y"}))
		return rooms2[88] != nil
	})
	if rooms2[88].Str("description") != "Kept" || rooms2[77] == nil || rooms2[99] != nil {
		t.Fatalf("rooms after a gateway restart: %v", rooms2)
	}
	if d := h2.sync(jc.Msg{"request": "destroy", "room": 88, "secret": "s", "permanent": true}); d["permanent"] != true {
		t.Fatalf("permanent destroy: %v", d)
	}
	j2.c.Close()
	if err := gw2.Stop(); err != nil {
		t.Fatal(err)
	}
	gw3 := harness.Start(t, opts)
	h3 := newJanus(t, gw3.HTTPURL).attach()
	if d := h3.sync(jc.Msg{"request": "exists", "room": 88}); d["exists"] != false {
		t.Fatalf("a destroyed permanent room came back: %v", d)
	}
}

// kick throws a participant out (its PeerConnection closes, its
// subscribers lose the feed); destroy tells everyone in the room.
func TestKickAndDestroy(t *testing.T) {
	c := newCall(t, harness.Options{}, jc.Msg{"room": 5006, "secret": "adm"})
	alice, _, feed := c.publisher("Alice", 1, false)
	bob := c.j.attach()
	bob.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher", "display": "Bob"}, nil)
	sub, s := c.subscriber([]jc.Msg{{"feed": feed}})
	receives(t, s, "video", 1, 10)
	if d := c.admin.sync(jc.Msg{"request": "kick", "room": c.room, "id": feed}); errCode(d) != 429 {
		t.Fatalf("kick without the secret: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "kick", "room": c.room, "secret": "adm", "id": feed}); d.Str("videoroom") != "success" {
		t.Fatalf("kick: %v", d)
	}
	if d := data(alice.event(has("reason", "kicked"))); d.Str("leaving") != "ok" {
		t.Fatalf("kicked event: %v", d)
	}
	alice.core("hangup")
	if d := data(bob.event(hasKey("kicked"))); d.ID("kicked") != feed {
		t.Fatalf("kicked notification: %v", d)
	}
	// As in Janus, the feed stops without an "updated" to its subscribers.
	silent(t, s, "video", 1, 400e6)
	if err := c.j.in.none(300e6, func(m jc.Msg) bool { return m.ID("sender") == sub.id && data(m).Str("videoroom") == "updated" }); err != nil {
		t.Fatal(err)
	}
	if d := data(alice.async(jc.Msg{"request": "configure", "display": "again"}, nil)); errCode(d) != 426 {
		t.Fatalf("request after kick: %v", d)
	}
	if d := data(alice.async(jc.Msg{"request": "join", "room": c.room, "ptype": "publisher"}, nil)); errCode(d) != 425 {
		t.Fatalf("join after kick: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "destroy", "room": c.room, "secret": "adm"}); d.Str("videoroom") != "destroyed" {
		t.Fatalf("destroy: %v", d)
	}
	if d := data(bob.event(has("videoroom", "destroyed"))); d.ID("room") != c.room {
		t.Fatalf("destroyed event: %v", d)
	}
	if d := c.admin.sync(jc.Msg{"request": "exists", "room": c.room}); d["exists"] != false {
		t.Fatalf("exists after destroy: %v", d)
	}
	// As in Janus, the participant's handle stays bound to the gone room.
	if d := data(bob.async(jc.Msg{"request": "configure", "bitrate": 1000}, nil)); errCode(d) != 426 {
		t.Fatalf("request after destroy: %v", d)
	}
	if d := data(sub.async(jc.Msg{"request": "pause"}, nil)); d.Str("paused") != "ok" {
		t.Fatalf("subscription after destroy: %v", d)
	}
}
