package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRecordingTrackProgressAndIncompleteEnd(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateRecording(ctx, Recording{ID: "r", Plugin: "janus.plugin.videoroom"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := db.AddRecordingTrack(ctx, RecordingTrack{ID: id, RecordingID: "r", Kind: "audio", Codec: "audio/opus", Path: id}); err != nil {
			t.Fatal(err)
		}
	}
	p := RecordingTrackProgress{LastRTPTS: 4000000000, Packets: 50, Bytes: 5000, Duration: 1500 * time.Millisecond}
	if err := db.UpdateRecordingTrackProgress(ctx, "a", p); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRecordingTrack(ctx, "b", RecordingTrackEnd{Complete: true}); err != nil {
		t.Fatal(err)
	}
	// A finished row is not moved back by a late progress update.
	if err := db.UpdateRecordingTrackProgress(ctx, "b", p); !errors.Is(err, ErrNotFound) {
		t.Errorf("progress on a complete track: %v, want ErrNotFound", err)
	}
	inc, err := db.IncompleteRecordingTracks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc) != 1 || inc[0].ID != "a" || inc[0].Packets != 50 || inc[0].Bytes != 5000 ||
		inc[0].LastRTPTS != 4000000000 || inc[0].Duration != 1500*time.Millisecond || inc[0].Complete {
		t.Errorf("incomplete tracks %+v", inc)
	}

	end := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := db.EndRecordingIncomplete(ctx, "r", end); err != nil {
		t.Fatal(err)
	}
	// A second call keeps the first end time.
	if err := db.EndRecordingIncomplete(ctx, "r", end.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := db.Recording(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || !r.EndedAt.Equal(end) {
		t.Errorf("recording %+v, want ended at %v and incomplete", r, end)
	}
	if err := db.EndRecordingIncomplete(ctx, "nope", end); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown recording: %v", err)
	}
}
