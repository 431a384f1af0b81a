package main

import (
	"context"
	"log/slog"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// reset returns a session to idle and says what it was doing.
func (rp *recordPlay) reset(handle uint64) (was session, ok bool) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	s := rp.sessions[handle]
	if s == nil {
		return session{}, false
	}
	was = session{state: s.state, id: s.id, replayID: s.replayID, recorded: s.recorded}
	s.state, s.id, s.name, s.filename, s.streams, s.recorded, s.replayID, s.routes = idle, 0, "", "", nil, nil, "", nil
	s.up, s.resumed = false, false
	return was, true
}

// release ends what a session was doing: its recordings or its replay.
func (rp *recordPlay) release(ctx context.Context, handle uint64, was session) {
	switch was.state {
	case recording:
		mids := make([]string, 0, len(was.recorded))
		for mid := range was.recorded {
			mids = append(mids, mid)
		}
		rp.stopRecordings(ctx, handle, mids)
	case preparing, playing:
		if err := rp.core.StopReplay(ctx, was.replayID); err != nil {
			slog.Debug("stop replay", "replay", was.replayID, "err", err)
		}
	}
}

// stop ends the recording or playout: "stopped", then "done" as the
// PeerConnection goes, like Janus (which answers so even when idle).
func (rp *recordPlay) stop(ctx context.Context, handle uint64, transaction string) {
	was, ok := rp.reset(handle)
	if !ok {
		return
	}
	rp.release(ctx, handle, was)
	for _, ev := range []struct {
		tx   string
		data any
	}{{transaction, statusEvent("stopped", was.id)}, {"", doneEvent()}} {
		if err := rp.core.PushEvent(ctx, handle, ev.tx, ev.data, (*sdk.JSEP)(nil)); err != nil {
			slog.Warn("push event", "handle", handle, "err", err)
		}
	}
	if was.state != idle {
		if err := rp.core.Hangup(ctx, handle, "Stopped"); err != nil {
			slog.Debug("hang up", "handle", handle, "err", err)
		}
	}
	slog.Info("stopped", "handle", handle, "id", was.id)
}

// finish handles the loss of the handle's PeerConnection: whatever the
// session did ends, and the client is told it is done.
func (rp *recordPlay) finish(ctx context.Context, handle uint64) {
	was, ok := rp.reset(handle)
	if !ok || was.state == idle {
		return
	}
	rp.release(ctx, handle, was)
	if err := rp.core.PushEvent(ctx, handle, "", doneEvent(), nil); err != nil {
		slog.Warn("push done event", "handle", handle, "err", err)
	}
}
