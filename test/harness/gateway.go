package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment variables that point Start at an already running server instead
// of launching the gateway binary.
const (
	EnvTargetHTTP  = "REPRISE_TARGET_HTTP"  // e.g. http://127.0.0.1:18088/janus
	EnvTargetWS    = "REPRISE_TARGET_WS"    // e.g. ws://127.0.0.1:18188
	EnvTargetAdmin = "REPRISE_TARGET_ADMIN" // e.g. http://127.0.0.1:17088/admin
	// EnvShowOutput, when "1", writes the gateway's output to the test log
	// even when the test passes.
	EnvShowOutput = "REPRISE_HARNESS_OUTPUT"
)

const (
	readyTimeout     = 20 * time.Second
	defaultStopGrace = 5 * time.Second
)

// Options adjusts how Start runs the gateway.
type Options struct {
	// ExtraArgs are appended to the gateway's command line after the
	// harness's own flags.
	ExtraArgs []string
	// DataDir is passed as -data. Empty means a fresh t.TempDir(); a test
	// that restarts the gateway passes the previous Gateway's DataDir.
	DataDir string
	// Binary overrides <repo>/bin/gateway.
	Binary string
	// Env holds extra KEY=VALUE entries added to the gateway's environment.
	Env []string
	// StopGrace is how long Stop waits after SIGTERM before SIGKILL.
	// Zero means 5 s.
	StopGrace time.Duration
}

// Gateway is a running gateway, or an external target named by environment
// variables.
type Gateway struct {
	HTTPURL  string // Janus REST root, "http://127.0.0.1:P/janus"
	WSURL    string // Janus WebSocket endpoint, "ws://127.0.0.1:P"
	AdminURL string // admin API root, "http://127.0.0.1:P/admin"
	// DataDir is the gateway's -data directory; empty for an external target.
	DataDir string
	// Process is the gateway process, nil for an external target. Tests may
	// signal it (kill -9) directly; Stop and the cleanup cope with that.
	Process *os.Process
	// External is true when the URLs come from REPRISE_TARGET_* and nothing
	// was launched.
	External bool

	cmd       *exec.Cmd
	output    *outputBuffer
	stopGrace time.Duration
	exited    chan struct{} // closed once the process has been waited for
	waitErr   error         // valid after exited is closed
	stopOnce  sync.Once
	stopErr   error
}

// Start launches the gateway (or returns the external target) and registers
// its shutdown with t.Cleanup. It fails the test if the binary is missing or
// the Janus API does not answer GET /janus/info within 20 s.
func Start(t testing.TB, opts Options) *Gateway {
	t.Helper()
	if g := externalTarget(); g != nil {
		if len(opts.ExtraArgs) > 0 {
			t.Logf("harness: external target, ignoring ExtraArgs %q", opts.ExtraArgs)
		}
		if g.HTTPURL != "" {
			if err := waitReady(g.HTTPURL, readyTimeout, nil); err != nil {
				t.Fatalf("harness: external target %s is not answering: %v", g.HTTPURL, err)
			}
		}
		return g
	}

	root := RepoRoot()
	binary := opts.Binary
	if binary == "" {
		binary = filepath.Join(root, "bin", "gateway")
	}
	if _, err := os.Stat(binary); err != nil {
		t.Fatalf("harness: gateway binary %s not found (%v); run `make build` first", binary, err)
	}
	dataDir := opts.DataDir
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	ports, err := freePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(ports[0])
	wsAddr := "127.0.0.1:" + strconv.Itoa(ports[1])
	adminAddr := "127.0.0.1:" + strconv.Itoa(ports[2])

	args := []string{
		"-http", httpAddr,
		"-ws", wsAddr,
		"-admin", adminAddr,
		"-data", dataDir,
		"-ice-enforce-list", "127.0.0.1",
		"-extensions-dir", filepath.Join(root, "bin", "extensions"),
	}
	args = append(args, opts.ExtraArgs...)

	g := &Gateway{
		HTTPURL:   "http://" + httpAddr + "/janus",
		WSURL:     "ws://" + wsAddr,
		AdminURL:  "http://" + adminAddr + "/admin",
		DataDir:   dataDir,
		output:    &outputBuffer{},
		stopGrace: opts.StopGrace,
		exited:    make(chan struct{}),
	}
	if g.stopGrace == 0 {
		g.stopGrace = defaultStopGrace
	}

	cmd := exec.Command(binary, args...)
	cmd.Dir = dataDir
	cmd.Env = append(os.Environ(), opts.Env...)
	cmd.Stdout = g.output
	cmd.Stderr = g.output
	// Its own process group lets the cleanup also end extension processes
	// the gateway started and left behind (for instance after kill -9).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Bounds Wait if a leftover child still holds the output pipe open.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("harness: start %s: %v", binary, err)
	}
	g.cmd = cmd
	g.Process = cmd.Process
	go func() {
		g.waitErr = cmd.Wait()
		close(g.exited)
	}()
	t.Cleanup(func() {
		if err := g.Stop(); err != nil {
			t.Logf("harness: gateway stop: %v", err)
		}
		if t.Failed() || os.Getenv(EnvShowOutput) == "1" {
			t.Logf("harness: gateway %s output:\n%s", binary, g.Output())
		}
	})

	if err := waitReady(g.HTTPURL, readyTimeout, g.exited); err != nil {
		t.Fatalf("harness: gateway %s %q not ready: %v\noutput:\n%s", binary, args, err, g.Output())
	}
	return g
}

// externalTarget returns the target named by REPRISE_TARGET_*, or nil when
// neither the HTTP nor the WebSocket variable is set.
func externalTarget() *Gateway {
	httpURL := os.Getenv(EnvTargetHTTP)
	wsURL := os.Getenv(EnvTargetWS)
	if httpURL == "" && wsURL == "" {
		return nil
	}
	return &Gateway{
		HTTPURL:  httpURL,
		WSURL:    wsURL,
		AdminURL: os.Getenv(EnvTargetAdmin),
		External: true,
	}
}

// Output returns everything the gateway has written to stdout and stderr so
// far (empty for an external target).
func (g *Gateway) Output() string {
	if g.output == nil {
		return ""
	}
	return g.output.String()
}

// Exited is closed once the gateway process has ended, for whatever reason.
// For an external target it is never closed.
func (g *Gateway) Exited() <-chan struct{} {
	if g.exited == nil {
		return make(chan struct{})
	}
	return g.exited
}

// Stop sends SIGTERM, waits up to the stop grace (5 s by default), then sends
// SIGKILL, and finally kills whatever is left in the gateway's process group.
// It returns nil only if the gateway exited with status 0 after SIGTERM; a
// process that needed SIGKILL, exited non-zero, or had already died is
// reported as an error. Calling Stop again returns the first result. It does
// nothing for an external target.
func (g *Gateway) Stop() error {
	if g.External || g.cmd == nil {
		return nil
	}
	g.stopOnce.Do(func() { g.stopErr = g.stop() })
	return g.stopErr
}

func (g *Gateway) stop() error {
	pgid := g.Process.Pid // Setpgid made the gateway its group's leader.
	var err error
	select {
	case <-g.exited:
		err = fmt.Errorf("gateway had already exited: %w", exitError(g.waitErr))
	default:
		_ = g.Process.Signal(syscall.SIGTERM)
		select {
		case <-g.exited:
			if g.waitErr != nil {
				err = fmt.Errorf("gateway exit after SIGTERM: %w", exitError(g.waitErr))
			}
		case <-time.After(g.stopGrace):
			_ = g.Process.Kill()
			<-g.exited
			err = fmt.Errorf("gateway ignored SIGTERM for %v and was killed", g.stopGrace)
		}
	}
	// Extension processes normally exit with the gateway; any still in the
	// group were orphaned and would outlive the test.
	if syscall.Kill(-pgid, 0) == nil {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		err = errors.Join(err, errors.New("processes of the gateway's group outlived it and were killed"))
	}
	return err
}

// exitError keeps a nil wait result readable in messages.
func exitError(err error) error {
	if err == nil {
		return errors.New("exit status 0")
	}
	return err
}
