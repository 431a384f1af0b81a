package gateway

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

// Extensions see the catalogue through Core; deleting a recording removes
// its files and rows together.
func TestCatalogueListAndDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	file := filepath.Join(dir, "a-audio.ogg")
	if err := os.WriteFile(file, []byte("OggS"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRecording(ctx, storage.Recording{ID: "rec1", Plugin: "janus.plugin.videoroom", RoomID: "1234"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddRecordingTrack(ctx, storage.RecordingTrack{ID: "tr1", RecordingID: "rec1", Kind: "audio", Codec: "opus", Path: file, Display: "alice"}); err != nil {
		t.Fatal(err)
	}
	core := New(slog.New(slog.NewTextHandler(io.Discard, nil)), db).CoreFor("videoroom")

	list, err := core.ListRecordings(ctx, &extpb.ListRecordingsRequest{Plugin: "janus.plugin.videoroom"})
	if err != nil || len(list.Recordings) != 1 || len(list.Recordings[0].Tracks) != 1 || list.Recordings[0].Tracks[0].Display != "alice" {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, err := core.DeleteRecording(ctx, &extpb.RecordingKey{RecordingId: "rec1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("file left behind: %v", err)
	}
	if _, err := core.GetRecording(ctx, &extpb.RecordingKey{RecordingId: "rec1"}); status.Code(err) != codes.NotFound {
		t.Fatalf("deleted recording still found: %v", err)
	}
}
