package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Room is a plugin room that outlives the gateway process, such as a
// VideoRoom or AudioBridge room created with "permanent": true.
type Room struct {
	Plugin      string // Janus package, e.g. "janus.plugin.videoroom"
	RoomID      uint64 // at most math.MaxInt64 (SQLite integers are signed); Janus itself stays below 2^53
	Description string
	Secret      string
	Pin         string
	Permanent   bool
	Settings    json.RawMessage // plugin-specific configuration; stored as "{}" when empty

	// Set by the store: CreatedAt on first put (kept afterwards), UpdatedAt
	// on every put.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PutRoom inserts r, or replaces the stored room with the same plugin and
// room ID while keeping its creation time.
func (db *DB) PutRoom(ctx context.Context, r Room) error {
	if r.Plugin == "" {
		return errors.New("storage: put room: empty plugin")
	}
	if r.RoomID > math.MaxInt64 {
		return fmt.Errorf("storage: put room %s/%d: room id exceeds %d", r.Plugin, r.RoomID, int64(math.MaxInt64))
	}
	settings := r.Settings
	if len(settings) == 0 {
		settings = json.RawMessage("{}")
	}
	if !json.Valid(settings) {
		return fmt.Errorf("storage: put room %s/%d: settings are not valid JSON", r.Plugin, r.RoomID)
	}
	t := formatTime(now())
	const q = `INSERT INTO rooms
		(plugin, room_id, description, secret, pin, permanent, settings, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (plugin, room_id) DO UPDATE SET
			description = excluded.description,
			secret = excluded.secret,
			pin = excluded.pin,
			permanent = excluded.permanent,
			settings = excluded.settings,
			updated_at = excluded.updated_at`
	_, err := db.write.ExecContext(ctx, q,
		r.Plugin, int64(r.RoomID), r.Description, r.Secret, r.Pin, r.Permanent,
		string(settings), t, t)
	if err != nil {
		return fmt.Errorf("storage: put room %s/%d: %w", r.Plugin, r.RoomID, err)
	}
	return nil
}

const roomColumns = `plugin, room_id, description, secret, pin, permanent, settings, created_at, updated_at`

// Room returns the room roomID of plugin, or an error wrapping ErrNotFound.
func (db *DB) Room(ctx context.Context, plugin string, roomID uint64) (Room, error) {
	if roomID > math.MaxInt64 {
		return Room{}, fmt.Errorf("storage: room %s/%d: %w", plugin, roomID, ErrNotFound)
	}
	row := db.read.QueryRowContext(ctx,
		`SELECT `+roomColumns+` FROM rooms WHERE plugin = ? AND room_id = ?`, plugin, int64(roomID))
	r, err := scanRoom(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Room{}, fmt.Errorf("storage: room %s/%d: %w", plugin, roomID, ErrNotFound)
	}
	if err != nil {
		return Room{}, fmt.Errorf("storage: room %s/%d: %w", plugin, roomID, err)
	}
	return r, nil
}

// ListRooms returns every room of plugin, ordered by room ID.
func (db *DB) ListRooms(ctx context.Context, plugin string) ([]Room, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+roomColumns+` FROM rooms WHERE plugin = ? ORDER BY room_id`, plugin)
	if err != nil {
		return nil, fmt.Errorf("storage: list rooms of %s: %w", plugin, err)
	}
	defer rows.Close()
	var out []Room
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: list rooms of %s: %w", plugin, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list rooms of %s: %w", plugin, err)
	}
	return out, nil
}

// DeleteRoom deletes room roomID of plugin.
func (db *DB) DeleteRoom(ctx context.Context, plugin string, roomID uint64) error {
	if roomID > math.MaxInt64 {
		return fmt.Errorf("storage: delete room %s/%d: %w", plugin, roomID, ErrNotFound)
	}
	res, err := db.write.ExecContext(ctx,
		`DELETE FROM rooms WHERE plugin = ? AND room_id = ?`, plugin, int64(roomID))
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: delete room %s/%d: %w", plugin, roomID, err)
	}
	return nil
}

func scanRoom(s scanner) (Room, error) {
	var (
		r                  Room
		id                 int64
		settings           string
		created, updatedAt string
	)
	if err := s.Scan(&r.Plugin, &id, &r.Description, &r.Secret, &r.Pin, &r.Permanent,
		&settings, &created, &updatedAt); err != nil {
		return Room{}, err
	}
	r.RoomID = uint64(id)
	r.Settings = json.RawMessage(settings)
	var err error
	if r.CreatedAt, err = parseTime("created_at", created); err != nil {
		return Room{}, err
	}
	if r.UpdatedAt, err = parseTime("updated_at", updatedAt); err != nil {
		return Room{}, err
	}
	return r, nil
}
