package main

import (
	"context"
	"log/slog"
	"slices"
	"strconv"

	"google.golang.org/grpc/codes"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// Replay requests (not in Janus): play a room recording into a room, stop
// it, list a room's recordings. They call the core without holding the
// extension's lock, because the core announces the replayed feeds with
// media events, which take that lock, possibly before it answers.
var unlockedRequests = map[string]func(*videoRoom, context.Context, params) any{
	"replay": (*videoRoom).replay, "stop_replay": (*videoRoom).stopReplay, "list_recordings": (*videoRoom).listRecordings,
}

func (v *videoRoom) replay(ctx context.Context, p params) any {
	if e := p.check([]string{"recording_id", "secret"}, []string{"room"}, []string{"loop"}, nil); e != nil {
		return e
	}
	if _, e := p.mustUint("room"); e != nil {
		return e
	}
	recording, e := p.mustStr("recording_id")
	if e != nil {
		return e
	}
	loop, _, _ := p.boolean("loop")
	v.mu.Lock()
	r, e := v.roomOf(p)
	if e == nil {
		e = r.checkSecret(p)
	}
	v.mu.Unlock()
	if e != nil {
		return e
	}
	rp, err := v.core.StartReplay(ctx, recording, pluginPackage, r.Room, loop)
	switch {
	case hasCode(err, codes.NotFound):
		return fail(errNoSuchRecording, "No such recording (%s)", recording)
	case err != nil:
		slog.Warn("start replay", "room", r.Room, "recording", recording, "err", err)
		return coreFeatureError("Replay", err)
	}
	slog.Info("replay started", "room", r.Room, "recording", recording, "replay", rp.ID, "feeds", len(rp.Feeds), "loop", loop)
	return map[string]any{"videoroom": "success", "room": r.Room, "replay_id": rp.ID}
}

func (v *videoRoom) stopReplay(ctx context.Context, p params) any {
	if e := p.check([]string{"replay_id", "secret"}, []string{"room"}, nil, nil); e != nil {
		return e
	}
	id, e := p.mustStr("replay_id")
	if e != nil {
		return e
	}
	// The secret of the room it plays into, while it has feeds there.
	v.mu.Lock()
	for _, pub := range v.virtualFeeds(func(x *publisher) bool { return x.ReplayID == id }) {
		if r := v.rooms[pub.Room]; r != nil && e == nil {
			e = r.checkSecret(p)
		}
	}
	v.mu.Unlock()
	if e != nil {
		return e
	}
	err := v.core.StopReplay(ctx, id)
	switch {
	case hasCode(err, codes.NotFound):
		return fail(errNoSuchRecording, "No such replay (%s)", id)
	case err != nil:
		slog.Warn("stop replay", "replay", id, "err", err)
		return coreFeatureError("Replay", err)
	}
	return map[string]any{"videoroom": "success", "replay_id": id}
}

// stopReplayOf ends a replay whose room is gone, in the background: the
// caller holds the lock the core's FeedRemoved events need.
func (v *videoRoom) stopReplayOf(ctx context.Context, id string) {
	if id == "" {
		return
	}
	go func() {
		if err := v.core.StopReplay(context.WithoutCancel(ctx), id); err != nil && !hasCode(err, codes.NotFound) {
			slog.Warn("stop replay of a destroyed room", "replay", id, "err", err)
		}
	}()
}

// listRecordings lists the recordings of a room, which may be gone: a
// recording outlives its room.
func (v *videoRoom) listRecordings(ctx context.Context, p params) any {
	if e := p.check(nil, []string{"room"}, nil, nil); e != nil {
		return e
	}
	room, e := p.mustUint("room")
	if e != nil {
		return e
	}
	recs, err := v.core.ListRecordings(ctx, pluginPackage, strconv.FormatUint(room, 10))
	if err != nil {
		slog.Warn("list recordings", "room", room, "err", err)
		return coreFeatureError("Recordings", err)
	}
	slices.SortFunc(recs, func(a, b sdk.Recording) int { return a.StartedAt.Compare(b.StartedAt) })
	out := make([]map[string]any, 0, len(recs))
	for _, rec := range recs {
		out = append(out, recordingInfo(rec))
	}
	return map[string]any{"videoroom": "success", "room": room, "recordings": out}
}

// recordingInfo is a recording as list_recordings shows it.
func recordingInfo(rec sdk.Recording) map[string]any {
	m := map[string]any{"recording_id": rec.ID, "started_at": rec.StartedAt.UnixMilli(), "complete": rec.Complete}
	if rec.Description != "" {
		m["description"] = rec.Description
	}
	if !rec.EndedAt.IsZero() {
		m["ended_at"] = rec.EndedAt.UnixMilli()
		m["duration_ms"] = rec.EndedAt.Sub(rec.StartedAt).Milliseconds()
	}
	tracks := make([]map[string]any, 0, len(rec.Tracks))
	for _, t := range rec.Tracks {
		tm := map[string]any{"participant_id": t.ParticipantID, "mid": t.MID, "type": t.Kind, "codec": t.Codec,
			"offset_ms": t.StartOffset.Milliseconds(), "duration_ms": t.Duration.Milliseconds(), "packets": t.Packets,
			"complete": t.Complete}
		if t.Display != "" {
			tm["display"] = t.Display
		}
		tracks = append(tracks, tm)
	}
	m["tracks"] = tracks
	return m
}
