package storage

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func TestRecordingLifecycle(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	started := time.Date(2025, 3, 4, 5, 6, 7, 800_000_000, time.UTC)
	in := Recording{ID: "rec-1", Plugin: videoroom, RoomID: "1234", Description: "Demo", StartedAt: started}
	if err := db.CreateRecording(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRecording(ctx, in); err == nil {
		t.Error("second recording with the same id accepted")
	}
	got, err := db.Recording(ctx, "rec-1")
	if err != nil {
		t.Fatal(err)
	}
	if got != in {
		t.Errorf("before finish:\n got %+v\nwant %+v", got, in)
	}

	ended := started.Add(90 * time.Second)
	if err := db.FinishRecording(ctx, "rec-1", ended); err != nil {
		t.Fatal(err)
	}
	got, err = db.Recording(ctx, "rec-1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Complete || !got.EndedAt.Equal(ended) {
		t.Errorf("after finish: complete=%v ended=%v, want true %v", got.Complete, got.EndedAt, ended)
	}
}

func TestCreateRecordingDefaultsStartAndValidates(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	before := time.Now().UTC()
	if err := db.CreateRecording(ctx, Recording{ID: "r", Plugin: videoroom}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Recording(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if got.StartedAt.Before(before) || got.Complete || !got.EndedAt.IsZero() {
		t.Errorf("defaults: %+v (want started >= %v, not complete, no end)", got, before)
	}
	if err := db.CreateRecording(ctx, Recording{Plugin: videoroom}); err == nil {
		t.Error("empty id accepted")
	}
	if err := db.CreateRecording(ctx, Recording{ID: "x"}); err == nil {
		t.Error("empty plugin accepted")
	}
}

func TestRecordingNotFound(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.Recording(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Recording: err = %v, want ErrNotFound", err)
	}
	if err := db.FinishRecording(ctx, "nope", time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRecording: err = %v, want ErrNotFound", err)
	}
	if err := db.StartRecordingTrack(ctx, "nope", 1, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("StartRecordingTrack: err = %v, want ErrNotFound", err)
	}
	if err := db.FinishRecordingTrack(ctx, "nope", RecordingTrackEnd{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRecordingTrack: err = %v, want ErrNotFound", err)
	}
}

func TestListRecordingsFiltersAndSortsByStart(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// Inserted out of order; the fractions trip a plain string sort of
	// RFC 3339 text (".1Z" sorts after ".12Z").
	for _, r := range []Recording{
		{ID: "c", Plugin: videoroom, RoomID: "1", StartedAt: base.Add(120 * time.Millisecond)},
		{ID: "a", Plugin: videoroom, RoomID: "1", StartedAt: base.Add(100 * time.Millisecond)},
		{ID: "b", Plugin: videoroom, RoomID: "2", StartedAt: base.Add(110 * time.Millisecond)},
		{ID: "d", Plugin: "janus.plugin.audiobridge", RoomID: "1", StartedAt: base},
	} {
		if err := db.CreateRecording(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(rs []Recording) (out []string) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	cases := []struct {
		plugin, room string
		want         []string
	}{
		{videoroom, "1", []string{"a", "c"}},
		{videoroom, "", []string{"a", "b", "c"}},
		{"", "1", []string{"d", "a", "c"}},
		{"", "", []string{"d", "a", "b", "c"}},
		{videoroom, "9", nil},
	}
	for _, c := range cases {
		got, err := db.ListRecordings(ctx, c.plugin, c.room)
		if err != nil {
			t.Fatal(err)
		}
		if g := ids(got); !slices.Equal(g, c.want) {
			t.Errorf("ListRecordings(%q, %q) = %v, want %v", c.plugin, c.room, g, c.want)
		}
	}
}

func TestRecordingTrackLifecycle(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.CreateRecording(ctx, Recording{ID: "rec", Plugin: videoroom, RoomID: "1234"}); err != nil {
		t.Fatal(err)
	}
	audio := RecordingTrack{
		ID: "rec-a", RecordingID: "rec", ParticipantID: "42", Display: "Alice", Mid: "0",
		Kind: "audio", Codec: "audio/opus", Path: "/rec/videoroom-1234-user-42-1-audio.ogg",
	}
	video := audio
	video.ID, video.Mid, video.Kind, video.Codec, video.Path = "rec-v", "1", "video", "video/VP8", "/rec/v.ivf"
	for _, tr := range []RecordingTrack{audio, video} {
		if err := db.AddRecordingTrack(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}

	// Before any media the row exists, open, with no timestamps.
	tracks, err := db.RecordingTracks(ctx, "rec")
	if err != nil {
		t.Fatal(err)
	}
	if len(tracks) != 2 || tracks[0].ID != "rec-a" || tracks[1].ID != "rec-v" {
		t.Fatalf("tracks = %+v, want rec-a then rec-v", tracks)
	}
	a := tracks[0]
	if a.MediaStarted || a.Complete || a.Packets != 0 || a.CreatedAt.IsZero() {
		t.Errorf("fresh track: %+v", a)
	}
	if a.ParticipantID != "42" || a.Display != "Alice" || a.Mid != "0" || a.Kind != "audio" ||
		a.Codec != "audio/opus" || a.Path != audio.Path || a.RecordingID != "rec" {
		t.Errorf("fresh track fields: %+v", a)
	}

	// Timestamps at the top of the uint32 range survive the round trip.
	if err := db.StartRecordingTrack(ctx, "rec-a", math.MaxUint32, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	end := RecordingTrackEnd{LastRTPTS: 959, Packets: 500, Bytes: 40_000, Duration: 10*time.Second + 7*time.Millisecond, Complete: true}
	if err := db.FinishRecordingTrack(ctx, "rec-a", end); err != nil {
		t.Fatal(err)
	}
	// A track that never got media is finished without timestamps.
	if err := db.FinishRecordingTrack(ctx, "rec-v", RecordingTrackEnd{LastRTPTS: 77}); err != nil {
		t.Fatal(err)
	}
	tracks, err = db.RecordingTracks(ctx, "rec")
	if err != nil {
		t.Fatal(err)
	}
	a, v := tracks[0], tracks[1]
	if !a.MediaStarted || a.FirstRTPTS != math.MaxUint32 || a.StartOffset != 1500*time.Millisecond ||
		a.LastRTPTS != 959 || a.Packets != 500 || a.Bytes != 40_000 || a.Duration != end.Duration || !a.Complete {
		t.Errorf("finished audio track: %+v", a)
	}
	if v.MediaStarted || v.LastRTPTS != 0 || v.Complete {
		t.Errorf("finished empty video track: %+v", v)
	}
	var nulls int
	if err := db.read.QueryRowContext(ctx,
		`SELECT count(*) FROM recording_tracks WHERE id = 'rec-v' AND first_rtp_ts IS NULL AND last_rtp_ts IS NULL`,
	).Scan(&nulls); err != nil || nulls != 1 {
		t.Errorf("empty track timestamps not NULL: %d, %v", nulls, err)
	}
}

func TestRecordingTrackConstraints(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.AddRecordingTrack(ctx, RecordingTrack{ID: "t", RecordingID: "missing", Kind: "audio", Codec: "audio/opus", Path: "p"}); err == nil {
		t.Error("track of a missing recording accepted (foreign key not enforced)")
	}
	if err := db.CreateRecording(ctx, Recording{ID: "rec", Plugin: videoroom}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddRecordingTrack(ctx, RecordingTrack{ID: "t", RecordingID: "rec", Kind: "subtitles", Codec: "x", Path: "p"}); err == nil {
		t.Error("unknown kind accepted")
	}
	if err := db.AddRecordingTrack(ctx, RecordingTrack{RecordingID: "rec", Kind: "audio", Codec: "x", Path: "p"}); err == nil {
		t.Error("empty track id accepted")
	}
	if tracks, err := db.RecordingTracks(ctx, "rec"); err != nil || len(tracks) != 0 {
		t.Errorf("tracks after rejected inserts: %v, %v", tracks, err)
	}
}

func TestDeletingRecordingRowDeletesTracks(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.CreateRecording(ctx, Recording{ID: "rec", Plugin: videoroom}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddRecordingTrack(ctx, RecordingTrack{ID: "t", RecordingID: "rec", Kind: "video", Codec: "video/VP8", Path: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM recordings WHERE id = 'rec'`); err != nil {
		t.Fatal(err)
	}
	if tracks, err := db.RecordingTracks(ctx, "rec"); err != nil || len(tracks) != 0 {
		t.Errorf("tracks after deleting their recording: %v, %v", tracks, err)
	}
}
