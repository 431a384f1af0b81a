package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reprise-rtc/reprise/storage"
)

// shortHashLen is how much of the SHA-256 the table shows: enough to tell
// builds apart at a glance; --json has the full digest.
const shortHashLen = 12

// listedExtension is the --json shape of one extension. It is a stable,
// documented output for scripts, so it is kept separate from storage's type.
type listedExtension struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Enabled     bool      `json:"enabled"`
	Bundled     bool      `json:"bundled"`
	Packages    []string  `json:"packages"`
	Path        string    `json:"path"`
	SHA256      string    `json:"sha256"`
	InstalledAt time.Time `json:"installed_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func runList(dataDir string, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("extctl list", flag.ContinueOnError)
	fset.SetOutput(stderr)
	asJSON := fset.Bool("json", false, "print JSON for scripts instead of a table")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: extctl [-data DIR] list [--json]")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "extctl list: unexpected argument %q\n", fset.Arg(0))
		fset.Usage()
		return exitUsage
	}

	exts, err := listExtensions(dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "extctl list: %v\n", err)
		return exitFail
	}
	if *asJSON {
		err = writeJSON(stdout, exts)
	} else {
		err = writeTable(stdout, exts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "extctl list: %v\n", err)
		return exitFail
	}
	return exitOK
}

func listExtensions(dataDir string) ([]storage.Extension, error) {
	// Opening would create an empty catalogue; for a read-only command a
	// mistyped -data should be an error, not a silent new file.
	path := filepath.Join(dataDir, storage.FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no catalogue at %s (wrong -data, or the gateway has not run yet?)", path)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.ListExtensions(ctx)
}

func writeJSON(w io.Writer, exts []storage.Extension) error {
	out := make([]listedExtension, 0, len(exts)) // "[]", never "null"
	for _, e := range exts {
		out = append(out, listedExtension{
			Name: e.Name, Version: e.Version, Enabled: e.Enabled, Bundled: e.Bundled,
			Packages: e.Packages, Path: e.Path, SHA256: e.SHA256,
			InstalledAt: e.InstalledAt, UpdatedAt: e.UpdatedAt,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeTable(w io.Writer, exts []storage.Extension) error {
	if len(exts) == 0 {
		_, err := fmt.Fprintln(w, "No extensions installed.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tENABLED\tPACKAGES\tPATH\tSHA256")
	for _, e := range exts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
			cell(e.Name), cell(e.Version), yesNo(e.Enabled),
			cell(strings.Join(e.Packages, ",")), cell(e.Path), cell(shortHash(e.SHA256)))
	}
	return tw.Flush()
}

// cell makes a value safe for one table cell: empty shows as "-", and tabs
// or newlines, which would break the columns, become spaces.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func shortHash(h string) string {
	if len(h) > shortHashLen {
		return h[:shortHashLen]
	}
	return h
}
