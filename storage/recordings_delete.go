package storage

import (
	"context"
	"fmt"
)

// DeleteRecording removes a recording and, by the foreign key's cascade,
// its tracks. The files are the caller's to remove.
func (db *DB) DeleteRecording(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM recordings WHERE id = ?`, id)
	if err := oneRowAffected(res, err); err != nil {
		return fmt.Errorf("storage: delete recording %q: %w", id, err)
	}
	return nil
}
