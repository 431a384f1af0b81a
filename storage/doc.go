// Package storage is the gateway's catalogue: a single SQLite file,
// <dataDir>/reprise.db, holding installed extensions, persistent plugin rooms,
// extension key/value state and the catalogue of recordings (recording
// sessions and the media files written for them).
//
// The file is opened with the pure-Go modernc.org/sqlite driver in WAL mode,
// and the embedded migrations from package schema are applied on every Open,
// so the gateway and extctl can share one file and both keep it current.
// A *DB is safe for concurrent use.
package storage
