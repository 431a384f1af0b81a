package main

import (
	"context"
	"log/slog"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// Virtual feeds are recorded participants the core replays into a room.
// They are publishers without a client: no PeerConnection, no handle to
// push events to. Subscribers receive them exactly as a live publisher's
// streams, and the room hears of them as of any publisher.

// feedAdded makes a participant of a virtual feed and announces it.
func (v *videoRoom) feedAdded(ev sdk.MediaEvent) {
	f := ev.Feed
	if f == nil {
		return
	}
	if ev.Plugin != "" && ev.Plugin != pluginPackage {
		return
	}
	handle := f.Handle
	if handle == 0 {
		handle = ev.Handle
	}
	r := v.rooms[ev.RoomID]
	if r == nil {
		slog.Warn("virtual feed for a room that does not exist", "room", ev.RoomID, "replay", ev.ReplayID, "handle", handle)
		return
	}
	if v.virtual[handle] != nil {
		return // delivered twice: it is in the room already
	}
	id := randomID()
	for r.participants[id] != nil {
		id = randomID()
	}
	pub := &publisher{Handle: handle, Room: r.Room, ID: id, Display: f.Display, Virtual: true, ReplayID: ev.ReplayID,
		Published: true, Active: true}
	for i, s := range f.Streams {
		st := &pubStream{Type: s.Kind, MIndex: s.MIndex, MID: s.MID, Codec: s.Codec, Fmtp: s.Fmtp}
		if st.MIndex == 0 && i > 0 {
			st.MIndex = i // a core that does not say keeps the recorded order
		}
		switch s.Kind {
		case "audio":
			st.FEC = s.Codec == "opus" && r.OpusFEC
			if pub.AudioCodec == "" {
				pub.AudioCodec = s.Codec
			}
		case "video":
			if pub.VideoCodec == "" {
				pub.VideoCodec = s.Codec
			}
		}
		if s.Kind != "data" && s.Codec == "" {
			st.Disabled = true
		}
		pub.Streams = append(pub.Streams, st)
	}
	r.participants[pub.ID] = pub
	v.virtual[handle] = pub
	v.dirty.pubs[handle] = true
	if r.NotifyJoining {
		v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "joining": pub.attendee()})
	}
	v.notifyOthers(r, pub, map[string]any{"videoroom": "event", "room": r.Room, "publishers": []any{pub.info(false)}})
	slog.Info("virtual feed joined", "room", r.Room, "id", pub.ID, "handle", handle, "replay", ev.ReplayID,
		"display", pub.Display, "streams", len(pub.Streams))
}

// feedRemoved takes a virtual feed out of its room as if its publisher
// had gone away: unpublished and leaving for the participants, an updated
// offer without its streams for the subscribers.
func (v *videoRoom) feedRemoved(ctx context.Context, handle uint64) {
	pub := v.virtual[handle]
	if pub == nil {
		return
	}
	v.dropVirtual(ctx, pub)
}

// replayEnded removes what is left of a replay's feeds, in case the core
// ended it without removing each of them.
func (v *videoRoom) replayEnded(ctx context.Context, replayID string) {
	if replayID == "" {
		return
	}
	for _, pub := range v.virtualFeeds(func(p *publisher) bool { return p.ReplayID == replayID }) {
		v.dropVirtual(ctx, pub)
	}
}

func (v *videoRoom) dropVirtual(ctx context.Context, pub *publisher) {
	if r := v.rooms[pub.Room]; r != nil {
		v.removeParticipant(ctx, r, pub, leaveDetached)
	}
	delete(v.virtual, pub.Handle)
	v.dirty.pubs[pub.Handle] = true
}

// virtualFeeds lists the virtual participants that match.
func (v *videoRoom) virtualFeeds(match func(*publisher) bool) []*publisher {
	var out []*publisher
	for _, p := range v.virtual {
		if match(p) {
			out = append(out, p)
		}
	}
	return out
}

// isVirtual reports whether a handle is a virtual feed's (no client).
func (v *videoRoom) isVirtual(handle uint64) bool { return v.virtual[handle] != nil }
