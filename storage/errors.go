package storage

import "errors"

// ErrNotFound reports that the extension, room or key asked for does not
// exist. Errors returned by this package wrap it, so test with errors.Is.
var ErrNotFound = errors.New("storage: not found")
