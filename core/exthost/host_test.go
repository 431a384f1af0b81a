package exthost

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

type recordingHooks struct {
	mu   sync.Mutex
	ups  int
	down int
	pid  int
}

func (h *recordingHooks) Handles(string) []*extpb.HandleState { return nil }
func (h *recordingHooks) Down(string, bool)                   { h.mu.Lock(); h.down++; h.mu.Unlock() }
func (h *recordingHooks) Up(_ string, _ *extpb.InfoResponse, pid int) {
	h.mu.Lock()
	h.ups++
	h.pid = pid
	h.mu.Unlock()
}

func (h *recordingHooks) counts() (ups, down, pid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ups, h.down, h.pid
}

// buildEchotest compiles the real echotest extension for these tests.
func buildEchotest(t *testing.T) (string, []byte) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "echotest")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/reprise-rtc/reprise/extensions/echotest").CombinedOutput()
	if err != nil {
		t.Fatalf("build echotest: %v\n%s", err, out)
	}
	sum, err := FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	return bin, sum
}

func newTestHost(hooks Hooks) *Host {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return New(log, func(string) extpb.CoreServer { return extpb.UnimplementedCoreServer{} }, hooks)
}

func TestHostStartsServesAndRestarts(t *testing.T) {
	bin, sum := buildEchotest(t)
	hooks := &recordingHooks{}
	h := newTestHost(hooks)
	defer h.Stop()
	if err := h.Start(context.Background(), []Spec{{Name: "echotest", Path: bin, SHA256: sum}}); err != nil {
		t.Fatal(err)
	}
	p, ok := h.ForPackage("janus.plugin.echotest")
	if !ok {
		t.Fatal("echotest package not served")
	}
	c, err := p.Client()
	if err != nil {
		t.Fatal(err)
	}
	if info, err := c.Info(context.Background(), &extpb.InfoRequest{}); err != nil || info.Name != "echotest" {
		t.Fatalf("info: %v %v", info, err)
	}
	_, _, pid := hooks.counts()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ups, down, newPID := hooks.counts()
		if ups == 2 && down == 1 && newPID != pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not restarted: ups=%d down=%d pid %d -> %d", ups, down, pid, newPID)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, restarts, _ := p.Status(); restarts != 1 {
		t.Fatalf("restarts = %d", restarts)
	}
}

// A binary whose checksum differs from the registry's is never run.
func TestHostRefusesWrongChecksum(t *testing.T) {
	bin, sum := buildEchotest(t)
	sum[0] ^= 0xff
	h := newTestHost(&recordingHooks{})
	defer h.Stop()
	if err := h.Start(context.Background(), []Spec{{Name: "echotest", Path: bin, SHA256: sum}}); err != nil {
		t.Fatal(err)
	}
	p, _ := h.Get("echotest")
	up, _, _, lastErr := p.Status()
	if up || lastErr == nil || !strings.Contains(strings.ToLower(lastErr.Error()), "checksum") {
		t.Fatalf("tampered binary: up=%v err=%v", up, lastErr)
	}
	if _, ok := h.ForPackage("janus.plugin.echotest"); ok {
		t.Fatal("tampered binary's package is routable")
	}
}
