package storage

import (
	"context"
	"errors"
	"testing"
)

func TestDeleteRecordingTakesItsTracks(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateRecording(ctx, Recording{ID: "r1", Plugin: "janus.plugin.videoroom", RoomID: "1234"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddRecordingTrack(ctx, RecordingTrack{ID: "t1", RecordingID: "r1", Kind: "audio", Codec: "opus", Path: "/x.ogg"}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteRecording(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Recording(ctx, "r1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("recording still there: %v", err)
	}
	if tr, err := db.RecordingTracks(ctx, "r1"); err != nil || len(tr) != 0 {
		t.Fatalf("tracks left: %v %v", tr, err)
	}
	if err := db.DeleteRecording(ctx, "r1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}
