package storage

import (
	"context"
	"fmt"
	"math"
	"time"
)

// RecordingTrackProgress is what a track has written so far while it is
// still recording. It is stored periodically so that a gateway killed
// mid-recording leaves a row that says how much of the file is usable.
type RecordingTrackProgress struct {
	LastRTPTS uint32 // ignored when Packets is 0
	Packets   uint64
	Bytes     uint64
	Duration  time.Duration
}

// UpdateRecordingTrackProgress stores the running counts of track id. The
// row stays incomplete: only FinishRecordingTrack can mark it complete.
func (db *DB) UpdateRecordingTrackProgress(ctx context.Context, id string, p RecordingTrackProgress) error {
	if p.Packets > math.MaxInt64 || p.Bytes > math.MaxInt64 || p.Duration < 0 {
		return fmt.Errorf("storage: recording track %q progress: counts out of range", id)
	}
	var last any
	if p.Packets > 0 {
		last = int64(p.LastRTPTS)
	}
	res, err := db.write.ExecContext(ctx,
		`UPDATE recording_tracks SET last_rtp_ts = ?, packets = ?, bytes = ?, duration_ms = ?
		WHERE id = ? AND complete = 0`,
		last, int64(p.Packets), int64(p.Bytes), p.Duration.Milliseconds(), id)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: recording track %q progress: %w", id, err)
	}
	return nil
}

// IncompleteRecordingTracks returns every track not marked complete, in
// the order they were added: those still being written and those whose
// writer died (a gateway killed mid-recording).
func (db *DB) IncompleteRecordingTracks(ctx context.Context) ([]RecordingTrack, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT id, recording_id, participant_id, display, mid, kind, codec, path,
			first_rtp_ts, start_offset_ms, last_rtp_ts, packets, bytes, duration_ms, complete, created_at
		FROM recording_tracks WHERE complete = 0 ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("storage: incomplete recording tracks: %w", err)
	}
	defer rows.Close()
	var out []RecordingTrack
	for rows.Next() {
		t, err := scanRecordingTrack(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: incomplete recording tracks: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: incomplete recording tracks: %w", err)
	}
	return out, nil
}

// EndRecordingIncomplete sets the ended_at of recording id, if it has none
// yet, without marking it complete: the recording stopped because its
// writer died, not because it was stopped. endedAt is now when zero.
func (db *DB) EndRecordingIncomplete(ctx context.Context, id string, endedAt time.Time) error {
	if endedAt.IsZero() {
		endedAt = now()
	}
	res, err := db.write.ExecContext(ctx,
		`UPDATE recordings SET ended_at = coalesce(ended_at, ?) WHERE id = ?`, formatTime(endedAt), id)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: end recording %q incomplete: %w", id, err)
	}
	return nil
}
