package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KVEntry is one key of an extension's state namespace.
type KVEntry struct {
	Key       string
	Value     []byte
	UpdatedAt time.Time
}

// KVGet returns the value stored under key in namespace, or an error
// wrapping ErrNotFound. A stored empty value is returned as a non-nil,
// zero-length slice, distinct from a missing key.
func (db *DB) KVGet(ctx context.Context, namespace, key string) ([]byte, error) {
	var v []byte
	err := db.read.QueryRowContext(ctx,
		`SELECT value FROM extension_state WHERE namespace = ? AND key = ?`,
		namespace, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storage: kv %s/%s: %w", namespace, key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: kv %s/%s: %w", namespace, key, err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// KVPut stores value under key in namespace, replacing any previous value.
func (db *DB) KVPut(ctx context.Context, namespace, key string, value []byte) error {
	if value == nil {
		// A nil []byte binds as NULL, which the NOT NULL column rejects;
		// store it as the empty value it means.
		value = []byte{}
	}
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO extension_state (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		namespace, key, value, formatTime(now()))
	if err != nil {
		return fmt.Errorf("storage: kv put %s/%s: %w", namespace, key, err)
	}
	return nil
}

// KVDelete removes key from namespace, or returns an error wrapping
// ErrNotFound if it was not there.
func (db *DB) KVDelete(ctx context.Context, namespace, key string) error {
	res, err := db.write.ExecContext(ctx,
		`DELETE FROM extension_state WHERE namespace = ? AND key = ?`, namespace, key)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: kv delete %s/%s: %w", namespace, key, err)
	}
	return nil
}

// KVList returns the entries of namespace whose key starts with prefix
// (byte-wise, case-sensitive), ordered by key. An empty prefix lists the
// whole namespace.
func (db *DB) KVList(ctx context.Context, namespace, prefix string) ([]KVEntry, error) {
	// A range on the primary key instead of LIKE: LIKE would treat '%' and
	// '_' in the prefix as wildcards and fold ASCII case.
	q := `SELECT key, value, updated_at FROM extension_state WHERE namespace = ? AND key >= ?`
	args := []any{namespace, prefix}
	if end, ok := prefixEnd(prefix); ok {
		q += ` AND key < ?`
		args = append(args, end)
	}
	q += ` ORDER BY key`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: kv list %s/%s*: %w", namespace, prefix, err)
	}
	defer rows.Close()
	var out []KVEntry
	for rows.Next() {
		var (
			e       KVEntry
			updated string
		)
		if err := rows.Scan(&e.Key, &e.Value, &updated); err != nil {
			return nil, fmt.Errorf("storage: kv list %s/%s*: %w", namespace, prefix, err)
		}
		if e.Value == nil {
			e.Value = []byte{}
		}
		if e.UpdatedAt, err = parseTime("updated_at", updated); err != nil {
			return nil, fmt.Errorf("storage: kv list %s/%s*: %w", namespace, prefix, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: kv list %s/%s*: %w", namespace, prefix, err)
	}
	return out, nil
}

// prefixEnd returns the smallest string greater than every string starting
// with prefix, under byte-wise comparison (SQLite's BINARY collation). ok is
// false when no such bound exists: prefix is empty or all 0xFF bytes.
func prefixEnd(prefix string) (end string, ok bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
