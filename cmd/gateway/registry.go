package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/reprise-rtc/reprise/core/exthost"
	"github.com/reprise-rtc/reprise/storage"
)

// bundled are the extensions built with the gateway into its extensions dir.
var bundled = []string{"echotest", "videoroom", "recordplay"}

// extensionSpecs records the bundled binaries in the registry (their
// checksum is what go-plugin verifies at every launch) and returns the
// specs of the extensions to start: every enabled one, or those named.
func extensionSpecs(ctx context.Context, log *slog.Logger, db *storage.DB, dir string, only []string, settings string) ([]exthost.Spec, error) {
	perExt := map[string]json.RawMessage{}
	if settings != "" {
		if err := json.Unmarshal([]byte(settings), &perExt); err != nil {
			return nil, fmt.Errorf("-extension-config: want a JSON object keyed by extension name: %w", err)
		}
	}
	for _, name := range bundled {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			log.Warn("bundled extension binary missing", "extension", name, "path", path)
			continue
		}
		sum, err := exthost.FileSHA256(path)
		if err != nil {
			return nil, err
		}
		e, err := db.Extension(ctx, name)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			e = storage.Extension{Name: name, Enabled: true}
		case err != nil:
			return nil, fmt.Errorf("registry: %w", err)
		}
		e.Path, e.SHA256, e.Bundled = path, hex.EncodeToString(sum), true
		if err := db.UpsertExtension(ctx, e); err != nil {
			return nil, fmt.Errorf("register %s: %w", name, err)
		}
	}
	all, err := db.ListExtensions(ctx)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	for _, name := range only {
		if !slices.ContainsFunc(all, func(e storage.Extension) bool { return e.Name == name }) {
			return nil, fmt.Errorf("-extensions: unknown extension %q", name)
		}
	}
	var specs []exthost.Spec
	for _, e := range all {
		if len(only) > 0 && !slices.Contains(only, e.Name) || len(only) == 0 && !e.Enabled {
			continue
		}
		sum, err := hex.DecodeString(e.SHA256)
		if err != nil {
			return nil, fmt.Errorf("registry: bad checksum for %s: %w", e.Name, err)
		}
		specs = append(specs, exthost.Spec{Name: e.Name, Path: e.Path, SHA256: sum, Config: perExt[e.Name]})
	}
	return specs, nil
}
