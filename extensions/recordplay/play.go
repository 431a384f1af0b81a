package main

import (
	"context"
	"log/slog"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// play starts a paused replay of a recording into the room that is the
// handle itself and offers the client the replayed streams.
func (rp *recordPlay) play(ctx context.Context, handle uint64, req *request) (any, *sdk.JSEP, *rpError) {
	if req.ID == 0 {
		return nil, nil, fail(errMissingElement, "Missing mandatory element (id)")
	}
	s := rp.session(handle)
	if s == nil {
		return nil, nil, fail(errUnknown, "No such session")
	}
	rp.mu.Lock()
	busy := s.state != idle
	rp.mu.Unlock()
	if busy {
		return nil, nil, fail(errInvalidState, "Session is already recording or playing")
	}
	if _, err := rp.core.GetRecording(ctx, recordingKey(req.ID)); err != nil {
		if status.Code(err) == codes.NotFound {
			return nil, nil, fail(errNotFound, "No such recording")
		}
		slog.Warn("look up recording", "id", req.ID, "err", err)
		return nil, nil, fail(errInvalidRecording, "Error opening recording %d", req.ID)
	}
	// No lock is held across StartReplay: the core announces the feed with
	// a media event, possibly before it answers.
	replay, err := rp.core.StartReplay(ctx, recordingKey(req.ID), pluginPackage, handle, false)
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return nil, nil, fail(errNotFound, "No such recording")
		}
		slog.Warn("start replay", "id", req.ID, "err", err)
		return nil, nil, fail(errInvalidRecording, "Error preparing playout of recording %d", req.ID)
	}
	// Nothing is sent until the client answers with start.
	if err := rp.core.PauseReplay(ctx, replay.ID); err != nil {
		slog.Warn("pause replay", "replay", replay.ID, "err", err)
	}
	rp.mu.Lock()
	s.state, s.id, s.replayID, s.routes = preparing, req.ID, replay.ID, nil
	rp.mu.Unlock()
	var offer []sdk.OfferStream
	var routes []route
	for _, f := range replay.Feeds {
		for _, st := range f.Streams {
			if st.Kind != "audio" && st.Kind != "video" {
				continue
			}
			mid := strconv.Itoa(len(offer))
			offer = append(offer, sdk.OfferStream{Kind: st.Kind, Codec: st.Codec, MID: mid, Fmtp: st.Fmtp,
				SourceHandle: f.Handle, SourceMID: st.MID})
			routes = append(routes, route{feed: f.Handle, feedMID: st.MID, mid: mid})
		}
	}
	if len(offer) == 0 {
		rp.abortReplay(ctx, s, replay.ID)
		return nil, nil, fail(errInvalidRecording, "No audio or video in recording %d", req.ID)
	}
	n, err := rp.core.MakeOffer(ctx, handle, offer)
	if err != nil {
		slog.Warn("offer replay", "handle", handle, "err", err)
		rp.abortReplay(ctx, s, replay.ID)
		return nil, nil, fail(errUnknown, "Error preparing the offer: %v", err)
	}
	rp.mu.Lock()
	s.routes = routes
	rp.mu.Unlock()
	slog.Info("preparing playout", "handle", handle, "id", req.ID, "replay", replay.ID, "streams", len(routes))
	return statusEvent("preparing", req.ID), &n.JSEP, nil
}

// abortReplay undoes a play that failed half way.
func (rp *recordPlay) abortReplay(ctx context.Context, s *session, replayID string) {
	rp.mu.Lock()
	s.state, s.id, s.replayID, s.routes, s.up, s.resumed = idle, 0, "", nil, false, false
	rp.mu.Unlock()
	if err := rp.core.StopReplay(ctx, replayID); err != nil {
		slog.Debug("stop aborted replay", "replay", replayID, "err", err)
	}
}

// start applies the client's answer, routes the replayed streams to it and
// lets the replay run.
func (rp *recordPlay) start(ctx context.Context, handle uint64, answer *sdk.JSEP) (any, *rpError) {
	s := rp.session(handle)
	if s == nil {
		return nil, fail(errUnknown, "No such session")
	}
	rp.mu.Lock()
	state, routes := s.state, s.routes
	rp.mu.Unlock()
	if state != preparing {
		return nil, fail(errInvalidState, "Not a playout session, can't start")
	}
	if answer == nil {
		return nil, fail(errMissingElement, "Missing SDP answer")
	}
	if answer.Type != "answer" {
		return nil, fail(errInvalidSDP, "Unsupported SDP type '%s' (only answers are accepted)", answer.Type)
	}
	if err := rp.core.ApplyAnswer(ctx, handle, answer.SDP); err != nil {
		return nil, fail(errInvalidSDP, "Error applying the answer: %v", err)
	}
	for _, r := range routes {
		if err := rp.core.Route(ctx, r.feed, r.feedMID, handle, r.mid); err != nil {
			slog.Warn("route replayed stream", "handle", handle, "mid", r.mid, "err", err)
			return nil, fail(errUnknown, "Error routing the recording: %v", err)
		}
	}
	rp.mu.Lock()
	s.state = playing
	rp.mu.Unlock()
	rp.resume(ctx, handle)
	return statusEvent("playing", 0), nil
}

// peerUp notes the handle's PeerConnection is up and lets a playout that
// waited for it run.
func (rp *recordPlay) peerUp(ctx context.Context, handle uint64) {
	rp.mu.Lock()
	if s := rp.sessions[handle]; s != nil {
		s.up = true
	}
	rp.mu.Unlock()
	rp.resume(ctx, handle)
}

// resume runs a playing session's replay once its PeerConnection is up,
// as Janus starts the playout when the media path is set up, so the
// client gets the recording from its first keyframe.
func (rp *recordPlay) resume(ctx context.Context, handle uint64) {
	rp.mu.Lock()
	s := rp.sessions[handle]
	if s == nil || s.state != playing || !s.up || s.resumed {
		rp.mu.Unlock()
		return
	}
	s.resumed = true
	replayID := s.replayID
	rp.mu.Unlock()
	if err := rp.core.ResumeReplay(ctx, replayID); err != nil {
		slog.Warn("resume replay", "handle", handle, "replay", replayID, "err", err)
	}
}

// replayEnded closes the playout session of a replay that reached its end,
// as Janus tears the PeerConnection down when the files are over.
func (rp *recordPlay) replayEnded(ctx context.Context, replayID string) {
	rp.mu.Lock()
	var handle uint64
	for h, s := range rp.sessions {
		if s.replayID == replayID && s.state != idle {
			handle = h
			s.state, s.id, s.replayID, s.routes, s.up, s.resumed = idle, 0, "", nil, false, false
		}
	}
	rp.mu.Unlock()
	if handle == 0 {
		return
	}
	slog.Info("playout over", "handle", handle, "replay", replayID)
	if err := rp.core.PushEvent(ctx, handle, "", doneEvent(), nil); err != nil {
		slog.Warn("push done event", "handle", handle, "err", err)
	}
	if err := rp.core.Hangup(ctx, handle, "Playout over"); err != nil {
		slog.Debug("hang up after playout", "handle", handle, "err", err)
	}
}
