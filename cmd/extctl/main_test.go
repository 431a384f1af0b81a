package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/storage"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// extctlBinary builds the real command once per test run, so the tests see
// exactly what a user runs: flag parsing, exit codes and output streams.
func extctlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "extctl-test")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "extctl")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func runExtctl(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(extctlBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run extctl: %v", err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

var sampleExtensions = []storage.Extension{
	{
		Name: "echotest", Version: "0.1.0",
		Packages: []string{"janus.plugin.echotest"},
		Path:     "/usr/lib/reprise/ext/echotest",
		SHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Enabled:  true, Bundled: true,
	},
	{
		Name: "acme-rooms", Version: "2.0.0-rc1",
		Packages: []string{"janus.plugin.videoroom", "janus.plugin.audiobridge"},
		Path:     "/opt/acme/rooms",
		SHA256:   "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
		Enabled:  false,
	},
}

// populated returns a data dir whose catalogue holds sampleExtensions.
func populated(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := storage.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, e := range sampleExtensions {
		if err := db.UpsertExtension(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestListTable(t *testing.T) {
	dir := populated(t)
	r := runExtctl(t, nil, "-data", dir, "list")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("unexpected stderr %q", r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header + 2 rows, got:\n%s", r.stdout)
	}
	if got := strings.Fields(lines[0]); !reflect.DeepEqual(got, []string{"NAME", "VERSION", "ENABLED", "PACKAGES", "PATH", "SHA256"}) {
		t.Errorf("header = %q", lines[0])
	}
	// Sorted by name; SHA256 cut to 12 characters.
	want := [][]string{
		{"acme-rooms", "2.0.0-rc1", "no", "janus.plugin.videoroom,janus.plugin.audiobridge", "/opt/acme/rooms", "60303ae22b99"},
		{"echotest", "0.1.0", "yes", "janus.plugin.echotest", "/usr/lib/reprise/ext/echotest", "9f86d081884c"},
	}
	for i, w := range want {
		if got := strings.Fields(lines[i+1]); !reflect.DeepEqual(got, w) {
			t.Errorf("row %d = %q, want fields %q", i, got, w)
		}
	}
	// Columns line up: every row's PATH starts where the header's does.
	col := strings.Index(lines[0], "PATH")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l[col:], "/") {
			t.Errorf("PATH column misaligned in %q", l)
		}
	}
}

func TestListJSON(t *testing.T) {
	dir := populated(t)
	r := runExtctl(t, nil, "-data", dir, "list", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var got []struct {
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
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not the JSON list: %v\n%s", err, r.stdout)
	}
	if len(got) != 2 {
		t.Fatalf("got %d entries, want 2", len(got))
	}
	byName := map[string]storage.Extension{}
	for _, e := range sampleExtensions {
		byName[e.Name] = e
	}
	for _, g := range got {
		w, ok := byName[g.Name]
		if !ok {
			t.Errorf("unexpected extension %q", g.Name)
			continue
		}
		if g.Version != w.Version || g.Enabled != w.Enabled || g.Bundled != w.Bundled ||
			!reflect.DeepEqual(g.Packages, w.Packages) || g.Path != w.Path || g.SHA256 != w.SHA256 {
			t.Errorf("%s: got %+v, want %+v", g.Name, g, w)
		}
		if g.InstalledAt.IsZero() || g.UpdatedAt.IsZero() {
			t.Errorf("%s: missing timestamps", g.Name)
		}
	}
}

func TestListEmptyCatalogue(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	if r := runExtctl(t, nil, "-data", dir, "list", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("--json on empty: exit %d, stdout %q; want [] (not null)", r.code, r.stdout)
	}
	if r := runExtctl(t, nil, "-data", dir, "list"); r.code != 0 || !strings.Contains(r.stdout, "No extensions installed") {
		t.Errorf("table on empty: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestListMissingCatalogueFailsWithoutCreatingOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	r := runExtctl(t, nil, "-data", dir, "list")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, filepath.Join(dir, "reprise.db")) {
		t.Errorf("stderr %q does not name the missing file", r.stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("list created %s", dir)
	}
}

func TestDataDirFromEnvironment(t *testing.T) {
	dir := populated(t)
	r := runExtctl(t, []string{dataDirEnv + "=" + dir}, "list", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"echotest"`) {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := populated(t)
	cases := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no command", []string{"-data", dir}, "usage: extctl"},
		{"unknown command", []string{"-data", dir, "frobnicate"}, `unknown command "frobnicate"`},
		{"unknown global flag", []string{"-nope", "list"}, "usage: extctl"},
		{"unknown list flag", []string{"-data", dir, "list", "--yaml"}, "usage: extctl [-data DIR] list"},
		{"extra argument", []string{"-data", dir, "list", "echotest"}, `unexpected argument "echotest"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runExtctl(t, nil, c.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if !strings.Contains(r.stderr, c.wantStderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, c.wantStderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing on a usage error", r.stdout)
			}
		})
	}
}

func TestPlannedCommandsSayNotImplemented(t *testing.T) {
	dir := populated(t)
	for _, cmd := range []string{"install", "info", "enable", "disable", "remove"} {
		r := runExtctl(t, nil, "-data", dir, cmd, "echotest")
		if r.code != 2 || !strings.Contains(r.stderr, "not implemented yet") {
			t.Errorf("%s: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}} {
		r := runExtctl(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "usage: extctl") {
			t.Errorf("%v: exit %d, output %q", args, r.code, r.stdout+r.stderr)
		}
	}
}
