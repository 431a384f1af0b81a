package gateway

import (
	"context"
	"errors"
	"os"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

// ListRecordings lists catalogued recordings with their tracks.
func (s *CoreService) ListRecordings(ctx context.Context, req *extpb.ListRecordingsRequest) (*extpb.Recordings, error) {
	recs, err := s.g.store.ListRecordings(ctx, req.Plugin, req.RoomId)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "list recordings: %v", err)
	}
	out := &extpb.Recordings{}
	for _, r := range recs {
		pr, err := s.recording(ctx, r)
		if err != nil {
			return nil, err
		}
		out.Recordings = append(out.Recordings, pr)
	}
	return out, nil
}

// GetRecording returns one recording with its tracks.
func (s *CoreService) GetRecording(ctx context.Context, req *extpb.RecordingKey) (*extpb.Recording, error) {
	r, err := s.g.store.Recording(ctx, req.RecordingId)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no recording %q", req.RecordingId)
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "recording: %v", err)
	}
	return s.recording(ctx, r)
}

// DeleteRecording removes a recording's files, then its rows.
func (s *CoreService) DeleteRecording(ctx context.Context, req *extpb.RecordingKey) (*extpb.Empty, error) {
	r, err := s.GetRecording(ctx, req)
	if err != nil {
		return nil, err
	}
	s.g.recs.mu.Lock()
	open := s.g.recs.open[r.Id]
	s.g.recs.mu.Unlock()
	if open > 0 {
		return nil, status.Errorf(codes.FailedPrecondition, "recording %q is still being written", r.Id)
	}
	for _, t := range r.Tracks {
		if err := os.Remove(t.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, status.Errorf(codes.Internal, "delete %s: %v", t.Path, err)
		}
	}
	if err := s.g.store.DeleteRecording(ctx, r.Id); err != nil {
		return nil, status.Errorf(codes.Internal, "delete recording rows: %v", err)
	}
	return &extpb.Empty{}, nil
}

func (s *CoreService) recording(ctx context.Context, r storage.Recording) (*extpb.Recording, error) {
	tracks, err := s.g.store.RecordingTracks(ctx, r.ID)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "recording tracks: %v", err)
	}
	out := &extpb.Recording{Id: r.ID, Plugin: r.Plugin, RoomId: r.RoomID, Description: r.Description,
		StartedAtUnixMs: r.StartedAt.UnixMilli(), Complete: r.Complete}
	if !r.EndedAt.IsZero() {
		out.EndedAtUnixMs = r.EndedAt.UnixMilli()
	}
	for _, t := range tracks {
		out.Tracks = append(out.Tracks, &extpb.RecordedTrack{Id: t.ID, ParticipantId: t.ParticipantID, Display: t.Display,
			Mid: t.Mid, Kind: t.Kind, Codec: t.Codec, Path: t.Path, StartOffsetMs: t.StartOffset.Milliseconds(),
			Packets: t.Packets, Bytes: t.Bytes, DurationMs: t.Duration.Milliseconds(), Complete: t.Complete})
	}
	return out, nil
}
