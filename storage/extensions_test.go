package storage

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestExtensionRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	in := Extension{
		Name:     "echotest",
		Version:  "1.2.3",
		Packages: []string{"janus.plugin.echotest", "janus.plugin.echo2"},
		Path:     "/opt/reprise/ext/echotest",
		SHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Enabled:  true,
		Bundled:  true,
	}
	before := time.Now().UTC()
	if err := db.UpsertExtension(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := db.Extension(ctx, "echotest")
	if err != nil {
		t.Fatal(err)
	}
	if got.InstalledAt.Before(before) || !got.InstalledAt.Equal(got.UpdatedAt) {
		t.Errorf("timestamps installed=%v updated=%v, want both set to insert time (>= %v)", got.InstalledAt, got.UpdatedAt, before)
	}
	got.InstalledAt, got.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
}

func TestUpsertExtensionReplacesButKeepsInstallTime(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	e := Extension{Name: "x", Version: "1", Packages: []string{"janus.plugin.x"}, Path: "/a", SHA256: "aa", Enabled: true}
	if err := db.UpsertExtension(ctx, e); err != nil {
		t.Fatal(err)
	}
	first, err := db.Extension(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	e.Version, e.Path, e.SHA256, e.Enabled, e.Packages = "2", "/b", "bb", false, nil
	if err := db.UpsertExtension(ctx, e); err != nil {
		t.Fatal(err)
	}
	second, err := db.Extension(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if second.Version != "2" || second.Path != "/b" || second.SHA256 != "bb" || second.Enabled {
		t.Errorf("upsert did not replace fields: %+v", second)
	}
	if second.Packages == nil || len(second.Packages) != 0 {
		t.Errorf("nil packages read back as %#v, want empty non-nil slice", second.Packages)
	}
	if !second.InstalledAt.Equal(first.InstalledAt) {
		t.Errorf("InstalledAt changed on upsert: %v -> %v", first.InstalledAt, second.InstalledAt)
	}
	if !second.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("UpdatedAt not advanced: %v -> %v", first.UpdatedAt, second.UpdatedAt)
	}

	// An explicit InstalledAt (e.g. restored from a backup) is honoured.
	explicit := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	e.InstalledAt = explicit
	if err := db.UpsertExtension(ctx, e); err != nil {
		t.Fatal(err)
	}
	third, err := db.Extension(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if !third.InstalledAt.Equal(explicit) {
		t.Errorf("InstalledAt = %v, want explicit %v", third.InstalledAt, explicit)
	}
}

func TestListExtensionsSortedByName(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if got, err := db.ListExtensions(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty catalogue: %v, %v", got, err)
	}
	for _, n := range []string{"videoroom", "audiobridge", "echotest"} {
		if err := db.UpsertExtension(ctx, Extension{Name: n, Version: "1", Path: "/" + n, SHA256: "00"}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := db.ListExtensions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name)
	}
	if want := []string{"audiobridge", "echotest", "videoroom"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
}

func TestSetExtensionEnabled(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.UpsertExtension(ctx, Extension{Name: "x", Version: "1", Path: "/x", SHA256: "00", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []bool{false, true, false} {
		if err := db.SetExtensionEnabled(ctx, "x", want); err != nil {
			t.Fatal(err)
		}
		e, err := db.Extension(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		if e.Enabled != want {
			t.Errorf("Enabled = %v after SetExtensionEnabled(%v)", e.Enabled, want)
		}
	}
}

func TestRemoveExtension(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.UpsertExtension(ctx, Extension{Name: "x", Version: "1", Path: "/x", SHA256: "00"}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveExtension(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Extension(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Extension after remove: err = %v, want ErrNotFound", err)
	}
}

func TestExtensionNotFound(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.Extension(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Extension: err = %v, want ErrNotFound", err)
	}
	if err := db.SetExtensionEnabled(ctx, "missing", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetExtensionEnabled: err = %v, want ErrNotFound", err)
	}
	if err := db.RemoveExtension(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveExtension: err = %v, want ErrNotFound", err)
	}
}

func TestUpsertExtensionRejectsEmptyName(t *testing.T) {
	db := openTest(t)
	if err := db.UpsertExtension(context.Background(), Extension{Version: "1"}); err == nil {
		t.Error("empty name accepted")
	}
}
