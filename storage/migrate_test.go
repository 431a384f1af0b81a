package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"modernc.org/sqlite"
)

func appliedVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// rawPool opens a bare single-connection pool on a fresh file, for driving
// migrate with test migrations.
func rawPool(t *testing.T) *sql.DB {
	t.Helper()
	pool, err := openPool(t.TempDir()+"/test.db", writerParams(), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

func TestEmbeddedMigrationsCreateTables(t *testing.T) {
	db := openTest(t)
	for _, table := range []string{"extensions", "rooms", "extension_state", "schema_migrations"} {
		if !tableExists(t, db.read, table) {
			t.Errorf("table %s missing after Open", table)
		}
	}
	if got := appliedVersions(t, db.read); len(got) == 0 || got[0] != 1 {
		t.Errorf("applied versions = %v, want to start with 1", got)
	}
}

func TestMigrationsIdempotentAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	first := appliedVersions(t, db.read)
	if err := db.KVPut(ctx, "ns", "k", []byte("survives")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ {
		db, err = Open(ctx, dir)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if got := appliedVersions(t, db.read); len(got) != len(first) {
			t.Errorf("reopen %d: applied versions = %v, want %v (a migration ran twice?)", i, got, first)
		}
		v, err := db.KVGet(ctx, "ns", "k")
		if err != nil || string(v) != "survives" {
			t.Errorf("reopen %d: KVGet = %q, %v; want data kept", i, v, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConcurrentOpenOfSameFile(t *testing.T) {
	// The gateway and extctl may start together on a fresh data dir; both
	// must end up with one schema and no error.
	ctx := context.Background()
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(ctx, dir)
			if err != nil {
				errs <- err
				return
			}
			errs <- db.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := appliedVersions(t, db.read); len(got) == 0 || got[0] != 1 {
		t.Errorf("applied versions = %v", got)
	}
}

func TestMigrationsRunInNumericOrder(t *testing.T) {
	// Listed by name, "0010_…" sorts before "002_…"; numerically it is later
	// and depends on the table 002 creates.
	fsys := fstest.MapFS{
		"m/002_create.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
		"m/0010_alter.sql": {Data: []byte(`ALTER TABLE a ADD COLUMN y TEXT;`)},
		"m/README.md":      {Data: []byte(`not a migration`)},
	}
	pool := rawPool(t)
	if err := migrate(context.Background(), pool, fsys, "m"); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if got := appliedVersions(t, pool); len(got) != 2 || got[0] != 2 || got[1] != 10 {
		t.Errorf("applied versions = %v, want [2 10]", got)
	}
}

func TestFailedMigrationLeavesDatabaseUnchanged(t *testing.T) {
	ctx := context.Background()
	pool := rawPool(t)
	good := fstest.MapFS{"m/001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)}}
	if err := migrate(ctx, pool, good, "m"); err != nil {
		t.Fatal(err)
	}
	// 002 creates a table, inserts a row, then hits a syntax error: none of
	// it may remain.
	bad := fstest.MapFS{
		"m/001_a.sql": good["m/001_a.sql"],
		"m/002_b.sql": {Data: []byte(`CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1); CREATE TABEL c;`)},
	}
	err := migrate(ctx, pool, bad, "m")
	if err == nil {
		t.Fatal("migrate with a broken migration succeeded")
	}
	if !strings.Contains(err.Error(), "002_b.sql") {
		t.Errorf("error %q does not name the failing migration", err)
	}
	var sqliteErr *sqlite.Error
	if !errors.As(err, &sqliteErr) {
		t.Errorf("error %q does not wrap the driver's error", err)
	}
	if tableExists(t, pool, "b") {
		t.Error("table from the failed migration exists")
	}
	var n int
	if err := pool.QueryRow(`SELECT count(*) FROM a`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows in a = %d, %v; want 0", n, err)
	}
	if got := appliedVersions(t, pool); len(got) != 1 || got[0] != 1 {
		t.Errorf("applied versions = %v, want [1]", got)
	}

	// Fixed, it applies on the next start.
	bad["m/002_b.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE b (x INTEGER);`)}
	if err := migrate(ctx, pool, bad, "m"); err != nil {
		t.Fatalf("migrate after fix: %v", err)
	}
	if !tableExists(t, pool, "b") {
		t.Error("table b missing after the fixed migration")
	}
}

func TestLoadMigrationsRejectsBadFiles(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"short version": {"m/01_a.sql": {Data: []byte(`SELECT 1;`)}},
		"no name":       {"m/001.sql": {Data: []byte(`SELECT 1;`)}},
		"upper case":    {"m/001_Init.sql": {Data: []byte(`SELECT 1;`)}},
		"version zero":  {"m/000_a.sql": {Data: []byte(`SELECT 1;`)}},
		"duplicate": {
			"m/001_a.sql":  {Data: []byte(`SELECT 1;`)},
			"m/0001_b.sql": {Data: []byte(`SELECT 1;`)},
		},
	}
	for name, fsys := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := loadMigrations(fsys, "m"); err == nil {
				t.Error("loadMigrations accepted it")
			}
		})
	}
}
