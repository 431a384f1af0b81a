package storage

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openTest opens a catalogue in a fresh temporary directory and closes it
// when the test ends.
func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestOpenCreatesDataDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	want := filepath.Join(dir, "reprise.db")
	if db.Path() != want {
		t.Errorf("Path() = %q, want %q", db.Path(), want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("catalogue file not created: %v", err)
	}
}

func TestOpenRejectsQuestionMarkInPath(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "a?b"))
	if err == nil || !strings.Contains(err.Error(), "'?'") {
		t.Fatalf("Open with '?' in path: err = %v, want rejection", err)
	}
}

func TestJournalModeIsWAL(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for name, pool := range map[string]*sql.DB{"writer": db.write, "reader": db.read} {
		var mode string
		if err := pool.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatalf("%s: PRAGMA journal_mode: %v", name, err)
		}
		if mode != "wal" {
			t.Errorf("%s: journal_mode = %q, want wal", name, mode)
		}
	}
	// WAL is a property of the file: a plain connection that sets nothing
	// must see it too, as extctl or the sqlite3 shell would.
	plain, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	var mode string
	if err := plain.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("plain connection: journal_mode = %q, want wal", mode)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for name, pool := range map[string]*sql.DB{"writer": db.write, "reader": db.read} {
		var fk, busy int
		if err := pool.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if fk != 1 {
			t.Errorf("%s: foreign_keys = %d, want 1", name, fk)
		}
		if busy != int(busyTimeout.Milliseconds()) {
			t.Errorf("%s: busy_timeout = %d, want %d", name, busy, busyTimeout.Milliseconds())
		}
	}
}

func TestReaderPoolRefusesWrites(t *testing.T) {
	db := openTest(t)
	_, err := db.read.Exec(`INSERT INTO extension_state (namespace, key, value, updated_at) VALUES ('n', 'k', x'', '')`)
	if err == nil {
		t.Fatal("write through the reader pool succeeded; the pools are not split as intended")
	}
}
