package main

import (
	"context"
	"log/slog"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

func (v *videoRoom) joinSubscriber(ctx context.Context, s *session, r *room, p params) (any, *sdk.JSEP) {
	pvt, hasPvt, _ := p.uint("private_id")
	if r.RequirePvtID && (!hasPvt || r.byPrivateID(uint32(pvt)) == nil) {
		return fail(errUnauthorized, "Unauthorized (this room requires a valid private_id)"), nil
	}
	reqs, ok, e := p.objects("streams")
	if e != nil {
		return e, nil
	}
	legacy := uint64(0)
	if !ok {
		feed, e := p.mustUint("feed")
		if e != nil {
			return e, nil
		}
		legacy = feed
		reqs = []params{{"feed": p["feed"]}}
	}
	if len(reqs) == 0 {
		return missing("streams"), nil
	}
	sub := &subscriber{Handle: s.handle, Room: r.Room, PrivateID: uint32(pvt)}
	if _, e := v.addStreams(r, sub, reqs); e != nil {
		return e, nil
	}
	offer, e := v.offer(ctx, sub)
	if e != nil {
		return e, nil
	}
	r.subscribers[s.handle] = sub
	s.sub = sub
	v.dirty.subs[s.handle] = true
	out := map[string]any{"videoroom": "attached", "room": r.Room, "streams": sub.infos(r)}
	if legacy != 0 {
		out["id"] = legacy
		if d := r.participants[legacy].Display; d != "" {
			out["display"] = d
		}
		out["warning"] = "deprecated_api"
	}
	slog.Info("subscribed", "room", r.Room, "handle", s.handle, "streams", len(sub.Streams))
	return out, offer
}

// feedOf finds an active publisher by id.
func feedOf(r *room, id uint64) *publisher {
	if p := r.participants[id]; p != nil && p.Published {
		return p
	}
	return nil
}

// offer has the core (re)offer the subscription's m-lines.
func (v *videoRoom) offer(ctx context.Context, sub *subscriber) (*sdk.JSEP, *vrError) {
	var streams, media []sdk.OfferStream
	for _, st := range sub.Streams {
		os := sdk.OfferStream{Kind: st.Type, Codec: st.Codec, MID: st.MID, Fmtp: st.Fmtp, Inactive: !st.Active}
		if st.Active && v.isVirtual(st.FeedHandle) {
			// The core offers what the recording holds.
			os.SourceHandle, os.SourceMID = st.FeedHandle, st.FeedMID
		}
		streams = append(streams, os)
		if st.Type != "data" {
			media = append(media, os)
		}
	}
	n, err := v.core.MakeOffer(ctx, sub.Handle, streams)
	if err != nil && len(media) < len(streams) {
		// A core that cannot offer a data m-line still serves the media.
		slog.Warn("offer with a data channel failed; offering media only", "handle", sub.Handle, "err", err)
		n, err = v.core.MakeOffer(ctx, sub.Handle, media)
	}
	if err != nil {
		slog.Warn("make offer", "handle", sub.Handle, "err", err)
		return nil, fail(errUnknown, "Error preparing the offer: %v", err)
	}
	return &n.JSEP, nil
}

func (v *videoRoom) subscriberRequest(ctx context.Context, s *session, req string, p params, jsep *sdk.JSEP) (any, *sdk.JSEP) {
	sub := s.sub
	r := v.rooms[sub.Room]
	if r == nil {
		// The room was destroyed: the subscription lives on, feedless.
		r = newRoom(roomSettings{Room: sub.Room})
	}
	switch req {
	case "start":
		return v.start(ctx, r, sub, jsep), nil
	case "pause":
		sub.Paused = true
		for _, st := range sub.Streams {
			v.applyPause(ctx, r, sub, st)
		}
		v.dirty.subs[sub.Handle] = true
		return map[string]any{"videoroom": "event", "room": r.Room, "paused": "ok"}, nil
	case "configure":
		return v.configureSubscriber(ctx, r, sub, p)
	case "switch":
		return v.switchStreams(ctx, r, sub, p), nil
	case "subscribe", "unsubscribe", "update":
		return v.updateSubscription(ctx, r, sub, req, p)
	case "leave":
		v.removeSubscriber(ctx, sub, true)
		return map[string]any{"videoroom": "event", "room": r.Room, "left": "ok"}, nil
	}
	return fail(errInvalidRequest, "Unknown request '%s'", req), nil
}

// start applies the client's answer (if any) and starts relaying.
func (v *videoRoom) start(ctx context.Context, r *room, sub *subscriber, jsep *sdk.JSEP) any {
	if jsep != nil {
		if jsep.Type != "answer" {
			return fail(errInvalidSDPType, "Unsupported SDP type '%s' (expected an answer)", jsep.Type)
		}
		if err := v.core.ApplyAnswer(ctx, sub.Handle, jsep.SDP); err != nil {
			slog.Warn("apply subscriber answer", "handle", sub.Handle, "err", err)
			return fail(errInvalidSDP, "Error applying the answer: %v", err)
		}
		sub.Answered = true
		for _, st := range sub.Streams {
			if st.Active {
				st.Ready = true
			}
		}
	}
	sub.Paused = false
	for _, st := range sub.Streams {
		v.routeStream(ctx, r, sub, st)
		v.applyPause(ctx, r, sub, st)
	}
	v.dirty.subs[sub.Handle] = true
	return map[string]any{"videoroom": "event", "room": r.Room, "started": "ok"}
}

func (v *videoRoom) configureSubscriber(ctx context.Context, r *room, sub *subscriber, p params) (any, *sdk.JSEP) {
	if e := p.check(nil, nil, []string{"audio", "video", "data", "restart"}, nil); e != nil {
		return e, nil
	}
	reqs, _, e := p.objects("streams")
	if e != nil {
		return e, nil
	}
	for _, q := range reqs {
		if e := q.check([]string{"mid"}, []string{"substream", "temporal", "spatial_layer", "temporal_layer", "fallback"}, []string{"send"}, nil); e != nil {
			return e, nil
		}
		mid, e := q.mustStr("mid")
		if e != nil {
			return e, nil
		}
		if sub.stream(mid) == nil {
			return fail(errNoSuchFeed, "No such mid '%s' in subscription", mid), nil
		}
	}
	// Legacy toggles: all m-lines of a kind.
	for _, kind := range []string{"audio", "video", "data"} {
		if on, ok, _ := p.boolean(kind); ok {
			for _, st := range sub.Streams {
				if st.Type == kind {
					st.Send = on
					v.applyPause(ctx, r, sub, st)
				}
			}
		}
	}
	for _, q := range reqs {
		mid, _, _ := q.str("mid")
		st := sub.stream(mid)
		if st == nil {
			continue
		}
		if send, ok, _ := q.boolean("send"); ok {
			st.Send = send
			v.applyPause(ctx, r, sub, st)
		}
		if e := v.selectLayer(ctx, r, sub, st, q); e != nil {
			return e, nil
		}
	}
	v.dirty.subs[sub.Handle] = true
	out := map[string]any{"videoroom": "event", "room": r.Room, "configured": "ok"}
	if restart, _, _ := p.boolean("restart"); restart {
		// A fresh offer to answer with "start". The core has no ICE
		// restart option: the offer keeps the current ICE credentials.
		offer, e := v.offer(ctx, sub)
		if e != nil {
			return e, nil
		}
		return out, offer
	}
	return out, nil
}

// selectLayer passes simulcast / SVC targets on to the core, for feeds that
// have layers (Janus ignores them otherwise).
func (v *videoRoom) selectLayer(ctx context.Context, r *room, sub *subscriber, st *subStream, q params) *vrError {
	sub0, hasSub, _ := q.uint("substream")
	tmp, hasTmp, _ := q.uint("temporal")
	spa, hasSpa, _ := q.uint("spatial_layer")
	tl, hasTl, _ := q.uint("temporal_layer")
	if !hasSub && !hasTmp && !hasSpa && !hasTl {
		return nil
	}
	pub := feedOf(r, st.FeedID)
	if pub == nil {
		return nil
	}
	ps := pub.stream(st.FeedMID)
	if ps == nil || (!ps.Simulcast && !ps.SVC) {
		return nil
	}
	substream, temporal, spatial := -1, -1, -1
	if ps.Simulcast {
		if hasSub {
			substream = int(sub0)
		}
		if hasTmp {
			temporal = int(tmp)
		}
	} else {
		if hasSpa {
			spatial = int(spa)
		}
		if hasTl {
			temporal = int(tl)
		}
	}
	if err := v.core.SelectLayer(ctx, sub.Handle, st.MID, substream, temporal, spatial); err != nil {
		slog.Warn("select layer", "handle", sub.Handle, "mid", st.MID, "err", err)
		return coreFeatureError("Simulcast/SVC layer selection", err)
	}
	return nil
}

// removeSubscriber ends a subscription (leave or detach).
func (v *videoRoom) removeSubscriber(ctx context.Context, sub *subscriber, hangup bool) {
	if r := v.rooms[sub.Room]; r != nil {
		delete(r.subscribers, sub.Handle)
	}
	for _, st := range sub.Streams {
		v.unrouteStream(ctx, sub, st)
	}
	if hangup {
		v.hangup(ctx, sub.Handle)
	}
	if s := v.sessions[sub.Handle]; s != nil && s.sub == sub {
		s.sub = nil
	}
	v.dirty.subs[sub.Handle] = true
}
