package videoroom

import (
	"os"
	"strings"
	"testing"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// The captured session of seed 003, step by step: a publisher in the demo
// room 1234 that sends its offer (Chrome's, verbatim) as "janusSdp" with a
// "configure", trickles, hears about another publisher, subscribes to it
// from the same session with its private_id, and unpublishes.
func TestSeed003Session(t *testing.T) {
	offer, err := os.ReadFile("testdata/seed003_offer.sdp")
	if err != nil {
		t.Fatal(err)
	}
	gw := harness.Start(t, harness.Options{ExtraArgs: []string{"-slowlink-threshold", "4"}})
	j := newJanus(t, gw.HTTPURL)
	omid := j.attach()
	joined := data(omid.async(jc.Msg{"request": "join", "room": 1234, "ptype": "publisher", "display": "omid"}, nil))
	if joined.Str("videoroom") != "joined" || joined.ID("room") != 1234 || joined.Str("description") != "Demo Room" ||
		joined.ID("id") == 0 || joined.ID("private_id") == 0 || len(list(joined, "publishers")) != 0 {
		t.Fatalf("joined: %v", joined)
	}

	ev := omid.asyncField(jc.Msg{"request": "configure", "audio": true, "video": true}, "janusSdp", jc.Msg{"type": "offer", "sdp": string(offer)})
	d := data(ev)
	if d.Str("videoroom") != "event" || d.ID("room") != 1234 || d.Str("configured") != "ok" ||
		d.Str("audio_codec") != "opus" || d.Str("video_codec") != "vp8" {
		t.Fatalf("configured: %v", d)
	}
	wantStreams := []string{`{"codec":"opus","fec":true,"mid":"0","mindex":0,"type":"audio"}`, `{"codec":"vp8","mid":"1","mindex":1,"type":"video"}`}
	for i, st := range list(d, "streams") {
		if i >= len(wantStreams) || canon(map[string]any(st)) != wantStreams[i] {
			t.Fatalf("configured streams: %v", list(d, "streams"))
		}
	}
	ans := ev.Obj("janusSdp")
	if ans.Str("type") != "answer" || canon(ev["jsep"]) != canon(ev["janusSdp"]) {
		t.Fatalf("the answer is not echoed under janusSdp: %v", ev)
	}
	sdp := ans.Str("sdp")
	for _, want := range []string{"m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtpmap:111 opus/48000/2", "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
		"a=rtpmap:96 VP8/90000", "a=fmtp:97 apt=96", "a=mid:0", "a=mid:1", "a=recvonly", "a=group:BUNDLE 0 1"} {
		if !strings.Contains(sdp, want) {
			t.Errorf("answer lacks %q:\n%s", want, sdp)
		}
	}
	for _, c := range []jc.Msg{
		{"janus": "trickle", "candidate": jc.Msg{"candidate": "candidate:4230638615 1 udp 2122260223 192.168.44.231 57211 typ host generation 0 ufrag sanz network-id 1 network-cost 50", "sdpMid": "0", "sdpMLineIndex": 0}},
		{"janus": "trickle", "candidate": jc.Msg{"completed": true}},
	} {
		if r := j.send(omid.session, omid.id, c); r.Str("janus") != "ack" {
			t.Fatalf("trickle: %v", r)
		}
	}

	// Nir publishes from elsewhere; omid is told with the seed's shape.
	nir := j.attach()
	nirID := data(nir.async(jc.Msg{"request": "join", "room": 1234, "ptype": "publisher", "display": "Nir"}, nil)).ID("id")
	p := newPublisher(t, 9, false)
	ev = nir.async(jc.Msg{"request": "configure", "audio": true, "video": true}, p.offer(t))
	p.answer(t, ev.Obj("jsep"))
	p.send()
	pubs := list(data(omid.event(hasKey("publishers"))), "publishers")
	if len(pubs) != 1 || pubs[0].ID("id") != nirID || pubs[0].Str("display") != "Nir" || pubs[0].Str("audio_codec") != "opus" ||
		pubs[0].Str("video_codec") != "vp8" || len(list(pubs[0], "streams")) != 2 {
		t.Fatalf("publishers event: %v", pubs)
	}

	// omid subscribes from the same session, with its private_id.
	subH := j.attachTo(omid.session)
	att := subH.async(jc.Msg{"request": "join", "room": 1234, "ptype": "subscriber",
		"streams": []jc.Msg{{"feed": nirID, "mid": "0"}, {"feed": nirID, "mid": "1"}}, "private_id": joined.ID("private_id")}, nil)
	a := data(att)
	if a.Str("videoroom") != "attached" || a.ID("room") != 1234 {
		t.Fatalf("attached: %v", a)
	}
	for i, st := range list(a, "streams") {
		kind := []string{"audio", "video"}[i]
		mid := []string{"0", "1"}[i]
		if st.Str("type") != kind || st["active"] != true || st.ID("mindex") != uint64(i) || st.Str("mid") != mid ||
			st["ready"] != false || st["send"] != true || st.ID("feed_id") != nirID || st.Str("feed_display") != "Nir" || st.Str("feed_mid") != mid {
			t.Fatalf("attached stream %d: %v", i, st)
		}
	}
	// The session once spoke janusSdp: the offer comes under that name too.
	if att.Obj("janusSdp").Str("type") != "offer" || canon(att["janusSdp"]) != canon(att["jsep"]) {
		t.Fatalf("attached without the offer under janusSdp: %v", att)
	}
	o := att.Obj("jsep").Str("sdp")
	for _, want := range []string{"m=audio", "m=video", "a=sendonly", "opus/48000", "VP8/90000"} {
		if !strings.Contains(o, want) {
			t.Errorf("subscriber offer lacks %q:\n%s", want, o)
		}
	}
	s := newSubscriber(t)
	subH.async(jc.Msg{"request": "start"}, s.answer(t, att.Obj("jsep")))
	receives(t, s, "video", 9, 20)

	// A lossy uplink: the publisher hears slow_link with the room's cap.
	p.skipEvery.Store(3)
	sl := data(nir.event(has("videoroom", "slow_link")))
	if sl.ID("current-bitrate") != 128000 {
		t.Fatalf("slow_link: %v", sl)
	}
	p.skipEvery.Store(0)

	if d := data(omid.async(jc.Msg{"request": "unpublish"}, nil)); canon(map[string]any(d)) != `{"room":1234,"unpublished":"ok","videoroom":"event"}` {
		t.Fatalf("unpublish: %v", d)
	}
	if d := data(nir.event(hasKey("unpublished"))); d.ID("unpublished") != joined.ID("id") {
		t.Fatalf("unpublished event: %v", d)
	}
}
