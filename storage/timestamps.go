package storage

import (
	"fmt"
	"time"
)

// Timestamps are stored as RFC 3339 text in UTC: sortable as strings and
// readable in the sqlite3 shell, unlike the driver's default time encoding.
const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(column, s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("storage: column %s: %w", column, err)
	}
	return t, nil
}

// now is the clock for recorded timestamps. UTC() also drops the monotonic
// reading, so a value compares equal to its stored-and-parsed copy.
func now() time.Time { return time.Now().UTC() }
