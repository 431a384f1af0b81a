package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// record answers the client's offer receive-only; each audio and video
// stream is recorded once its media flows (recordStream).
func (rp *recordPlay) record(ctx context.Context, handle uint64, req *request, offer *sdk.JSEP) (any, *sdk.JSEP, *rpError) {
	if offer == nil {
		return nil, nil, fail(errMissingElement, "Missing SDP offer")
	}
	if offer.Type != "offer" {
		return nil, nil, fail(errInvalidSDP, "Unsupported SDP type '%s' (only offers are accepted)", offer.Type)
	}
	if !req.HasName {
		return nil, nil, fail(errMissingElement, "Missing mandatory element (name)")
	}
	if req.Name == "" {
		return nil, nil, fail(errInvalidElement, "Invalid element (name should not be empty)")
	}
	id := req.ID
	if id == 0 {
		id = newID()
	} else if _, err := rp.core.GetRecording(ctx, recordingKey(id)); err == nil {
		return nil, nil, fail(errRecordingExists, "Recording %d already exists", id)
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
	if err := rp.core.KVPut(ctx, nameKey(id), []byte(req.Name)); err != nil {
		slog.Warn("store recording name", "id", id, "err", err)
		return nil, nil, fail(errUnknown, "Error storing the recording name")
	}
	opts := sdk.AnswerOptions{}
	if req.AudioCodec != "" {
		opts.AudioCodecs = []string{req.AudioCodec}
	}
	if req.VideoCodec != "" {
		opts.VideoCodecs = []string{req.VideoCodec}
	}
	filename := req.Filename
	if filename == "" {
		filename = fmt.Sprintf("rec-%d", id)
	}
	// The state is set before the answer leaves, so the media events of
	// the streams it negotiates find the session recording.
	rp.mu.Lock()
	s.state, s.id, s.name, s.filename, s.recorded = recording, id, req.Name, filename, map[string]bool{}
	rp.mu.Unlock()
	n, err := rp.core.AnswerOffer(ctx, handle, offer.SDP, opts)
	if err != nil {
		rp.mu.Lock()
		s.state = idle
		rp.mu.Unlock()
		return nil, nil, fail(errInvalidSDP, "Error negotiating the offer: %v", err)
	}
	rp.mu.Lock()
	s.streams = n.Streams
	rp.mu.Unlock()
	slog.Info("recording", "handle", handle, "id", id, "name", req.Name)
	return statusEvent("recording", id), &n.JSEP, nil
}

// recordStream starts recording a mid of a recording session, once.
func (rp *recordPlay) recordStream(ctx context.Context, handle uint64, mid string) {
	rp.mu.Lock()
	s := rp.sessions[handle]
	if s == nil || s.state != recording || s.recorded[mid] {
		rp.mu.Unlock()
		return
	}
	s.recorded[mid] = true // claimed before the call: a second event must not start it again
	id, filename := s.id, s.filename
	rp.mu.Unlock()
	// The core appends -audio / -video to the base name; a bare name goes
	// to the gateway's recordings directory.
	opts := sdk.RecordingOptions{Filename: filepath.Base(filename), RecordingID: recordingKey(id), ParticipantID: fmt.Sprint(handle)}
	if filepath.Base(filename) != filename {
		opts.Dir = filepath.Dir(filename)
	}
	_, err := rp.core.StartRecording(ctx, handle, mid, opts)
	if err != nil {
		slog.Warn("start recording", "handle", handle, "mid", mid, "err", err)
		rp.mu.Lock()
		delete(s.recorded, mid)
		rp.mu.Unlock()
	}
}

// stopRecordings closes the files of the mids a session records.
func (rp *recordPlay) stopRecordings(ctx context.Context, handle uint64, mids []string) {
	for _, mid := range mids {
		if _, err := rp.core.StopRecording(ctx, handle, mid); err != nil && status.Code(err) != codes.NotFound {
			slog.Warn("stop recording", "handle", handle, "mid", mid, "err", err)
		}
	}
}
