package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Recording is one recording session, such as a VideoRoom room being
// recorded; its media files are RecordingTracks.
type Recording struct {
	ID          string // chosen by the caller, unique
	Plugin      string // Janus package, e.g. "janus.plugin.videoroom"
	RoomID      string // text, since Janus rooms may have string IDs
	Description string
	StartedAt   time.Time // set to now by CreateRecording when zero
	EndedAt     time.Time // zero until FinishRecording
	Complete    bool      // stopped cleanly (FinishRecording was called)
}

// CreateRecording inserts r. It fails if a recording with r.ID exists.
func (db *DB) CreateRecording(ctx context.Context, r Recording) error {
	if r.ID == "" {
		return errors.New("storage: create recording: empty id")
	}
	if r.Plugin == "" {
		return fmt.Errorf("storage: create recording %q: empty plugin", r.ID)
	}
	started := r.StartedAt
	if started.IsZero() {
		started = now()
	}
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO recordings (id, plugin, room_id, description, started_at, ended_at, complete)
		VALUES (?, ?, ?, ?, ?, NULL, 0)`,
		r.ID, r.Plugin, r.RoomID, r.Description, formatTime(started))
	if err != nil {
		return fmt.Errorf("storage: create recording %q: %w", r.ID, err)
	}
	return nil
}

// FinishRecording marks the recording id as stopped cleanly at endedAt
// (now when zero). Finishing it again moves ended_at.
func (db *DB) FinishRecording(ctx context.Context, id string, endedAt time.Time) error {
	if endedAt.IsZero() {
		endedAt = now()
	}
	res, err := db.write.ExecContext(ctx,
		`UPDATE recordings SET ended_at = ?, complete = 1 WHERE id = ?`, formatTime(endedAt), id)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: finish recording %q: %w", id, err)
	}
	return nil
}

const recordingColumns = `id, plugin, room_id, description, started_at, ended_at, complete`

// Recording returns the recording id, or an error wrapping ErrNotFound.
func (db *DB) Recording(ctx context.Context, id string) (Recording, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE id = ?`, id)
	r, err := scanRecording(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Recording{}, fmt.Errorf("storage: recording %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Recording{}, fmt.Errorf("storage: recording %q: %w", id, err)
	}
	return r, nil
}

// ListRecordings returns the recordings of plugin in roomID, oldest first.
// An empty plugin or roomID matches every plugin or room.
func (db *DB) ListRecordings(ctx context.Context, plugin, roomID string) ([]Recording, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+recordingColumns+` FROM recordings
		WHERE (? = '' OR plugin = ?) AND (? = '' OR room_id = ?)
		ORDER BY rowid`, plugin, plugin, roomID, roomID)
	if err != nil {
		return nil, fmt.Errorf("storage: list recordings: %w", err)
	}
	defer rows.Close()
	var out []Recording
	for rows.Next() {
		r, err := scanRecording(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: list recordings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list recordings: %w", err)
	}
	// Sorted here rather than in SQL: RFC 3339 text with trimmed fractional
	// seconds does not sort by time as a string (".1Z" > ".12Z").
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, nil
}

func scanRecording(s scanner) (Recording, error) {
	var (
		r       Recording
		started string
		ended   sql.NullString
	)
	if err := s.Scan(&r.ID, &r.Plugin, &r.RoomID, &r.Description, &started, &ended, &r.Complete); err != nil {
		return Recording{}, err
	}
	var err error
	if r.StartedAt, err = parseTime("started_at", started); err != nil {
		return Recording{}, err
	}
	if ended.Valid {
		if r.EndedAt, err = parseTime("ended_at", ended.String); err != nil {
			return Recording{}, err
		}
	}
	return r, nil
}

// RecordingTrack is one media file of a recording: one stream (mid) of one
// participant.
type RecordingTrack struct {
	ID            string // chosen by the caller, unique
	RecordingID   string // must name an existing Recording
	ParticipantID string
	Display       string
	Mid           string
	Kind          string // "audio", "video" or "data"
	Codec         string // MIME type, e.g. "video/VP8"
	Path          string // the media file

	// Set by StartRecordingTrack when the first packet is written;
	// MediaStarted reports whether that has happened.
	MediaStarted bool
	FirstRTPTS   uint32
	StartOffset  time.Duration // from the recording's StartedAt, millisecond precision

	// Set by FinishRecordingTrack.
	LastRTPTS uint32
	Packets   uint64
	Bytes     uint64
	Duration  time.Duration // millisecond precision
	Complete  bool          // the file was closed without a write error

	CreatedAt time.Time // set by AddRecordingTrack
}

// AddRecordingTrack inserts t, which must not have media fields set yet.
func (db *DB) AddRecordingTrack(ctx context.Context, t RecordingTrack) error {
	if t.ID == "" {
		return errors.New("storage: add recording track: empty id")
	}
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO recording_tracks
		(id, recording_id, participant_id, display, mid, kind, codec, path, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.RecordingID, t.ParticipantID, t.Display, t.Mid, t.Kind, t.Codec, t.Path,
		formatTime(now()))
	if err != nil {
		return fmt.Errorf("storage: add recording track %q: %w", t.ID, err)
	}
	return nil
}

// StartRecordingTrack records the first packet written to track id: its RTP
// timestamp and its wall-clock offset from the recording's start.
func (db *DB) StartRecordingTrack(ctx context.Context, id string, firstRTPTS uint32, startOffset time.Duration) error {
	res, err := db.write.ExecContext(ctx,
		`UPDATE recording_tracks SET first_rtp_ts = ?, start_offset_ms = ? WHERE id = ?`,
		int64(firstRTPTS), startOffset.Milliseconds(), id)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: start recording track %q: %w", id, err)
	}
	return nil
}

// RecordingTrackEnd is what is known about a track's file once it is closed.
type RecordingTrackEnd struct {
	LastRTPTS uint32 // ignored when Packets is 0
	Packets   uint64
	Bytes     uint64
	Duration  time.Duration
	Complete  bool
}

// FinishRecordingTrack stores the final counts of track id.
func (db *DB) FinishRecordingTrack(ctx context.Context, id string, end RecordingTrackEnd) error {
	if end.Packets > math.MaxInt64 || end.Bytes > math.MaxInt64 || end.Duration < 0 {
		return fmt.Errorf("storage: finish recording track %q: counts out of range", id)
	}
	var last any // NULL: no packet was written, so there is no last timestamp
	if end.Packets > 0 {
		last = int64(end.LastRTPTS)
	}
	res, err := db.write.ExecContext(ctx,
		`UPDATE recording_tracks
		SET last_rtp_ts = ?, packets = ?, bytes = ?, duration_ms = ?, complete = ?
		WHERE id = ?`,
		last, int64(end.Packets), int64(end.Bytes), end.Duration.Milliseconds(), end.Complete, id)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: finish recording track %q: %w", id, err)
	}
	return nil
}

// RecordingTracks returns the tracks of recording recordingID in the order
// they were added. A recording without tracks, or an unknown one, gives an
// empty list.
func (db *DB) RecordingTracks(ctx context.Context, recordingID string) ([]RecordingTrack, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT id, recording_id, participant_id, display, mid, kind, codec, path,
			first_rtp_ts, start_offset_ms, last_rtp_ts, packets, bytes, duration_ms, complete, created_at
		FROM recording_tracks WHERE recording_id = ? ORDER BY rowid`, recordingID)
	if err != nil {
		return nil, fmt.Errorf("storage: tracks of recording %q: %w", recordingID, err)
	}
	defer rows.Close()
	var out []RecordingTrack
	for rows.Next() {
		t, err := scanRecordingTrack(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: tracks of recording %q: %w", recordingID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: tracks of recording %q: %w", recordingID, err)
	}
	return out, nil
}

func scanRecordingTrack(s scanner) (RecordingTrack, error) {
	var (
		t                        RecordingTrack
		first, offset, last      sql.NullInt64
		packets, bytes, duration int64
		created                  string
	)
	if err := s.Scan(&t.ID, &t.RecordingID, &t.ParticipantID, &t.Display, &t.Mid, &t.Kind, &t.Codec, &t.Path,
		&first, &offset, &last, &packets, &bytes, &duration, &t.Complete, &created); err != nil {
		return RecordingTrack{}, err
	}
	t.MediaStarted = first.Valid
	t.FirstRTPTS = uint32(first.Int64)
	t.StartOffset = time.Duration(offset.Int64) * time.Millisecond
	t.LastRTPTS = uint32(last.Int64)
	t.Packets, t.Bytes = uint64(packets), uint64(bytes)
	t.Duration = time.Duration(duration) * time.Millisecond
	var err error
	if t.CreatedAt, err = parseTime("created_at", created); err != nil {
		return RecordingTrack{}, err
	}
	return t, nil
}
