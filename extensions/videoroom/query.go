package main

import (
	"context"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// QueryHandle is the "plugin_specific" part of the admin API's handle_info.
func (v *videoRoom) QueryHandle(_ context.Context, h sdk.Handle) any {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.sessions[h.ID]
	switch {
	case s == nil:
		return map[string]any{}
	case s.pub != nil:
		p := s.pub
		info := map[string]any{"type": "publisher", "room": p.Room, "id": p.ID, "private_id": p.PrivateID,
			"published": p.Published, "active": p.Active, "bitrate": p.Bitrate, "recording": p.Recording,
			"streams": p.streamInfos(true)}
		if p.Display != "" {
			info["display"] = p.Display
		}
		if p.AudioLevel {
			info["talking"] = p.Talking
		}
		return info
	case s.sub != nil:
		r := v.rooms[s.sub.Room]
		if r == nil {
			r = newRoom(roomSettings{Room: s.sub.Room})
		}
		return map[string]any{"type": "subscriber", "room": s.sub.Room, "private_id": s.sub.PrivateID,
			"paused": s.sub.Paused, "answered": s.sub.Answered, "streams": s.sub.infos(r)}
	}
	return map[string]any{"type": "none", "kicked": s.kicked}
}
