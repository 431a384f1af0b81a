package main

import (
	"context"
	"log/slog"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// MediaEvent turns the core's PeerConnection events into VideoRoom events.
func (v *videoRoom) MediaEvent(ctx context.Context, ev sdk.MediaEvent) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.core == nil {
		return
	}
	switch ev.Kind {
	case sdk.FeedAdded:
		v.feedAdded(ev)
		v.flush(ctx)
		return
	case sdk.FeedRemoved:
		v.feedRemoved(ctx, ev.Handle)
		v.flush(ctx)
		return
	case sdk.ReplayEnded:
		v.replayEnded(ctx, ev.ReplayID)
		v.flush(ctx)
		return
	}
	s := v.sessions[ev.Handle]
	if s == nil || v.core == nil {
		return
	}
	switch {
	case s.pub != nil:
		v.publisherMediaEvent(ctx, s.pub, ev)
	case s.sub != nil:
		v.subscriberMediaEvent(ctx, s.sub, ev)
	}
	v.flush(ctx)
}

func (v *videoRoom) publisherMediaEvent(ctx context.Context, pub *publisher, ev sdk.MediaEvent) {
	r := v.rooms[pub.Room]
	if r == nil {
		return
	}
	switch ev.Kind {
	case sdk.WebRTCUp:
		// The feed exists for the room once its PeerConnection is up.
		if pub.Published && !pub.Active {
			pub.Active = true
			v.dirty.pubs[pub.Handle] = true
			v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "publishers": []any{pub.info(false)}})
		}
	case sdk.HungUp:
		if pub.Published {
			v.stopPublishing(ctx, r, pub, true)
			v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "unpublished": pub.ID})
		}
	case sdk.MediaChange:
		if st := pub.stream(ev.MID); st != nil && ev.Receiving && st.RecordPending && pub.Recording {
			if e := v.recordStream(ctx, r, pub, st); e != nil {
				slog.Warn("deferred recording", "handle", pub.Handle, "mid", ev.MID, "err", e.msg)
			}
		}
	case sdk.SlowLink:
		v.queue(pub.Handle, map[string]any{"videoroom": "slow_link", "current-bitrate": v.currentBitrate(r, pub)}, nil)
	case sdk.Talking:
		if !r.AudioLevelEvent || !pub.Active {
			return
		}
		// Janus 1.1.2 updates only the participant's flag: the stream's
		// "talking" in "joined" stays false, and so it does here.
		pub.Talking = ev.IsTalking
		mindex := 0
		if st := pub.stream(ev.MID); st != nil {
			mindex = st.MIndex
		}
		v.dirty.pubs[pub.Handle] = true
		kind := "stopped-talking"
		if ev.IsTalking {
			kind = "talking"
		}
		data := map[string]any{"videoroom": kind, "room": r.Room, "id": pub.ID, "mid": ev.MID, "mindex": mindex,
			"audio-level-dBov-avg": ev.Level}
		for _, p := range sortedParticipants(r) {
			v.queue(p.Handle, data, nil)
		}
	}
}

func (v *videoRoom) subscriberMediaEvent(ctx context.Context, sub *subscriber, ev sdk.MediaEvent) {
	r := v.rooms[sub.Room]
	if r == nil {
		return
	}
	switch ev.Kind {
	case sdk.HungUp:
		// The PeerConnection is gone: a new one needs a new offer and answer.
		sub.Answered = false
		for _, st := range sub.Streams {
			st.Ready, st.Routed = false, false
		}
		v.dirty.subs[sub.Handle] = true
	case sdk.SlowLink:
		var pub *publisher
		for _, st := range sub.Streams {
			if st.MID == ev.MID {
				pub = r.participants[st.FeedID]
			}
		}
		v.queue(sub.Handle, map[string]any{"videoroom": "slow_link", "current-bitrate": v.currentBitrate(r, pub)}, nil)
	}
}
