package api

import (
	"crypto/rand"
	"encoding/binary"
)

// maxSafeID keeps ids within JavaScript's exact integer range (2^53-1),
// since janus.js handles them as Numbers.
const maxSafeID = 1<<53 - 1

// randomID returns a uniformly random id in [1, 2^53-1].
func randomID() uint64 {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			// crypto/rand never fails on supported platforms (Go 1.24+ panics
			// internally instead); keep the loop total anyway.
			continue
		}
		if id := binary.BigEndian.Uint64(b[:]) & maxSafeID; id != 0 {
			return id
		}
	}
}
