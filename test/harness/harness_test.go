package harness

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeModeEnv); mode != "" {
		os.Exit(runFakeGateway(mode))
	}
	os.Exit(m.Run())
}

// startFake starts this test binary as a fake gateway in the given mode.
func startFake(t *testing.T, mode string, opts Options) *Gateway {
	t.Helper()
	// A developer running the suite against the oracle must not turn these
	// launch tests into external-target tests.
	t.Setenv(EnvTargetHTTP, "")
	t.Setenv(EnvTargetWS, "")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	opts.Binary = self
	opts.Env = append(opts.Env, fakeModeEnv+"="+mode)
	return Start(t, opts)
}

func fetchInfo(t *testing.T, g *Gateway) fakeInfo {
	t.Helper()
	resp, err := http.Get(g.HTTPURL + "/info")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info fakeInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	return info
}

func TestStartRunsGatewayOnLoopbackWithHarnessFlags(t *testing.T) {
	g := startFake(t, fakeNormal, Options{ExtraArgs: []string{"-extra", "x"}})

	if g.External || g.Process == nil {
		t.Fatalf("External=%v Process=%v, want a launched process", g.External, g.Process)
	}
	for name, u := range map[string]string{"HTTPURL": g.HTTPURL, "WSURL": g.WSURL, "AdminURL": g.AdminURL} {
		if !strings.Contains(u, "//127.0.0.1:") {
			t.Errorf("%s = %q, want a 127.0.0.1 address", name, u)
		}
	}
	if !strings.HasPrefix(g.HTTPURL, "http://") || !strings.HasSuffix(g.HTTPURL, "/janus") {
		t.Errorf("HTTPURL = %q, want http://127.0.0.1:P/janus", g.HTTPURL)
	}
	if !strings.HasPrefix(g.WSURL, "ws://") {
		t.Errorf("WSURL = %q, want ws://127.0.0.1:P", g.WSURL)
	}
	if !strings.HasPrefix(g.AdminURL, "http://") || !strings.HasSuffix(g.AdminURL, "/admin") {
		t.Errorf("AdminURL = %q, want http://127.0.0.1:P/admin", g.AdminURL)
	}

	// The WebSocket and admin listeners are the ones the gateway was told.
	for _, u := range []string{g.WSURL, g.AdminURL} {
		host := strings.SplitN(strings.SplitN(u, "//", 2)[1], "/", 2)[0]
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			t.Errorf("dial %s: %v", host, err)
			continue
		}
		c.Close()
	}

	info := fetchInfo(t, g)
	root := RepoRoot()
	want := []string{
		"-http", strings.TrimSuffix(strings.TrimPrefix(g.HTTPURL, "http://"), "/janus"),
		"-ws", strings.TrimPrefix(g.WSURL, "ws://"),
		"-admin", strings.TrimSuffix(strings.TrimPrefix(g.AdminURL, "http://"), "/admin"),
		"-data", g.DataDir,
		"-ice-enforce-list", "127.0.0.1",
		"-extensions-dir", filepath.Join(root, "bin", "extensions"),
		"-extra", "x",
	}
	if !slices.Equal(info.Args, want) {
		t.Errorf("gateway args:\n got %q\nwant %q", info.Args, want)
	}
	if fi, err := os.Stat(g.DataDir); err != nil || !fi.IsDir() {
		t.Errorf("data dir %q: %v", g.DataDir, err)
	}

	if err := g.Stop(); err != nil {
		t.Errorf("Stop of a gateway that exits on SIGTERM: %v", err)
	}
	select {
	case <-g.Exited():
	default:
		t.Error("Exited not closed after Stop")
	}
	if !strings.Contains(g.Output(), "fake gateway: terminated") {
		t.Errorf("output not captured; got %q", g.Output())
	}
}

func TestStartReusesGivenDataDir(t *testing.T) {
	dir := t.TempDir()
	g := startFake(t, fakeNormal, Options{DataDir: dir})
	if g.DataDir != dir {
		t.Errorf("DataDir = %q, want %q", g.DataDir, dir)
	}
	if info := fetchInfo(t, g); !slices.Contains(info.Args, dir) {
		t.Errorf("args %q do not pass -data %q", info.Args, dir)
	}
}

func TestStopKillsGatewayThatIgnoresSIGTERM(t *testing.T) {
	g := startFake(t, fakeIgnoreTerm, Options{StopGrace: 300 * time.Millisecond})
	begin := time.Now()
	err := g.Stop()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Stop = %v, want an error saying the gateway was killed", err)
	}
	if took := time.Since(begin); took < 300*time.Millisecond || took > 5*time.Second {
		t.Errorf("Stop took %v, want about the 300ms grace", took)
	}
	select {
	case <-g.Exited():
	default:
		t.Error("gateway still running after Stop")
	}
}

func TestStopAfterTestKilledGateway(t *testing.T) {
	g := startFake(t, fakeNormal, Options{})
	if err := g.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.Exited():
	case <-time.After(5 * time.Second):
		t.Fatal("Exited not closed after kill -9")
	}
	if err := g.Stop(); err == nil || !strings.Contains(err.Error(), "already exited") {
		t.Errorf("Stop = %v, want an error saying the gateway had already exited", err)
	}
}

func TestStopEndsProcessesOrphanedByTheGateway(t *testing.T) {
	g := startFake(t, fakeWithChild, Options{})
	child := fetchInfo(t, g).ChildPID
	if child == 0 {
		t.Fatal("fake gateway reported no child")
	}
	// As a crash test would: the gateway dies, its child is orphaned.
	if err := g.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-g.Exited()
	if syscall.Kill(child, 0) != nil {
		t.Fatal("child died with the gateway; the test proves nothing")
	}
	err := g.Stop()
	if err == nil || !strings.Contains(err.Error(), "outlived") {
		t.Errorf("Stop = %v, want it to report the orphaned process", err)
	}
	// The orphan is reparented (not our child), so poll until it is gone.
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(child, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("orphaned child %d still alive after Stop", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fatalRecorder stands in for a test so that Start's t.Fatalf can be
// observed instead of failing this test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// startExpectingFatal runs Start and returns its fatal message ("" if it
// returned normally).
func startExpectingFatal(t *testing.T, opts Options) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(rec, opts)
	}()
	<-done
	return rec.msg
}

func TestStartFailsClearlyWhenBinaryMissing(t *testing.T) {
	t.Setenv(EnvTargetHTTP, "")
	t.Setenv(EnvTargetWS, "")
	msg := startExpectingFatal(t, Options{Binary: filepath.Join(t.TempDir(), "gateway")})
	if !strings.Contains(msg, "make build") {
		t.Errorf("fatal message %q does not tell to run make build", msg)
	}
}

func TestStartFailsFastWithOutputWhenGatewayExits(t *testing.T) {
	t.Setenv(EnvTargetHTTP, "")
	t.Setenv(EnvTargetWS, "")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	msg := startExpectingFatal(t, Options{Binary: self, Env: []string{fakeModeEnv + "=" + fakeExitEarly}})
	if !strings.Contains(msg, "refusing to start") {
		t.Errorf("fatal message %q lacks the gateway's output", msg)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("Start took %v to notice the exit; it should not wait for the ready timeout", took)
	}
}

func TestStartReturnsExternalTargetWithoutLaunching(t *testing.T) {
	oracle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/janus/info" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"janus":"server_info"}`)
	}))
	defer oracle.Close()
	t.Setenv(EnvTargetHTTP, oracle.URL+"/janus")
	t.Setenv(EnvTargetWS, "ws://127.0.0.1:1")
	t.Setenv(EnvTargetAdmin, "http://127.0.0.1:2/admin")

	g := Start(t, Options{Binary: "/nonexistent"})
	if !g.External || g.Process != nil {
		t.Fatalf("External=%v Process=%v, want external target and no process", g.External, g.Process)
	}
	if g.HTTPURL != oracle.URL+"/janus" || g.WSURL != "ws://127.0.0.1:1" || g.AdminURL != "http://127.0.0.1:2/admin" {
		t.Errorf("URLs = %q %q %q, want the REPRISE_TARGET_* values", g.HTTPURL, g.WSURL, g.AdminURL)
	}
	if err := g.Stop(); err != nil {
		t.Errorf("Stop of an external target = %v, want nil", err)
	}
}

// Start waits with the 20 s ready timeout; the same wait is exercised here
// with a short one so that a dead target is reported, not taken as ready.
func TestWaitReadyRejectsDeadOrNonJanusServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	if err := waitReady("http://"+addr+"/janus", 300*time.Millisecond, nil); err == nil {
		t.Error("waitReady succeeded against a closed port")
	}

	notJanus := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"janus":"error"}`)
	}))
	defer notJanus.Close()
	if err := waitReady(notJanus.URL+"/janus", 300*time.Millisecond, nil); err == nil {
		t.Error("waitReady accepted an answer that is not server_info")
	}
}

func TestRepoRootHoldsTheModule(t *testing.T) {
	root := RepoRoot()
	if !filepath.IsAbs(root) {
		t.Errorf("RepoRoot = %q, want an absolute path", root)
	}
	if !isRepoRoot(root) {
		t.Errorf("RepoRoot = %q has no go.mod for %s", root, modulePath)
	}
}

func TestFreePortIsBindable(t *testing.T) {
	p := FreePort()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		t.Fatalf("FreePort returned %d, which cannot be bound: %v", p, err)
	}
	l.Close()
	ports, err := freePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	if ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Errorf("freePorts(3) = %v, want distinct ports", ports)
	}
}
