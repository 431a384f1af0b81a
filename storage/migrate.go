package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
)

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string // file name, e.g. "001_init.sql"
	sql     string
}

// migrationName matches NNN_name.sql: at least three digits, then a name.
var migrationName = regexp.MustCompile(`^([0-9]{3,})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads every .sql file in dir of fsys, sorted by version.
// A .sql file with a malformed name or a repeated version is an error rather
// than being skipped, because silently skipping it would leave the schema
// behind without anyone noticing.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("storage: read migrations: %w", err)
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("storage: migration %q: name must look like 001_name.sql", e.Name())
		}
		version, err := strconv.Atoi(m[1])
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("storage: migration %q: version must be a positive number", e.Name())
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("storage: migrations %q and %q share version %d", other, e.Name(), version)
		}
		seen[version] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("storage: read migration %q: %w", e.Name(), err)
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies, in version order, every migration in dir of fsys that the
// database has not yet recorded in schema_migrations. Each migration runs in
// its own transaction together with its record, so a failing one leaves the
// database exactly as the previous migration left it.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	migrations, err := loadMigrations(fsys, dir)
	if err != nil {
		return err
	}
	const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at TEXT    NOT NULL
	) STRICT`
	if _, err := db.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("storage: create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	if n := len(migrations); n > 0 && newest.Int64 > int64(migrations[n-1].version) {
		// A newer build has upgraded this file. Older code can usually still
		// read it, so this is worth a warning, not a refusal.
		slog.Warn("catalogue schema is newer than this build",
			"db_version", newest.Int64, "known_version", migrations[n-1].version)
	}
	return nil
}

// applyMigration runs m unless already recorded. The check is made inside
// the transaction, under the write lock, so two processes starting at once
// (gateway and extctl) cannot both apply the same migration.
func applyMigration(ctx context.Context, db *sql.DB, m migration) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: migration %s: begin: %w", m.name, err)
	}
	defer func() {
		if err == nil {
			return
		}
		if rbErr := ignoreDone(tx.Rollback()); rbErr != nil {
			err = errors.Join(err, rbErr)
		}
	}()

	var applied int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&applied); err != nil {
		return fmt.Errorf("storage: migration %s: check applied: %w", m.name, err)
	}
	if applied > 0 {
		return tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("storage: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, formatTime(now())); err != nil {
		return fmt.Errorf("storage: migration %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: migration %s: commit: %w", m.name, err)
	}
	slog.Info("applied catalogue migration", "version", m.version, "name", m.name)
	return nil
}

// ignoreDone drops the error Rollback returns after the transaction has
// already ended (for example when Commit itself failed).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
