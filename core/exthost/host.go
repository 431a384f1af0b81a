package exthost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// ErrUnavailable is returned for an extension that is (re)starting.
var ErrUnavailable = errors.New("extension unavailable")

// Hooks let the gateway keep its handle table in step with extension
// lifecycles.
type Hooks interface {
	// Handles lists the live handles of an extension, for Init after a
	// restart of one that keeps handles.
	Handles(ext string) []*extpb.HandleState
	// Down is called once when a running extension dies, before restarting it.
	Down(ext string, keepsHandles bool)
	// Up is called each time an extension has been (re)started and initialised.
	Up(ext string, info *extpb.InfoResponse, pid int)
}

// CoreFactory builds the Core service an extension reaches; it is scoped
// to that extension.
type CoreFactory func(ext string) extpb.CoreServer

// Host owns the set of running extensions.
type Host struct {
	log   *slog.Logger
	core  CoreFactory
	hooks Hooks

	mu   sync.RWMutex
	exts map[string]*Process
}

// New makes a host; Start launches the extensions.
func New(log *slog.Logger, core CoreFactory, hooks Hooks) *Host {
	return &Host{log: log, core: core, hooks: hooks, exts: map[string]*Process{}}
}

// Start launches every spec and waits until each is initialised (or has
// failed its first start, which is logged and retried in the background).
func (h *Host) Start(ctx context.Context, specs []Spec) error {
	var wg sync.WaitGroup
	for _, s := range specs {
		h.mu.Lock()
		if _, dup := h.exts[s.Name]; dup {
			h.mu.Unlock()
			return fmt.Errorf("extension %q listed twice", s.Name)
		}
		p := newProcess(s, h.log.With("extension", s.Name), h.core(s.Name), h.hooks)
		h.exts[s.Name] = p
		h.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.run(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// Stop ends every extension process.
func (h *Host) Stop() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, p := range h.exts {
		p.stop()
	}
}

// ForPackage finds the extension serving a Janus plugin package.
func (h *Host) ForPackage(pkg string) (*Process, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, p := range h.exts {
		if p.serves(pkg) {
			return p, true
		}
	}
	return nil, false
}

// Get returns an extension by name.
func (h *Host) Get(name string) (*Process, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	p, ok := h.exts[name]
	return p, ok
}

// Processes lists the extensions, sorted by name.
func (h *Host) Processes() []*Process {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]*Process, 0, len(h.exts))
	for _, p := range h.exts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}
