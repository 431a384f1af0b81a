package sdk

import (
	"context"
	"fmt"
	"time"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// Recording is a catalogued recording and its tracks (one file each).
type Recording struct {
	ID          string
	Plugin      string
	RoomID      string
	Description string
	StartedAt   time.Time
	EndedAt     time.Time // zero while recording
	Complete    bool
	Tracks      []RecordedTrack
}

// RecordedTrack is one recorded stream.
type RecordedTrack struct {
	ID            string
	ParticipantID string
	Display       string
	MID           string
	Kind          string
	Codec         string
	Path          string
	StartOffset   time.Duration // from the recording's start
	Packets       uint64
	Bytes         uint64
	Duration      time.Duration
	Complete      bool
}

// ListRecordings lists recordings, optionally of one plugin and room.
func (c *Core) ListRecordings(ctx context.Context, plugin, roomID string) ([]Recording, error) {
	r, err := c.c.ListRecordings(ctx, &extpb.ListRecordingsRequest{Plugin: plugin, RoomId: roomID})
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	out := make([]Recording, 0, len(r.Recordings))
	for _, x := range r.Recordings {
		out = append(out, recordingOf(x))
	}
	return out, nil
}

// GetRecording returns one recording.
func (c *Core) GetRecording(ctx context.Context, id string) (*Recording, error) {
	r, err := c.c.GetRecording(ctx, &extpb.RecordingKey{RecordingId: id})
	if err != nil {
		return nil, fmt.Errorf("recording %q: %w", id, err)
	}
	rec := recordingOf(r)
	return &rec, nil
}

// DeleteRecording removes a recording's files and catalogue rows.
func (c *Core) DeleteRecording(ctx context.Context, id string) error {
	if _, err := c.c.DeleteRecording(ctx, &extpb.RecordingKey{RecordingId: id}); err != nil {
		return fmt.Errorf("delete recording %q: %w", id, err)
	}
	return nil
}

func recordingOf(r *extpb.Recording) Recording {
	out := Recording{ID: r.Id, Plugin: r.Plugin, RoomID: r.RoomId, Description: r.Description,
		StartedAt: time.UnixMilli(r.StartedAtUnixMs), Complete: r.Complete}
	if r.EndedAtUnixMs != 0 {
		out.EndedAt = time.UnixMilli(r.EndedAtUnixMs)
	}
	for _, t := range r.Tracks {
		out.Tracks = append(out.Tracks, RecordedTrack{ID: t.Id, ParticipantID: t.ParticipantId, Display: t.Display,
			MID: t.Mid, Kind: t.Kind, Codec: t.Codec, Path: t.Path, StartOffset: time.Duration(t.StartOffsetMs) * time.Millisecond,
			Packets: t.Packets, Bytes: t.Bytes, Duration: time.Duration(t.DurationMs) * time.Millisecond, Complete: t.Complete})
	}
	return out
}
