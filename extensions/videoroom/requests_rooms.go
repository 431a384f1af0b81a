package main

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"slices"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// roomOf reads the mandatory "room" and finds it.
func (v *videoRoom) roomOf(p params) (*room, *vrError) {
	id, e := p.mustUint("room")
	if e != nil {
		return nil, e
	}
	r := v.rooms[id]
	if r == nil {
		return nil, fail(errNoSuchRoom, "No such room (%d)", id)
	}
	return r, nil
}

func (v *videoRoom) create(ctx context.Context, p params) any {
	if e := p.check(createStrings, createUints, createBools, []string{"allowed"}); e != nil {
		return e
	}
	if v.cfg.AdminKey != "" {
		key, ok, _ := p.str("admin_key")
		if !ok {
			return missing("admin_key")
		}
		if key != v.cfg.AdminKey {
			return fail(errUnauthorized, "Unauthorized (wrong admin_key)")
		}
	}
	id, ok, _ := p.uint("room")
	if ok && v.rooms[id] != nil {
		return fail(errRoomExists, "Room %d already exists", id)
	}
	for !ok || id == 0 {
		id, ok = randomID(), v.rooms[id] == nil
	}
	s, e := settingsFrom(p, id)
	if e != nil {
		return e
	}
	r := newRoom(s)
	if r.Permanent {
		r.Permanent = v.saveCatalogue(ctx, r) == nil
	}
	v.rooms[id] = r
	v.dirty.rooms[id] = true
	slog.Info("room created", "room", id, "permanent", r.Permanent)
	return map[string]any{"videoroom": "created", "room": id, "permanent": r.Permanent}
}

// saveCatalogue stores a permanent room in the gateway's catalogue.
func (v *videoRoom) saveCatalogue(ctx context.Context, r *room) error {
	settings, _ := json.Marshal(r.roomSettings)
	err := v.core.PutRoom(ctx, sdk.Room{Plugin: pluginPackage, ID: r.Room, Description: r.Description,
		Secret: r.Secret, Pin: r.Pin, Permanent: true, Settings: settings})
	if err != nil {
		slog.Warn("save permanent room", "room", r.Room, "err", err)
	}
	return err
}

func (v *videoRoom) edit(ctx context.Context, p params) any {
	if e := p.check([]string{"new_description", "new_secret", "new_pin", "new_rec_dir"},
		[]string{"new_bitrate", "new_fir_freq", "new_publishers"},
		[]string{"new_is_private", "new_require_pvtid", "new_lock_record", "permanent"}, nil); e != nil {
		return e
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	// Empty strings leave a value as it is, as in Janus.
	for _, f := range []struct {
		n   string
		dst *string
	}{{"new_description", &r.Description}, {"new_secret", &r.Secret}, {"new_pin", &r.Pin}, {"new_rec_dir", &r.RecDir}} {
		if s, ok, _ := p.str(f.n); ok && s != "" {
			*f.dst = s
		}
	}
	for _, f := range []struct {
		n   string
		dst *bool
	}{{"new_is_private", &r.IsPrivate}, {"new_require_pvtid", &r.RequirePvtID}, {"new_lock_record", &r.LockRecord}} {
		if b, ok, _ := p.boolean(f.n); ok {
			*f.dst = b
		}
	}
	if n, ok, _ := p.uint("new_bitrate"); ok {
		r.Bitrate = uint32(n)
		for _, pub := range r.participants {
			if pub.Published && pub.Bitrate == 0 {
				v.applyBitrate(ctx, r, pub)
			}
		}
	}
	if n, ok, _ := p.uint("new_fir_freq"); ok {
		r.FirFreq = int(n)
		for _, pub := range r.participants {
			v.applyKeyframeInterval(ctx, r, pub)
		}
	}
	if n, ok, _ := p.uint("new_publishers"); ok && n > 0 {
		r.Publishers = int(n)
	}
	permanent := false
	if b, _, _ := p.boolean("permanent"); b {
		permanent = v.saveCatalogue(ctx, r) == nil
		r.Permanent = r.Permanent || permanent
	}
	v.dirty.rooms[r.Room] = true
	return map[string]any{"videoroom": "edited", "room": r.Room, "permanent": permanent}
}

func (v *videoRoom) destroy(ctx context.Context, p params) any {
	if e := p.check(nil, nil, []string{"permanent"}, nil); e != nil {
		return e
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	permanent := false
	if b, _, _ := p.boolean("permanent"); b && r.Permanent {
		if err := v.core.DeleteRoom(ctx, pluginPackage, r.Room); err != nil {
			slog.Warn("delete permanent room", "room", r.Room, "err", err)
		} else {
			permanent = true
		}
	}
	v.destroyRoom(ctx, r)
	return map[string]any{"videoroom": "destroyed", "room": r.Room, "permanent": permanent}
}

// destroyRoom tells every participant, closes their PeerConnections and
// forgets the room. As in Janus, the handles stay bound to the gone room:
// a participant's requests then fail with "No such room", and neither are
// subscriptions told nor hung up (their feeds are gone with the room).
func (v *videoRoom) destroyRoom(ctx context.Context, r *room) {
	gone := map[string]any{"videoroom": "destroyed", "room": r.Room}
	replays := map[string]bool{}
	for _, pub := range sortedParticipants(r) {
		if pub.Virtual {
			// Its replay has nowhere to play any more.
			delete(r.participants, pub.ID)
			delete(v.virtual, pub.Handle)
			v.dirty.pubs[pub.Handle] = true
			replays[pub.ReplayID] = true
			continue
		}
		v.queue(pub.Handle, gone, nil)
		if pub.Published {
			v.stopPublishing(ctx, r, pub, false)
			v.hangup(ctx, pub.Handle)
		}
		v.dirty.pubs[pub.Handle] = true
	}
	for _, sub := range r.subscribers {
		for _, st := range sub.Streams {
			v.unrouteStream(ctx, sub, st)
		}
		v.dirty.subs[sub.Handle] = true
	}
	delete(v.rooms, r.Room)
	v.dirty.rooms[r.Room] = true
	for id := range replays {
		v.stopReplayOf(ctx, id)
	}
	slog.Info("room destroyed", "room", r.Room)
}

func (v *videoRoom) exists(_ context.Context, p params) any {
	id, e := p.mustUint("room")
	if e != nil {
		return e
	}
	return map[string]any{"videoroom": "success", "room": id, "exists": v.rooms[id] != nil}
}

func (v *videoRoom) list(_ context.Context, p params) any {
	key, _, e := p.str("admin_key")
	if e != nil {
		return e
	}
	all := v.cfg.AdminKey != "" && key == v.cfg.AdminKey
	rooms := make([]*room, 0, len(v.rooms))
	for _, r := range v.rooms {
		if !r.IsPrivate || all {
			rooms = append(rooms, r)
		}
	}
	slices.SortFunc(rooms, func(a, b *room) int { return cmp.Compare(a.Room, b.Room) })
	out := make([]map[string]any, 0, len(rooms))
	for _, r := range rooms {
		out = append(out, r.listEntry())
	}
	return map[string]any{"videoroom": "success", "list": out}
}

func (v *videoRoom) allowed(_ context.Context, p params) any {
	action, e := p.mustStr("action")
	if e != nil {
		return e
	}
	tokens, _, e := p.strList("allowed")
	if e != nil {
		return e
	}
	if action != "enable" && action != "disable" && action != "add" && action != "remove" {
		return fail(errInvalidElement, "Unsupported action '%s' (allowed)", action)
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	switch action {
	case "enable":
		r.CheckAllowed = true
	case "disable":
		r.CheckAllowed = false
	case "add":
		for _, t := range tokens {
			if !slices.Contains(r.Allowed, t) {
				r.Allowed = append(r.Allowed, t)
			}
		}
	case "remove":
		r.Allowed = slices.DeleteFunc(r.Allowed, func(t string) bool { return slices.Contains(tokens, t) })
	}
	v.dirty.rooms[r.Room] = true
	out := map[string]any{"videoroom": "success", "room": r.Room}
	if action != "disable" {
		out["allowed"] = append([]string{}, r.Allowed...)
	}
	return out
}

func (v *videoRoom) kick(ctx context.Context, p params) any {
	if _, e := p.mustUint("room"); e != nil {
		return e
	}
	id, e := p.mustUint("id")
	if e != nil {
		return e
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	pub := r.participants[id]
	if pub == nil {
		return fail(errNoSuchFeed, "No such user %d in room %d", id, r.Room)
	}
	v.queue(pub.Handle, map[string]any{"videoroom": "event", "room": r.Room, "leaving": "ok", "reason": "kicked"}, nil)
	v.removeParticipant(ctx, r, pub, leaveKicked)
	if s := v.sessions[pub.Handle]; s != nil {
		s.kicked = true
	}
	return map[string]any{"videoroom": "success"}
}

func (v *videoRoom) moderate(ctx context.Context, p params) any {
	if _, e := p.mustUint("room"); e != nil {
		return e
	}
	id, e := p.mustUint("id")
	if e != nil {
		return e
	}
	mid, e := p.mustStr("mid")
	if e != nil {
		return e
	}
	mute, ok, e := p.boolean("mute")
	if e != nil {
		return e
	}
	if !ok {
		return missing("mute")
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	pub := r.participants[id]
	if pub == nil {
		return fail(errNoSuchFeed, "No such user %d in room %d", id, r.Room)
	}
	st := pub.stream(mid)
	if st == nil {
		return fail(errNoSuchFeed, "No such stream %s", mid)
	}
	st.Moderated = mute
	v.dirty.pubs[pub.Handle] = true
	v.refreshFeed(ctx, r, pub, mid)
	state := "unmuted"
	if mute {
		state = "muted"
	}
	ev := map[string]any{"videoroom": "event", "room": r.Room, "id": pub.ID, "mid": mid, "moderation": state}
	for _, other := range r.participants {
		v.queue(other.Handle, ev, nil)
	}
	return map[string]any{"videoroom": "success"}
}

func (v *videoRoom) enableRecording(ctx context.Context, p params) any {
	if _, e := p.mustUint("room"); e != nil {
		return e
	}
	record, ok, e := p.boolean("record")
	if e != nil {
		return e
	}
	if !ok {
		return missing("record")
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	if record != r.Record {
		r.RecordingID = "" // each time the room records is a recording of its own
	}
	r.Record = record
	v.dirty.rooms[r.Room] = true
	for _, pub := range r.participants {
		if !pub.Published || pub.Recording == record {
			continue
		}
		if e := v.setRecording(ctx, r, pub, record, ""); e != nil {
			return e
		}
	}
	return map[string]any{"videoroom": "success", "record": record}
}

func (v *videoRoom) listParticipants(_ context.Context, p params) any {
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	pubs := make([]*publisher, 0, len(r.participants))
	for _, pub := range r.participants {
		pubs = append(pubs, pub)
	}
	slices.SortFunc(pubs, func(a, b *publisher) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]map[string]any, 0, len(pubs))
	for _, pub := range pubs {
		out = append(out, pub.participantInfo())
	}
	return map[string]any{"videoroom": "participants", "room": r.Room, "participants": out}
}
