package main

import (
	"context"
	"log/slog"
	"slices"
)

// Routes: which publisher stream the core forwards to which subscription
// m-line, and whether it currently sends it.

// routeStream has the core forward the feed to the subscription m-line.
func (v *videoRoom) routeStream(ctx context.Context, r *room, sub *subscriber, st *subStream) {
	if !st.Active || !sub.Answered {
		return
	}
	if st.Type == "data" {
		for i, h := range st.SourceHandles {
			if err := v.core.RouteData(ctx, h, sub.Handle); err != nil {
				slog.Warn("route data", "feed", st.Sources[i], "handle", sub.Handle, "err", err)
			}
		}
		st.Routed = true
		return
	}
	if err := v.core.Route(ctx, st.FeedHandle, st.FeedMID, sub.Handle, st.MID); err != nil {
		slog.Warn("route", "feed", st.FeedID, "mid", st.FeedMID, "handle", sub.Handle, "sub_mid", st.MID, "err", err)
		return
	}
	st.Routed = true
}

func (v *videoRoom) unrouteStream(ctx context.Context, sub *subscriber, st *subStream) {
	if !st.Routed {
		return
	}
	if st.Type == "data" {
		for _, feed := range slices.Clone(st.Sources) {
			v.unrouteData(ctx, sub, st, feed)
		}
		return
	}
	if err := v.core.Unroute(ctx, st.FeedHandle, st.FeedMID, sub.Handle, st.MID); err != nil {
		slog.Debug("unroute", "handle", sub.Handle, "mid", st.MID, "err", err)
	}
	st.Routed = false
}

func (v *videoRoom) unrouteData(ctx context.Context, sub *subscriber, st *subStream, feed uint64) {
	if i := slices.Index(st.Sources, feed); i >= 0 && st.Routed {
		if err := v.core.UnrouteData(ctx, st.SourceHandles[i], sub.Handle); err != nil {
			slog.Debug("unroute data", "handle", sub.Handle, "err", err)
		}
	}
}

// applyPause makes the core send an m-line or not: the subscriber paused
// it (or everything), or the publisher or a moderator muted its source.
func (v *videoRoom) applyPause(ctx context.Context, r *room, sub *subscriber, st *subStream) {
	if st.Type == "data" || !st.Active {
		return
	}
	paused := sub.Paused || !st.Send
	if pub := r.participants[st.FeedID]; pub != nil {
		if ps := pub.stream(st.FeedMID); ps != nil && (ps.Muted || ps.Moderated) {
			paused = true
		}
	}
	if err := v.core.SetPaused(ctx, sub.Handle, st.MID, paused); err != nil {
		slog.Warn("pause", "handle", sub.Handle, "mid", st.MID, "err", err)
	}
}

// refreshFeed re-applies the pause state of every m-line fed by a stream.
func (v *videoRoom) refreshFeed(ctx context.Context, r *room, pub *publisher, mid string) {
	for _, sub := range r.subscribers {
		for _, st := range sub.Streams {
			if st.Active && st.FeedID == pub.ID && st.FeedMID == mid {
				v.applyPause(ctx, r, sub, st)
			}
		}
	}
}

// feedGone removes a publisher's streams from every subscription and, if
// announce is set, renegotiates those that changed, as Janus's autoupdate does.
func (v *videoRoom) feedGone(ctx context.Context, r *room, pub *publisher, announce bool) {
	for _, sub := range sortedSubscribers(r) {
		changed := false
		for _, st := range sub.Streams {
			if !st.Active {
				continue
			}
			if st.Type == "data" {
				if slices.Contains(st.Sources, pub.ID) {
					v.unrouteData(ctx, sub, st, pub.ID)
					if st.removeSource(pub.ID) {
						st.deactivate()
					}
					changed = true
				}
				continue
			}
			if st.FeedID == pub.ID {
				v.unrouteStream(ctx, sub, st)
				st.deactivate()
				changed = true
			}
		}
		if !changed {
			continue
		}
		v.dirty.subs[sub.Handle] = true
		if !announce {
			continue
		}
		offer, e := v.offer(ctx, sub)
		if e != nil {
			slog.Warn("renegotiate subscription", "handle", sub.Handle, "err", e.msg)
			continue
		}
		v.queue(sub.Handle, map[string]any{"videoroom": "updated", "room": r.Room, "streams": sub.infos(r)}, offer)
	}
}

func sortedSubscribers(r *room) []*subscriber {
	out := make([]*subscriber, 0, len(r.subscribers))
	for _, s := range r.subscribers {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *subscriber) int {
		switch {
		case a.Handle < b.Handle:
			return -1
		case a.Handle > b.Handle:
			return 1
		}
		return 0
	})
	return out
}
