package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Extension is one installed extension: an out-of-process plugin binary that
// provides one or more Janus plugin packages.
type Extension struct {
	Name     string   // unique identifier, e.g. "echotest"
	Version  string   // the extension's own version string
	Packages []string // Janus plugin packages served, e.g. "janus.plugin.echotest"
	Path     string   // executable path
	SHA256   string   // hex digest of the executable, checked before launch
	Enabled  bool
	Bundled  bool // shipped with the gateway rather than installed by an operator

	// Set by the store: InstalledAt on first upsert (kept afterwards unless
	// the caller supplies one), UpdatedAt on every upsert or enable change.
	InstalledAt time.Time
	UpdatedAt   time.Time
}

// UpsertExtension inserts e, or replaces the stored extension of the same
// name while keeping its original installation time.
func (db *DB) UpsertExtension(ctx context.Context, e Extension) error {
	if e.Name == "" {
		return errors.New("storage: upsert extension: empty name")
	}
	pkgs := e.Packages
	if pkgs == nil {
		pkgs = []string{}
	}
	pkgJSON, err := json.Marshal(pkgs)
	if err != nil {
		return fmt.Errorf("storage: upsert extension %q: %w", e.Name, err)
	}
	t := now()
	installed := t
	if !e.InstalledAt.IsZero() {
		installed = e.InstalledAt
	}
	// On conflict installed_at is kept unless the caller gave one explicitly.
	const q = `INSERT INTO extensions
		(name, version, packages, path, sha256, enabled, bundled, installed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			version = excluded.version,
			packages = excluded.packages,
			path = excluded.path,
			sha256 = excluded.sha256,
			enabled = excluded.enabled,
			bundled = excluded.bundled,
			installed_at = CASE WHEN ? THEN excluded.installed_at ELSE extensions.installed_at END,
			updated_at = excluded.updated_at`
	_, err = db.write.ExecContext(ctx, q,
		e.Name, e.Version, string(pkgJSON), e.Path, e.SHA256, e.Enabled, e.Bundled,
		formatTime(installed), formatTime(t), !e.InstalledAt.IsZero())
	if err != nil {
		return fmt.Errorf("storage: upsert extension %q: %w", e.Name, err)
	}
	return nil
}

const extensionColumns = `name, version, packages, path, sha256, enabled, bundled, installed_at, updated_at`

// Extension returns the extension called name, or an error wrapping
// ErrNotFound.
func (db *DB) Extension(ctx context.Context, name string) (Extension, error) {
	row := db.read.QueryRowContext(ctx,
		`SELECT `+extensionColumns+` FROM extensions WHERE name = ?`, name)
	e, err := scanExtension(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Extension{}, fmt.Errorf("storage: extension %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Extension{}, fmt.Errorf("storage: extension %q: %w", name, err)
	}
	return e, nil
}

// ListExtensions returns every extension, ordered by name.
func (db *DB) ListExtensions(ctx context.Context) ([]Extension, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+extensionColumns+` FROM extensions ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("storage: list extensions: %w", err)
	}
	defer rows.Close()
	var out []Extension
	for rows.Next() {
		e, err := scanExtension(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: list extensions: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list extensions: %w", err)
	}
	return out, nil
}

// SetExtensionEnabled turns the extension called name on or off.
func (db *DB) SetExtensionEnabled(ctx context.Context, name string, enabled bool) error {
	res, err := db.write.ExecContext(ctx,
		`UPDATE extensions SET enabled = ?, updated_at = ? WHERE name = ?`,
		enabled, formatTime(now()), name)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: set extension %q enabled: %w", name, err)
	}
	return nil
}

// RemoveExtension deletes the extension called name from the catalogue.
// It does not touch the executable on disk.
func (db *DB) RemoveExtension(ctx context.Context, name string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM extensions WHERE name = ?`, name)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: remove extension %q: %w", name, err)
	}
	return nil
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanExtension(s scanner) (Extension, error) {
	var (
		e                    Extension
		pkgJSON              string
		installed, updatedAt string
	)
	if err := s.Scan(&e.Name, &e.Version, &pkgJSON, &e.Path, &e.SHA256,
		&e.Enabled, &e.Bundled, &installed, &updatedAt); err != nil {
		return Extension{}, err
	}
	if err := json.Unmarshal([]byte(pkgJSON), &e.Packages); err != nil {
		return Extension{}, fmt.Errorf("column packages: %w", err)
	}
	var err error
	if e.InstalledAt, err = parseTime("installed_at", installed); err != nil {
		return Extension{}, err
	}
	if e.UpdatedAt, err = parseTime("updated_at", updatedAt); err != nil {
		return Extension{}, err
	}
	return e, nil
}

// oneRowAffected turns an Exec result that touched no row into ErrNotFound.
func oneRowAffected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
