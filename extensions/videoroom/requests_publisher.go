package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// join handles "join" for both roles and "joinandconfigure".
func (v *videoRoom) join(ctx context.Context, s *session, req string, p params, jsep *sdk.JSEP) (any, *sdk.JSEP) {
	if _, e := p.mustUint("room"); e != nil {
		return e, nil
	}
	ptype, e := p.mustStr("ptype")
	if e != nil {
		return e, nil
	}
	if e := p.check([]string{"display", "token", "pin"}, []string{"id", "private_id", "feed"}, nil, nil); e != nil {
		return e, nil
	}
	if s.pub != nil {
		return fail(errAlreadyJoined, "Already in as a publisher on this handle"), nil
	}
	if s.sub != nil {
		return fail(errAlreadyJoined, "Already in as a subscriber on this handle"), nil
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e, nil
	}
	if e := r.checkPin(p); e != nil {
		return e, nil
	}
	switch {
	case ptype == "publisher":
		return v.joinPublisher(ctx, s, r, req, p, jsep)
	case (ptype == "subscriber" || ptype == "listener") && req == "join":
		return v.joinSubscriber(ctx, s, r, p)
	}
	return fail(errInvalidElement, "Invalid element (ptype)"), nil
}

func (v *videoRoom) joinPublisher(ctx context.Context, s *session, r *room, req string, p params, jsep *sdk.JSEP) (any, *sdk.JSEP) {
	if r.CheckAllowed {
		token, _, _ := p.str("token")
		if !slices.Contains(r.Allowed, token) {
			return fail(errUnauthorized, "Unauthorized (not in the allowed list)"), nil
		}
	}
	id, ok, _ := p.uint("id")
	if ok && r.participants[id] != nil {
		return fail(errIDExists, "User ID %d already exists", id), nil
	}
	for !ok || id == 0 {
		id, ok = randomID(), r.participants[id] == nil
	}
	pub := &publisher{Handle: s.handle, Room: r.Room, ID: id, PrivateID: v.privateID(r)}
	pub.Display, _, _ = p.str("display")

	joined := map[string]any{"videoroom": "joined", "room": r.Room, "description": r.Description,
		"id": pub.ID, "private_id": pub.PrivateID}
	publishers := []map[string]any{}
	attendees := []map[string]any{}
	for _, other := range sortedParticipants(r) {
		if other.Active {
			publishers = append(publishers, other.info(true))
		} else {
			attendees = append(attendees, other.attendee())
		}
	}
	joined["publishers"] = publishers
	if r.NotifyJoining {
		joined["attendees"] = attendees
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "joining": pub.attendee()})
	}
	r.participants[pub.ID] = pub
	s.pub = pub
	v.dirty.pubs[s.handle] = true
	slog.Info("participant joined", "room", r.Room, "id", pub.ID, "handle", s.handle)
	if req != "joinandconfigure" {
		return joined, nil
	}
	res, answer := v.configurePublisher(ctx, s, r, pub, "configure", p, jsep)
	if e, ok := res.(*vrError); ok {
		return e, nil
	}
	for _, k := range []string{"audio_codec", "video_codec", "streams"} {
		if x, ok := res.(map[string]any)[k]; ok {
			joined[k] = x
		}
	}
	return joined, answer
}

// privateID picks a private id no participant of the room has.
func (v *videoRoom) privateID(r *room) uint32 {
	for {
		id := rand.Uint32()
		if id != 0 && r.byPrivateID(id) == nil {
			return id
		}
	}
}

func (v *videoRoom) publisherRequest(ctx context.Context, s *session, req string, p params, jsep *sdk.JSEP) (any, *sdk.JSEP) {
	pub := s.pub
	r := v.rooms[pub.Room]
	if r == nil {
		return fail(errNoSuchRoom, "No such room"), nil
	}
	switch req {
	case "configure", "publish":
		if req == "publish" && pub.Published {
			return fail(errAlreadyPublished, "Can't publish, already published"), nil
		}
		return v.configurePublisher(ctx, s, r, pub, req, p, jsep)
	case "unpublish":
		if !pub.Published {
			return fail(errNotPublished, "Can't unpublish, not published"), nil
		}
		v.unpublish(ctx, r, pub, true)
		return map[string]any{"videoroom": "event", "room": r.Room, "unpublished": "ok"}, nil
	case "leave":
		v.removeParticipant(ctx, r, pub, leaveRequested)
		return map[string]any{"videoroom": "event", "room": r.Room, "leaving": "ok"}, nil
	}
	return fail(errInvalidRequest, "Unknown request '%s'", req), nil
}

// configurePublisher applies publish/configure: a new offer (publish or
// renegotiation) and the settings that may come with it.
func (v *videoRoom) configurePublisher(ctx context.Context, s *session, r *room, pub *publisher, req string, p params, jsep *sdk.JSEP) (any, *sdk.JSEP) {
	if e := p.check([]string{"display", "audiocodec", "videocodec", "filename"},
		[]string{"bitrate", "audio_active_packets", "audio_level_average"}, []string{"keyframe", "record", "audio", "video", "data"}, nil); e != nil {
		return e, nil
	}
	streamReqs, _, e := p.objects("streams")
	if e != nil {
		return e, nil
	}
	for _, sr := range streamReqs {
		mid, e := sr.mustStr("mid")
		if e != nil {
			return e, nil
		}
		if e := sr.check(nil, []string{"min_delay", "max_delay"}, []string{"send", "keyframe"}, nil); e != nil {
			return e, nil
		}
		if pub.stream(mid) == nil && jsep == nil {
			return fail(errNoSuchFeed, "No such mid '%s' published", mid), nil
		}
	}
	descs, _, e := p.objects("descriptions")
	if e != nil {
		return e, nil
	}
	announce := len(descs) > 0 // others hear of new descriptions
	for _, d := range descs {
		mid, _, _ := d.str("mid")
		text, _, _ := d.str("description")
		if mid != "" {
			if pub.Described == nil {
				pub.Described = map[string]string{}
			}
			pub.Described[mid] = text
		}
	}
	talkChanged := false
	if n, ok, _ := p.uint("audio_active_packets"); ok && n > 0 {
		pub.AudioActivePackets, talkChanged = int(n), true
	}
	if n, ok, _ := p.uint("audio_level_average"); ok && n > 0 {
		pub.AudioLevelAverage, talkChanged = int(n), true
	}
	out := map[string]any{"videoroom": "event", "room": r.Room, "configured": "ok"}
	var answer *sdk.JSEP
	if jsep != nil {
		if jsep.Type != "offer" {
			return fail(errInvalidSDPType, "Unsupported SDP type '%s'", jsep.Type), nil
		}
		var e *vrError
		renegotiation := pub.Published
		if answer, e = v.publish(ctx, r, pub, jsep.SDP, p); e != nil {
			return e, nil
		}
		announce = announce || renegotiation
		if pub.AudioCodec != "" {
			out["audio_codec"] = pub.AudioCodec
		}
		if pub.VideoCodec != "" {
			out["video_codec"] = pub.VideoCodec
		}
		out["streams"] = pub.streamInfos(false)
	}
	if talkChanged && pub.Published && jsep == nil {
		v.applyTalkDetection(ctx, r, pub)
	}
	if announce && pub.Active {
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "publishers": []any{pub.info(false)}})
	}
	if display, ok, _ := p.str("display"); ok {
		pub.Display = display
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "id": pub.ID, "display": display})
	}
	if b, ok, _ := p.uint("bitrate"); ok {
		pub.Bitrate = uint32(b)
		if r.BitrateCap && r.Bitrate > 0 && pub.Bitrate > r.Bitrate {
			pub.Bitrate = r.Bitrate
		}
		if pub.Published {
			v.applyBitrate(ctx, r, pub)
		}
	}
	for _, sr := range streamReqs {
		mid, _, _ := sr.str("mid")
		st := pub.stream(mid)
		if st == nil {
			continue
		}
		if send, ok, _ := sr.boolean("send"); ok && st.Muted == send {
			st.Muted = !send
			v.refreshFeed(ctx, r, pub, mid)
		}
		if kf, _, _ := sr.boolean("keyframe"); kf {
			v.keyframe(ctx, pub, st)
		}
	}
	if kf, _, _ := p.boolean("keyframe"); kf {
		for _, st := range pub.Streams {
			if st.Type == "video" {
				v.keyframe(ctx, pub, st)
			}
		}
	}
	if rec, ok, _ := p.boolean("record"); ok && pub.Published && rec != pub.Recording {
		file, _, _ := p.str("filename")
		if e := v.setRecording(ctx, r, pub, rec, file); e != nil {
			return e, nil
		}
	}
	v.dirty.pubs[pub.Handle] = true
	return out, answer
}

// publish answers the publisher's offer with the room's codecs and sets up
// what the core does for a publisher (bitrate cap, keyframes, talk
// detection, recording).
func (v *videoRoom) publish(ctx context.Context, r *room, pub *publisher, offer string, p params) (*sdk.JSEP, *vrError) {
	if !pub.Published && r.publishing() >= r.Publishers {
		return nil, fail(errPublishersFull, "Maximum number of publishers (%d) already reached", r.Publishers)
	}
	opts := sdk.AnswerOptions{AudioCodecs: preferred(r.AudioCodecs, p, "audiocodec"), VideoCodecs: preferred(r.VideoCodecs, p, "videocodec")}
	n, err := v.core.AnswerOffer(ctx, pub.Handle, offer, opts)
	if err != nil {
		slog.Warn("answer publisher offer", "handle", pub.Handle, "err", err)
		return nil, fail(errInvalidSDP, "Error negotiating the offer: %v", err)
	}
	renegotiation := pub.Published
	old := map[string]*pubStream{}
	for _, st := range pub.Streams {
		old[st.MID] = st
	}
	pub.Streams, pub.AudioCodec, pub.VideoCodec = nil, "", ""
	for _, ns := range n.Streams {
		st := &pubStream{Type: ns.Kind, MIndex: ns.MIndex, MID: ns.MID, Codec: ns.Codec, Fmtp: ns.Fmtp,
			Simulcast: len(ns.RIDs) > 0, SVC: ns.SVC}
		if prev := old[ns.MID]; prev != nil {
			st.Moderated, st.Muted = prev.Moderated, prev.Muted
		}
		switch ns.Kind {
		case "audio":
			st.FEC = ns.Codec == "opus" && r.OpusFEC
			if pub.AudioCodec == "" {
				pub.AudioCodec = ns.Codec
			}
		case "video":
			if pub.VideoCodec == "" {
				pub.VideoCodec = ns.Codec
			}
		}
		if ns.Kind != "data" && ns.Codec == "" {
			st.Disabled = true
		}
		pub.Streams = append(pub.Streams, st)
	}
	pub.AudioLevel = r.AudioLevelExt && offersAudioLevel(offer)
	pub.Published = true
	v.dirty.pubs[pub.Handle] = true
	v.applyBitrate(ctx, r, pub)
	v.applyKeyframeInterval(ctx, r, pub)
	v.applyTalkDetection(ctx, r, pub)
	if r.Record && !pub.Recording {
		if e := v.setRecording(ctx, r, pub, true, ""); e != nil {
			slog.Warn("room recording of a new publisher", "room", r.Room, "id", pub.ID, "err", e.msg)
		}
	}
	if renegotiation && pub.Active {
		for _, sub := range r.subscribers {
			for _, st := range sub.Streams {
				if st.Active && st.FeedID == pub.ID {
					v.applyPause(ctx, r, sub, st)
				}
			}
		}
	}
	slog.Info("publishing", "room", r.Room, "id", pub.ID, "streams", len(pub.Streams))
	return &n.JSEP, nil
}

// preferred puts a requested codec first among the room's, if it is one.
func preferred(room []string, p params, field string) []string {
	c, ok, _ := p.str(field)
	if !ok || !slices.Contains(room, c) {
		return room
	}
	return append([]string{c}, slices.DeleteFunc(slices.Clone(room), func(x string) bool { return x == c })...)
}

// unpublish closes the publisher's PeerConnection and removes its feed.
func (v *videoRoom) unpublish(ctx context.Context, r *room, pub *publisher, notify bool) {
	v.stopPublishing(ctx, r, pub, true)
	v.hangup(ctx, pub.Handle)
	if notify {
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "unpublished": pub.ID})
	}
}

// stopPublishing forgets the publisher's streams: recordings and
// forwarders stop, subscriptions lose their feed (and are renegotiated
// when announce is set).
func (v *videoRoom) stopPublishing(ctx context.Context, r *room, pub *publisher, announce bool) {
	if pub.Recording {
		_ = v.setRecording(ctx, r, pub, false, "")
	}
	for _, f := range pub.Forwarders {
		if err := v.core.StopRtpForward(ctx, f.StreamID); err != nil {
			slog.Warn("stop rtp forwarder", "stream_id", f.StreamID, "err", err)
		}
	}
	pub.Forwarders = nil
	pub.Published, pub.Active, pub.Talking = false, false, false
	pub.Streams, pub.AudioCodec, pub.VideoCodec = nil, "", ""
	v.dirty.pubs[pub.Handle] = true
	v.feedGone(ctx, r, pub, announce)
}

type leaveKind int

const (
	leaveRequested leaveKind = iota
	leaveDetached
	leaveKicked
	leaveVanished // the handle went away while the extension was down
)

// removeParticipant takes a participant out of its room and tells the others.
func (v *videoRoom) removeParticipant(ctx context.Context, r *room, pub *publisher, how leaveKind) {
	if r == nil || r.participants[pub.ID] != pub {
		return
	}
	wasPublished := pub.Published
	if wasPublished {
		// On "leave" and "kick" Janus 1.1.2 stops the feed without telling
		// its subscribers (the room's event is their cue); when a handle
		// goes away they get an "updated" offer without it.
		v.stopPublishing(ctx, r, pub, how == leaveDetached || how == leaveVanished)
		if how != leaveVanished {
			v.hangup(ctx, pub.Handle)
		}
	}
	switch how {
	case leaveKicked:
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "kicked": pub.ID})
	default:
		// Janus says "unpublished" when a handle goes away (published or
		// not), but not on "leave", where "leaving" is all others hear.
		if how == leaveDetached || how == leaveVanished {
			v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "unpublished": pub.ID})
		}
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "leaving": pub.ID})
	}
	delete(r.participants, pub.ID)
	if pub.Virtual {
		delete(v.virtual, pub.Handle)
	}
	if s := v.sessions[pub.Handle]; s != nil && s.pub == pub {
		s.pub = nil
	}
	v.dirty.pubs[pub.Handle] = true
	slog.Info("participant left", "room", r.Room, "id", pub.ID, "how", how)
}

// notifyOthers queues an event for every participant of the room but one.
func (v *videoRoom) notifyOthers(r *room, except *publisher, data map[string]any) {
	for _, p := range sortedParticipants(r) {
		if p != except {
			v.queue(p.Handle, data, nil)
		}
	}
}
