package main

import (
	"context"
	"slices"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// Changes to the m-lines of a subscription: subscribe, unsubscribe,
// update and switch.

// addStreams subscribes to the requested feeds' streams, reusing inactive
// m-lines of the same type first. Nothing changes unless all are valid.
func (v *videoRoom) addStreams(r *room, sub *subscriber, reqs []params) (bool, *vrError) {
	type pick struct {
		pub *publisher
		st  *pubStream
	}
	var picks []pick
	for _, q := range reqs {
		feed, e := q.mustUint("feed")
		if e != nil {
			return false, e
		}
		mid, hasMid, e := q.str("mid")
		if e != nil {
			return false, e
		}
		pub := feedOf(r, feed)
		if pub == nil {
			return false, fail(errNoSuchFeed, "No such feed (%d)", feed)
		}
		if hasMid {
			st := pub.stream(mid)
			if st == nil {
				return false, fail(errNoSuchFeed, "No such mid '%s' in feed (%d)", mid, feed)
			}
			if !st.Disabled {
				picks = append(picks, pick{pub, st})
			}
			continue
		}
		for _, st := range pub.Streams {
			if !st.Disabled {
				picks = append(picks, pick{pub, st})
			}
		}
	}
	for _, pk := range picks {
		if pk.st.Type == "data" {
			d := sub.dataStream()
			if d == nil {
				d = sub.slot("data")
			}
			if !d.Active {
				d.Active, d.Send, d.Ready = true, true, false
			}
			if !slices.Contains(d.Sources, pk.pub.ID) {
				d.Sources = append(d.Sources, pk.pub.ID)
				d.SourceHandles = append(d.SourceHandles, pk.pub.Handle)
			}
			continue
		}
		st := sub.slot(pk.st.Type)
		st.Active, st.Send, st.Ready, st.Routed = true, true, false, false
		st.FeedID, st.FeedHandle, st.FeedMID, st.Codec, st.Fmtp = pk.pub.ID, pk.pub.Handle, pk.st.MID, pk.st.Codec, pk.st.Fmtp
	}
	v.dirty.subs[sub.Handle] = true
	return len(picks) > 0, nil
}

// removeStreams unsubscribes by feed, feed and mid, or subscription mid.
func (v *videoRoom) removeStreams(ctx context.Context, r *room, sub *subscriber, reqs []params) (bool, *vrError) {
	for _, q := range reqs {
		if e := q.check([]string{"mid", "sub_mid"}, []string{"feed"}, nil, nil); e != nil {
			return false, e
		}
	}
	changed := false
	for _, q := range reqs {
		feed, hasFeed, _ := q.uint("feed")
		mid, hasMid, _ := q.str("mid")
		subMid, hasSubMid, _ := q.str("sub_mid")
		for _, st := range sub.Streams {
			if !st.Active {
				continue
			}
			switch {
			case hasSubMid:
				if st.MID != subMid {
					continue
				}
			case hasFeed && st.Type == "data":
				if hasMid || !slices.Contains(st.Sources, feed) {
					continue
				}
				v.unrouteData(ctx, sub, st, feed)
				if !st.removeSource(feed) {
					changed = true
					continue
				}
			case hasFeed:
				if st.FeedID != feed || (hasMid && st.FeedMID != mid) {
					continue
				}
			default:
				continue
			}
			v.unrouteStream(ctx, sub, st)
			st.deactivate()
			changed = true
		}
	}
	v.dirty.subs[sub.Handle] = true
	return changed, nil
}

func (v *videoRoom) switchStreams(ctx context.Context, r *room, sub *subscriber, p params) any {
	reqs, ok, e := p.objects("streams")
	if e != nil {
		return e
	}
	if !ok {
		return missing("streams")
	}
	type change struct {
		st  *subStream
		pub *publisher
		ps  *pubStream
	}
	var changes []change
	for _, q := range reqs {
		feed, e := q.mustUint("feed")
		if e != nil {
			return e
		}
		mid, e := q.mustStr("mid")
		if e != nil {
			return e
		}
		subMid, e := q.mustStr("sub_mid")
		if e != nil {
			return e
		}
		pub := feedOf(r, feed)
		if pub == nil {
			return fail(errNoSuchFeed, "No such feed (%d)", feed)
		}
		ps := pub.stream(mid)
		if ps == nil {
			return fail(errNoSuchFeed, "No such mid '%s' in feed (%d)", mid, feed)
		}
		st := sub.stream(subMid)
		if st == nil {
			return fail(errNoSuchFeed, "No such mid '%s' in subscription", subMid)
		}
		if st.Type != ps.Type || st.Type == "data" {
			continue
		}
		changes = append(changes, change{st, pub, ps})
	}
	for _, c := range changes {
		c.st.Active = true
		c.st.FeedID, c.st.FeedHandle, c.st.FeedMID, c.st.Codec, c.st.Fmtp = c.pub.ID, c.pub.Handle, c.ps.MID, c.ps.Codec, c.ps.Fmtp
		c.st.Routed = false
		// Routing another source to the same m-line is the core's seamless switch.
		v.routeStream(ctx, r, sub, c.st)
		v.applyPause(ctx, r, sub, c.st)
	}
	v.dirty.subs[sub.Handle] = true
	return map[string]any{"videoroom": "event", "room": r.Room, "switched": "ok", "changes": len(changes), "streams": sub.infos(r)}
}

func (v *videoRoom) updateSubscription(ctx context.Context, r *room, sub *subscriber, req string, p params) (any, *sdk.JSEP) {
	var add, remove []params
	var e *vrError
	switch req {
	case "subscribe", "unsubscribe":
		var list []params
		var ok bool
		if list, ok, e = p.objects("streams"); e != nil {
			return e, nil
		}
		if !ok {
			return missing("streams"), nil
		}
		if req == "subscribe" {
			add = list
		} else {
			remove = list
		}
	case "update":
		var hasAdd, hasRemove bool
		if add, hasAdd, e = p.objects("subscribe"); e != nil {
			return e, nil
		}
		if remove, hasRemove, e = p.objects("unsubscribe"); e != nil {
			return e, nil
		}
		if !hasAdd && !hasRemove {
			return fail(errMissingElement, "At least one of either 'subscribe' or 'unsubscribe' must be present"), nil
		}
	}
	// Validate the additions before anything is removed.
	for _, q := range add {
		feed, e := q.mustUint("feed")
		if e != nil {
			return e, nil
		}
		if feedOf(r, feed) == nil {
			return fail(errNoSuchFeed, "No such feed (%d)", feed), nil
		}
	}
	changed := false
	if len(remove) > 0 {
		c, e := v.removeStreams(ctx, r, sub, remove)
		if e != nil {
			return e, nil
		}
		changed = c
	}
	if len(add) > 0 {
		c, e := v.addStreams(r, sub, add)
		if e != nil {
			return e, nil
		}
		changed = changed || c
	}
	if !changed {
		return map[string]any{"videoroom": "updated", "room": r.Room}, nil
	}
	offer, e := v.offer(ctx, sub)
	if e != nil {
		return e, nil
	}
	return map[string]any{"videoroom": "updated", "room": r.Room, "streams": sub.infos(r)}, offer
}
