package storage

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
)

const videoroom = "janus.plugin.videoroom"

func TestRoomRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	in := Room{
		Plugin:      videoroom,
		RoomID:      1234,
		Description: "Demo Room",
		Secret:      "adminpwd",
		Pin:         "1111",
		Permanent:   true,
		Settings:    json.RawMessage(`{"publishers":6,"bitrate":128000}`),
	}
	if err := db.PutRoom(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := db.Room(ctx, videoroom, 1234)
	if err != nil {
		t.Fatal(err)
	}
	if got.Plugin != in.Plugin || got.RoomID != in.RoomID || got.Description != in.Description ||
		got.Secret != in.Secret || got.Pin != in.Pin || got.Permanent != in.Permanent ||
		string(got.Settings) != string(in.Settings) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	if got.CreatedAt.IsZero() || !got.CreatedAt.Equal(got.UpdatedAt) {
		t.Errorf("timestamps created=%v updated=%v", got.CreatedAt, got.UpdatedAt)
	}
}

func TestPutRoomReplacesButKeepsCreationTime(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	r := Room{Plugin: videoroom, RoomID: 1, Description: "old"}
	if err := db.PutRoom(ctx, r); err != nil {
		t.Fatal(err)
	}
	first, err := db.Room(ctx, videoroom, 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Settings) != "{}" {
		t.Errorf("empty settings stored as %q, want {}", first.Settings)
	}
	time.Sleep(2 * time.Millisecond)
	r.Description = "new"
	if err := db.PutRoom(ctx, r); err != nil {
		t.Fatal(err)
	}
	second, err := db.Room(ctx, videoroom, 1)
	if err != nil {
		t.Fatal(err)
	}
	if second.Description != "new" {
		t.Errorf("Description = %q, want new", second.Description)
	}
	if !second.CreatedAt.Equal(first.CreatedAt) || !second.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("created %v -> %v, updated %v -> %v", first.CreatedAt, second.CreatedAt, first.UpdatedAt, second.UpdatedAt)
	}
}

func TestRoomsArePerPlugin(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	const audiobridge = "janus.plugin.audiobridge"
	for _, r := range []Room{
		{Plugin: videoroom, RoomID: 30},
		{Plugin: videoroom, RoomID: 2},
		{Plugin: audiobridge, RoomID: 2, Description: "audio"},
	} {
		if err := db.PutRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	rooms, err := db.ListRooms(ctx, videoroom)
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 2 || rooms[0].RoomID != 2 || rooms[1].RoomID != 30 {
		t.Errorf("videoroom rooms = %+v, want ids [2 30]", rooms)
	}
	if err := db.DeleteRoom(ctx, videoroom, 2); err != nil {
		t.Fatal(err)
	}
	a, err := db.Room(ctx, audiobridge, 2)
	if err != nil || a.Description != "audio" {
		t.Errorf("audiobridge room 2 after deleting videoroom room 2: %+v, %v", a, err)
	}
	if _, err := db.Room(ctx, videoroom, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted room: err = %v, want ErrNotFound", err)
	}
}

func TestRoomIDLimits(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.PutRoom(ctx, Room{Plugin: videoroom, RoomID: math.MaxInt64}); err != nil {
		t.Fatalf("max int64 id: %v", err)
	}
	if r, err := db.Room(ctx, videoroom, math.MaxInt64); err != nil || r.RoomID != math.MaxInt64 {
		t.Errorf("max int64 id read back as %d, %v", r.RoomID, err)
	}
	if err := db.PutRoom(ctx, Room{Plugin: videoroom, RoomID: math.MaxInt64 + 1}); err == nil {
		t.Error("id above int64 range accepted")
	}
	if _, err := db.Room(ctx, videoroom, math.MaxUint64); !errors.Is(err, ErrNotFound) {
		t.Errorf("Room(MaxUint64): err = %v, want ErrNotFound", err)
	}
}

func TestPutRoomValidates(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.PutRoom(ctx, Room{RoomID: 1}); err == nil {
		t.Error("empty plugin accepted")
	}
	if err := db.PutRoom(ctx, Room{Plugin: videoroom, RoomID: 1, Settings: json.RawMessage(`{"a":`)}); err == nil {
		t.Error("invalid settings JSON accepted")
	}
}

func TestRoomNotFound(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.Room(ctx, videoroom, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("Room: err = %v, want ErrNotFound", err)
	}
	if err := db.DeleteRoom(ctx, videoroom, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteRoom: err = %v, want ErrNotFound", err)
	}
	if rooms, err := db.ListRooms(ctx, videoroom); err != nil || len(rooms) != 0 {
		t.Errorf("ListRooms on empty: %v, %v", rooms, err)
	}
}
