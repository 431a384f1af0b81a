package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestKVRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	val := []byte{0, 1, 2, 0xff, 'x'} // binary-safe, including NUL
	if err := db.KVPut(ctx, "echotest", "cfg", val); err != nil {
		t.Fatal(err)
	}
	got, err := db.KVGet(ctx, "echotest", "cfg")
	if err != nil || !bytes.Equal(got, val) {
		t.Fatalf("KVGet = %v, %v; want %v", got, err, val)
	}
	if err := db.KVPut(ctx, "echotest", "cfg", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.KVGet(ctx, "echotest", "cfg"); string(got) != "v2" {
		t.Errorf("after overwrite KVGet = %q, want v2", got)
	}
	if _, err := db.KVGet(ctx, "other", "cfg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("same key in other namespace: err = %v, want ErrNotFound", err)
	}
	if err := db.KVDelete(ctx, "echotest", "cfg"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.KVGet(ctx, "echotest", "cfg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: err = %v, want ErrNotFound", err)
	}
	if err := db.KVDelete(ctx, "echotest", "cfg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: err = %v, want ErrNotFound", err)
	}
}

func TestKVEmptyValueIsNotMissing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, v := range [][]byte{nil, {}} {
		if err := db.KVPut(ctx, "ns", "k", v); err != nil {
			t.Fatalf("KVPut(%#v): %v", v, err)
		}
		got, err := db.KVGet(ctx, "ns", "k")
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("KVGet after KVPut(%#v) = %#v, %v; want empty non-nil", v, got, err)
		}
	}
}

func TestKVListByPrefix(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	keys := []string{"room/1", "room/2", "room/10", "room_x", "Room/3", "rooms", "roo", "room%", "zz"}
	for _, k := range keys {
		if err := db.KVPut(ctx, "vr", k, []byte("v-"+k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.KVPut(ctx, "other", "room/1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"room/": {"room/1", "room/10", "room/2"},
		"room":  {"room%", "room/1", "room/10", "room/2", "room_x", "rooms"},
		"room%": {"room%"},  // '%' is literal, not a wildcard
		"room_": {"room_x"}, // '_' is literal
		"":      {"Room/3", "roo", "room%", "room/1", "room/10", "room/2", "room_x", "rooms", "zz"},
		"nope":  nil,
	}
	for prefix, want := range cases {
		got, err := db.KVList(ctx, "vr", prefix)
		if err != nil {
			t.Fatalf("KVList(%q): %v", prefix, err)
		}
		var gotKeys []string
		for _, e := range got {
			gotKeys = append(gotKeys, e.Key)
			if string(e.Value) != "v-"+e.Key {
				t.Errorf("KVList(%q): %s = %q", prefix, e.Key, e.Value)
			}
			if e.UpdatedAt.IsZero() {
				t.Errorf("KVList(%q): %s has no UpdatedAt", prefix, e.Key)
			}
		}
		if strings.Join(gotKeys, ",") != strings.Join(want, ",") {
			t.Errorf("KVList(%q) = %v, want %v", prefix, gotKeys, want)
		}
	}
}

// TestConcurrentKVPut is the gateway's situation: many gRPC calls writing at
// once, plus a second handle on the same file (extctl) writing and readers
// reading. None may fail with "database is locked".
func TestConcurrentKVPut(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gateway, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer gateway.Close()
	other, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	const goroutines, puts = 20, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*puts*2)
	for g := 0; g < goroutines; g++ {
		db := gateway
		if g%5 == 0 {
			db = other
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < puts; i++ {
				if err := db.KVPut(ctx, "ns", fmt.Sprintf("g%02d/%03d", g, i), []byte{byte(g), byte(i)}); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < puts; i++ {
				if _, err := db.KVList(ctx, "ns", fmt.Sprintf("g%02d/", g)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent access: %v", err)
	}
	all, err := gateway.KVList(ctx, "ns", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != goroutines*puts {
		t.Errorf("stored %d keys, want %d", len(all), goroutines*puts)
	}
}

func FuzzPrefixEnd(f *testing.F) {
	f.Add("room/", "room/1")
	f.Add("", "x")
	f.Add("a\xff", "a\xff\x00")
	f.Add("\xff\xff", "\xff\xff\xff")
	f.Add("ab", "ac")
	f.Fuzz(func(t *testing.T, prefix, s string) {
		end, ok := prefixEnd(prefix)
		inRange := s >= prefix && (!ok || s < end)
		if inRange != strings.HasPrefix(s, prefix) {
			t.Errorf("prefix %q end %q (ok=%v): %q in range = %v, HasPrefix = %v",
				prefix, end, ok, s, inRange, strings.HasPrefix(s, prefix))
		}
	})
}
