package videoroom

import (
	"net"
	"os"
	"testing"
	"time"

	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

type scenario struct {
	name string
	run  func(t *testing.T, r *recorder)
}

var scenarios = []scenario{
	{"sync_requests", scenarioSync},
	{"async_errors", scenarioAsyncErrors},
	{"publish_subscribe", scenarioPublishSubscribe},
	{"seed003", scenarioSeed003},
	{"switch_update", scenarioSwitchUpdate},
	{"data_and_kick", scenarioDataAndKick},
	{"talking", scenarioTalking},
	{"detach_hangup", scenarioDetachHangup},
	{"limits_pvtid", scenarioLimitsPvtID},
	{"kick_destroy", scenarioKickDestroy},
	{"rtp_forward", scenarioRtpForward},
	{"renegotiate", scenarioRenegotiate},
}

// freshRoom destroys a leftover of an earlier run and creates the room anew.
func freshRoom(t *testing.T, h *handle, body jc.Msg) {
	t.Helper()
	h.message(jc.Msg{"request": "destroy", "room": body["room"], "secret": body["secret"]}, nil)
	body["request"] = "create"
	if d := h.sync(body); d.Str("videoroom") != "created" {
		t.Fatalf("create %v: %v", body, d)
	}
	t.Cleanup(func() { h.message(jc.Msg{"request": "destroy", "room": body["room"], "secret": body["secret"]}, nil) })
}

// onlyRooms keeps the entries of a "list" answer about the given rooms.
func onlyRooms(m jc.Msg, rooms ...float64) jc.Msg {
	d := data(m)
	raw, _ := d["list"].([]any)
	var keep []any
	for _, x := range raw {
		e, _ := x.(map[string]any)
		for _, id := range rooms {
			if e["room"] == id {
				keep = append(keep, e)
			}
		}
	}
	if keep == nil {
		keep = []any{}
	}
	d["list"] = keep
	return m
}

func scenarioSync(t *testing.T, r *recorder) {
	const room = 4242001
	h := r.attach()
	h.message(jc.Msg{"request": "destroy", "room": room, "secret": "s3cret"}, nil)
	r.sync("create", h, jc.Msg{"request": "create", "room": room, "description": "Sync room", "secret": "s3cret",
		"pin": "1234", "is_private": false, "allowed": []string{"tokA"}, "publishers": 4, "bitrate": 256000,
		"bitrate_cap": true, "fir_freq": 5, "audiocodec": "opus,pcmu", "videocodec": "vp8,h264", "opus_fec": false,
		"opus_dtx": true, "audiolevel_ext": true, "audiolevel_event": true, "audio_active_packets": 50,
		"audio_level_average": 40, "notify_joining": true, "require_pvtid": true, "lock_record": true})
	r.sync("create_exists", h, jc.Msg{"request": "create", "room": room})
	r.sync("create_bad_type", h, jc.Msg{"request": "create", "room": room + 1, "publishers": "many"})
	r.sync("exists_yes", h, jc.Msg{"request": "exists", "room": room})
	r.sync("exists_no", h, jc.Msg{"request": "exists", "room": room + 99})
	r.sync("exists_missing_room", h, jc.Msg{"request": "exists"})
	r.sync("exists_room_string", h, jc.Msg{"request": "exists", "room": "abc"})
	r.record("list", onlyRooms(h.message(jc.Msg{"request": "list"}, nil), room, 1234))
	r.sync("edit_no_secret", h, jc.Msg{"request": "edit", "room": room})
	r.sync("edit_wrong_secret", h, jc.Msg{"request": "edit", "room": room, "secret": "nope"})
	r.sync("edit_no_room", h, jc.Msg{"request": "edit", "room": room + 99, "secret": "s3cret"})
	r.sync("edit", h, jc.Msg{"request": "edit", "room": room, "secret": "s3cret", "new_description": "Edited",
		"new_pin": "", "new_is_private": true, "new_require_pvtid": false, "new_bitrate": 64000, "new_fir_freq": 3,
		"new_publishers": 2, "new_lock_record": false})
	r.record("list_private_hidden", onlyRooms(h.message(jc.Msg{"request": "list"}, nil), room))
	r.sync("edit_public", h, jc.Msg{"request": "edit", "room": room, "secret": "s3cret", "new_is_private": false})
	r.record("list_after_edit", onlyRooms(h.message(jc.Msg{"request": "list"}, nil), room))
	r.sync("allowed_add", h, jc.Msg{"request": "allowed", "room": room, "secret": "s3cret", "action": "add", "allowed": []string{"tokB", "tokC"}})
	r.sync("allowed_remove", h, jc.Msg{"request": "allowed", "room": room, "secret": "s3cret", "action": "remove", "allowed": []string{"tokA"}})
	r.sync("allowed_disable", h, jc.Msg{"request": "allowed", "room": room, "secret": "s3cret", "action": "disable"})
	r.sync("allowed_enable", h, jc.Msg{"request": "allowed", "room": room, "secret": "s3cret", "action": "enable"})
	r.sync("allowed_bogus", h, jc.Msg{"request": "allowed", "room": room, "secret": "s3cret", "action": "bogus"})
	r.sync("allowed_no_list", h, jc.Msg{"request": "allowed", "room": room, "secret": "s3cret", "action": "add"})
	r.sync("allowed_wrong_secret", h, jc.Msg{"request": "allowed", "room": room, "secret": "x", "action": "enable"})
	r.sync("listparticipants", h, jc.Msg{"request": "listparticipants", "room": room})
	r.sync("listparticipants_no_room", h, jc.Msg{"request": "listparticipants", "room": room + 99})
	r.sync("kick_no_id", h, jc.Msg{"request": "kick", "room": room, "secret": "s3cret"})
	r.sync("kick_no_user", h, jc.Msg{"request": "kick", "room": room, "secret": "s3cret", "id": 5})
	r.sync("kick_wrong_secret", h, jc.Msg{"request": "kick", "room": room, "secret": "x", "id": 5})
	r.sync("moderate_no_user", h, jc.Msg{"request": "moderate", "room": room, "secret": "s3cret", "id": 5, "mid": "0", "mute": true})
	r.sync("moderate_missing", h, jc.Msg{"request": "moderate", "room": room, "secret": "s3cret", "id": 5})
	r.sync("enable_recording_missing", h, jc.Msg{"request": "enable_recording", "room": room, "secret": "s3cret"})
	r.sync("enable_recording_wrong_secret", h, jc.Msg{"request": "enable_recording", "room": room, "secret": "x", "record": false})
	r.sync("listforwarders", h, jc.Msg{"request": "listforwarders", "room": room, "secret": "s3cret"})
	r.sync("listforwarders_wrong_secret", h, jc.Msg{"request": "listforwarders", "room": room, "secret": "x"})
	r.sync("rtp_forward_no_feed", h, jc.Msg{"request": "rtp_forward", "room": room, "secret": "s3cret", "publisher_id": 5, "host": "127.0.0.1"})
	r.sync("rtp_forward_missing", h, jc.Msg{"request": "rtp_forward", "room": room, "secret": "s3cret"})
	r.sync("stop_rtp_forward_no_feed", h, jc.Msg{"request": "stop_rtp_forward", "room": room, "secret": "s3cret", "publisher_id": 5, "stream_id": 9})
	r.sync("unknown_request", h, jc.Msg{"request": "bogus"})
	r.sync("no_request", h, jc.Msg{})
	r.sync("request_not_string", h, jc.Msg{"request": 5})
	r.sync("destroy_wrong_secret", h, jc.Msg{"request": "destroy", "room": room, "secret": "x"})
	r.sync("destroy_no_room", h, jc.Msg{"request": "destroy", "room": room + 99})
	r.sync("destroy", h, jc.Msg{"request": "destroy", "room": room, "secret": "s3cret"})
	r.sync("exists_after_destroy", h, jc.Msg{"request": "exists", "room": room})

	// A room id chosen by the plugin, and a room with default settings.
	m := h.message(jc.Msg{"request": "create"}, nil)
	id := data(m)["room"].(float64)
	r.volatile[id] = "<room>"
	r.record("create_random", m)
	r.record("list_random", onlyRooms(h.message(jc.Msg{"request": "list"}, nil), id))
	r.sync("destroy_random", h, jc.Msg{"request": "destroy", "room": id})
	r.sync("list_demo_rooms", h, jc.Msg{"request": "exists", "room": 5678})
	r.record("list_demo", onlyRooms(h.message(jc.Msg{"request": "list"}, nil), 1234, 5678))
}

func scenarioAsyncErrors(t *testing.T, r *recorder) {
	const room = 4242002
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s", "pin": "pin", "allowed": []string{"tok"}, "publishers": 1})
	h := r.attach()
	r.async("join_no_room", h, jc.Msg{"request": "join", "ptype": "publisher"}, nil)
	r.async("join_no_ptype", h, jc.Msg{"request": "join", "room": room}, nil)
	r.async("join_bad_ptype", h, jc.Msg{"request": "join", "room": room, "ptype": "viewer"}, nil)
	r.async("join_no_such_room", h, jc.Msg{"request": "join", "room": room + 99, "ptype": "publisher"}, nil)
	r.async("join_wrong_pin", h, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "pin": "x"}, nil)
	r.async("join_no_token", h, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "pin": "pin"}, nil)
	r.async("configure_before_join", h, jc.Msg{"request": "configure", "audio": true}, nil)
	r.async("publish_before_join", h, jc.Msg{"request": "publish"}, nil)
	r.async("start_before_join", h, jc.Msg{"request": "start"}, nil)
	r.async("leave_before_join", h, jc.Msg{"request": "leave"}, nil)
	r.sync("unknown_async", h, jc.Msg{"request": "joinx", "room": room})
	r.async("sub_no_feed", h, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "pin": "pin", "streams": []jc.Msg{{"feed": 77}}}, nil)
	r.async("sub_no_streams", h, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "pin": "pin"}, nil)
	r.async("join", h, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "pin": "pin", "token": "tok", "display": "Ann", "id": 4242}, nil)
	r.async("join_twice", h, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "pin": "pin", "token": "tok"}, nil)
	r.async("publish_no_jsep", h, jc.Msg{"request": "publish"}, nil)
	r.async("unpublish_not_published", h, jc.Msg{"request": "unpublish"}, nil)
	r.async("configure_no_jsep", h, jc.Msg{"request": "configure", "bitrate": 100000, "display": "Ann B"}, nil)
	h2 := r.attach()
	r.async("join_id_exists", h2, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "pin": "pin", "token": "tok", "id": 4242}, nil)
	r.async("join_id_string", h2, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "pin": "pin", "token": "tok", "id": "x"}, nil)
	r.sync("listparticipants", admin, jc.Msg{"request": "listparticipants", "room": room})
	r.async("leave", h, jc.Msg{"request": "leave"}, nil)
	r.sync("listparticipants_after_leave", admin, jc.Msg{"request": "listparticipants", "room": room})
}

// publish joins h as a publisher (if display is set) and publishes p's offer.
func publish(t *testing.T, r *recorder, name string, h *handle, p *publisherPeer, body jc.Msg) jc.Msg {
	t.Helper()
	ev := r.async(name, h, body, p.offer(t))
	if js := ev.Obj("jsep"); js != nil {
		p.answer(t, js)
		p.send()
	} else {
		t.Fatalf("%s: no answer in %v", name, ev)
	}
	return ev
}

func scenarioPublishSubscribe(t *testing.T, r *recorder) {
	const room = 4242003
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s", "notify_joining": true, "description": "PubSub"})
	alice, bob := r.attach(), r.attach()
	ja := r.async("alice_join", alice, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "Alice"}, nil)
	aliceID := data(ja).ID("id")
	r.async("bob_join", bob, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "Bob"}, nil)
	r.event("alice_sees_joining", alice, hasKey("joining"))
	r.sync("participants_before_publish", admin, jc.Msg{"request": "listparticipants", "room": room})
	p := newPublisher(t, 1, false)
	publish(t, r, "alice_publish", alice, p, jc.Msg{"request": "publish", "display": "Alice", "descriptions": []jc.Msg{{"mid": "1", "description": "cam"}}})
	r.coreEvent("alice_webrtcup", alice, "webrtcup")
	r.event("bob_sees_publisher", bob, hasKey("publishers"))
	r.sync("participants_after_publish", admin, jc.Msg{"request": "listparticipants", "room": room})
	eve := r.attach()
	r.async("eve_join_sees_publisher", eve, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "Eve"}, nil)
	r.event("alice_sees_eve", alice, hasKey("joining"))
	r.async("eve_leave", eve, jc.Msg{"request": "leave"}, nil)
	r.event("alice_sees_eve_leaving", alice, hasKey("leaving"))
	r.async("publish_twice", alice, jc.Msg{"request": "publish"}, p.offer(t))

	carol := r.attach()
	s := newSubscriber(t)
	att := r.async("carol_join", carol, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "private_id": 0,
		"streams": []jc.Msg{{"feed": aliceID, "mid": "0"}, {"feed": aliceID, "mid": "1"}}}, nil)
	r.async("carol_start", carol, jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	r.coreEvent("carol_webrtcup", carol, "webrtcup")
	r.async("carol_pause", carol, jc.Msg{"request": "pause"}, nil)
	r.async("carol_resume", carol, jc.Msg{"request": "start"}, nil)
	r.async("carol_configure", carol, jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "1", "send": false}}}, nil)
	r.async("carol_configure_on", carol, jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "1", "send": true}}}, nil)

	dave := r.attach()
	r.async("dave_legacy_join", dave, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "feed": aliceID}, nil)
	r.async("dave_leave", dave, jc.Msg{"request": "leave"}, nil)

	r.async("alice_configure", alice, jc.Msg{"request": "configure", "bitrate": 200000, "keyframe": true, "display": "Alice B",
		"streams": []jc.Msg{{"mid": "0", "send": true}}}, nil)
	r.event("bob_sees_display", bob, func(d jc.Msg) bool { return d.Str("display") == "Alice B" })
	r.sync("participants_renamed", admin, jc.Msg{"request": "listparticipants", "room": room})
	r.async("alice_unpublish", alice, jc.Msg{"request": "unpublish"}, nil)
	r.event("bob_sees_unpublished", bob, hasKey("unpublished"))
	r.event("carol_updated", carol, has("videoroom", "updated"))
	r.sync("participants_after_unpublish", admin, jc.Msg{"request": "listparticipants", "room": room})
	r.async("alice_leave", alice, jc.Msg{"request": "leave"}, nil)
	r.event("bob_sees_leaving", bob, hasKey("leaving"))
	r.async("carol_leave", carol, jc.Msg{"request": "leave"}, nil)
	r.sync("destroy", admin, jc.Msg{"request": "destroy", "room": room, "secret": "s"})
	r.event("bob_sees_destroyed", bob, has("videoroom", "destroyed"))
}

// The captured session of seed 003, with janusSdp instead of jsep.
func scenarioSeed003(t *testing.T, r *recorder) {
	const room = 1234
	omid, other := r.attach(), r.attach()
	jo := r.async("omid_join", omid, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "omid"}, nil)
	privateID := data(jo).ID("private_id")
	r.async("nir_join", other, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "Nir"}, nil)
	p := newPublisher(t, 3, false)
	// Janus itself knows no janusSdp (the seed's client talks to a gateway
	// that does): the oracle gets the offer as jsep, Reprise as janusSdp,
	// and Reprise's echo of the answer under janusSdp is checked and set
	// aside so the rest compares field by field.
	field := "janusSdp"
	if os.Getenv("VIDEOROOM_RECORD") == "1" {
		field = "jsep"
	}
	m := jc.Msg{"janus": "message", "body": jc.Msg{"request": "configure", "audio": true, "video": true}, "transaction": jc.Tx(), field: p.offer(t)}
	if a := r.send(omid.session, omid.id, m); a.Str("janus") != "ack" {
		t.Fatalf("configure: %v", a)
	}
	ev, err := r.in.take(20*time.Second, func(e jc.Msg) bool { return e.Str("transaction") == m.Str("transaction") && e.Str("janus") == "event" })
	if err != nil {
		t.Fatal(err)
	}
	rec := jc.Msg{} // a copy: the client's poller may still read ev
	for k, v := range ev {
		rec[k] = v
	}
	if field == "janusSdp" {
		if canon(ev["janusSdp"]) != canon(ev["jsep"]) {
			t.Errorf("answer not echoed under janusSdp: %v", ev)
		}
		delete(rec, "janusSdp")
	}
	r.record("omid_configure", rec)
	p.answer(t, ev.Obj("jsep"))
	p.send()
	r.coreEvent("omid_webrtcup", omid, "webrtcup")
	r.event("nir_sees_publisher", other, hasKey("publishers"))
	sub := r.attach()
	feed := data(jo).ID("id")
	r.async("subscribe", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber",
		"streams": []jc.Msg{{"feed": feed, "mid": "0"}, {"feed": feed, "mid": "1"}}, "private_id": privateID}, nil)
	r.async("omid_unpublish", omid, jc.Msg{"request": "unpublish"}, nil)
	r.event("nir_sees_unpublished", other, hasKey("unpublished"))
	r.async("omid_leave", omid, jc.Msg{"request": "leave"}, nil)
	r.async("nir_leave", other, jc.Msg{"request": "leave"}, nil)
}

func scenarioSwitchUpdate(t *testing.T, r *recorder) {
	const room = 4242004
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s"})
	a, b := r.attach(), r.attach()
	ja := r.async("a_join", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "A"}, nil)
	jb := r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "B"}, nil)
	aID, bID := data(ja).ID("id"), data(jb).ID("id")
	pa, pb := newPublisher(t, 1, false), newPublisher(t, 2, false)
	publish(t, r, "a_publish", a, pa, jc.Msg{"request": "publish"})
	publish(t, r, "b_publish", b, pb, jc.Msg{"request": "publish"})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.coreEvent("b_webrtcup", b, "webrtcup")
	sub := r.attach()
	s := newSubscriber(t)
	att := r.async("sub_join", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": aID}}}, nil)
	r.async("sub_start", sub, jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	r.async("switch", sub, jc.Msg{"request": "switch", "streams": []jc.Msg{{"feed": bID, "mid": "1", "sub_mid": "1"}}}, nil)
	r.async("switch_bad_feed", sub, jc.Msg{"request": "switch", "streams": []jc.Msg{{"feed": 999, "mid": "1", "sub_mid": "1"}}}, nil)
	r.async("switch_missing", sub, jc.Msg{"request": "switch", "streams": []jc.Msg{{"feed": bID}}}, nil)
	up := r.async("subscribe", sub, jc.Msg{"request": "subscribe", "streams": []jc.Msg{{"feed": bID, "mid": "0"}}}, nil)
	if js := up.Obj("jsep"); js != nil {
		r.async("start_after_subscribe", sub, jc.Msg{"request": "start"}, s.answer(t, js))
	}
	up = r.async("unsubscribe", sub, jc.Msg{"request": "unsubscribe", "streams": []jc.Msg{{"sub_mid": "2"}}}, nil)
	if js := up.Obj("jsep"); js != nil {
		r.async("start_after_unsubscribe", sub, jc.Msg{"request": "start"}, s.answer(t, js))
	}
	r.async("update_empty", sub, jc.Msg{"request": "update"}, nil)
	up = r.async("update", sub, jc.Msg{"request": "update", "subscribe": []jc.Msg{{"feed": bID, "mid": "0"}}, "unsubscribe": []jc.Msg{{"feed": aID, "mid": "0"}}}, nil)
	if js := up.Obj("jsep"); js != nil {
		r.async("start_after_update", sub, jc.Msg{"request": "start"}, s.answer(t, js))
	}
	r.async("b_unpublish", b, jc.Msg{"request": "unpublish"}, nil)
	r.event("a_sees_unpublished", a, hasKey("unpublished"))
	r.event("sub_updated_after_unpublish", sub, has("videoroom", "updated"))
	r.async("a_leave", a, jc.Msg{"request": "leave"}, nil)
	r.async("b_leave", b, jc.Msg{"request": "leave"}, nil)
	r.async("sub_leave", sub, jc.Msg{"request": "leave"}, nil)
}

func scenarioDataAndKick(t *testing.T, r *recorder) {
	const room = 4242005
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s", "audiolevel_event": true})
	a, b := r.attach(), r.attach()
	r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "B"}, nil)
	pa := newPublisher(t, 1, true)
	ja := publish(t, r, "a_joinandconfigure_data", a, pa, jc.Msg{"request": "joinandconfigure", "room": room, "ptype": "publisher", "display": "A"})
	aID := data(ja).ID("id")
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.event("b_sees_publisher", b, hasKey("publishers"))
	sub := r.attach()
	r.async("sub_join", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": aID}}}, nil)
	r.sync("moderate", admin, jc.Msg{"request": "moderate", "room": room, "secret": "s", "id": aID, "mid": "0", "mute": true})
	r.event("b_sees_moderation", b, hasKey("moderation"))
	r.event("a_sees_moderation", a, hasKey("moderation"))
	r.sync("moderate_bad_mid", admin, jc.Msg{"request": "moderate", "room": room, "secret": "s", "id": aID, "mid": "9", "mute": true})
	r.sync("participants", admin, jc.Msg{"request": "listparticipants", "room": room})
	r.sync("kick", admin, jc.Msg{"request": "kick", "room": room, "secret": "s", "id": aID})
	r.event("a_kicked", a, has("reason", "kicked"))
	r.event("b_sees_kicked", b, hasKey("kicked"))
	r.coreEvent("a_hangup", a, "hangup")
	r.sync("participants_after_kick", admin, jc.Msg{"request": "listparticipants", "room": room})
	r.async("a_join_after_kick", a, jc.Msg{"request": "configure", "display": "again"}, nil)
}

func scenarioTalking(t *testing.T, r *recorder) {
	const room = 4242006
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s", "audiolevel_event": true, "audio_active_packets": 10, "audio_level_average": 40})
	a, b := r.attach(), r.attach()
	r.async("a_join", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "A"}, nil)
	r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "B"}, nil)
	p := newPublisher(t, 1, false)
	publish(t, r, "a_publish", a, p, jc.Msg{"request": "publish"})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.event("b_sees_publisher", b, hasKey("publishers"))
	p.loud.Store(true)
	r.event("b_sees_talking", b, has("videoroom", "talking"))
	r.event("a_sees_talking", a, has("videoroom", "talking"))
	r.sync("participants_talking", admin, jc.Msg{"request": "listparticipants", "room": room})
	c := r.attach()
	r.async("c_join_sees_talking", c, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "C"}, nil)
	p.loud.Store(false)
	r.event("b_sees_stopped", b, has("videoroom", "stopped-talking"))
	r.async("a_leave", a, jc.Msg{"request": "leave"}, nil)
}

// What others hear when handles hang up or go away without a leave.
func scenarioDetachHangup(t *testing.T, r *recorder) {
	const room = 4242007
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s"})
	a, b, watcher := r.attach(), r.attach(), r.attach()
	ja := r.async("a_join", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "A"}, nil)
	r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "B"}, nil)
	r.async("w_join", watcher, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "W"}, nil)
	pa := newPublisher(t, 1, false)
	publish(t, r, "a_publish", a, pa, jc.Msg{"request": "publish"})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.event("w_sees_a", watcher, hasKey("publishers"))
	sub := r.attach()
	s := newSubscriber(t)
	att := r.async("sub_join", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": data(ja).ID("id")}}}, nil)
	r.async("sub_start", sub, jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	r.coreEvent("sub_webrtcup", sub, "webrtcup")

	// b (not publishing) detaches.
	r.record("b_detach", r.send(b.session, b.id, jc.Msg{"janus": "detach"}))
	r.event("w_sees_b_unpublished", watcher, hasKey("unpublished"))
	r.event("w_sees_b_leaving", watcher, hasKey("leaving"))
	// a hangs its PeerConnection up.
	r.record("a_hangup_request", r.send(a.session, a.id, jc.Msg{"janus": "hangup"}))
	r.coreEvent("a_hangup", a, "hangup")
	r.event("w_sees_a_unpublished", watcher, hasKey("unpublished"))
	r.event("sub_updated", sub, has("videoroom", "updated"))
	r.sync("participants_after_hangup", admin, jc.Msg{"request": "listparticipants", "room": room})
	// the subscriber detaches, then a.
	r.record("sub_detach", r.send(sub.session, sub.id, jc.Msg{"janus": "detach"}))
	r.record("a_detach", r.send(a.session, a.id, jc.Msg{"janus": "detach"}))
	r.event("w_sees_a_leaving", watcher, hasKey("leaving"))
	r.sync("participants_end", admin, jc.Msg{"request": "listparticipants", "room": room})
}

// require_pvtid, the publishers limit and requests that change nothing.
func scenarioLimitsPvtID(t *testing.T, r *recorder) {
	const room = 4242008
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s", "require_pvtid": true, "publishers": 1})
	a, b := r.attach(), r.attach()
	ja := r.async("a_joinandconfigure_no_jsep", a, jc.Msg{"request": "joinandconfigure", "room": room, "ptype": "publisher", "display": "A"}, nil)
	r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher"}, nil)
	pa, pb := newPublisher(t, 1, false), newPublisher(t, 2, false)
	publish(t, r, "a_publish", a, pa, jc.Msg{"request": "publish", "audiocodec": "opus", "videocodec": "vp8", "bitrate": 300000})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.async("b_publish_full", b, jc.Msg{"request": "publish"}, pb.offer(t))
	feed := data(ja).ID("id")
	sub := r.attach()
	r.async("sub_no_pvtid", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": feed}}}, nil)
	r.async("sub_wrong_pvtid", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "private_id": 1, "streams": []jc.Msg{{"feed": feed}}}, nil)
	r.async("sub_bad_mid", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "private_id": data(ja).ID("private_id"), "streams": []jc.Msg{{"feed": feed, "mid": "7"}}}, nil)
	s := newSubscriber(t)
	att := r.async("sub_join", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "private_id": data(ja).ID("private_id"), "streams": []jc.Msg{{"feed": feed, "mid": "1"}}}, nil)
	r.async("sub_join_twice", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "private_id": data(ja).ID("private_id"), "streams": []jc.Msg{{"feed": feed}}}, nil)
	r.async("sub_start", sub, jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	r.coreEvent("sub_webrtcup", sub, "webrtcup")
	r.async("sub_configure_layers", sub, jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "0", "substream": 1, "temporal": 0}}}, nil)
	r.async("sub_unsubscribe_nothing", sub, jc.Msg{"request": "unsubscribe", "streams": []jc.Msg{{"feed": 12345}}}, nil)
	r.async("sub_subscribe_missing", sub, jc.Msg{"request": "subscribe"}, nil)
	r.async("sub_publish", sub, jc.Msg{"request": "publish"}, nil)
	r.async("a_start", a, jc.Msg{"request": "start"}, nil)
	r.async("a_configure_streams", a, jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "1", "send": false}, {"mid": "9", "send": true}}}, nil)
	r.async("a_leave", a, jc.Msg{"request": "leave"}, nil)
	r.event("sub_updated", sub, has("videoroom", "updated"))
	r.async("sub_leave", sub, jc.Msg{"request": "leave"}, nil)
}

// kick and destroy with a live subscription of the kicked publisher.
func scenarioKickDestroy(t *testing.T, r *recorder) {
	const room = 4242009
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room})
	a, b := r.attach(), r.attach()
	ja := r.async("a_join", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "A"}, nil)
	r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "B"}, nil)
	pa, pb := newPublisher(t, 1, false), newPublisher(t, 2, false)
	publish(t, r, "a_publish", a, pa, jc.Msg{"request": "publish"})
	publish(t, r, "b_publish", b, pb, jc.Msg{"request": "publish"})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.coreEvent("b_webrtcup", b, "webrtcup")
	sub := r.attach()
	s := newSubscriber(t)
	att := r.async("sub_join", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": data(ja).ID("id")}}}, nil)
	r.async("sub_start", sub, jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	r.coreEvent("sub_webrtcup", sub, "webrtcup")
	r.sync("kick", admin, jc.Msg{"request": "kick", "room": room, "id": data(ja).ID("id")})
	r.event("a_kicked", a, has("reason", "kicked"))
	r.coreEvent("a_hangup", a, "hangup")
	r.event("b_sees_kicked", b, hasKey("kicked"))
	r.event("sub_no_update_on_kick", sub, has("videoroom", "updated"))
	r.async("a_join_after_kick", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher"}, nil)
	r.async("a_configure_after_kick", a, jc.Msg{"request": "configure", "bitrate": 1000}, nil)
	r.sync("destroy", admin, jc.Msg{"request": "destroy", "room": room})
	r.event("b_destroyed", b, has("videoroom", "destroyed"))
	r.coreEvent("b_hangup", b, "hangup")
	r.event("sub_no_destroyed", sub, has("videoroom", "destroyed"))
	r.coreEvent("sub_no_hangup", sub, "hangup")
	r.async("b_request_after_destroy", b, jc.Msg{"request": "configure", "bitrate": 1000}, nil)
	r.async("sub_request_after_destroy", sub, jc.Msg{"request": "pause"}, nil)
}

// rtp_forward, listforwarders and stop_rtp_forward of a live publisher.
func scenarioRtpForward(t *testing.T, r *recorder) {
	const room = 4242010
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room, "secret": "s"})
	host := "127.0.0.1"
	if ip := os.Getenv("VIDEOROOM_PEER_IP"); ip != "" {
		host = ip // the address the namespaced oracle reaches us on
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	a := r.attach()
	ja := r.async("a_join", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "A"}, nil)
	publish(t, r, "a_publish", a, newPublisher(t, 1, false), jc.Msg{"request": "publish"})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	feed := data(ja).ID("id")
	fw := r.sync("forward", admin, jc.Msg{"request": "rtp_forward", "room": room, "secret": "s", "publisher_id": feed, "host": host,
		"streams": []jc.Msg{{"mid": "0", "port": port}, {"mid": "1", "port": port, "pt": 100, "ssrc": 4242}}})
	r.sync("forward_bad_mid", admin, jc.Msg{"request": "rtp_forward", "room": room, "secret": "s", "publisher_id": feed, "host": host,
		"streams": []jc.Msg{{"mid": "7", "port": port}}})
	r.sync("forward_no_port", admin, jc.Msg{"request": "rtp_forward", "room": room, "secret": "s", "publisher_id": feed, "host": host,
		"streams": []jc.Msg{{"mid": "0"}}})
	r.sync("list", admin, jc.Msg{"request": "listforwarders", "room": room, "secret": "s"})
	r.sync("stop_bad_id", admin, jc.Msg{"request": "stop_rtp_forward", "room": room, "secret": "s", "publisher_id": feed, "stream_id": 1})
	for _, f := range list(data(fw), "forwarders") {
		r.sync("stop_"+f.Str("type"), admin, jc.Msg{"request": "stop_rtp_forward", "room": room, "secret": "s", "publisher_id": feed, "stream_id": f.ID("stream_id")})
	}
	r.sync("list_after_stop", admin, jc.Msg{"request": "listforwarders", "room": room, "secret": "s"})
}

// Renegotiations: a publisher's new offer, new descriptions, an ICE restart
// asked for by a subscriber.
func scenarioRenegotiate(t *testing.T, r *recorder) {
	const room = 4242011
	admin := r.attach()
	freshRoom(t, admin, jc.Msg{"room": room})
	a, b := r.attach(), r.attach()
	ja := r.async("a_join", a, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "A"}, nil)
	r.async("b_join", b, jc.Msg{"request": "join", "room": room, "ptype": "publisher", "display": "B"}, nil)
	p := newPublisher(t, 1, false)
	publish(t, r, "a_publish", a, p, jc.Msg{"request": "publish"})
	r.coreEvent("a_webrtcup", a, "webrtcup")
	r.event("b_sees_a", b, hasKey("publishers"))
	sub := r.attach()
	s := newSubscriber(t)
	att := r.async("sub_join", sub, jc.Msg{"request": "join", "room": room, "ptype": "subscriber", "streams": []jc.Msg{{"feed": data(ja).ID("id")}}}, nil)
	r.async("sub_start", sub, jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	r.coreEvent("sub_webrtcup", sub, "webrtcup")
	r.async("a_descriptions", a, jc.Msg{"request": "configure", "descriptions": []jc.Msg{{"mid": "1", "description": "screen"}}}, nil)
	r.event("b_sees_descriptions", b, hasKey("publishers"))
	ev := r.async("a_renegotiate", a, jc.Msg{"request": "configure"}, p.offer(t))
	if js := ev.Obj("jsep"); js != nil {
		p.answer(t, js)
	}
	r.event("b_sees_renegotiated", b, hasKey("publishers"))
	r.event("sub_updated_on_renegotiation", sub, has("videoroom", "updated"))
	ev = r.async("sub_restart", sub, jc.Msg{"request": "configure", "restart": true}, nil)
	if js := ev.Obj("jsep"); js != nil {
		r.async("sub_restart_answer", sub, jc.Msg{"request": "start"}, s.answer(t, js))
	}
	r.async("sub_configure_unknown_mid", sub, jc.Msg{"request": "configure", "streams": []jc.Msg{{"mid": "9", "send": false}}}, nil)
}
