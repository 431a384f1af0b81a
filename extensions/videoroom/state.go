package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// The KV store holds the live state, one key per thing, written on every
// change so that a restarted process (after kill -9) finds it all:
//
//	room/<id>     roomSettings (every room, permanent or not)
//	pub/<handle>  publisher: a participant and its published streams
//	sub/<handle>  subscriber: a subscription and its m-lines
//	kicked/<handle>  a handle whose participant was kicked
//	virtual/<handle> publisher: a replayed participant (virtual handle)
//
// Permanent rooms are also in the gateway's room catalogue (PutRoom), which
// outlives gateway restarts; the KV state only outlives the extension's.
const (
	keyRoom    = "room/"
	keyPub     = "pub/"
	keySub     = "sub/"
	keyKicked  = "kicked/"
	keyVirtual = "virtual/"
)

// dirtySet names what changed since the last persist.
type dirtySet struct {
	rooms map[uint64]bool
	pubs  map[uint64]bool // by handle
	subs  map[uint64]bool // by handle
}

func newDirtySet() dirtySet {
	return dirtySet{rooms: map[uint64]bool{}, pubs: map[uint64]bool{}, subs: map[uint64]bool{}}
}

// persist writes (or deletes) every changed entry.
func (v *videoRoom) persist(ctx context.Context) {
	put := func(key string, val any) {
		b, err := json.Marshal(val)
		if err == nil {
			err = v.core.KVPut(ctx, key, b)
		}
		if err != nil {
			slog.Warn("persist state", "key", key, "err", err)
		}
	}
	del := func(key string) {
		if err := v.core.KVDelete(ctx, key); err != nil {
			slog.Warn("persist state", "key", key, "err", err)
		}
	}
	for id := range v.dirty.rooms {
		if r := v.rooms[id]; r != nil {
			put(keyRoom+strconv.FormatUint(id, 10), r.roomSettings)
		} else {
			del(keyRoom + strconv.FormatUint(id, 10))
		}
	}
	for h := range v.dirty.pubs {
		key := strconv.FormatUint(h, 10)
		if vp := v.virtual[h]; vp != nil {
			put(keyVirtual+key, vp)
			continue
		}
		if v.sessions[h] == nil {
			// It may have been a virtual feed that is gone.
			del(keyVirtual + key)
		}
		s := v.sessions[h]
		if s != nil && s.pub != nil {
			put(keyPub+key, s.pub)
		} else {
			del(keyPub + key)
		}
		if s != nil && s.kicked {
			put(keyKicked+key, true)
		} else if s == nil {
			del(keyKicked + key)
		}
	}
	for h := range v.dirty.subs {
		key := keySub + strconv.FormatUint(h, 10)
		if s := v.sessions[h]; s != nil && s.sub != nil {
			put(key, s.sub)
		} else {
			del(key)
		}
	}
	v.dirty = newDirtySet()
}

// restore builds the state for a (re)started process. On the first start
// under a gateway (Restarts == 0) rooms come from the configuration and the
// catalogue and nobody is in them; after a crash everything comes back from
// the KV store, minus the handles that went away meanwhile.
func (v *videoRoom) restore(ctx context.Context, st sdk.InitState) error {
	live := map[uint64]sdk.Handle{}
	for _, h := range st.Handles {
		live[h.ID] = h
		v.addSession(h.ID)
	}
	if st.Restarts == 0 {
		return v.freshStart(ctx)
	}
	entries, err := v.core.KVList(ctx, "")
	if err != nil {
		return fmt.Errorf("load videoroom state: %w", err)
	}
	var pubs, virtuals []*publisher
	var subs []*subscriber
	for key, val := range entries {
		switch {
		case strings.HasPrefix(key, keyRoom):
			var s roomSettings
			if err := json.Unmarshal(val, &s); err != nil {
				slog.Warn("bad stored room", "key", key, "err", err)
				continue
			}
			v.rooms[s.Room] = newRoom(s)
		case strings.HasPrefix(key, keyPub):
			var p publisher
			if err := json.Unmarshal(val, &p); err != nil {
				slog.Warn("bad stored participant", "key", key, "err", err)
				continue
			}
			pubs = append(pubs, &p)
		case strings.HasPrefix(key, keySub):
			var s subscriber
			if err := json.Unmarshal(val, &s); err != nil {
				slog.Warn("bad stored subscription", "key", key, "err", err)
				continue
			}
			subs = append(subs, &s)
		case strings.HasPrefix(key, keyVirtual):
			var p publisher
			if err := json.Unmarshal(val, &p); err != nil {
				slog.Warn("bad stored virtual feed", "key", key, "err", err)
				continue
			}
			virtuals = append(virtuals, &p)
		case strings.HasPrefix(key, keyKicked):
			h, _ := strconv.ParseUint(strings.TrimPrefix(key, keyKicked), 10, 64)
			if s := v.sessions[h]; s != nil {
				s.kicked = true
			} else {
				v.dirty.pubs[h] = true
				_ = v.core.KVDelete(ctx, key)
			}
		}
	}
	if len(v.rooms) == 0 {
		// Nothing was ever persisted (e.g. a crash during the first Init).
		return v.freshStart(ctx)
	}
	var vanished []*publisher
	for _, p := range pubs {
		s := v.sessions[p.Handle]
		r := v.rooms[p.Room]
		switch {
		case s == nil && r == nil:
			v.dirty.pubs[p.Handle] = true
		case r == nil: // its room was destroyed: the handle stays bound to it
			s.pub = p
		case s == nil:
			r.participants[p.ID] = p
			vanished = append(vanished, p)
		default:
			r.participants[p.ID] = p
			s.pub = p
		}
	}
	// Replayed participants stay while their room does; the core tells of
	// the ones that end.
	for _, p := range virtuals {
		r := v.rooms[p.Room]
		if r == nil || !p.Virtual {
			v.dirty.pubs[p.Handle] = true
			continue
		}
		r.participants[p.ID] = p
		v.virtual[p.Handle] = p
	}
	for _, s := range subs {
		sess := v.sessions[s.Handle]
		if sess == nil {
			v.dirty.subs[s.Handle] = true
			continue
		}
		if r := v.rooms[s.Room]; r != nil {
			r.subscribers[s.Handle] = s
		}
		sess.sub = s
	}
	// What happened while the process was down: detached handles leave,
	// PeerConnections that went away unpublish.
	for _, p := range vanished {
		v.removeParticipant(ctx, v.rooms[p.Room], p, leaveVanished)
	}
	for _, h := range st.Handles {
		s := v.sessions[h.ID]
		if s.pub != nil && s.pub.Published && !h.HasPeer && v.rooms[s.pub.Room] != nil {
			r := v.rooms[s.pub.Room]
			v.stopPublishing(ctx, r, s.pub, true)
			v.notifyOthers(r, s.pub, map[string]any{"videoroom": "event", "room": r.Room, "unpublished": s.pub.ID})
		}
		if s.sub != nil && !h.HasPeer && s.sub.Answered {
			s.sub.Answered = false
			v.dirty.subs[h.ID] = true
		}
	}
	return nil
}

// freshStart forgets any earlier state and loads the configured and the
// permanent rooms.
func (v *videoRoom) freshStart(ctx context.Context) error {
	old, err := v.core.KVList(ctx, "")
	if err != nil {
		return fmt.Errorf("load videoroom state: %w", err)
	}
	for key := range old {
		if err := v.core.KVDelete(ctx, key); err != nil {
			slog.Warn("clear stale state", "key", key, "err", err)
		}
	}
	configured, err := v.cfg.configuredRooms()
	if err != nil {
		return err
	}
	for _, s := range configured {
		v.rooms[s.Room] = newRoom(s)
	}
	// The gateway only accepts catalogue calls once Init has returned
	// (it learns which packages the extension serves then), so the
	// permanent rooms are loaded right after.
	go v.loadCatalogue()
	for id := range v.rooms {
		v.dirty.rooms[id] = true
	}
	return nil
}

// loadCatalogue adds the permanent rooms of the catalogue, retrying while
// the gateway does not accept catalogue calls yet.
func (v *videoRoom) loadCatalogue() {
	ctx := context.Background()
	var stored []sdk.Room
	var err error
	for try := 0; try < 100; try++ {
		if stored, err = v.core.ListRooms(ctx, pluginPackage); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		slog.Warn("list permanent rooms", "err", err)
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, sr := range stored {
		s := defaultSettings(sr.ID)
		if len(sr.Settings) > 0 {
			if err := json.Unmarshal(sr.Settings, &s); err != nil {
				slog.Warn("bad permanent room", "room", sr.ID, "err", err)
				continue
			}
		}
		s.Room, s.Permanent, s.RecordingID = sr.ID, true, ""
		// A stored room replaces a configured one of the same id, unless
		// someone is in it already.
		if r := v.rooms[sr.ID]; r != nil && (len(r.participants) > 0 || len(r.subscribers) > 0) {
			continue
		}
		v.rooms[sr.ID] = newRoom(s)
		v.dirty.rooms[sr.ID] = true
	}
	v.flush(ctx)
	slog.Info("permanent rooms loaded", "rooms", len(stored))
}
