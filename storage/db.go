package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reprise-rtc/reprise/schema"

	// Registers the pure-Go "sqlite" driver.
	_ "modernc.org/sqlite"
)

// FileName is the name of the catalogue file inside the data directory.
const FileName = "reprise.db"

// busyTimeout is how long a connection waits for another writer (another
// process such as extctl, or a checkpoint) before giving up with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// readConns bounds the reader pool. WAL lets readers run alongside the single
// writer; a handful is plenty on a small machine and keeps file handles few.
const readConns = 4

// DB is an open catalogue. It keeps two connection pools over the same file:
// one writer connection, so writes from many goroutines queue inside Go
// instead of racing for SQLite's single write lock ("database is locked"),
// and a few read-only connections, which WAL lets proceed while a write is
// in progress.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
}

// Open opens (creating if needed) the catalogue at <dataDir>/reprise.db and
// brings its schema up to date with the embedded migrations.
func Open(ctx context.Context, dataDir string) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("storage: create data dir: %w", err)
	}
	path := filepath.Join(dataDir, FileName)
	// The driver splits the DSN at the first '?', so such a path cannot be
	// expressed without it being mistaken for parameters.
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("storage: data dir %q must not contain '?'", dataDir)
	}

	write, err := openPool(path, writerParams(), 1)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, write, schema.Migrations, "migrations"); err != nil {
		write.Close()
		return nil, err
	}
	read, err := openPool(path, readerParams(), readConns)
	if err != nil {
		write.Close()
		return nil, err
	}
	return &DB{path: path, write: write, read: read}, nil
}

// Path returns the catalogue file's path.
func (db *DB) Path() string { return db.path }

// Close closes both connection pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

func commonParams() url.Values {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	v.Add("_pragma", "foreign_keys(1)")
	return v
}

func writerParams() url.Values {
	v := commonParams()
	// journal_mode is persistent in the file; setting it on the writer,
	// which is always opened first, is enough for every later connection.
	v.Add("_pragma", "journal_mode(WAL)")
	// In WAL mode NORMAL never corrupts the file; it only risks losing the
	// last commits on power loss, which is acceptable for this catalogue.
	v.Add("_pragma", "synchronous(NORMAL)")
	// BEGIN IMMEDIATE takes the write lock up front, so a transaction that
	// waits for another process goes through busy_timeout rather than failing
	// when it later tries to upgrade a read lock.
	v.Set("_txlock", "immediate")
	return v
}

func readerParams() url.Values {
	v := commonParams()
	// Guards the split: a write sent to the reader pool fails loudly.
	v.Add("_pragma", "query_only(1)")
	return v
}

func openPool(path string, params url.Values, maxConns int) (*sql.DB, error) {
	pool, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns)
	// Connections are cheap to keep and costly to reopen (pragmas, schema
	// parse), so they live as long as the pool.
	pool.SetConnMaxLifetime(0)
	if err := pool.Ping(); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	return pool, nil
}
