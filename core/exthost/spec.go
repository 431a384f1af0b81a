package exthost

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Spec says which binary to run for an extension and what it may be.
type Spec struct {
	Name   string          // registry name, e.g. "echotest"
	Path   string          // absolute path of the binary
	SHA256 []byte          // expected checksum; go-plugin refuses a binary that differs
	Config json.RawMessage // settings handed to the extension's Init
}

// FileSHA256 computes a binary's checksum, as recorded in the registry.
func FileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open extension binary: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash extension binary %s: %w", path, err)
	}
	return h.Sum(nil), nil
}
