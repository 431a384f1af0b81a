package exthost

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/schema/extplugin"
)

// Restart backoff: a crash loop must not spin a core, while a single
// crash should be mended fast enough for the next attach to work.
const (
	backoffMin    = 100 * time.Millisecond
	backoffMax    = 10 * time.Second
	stableUptime  = 30 * time.Second
	startTimeout  = 15 * time.Second
	exitPollEvery = 50 * time.Millisecond
)

// Process supervises one extension: it starts the binary, initialises it,
// watches for its exit and restarts it.
type Process struct {
	spec  Spec
	log   *slog.Logger
	core  extpb.CoreServer
	hooks Hooks

	mu       sync.RWMutex
	client   *plugin.Client
	ext      extpb.ExtensionClient
	info     *extpb.InfoResponse // kept while down so the packages stay known
	pid      int
	up       bool
	restarts int
	lastErr  error

	stopOnce sync.Once
	stopCh   chan struct{}
}

func newProcess(spec Spec, log *slog.Logger, core extpb.CoreServer, hooks Hooks) *Process {
	return &Process{spec: spec, log: log, core: core, hooks: hooks, stopCh: make(chan struct{})}
}

// Name is the extension's registry name.
func (p *Process) Name() string { return p.spec.Name }

// Client returns the Extension stub, or ErrUnavailable while down.
func (p *Process) Client() (extpb.ExtensionClient, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if !p.up {
		return nil, fmt.Errorf("%s: %w", p.spec.Name, ErrUnavailable)
	}
	return p.ext, nil
}

// Info is the last Info the extension gave (nil before its first start).
func (p *Process) Info() *extpb.InfoResponse {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.info
}

// Status reports what the admin API and extctl show of a running extension.
func (p *Process) Status() (up bool, pid, restarts int, lastErr error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.up, p.pid, p.restarts, p.lastErr
}

func (p *Process) serves(pkg string) bool {
	info := p.Info()
	if info == nil {
		return false
	}
	for _, pp := range info.Packages {
		if pp.Package == pkg {
			return true
		}
	}
	return false
}

// run performs the first start synchronously, then supervises in the
// background until stop.
func (p *Process) run(ctx context.Context) {
	err := p.start(ctx)
	if err != nil {
		p.log.Error("extension failed to start", "err", err)
	}
	go p.supervise(err == nil)
}

func (p *Process) supervise(running bool) {
	backoff := backoffMin
	for {
		if running {
			startedAt := time.Now()
			if !p.waitExit() {
				return
			}
			p.markDown()
			if time.Since(startedAt) > stableUptime {
				backoff = backoffMin
			}
		}
		select {
		case <-p.stopCh:
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, backoffMax)
		p.mu.Lock()
		p.restarts++
		p.mu.Unlock()
		if err := p.start(context.Background()); err != nil {
			p.log.Error("extension restart failed", "err", err, "next_try", backoff)
			running = false
			continue
		}
		running = true
	}
}

// waitExit blocks until the process exits (true) or stop is called (false).
func (p *Process) waitExit() bool {
	t := time.NewTicker(exitPollEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stopCh:
			return false
		case <-t.C:
			p.mu.RLock()
			c := p.client
			p.mu.RUnlock()
			if c == nil || c.Exited() {
				return true
			}
		}
	}
}

func (p *Process) markDown() {
	p.mu.Lock()
	p.up = false
	info := p.info
	if p.client != nil {
		p.client.Kill()
	}
	p.mu.Unlock()
	keeps := info != nil && info.KeepsHandlesOnRestart
	p.log.Warn("extension exited; restarting", "keeps_handles", keeps)
	p.hooks.Down(p.spec.Name, keeps)
}

func (p *Process) start(ctx context.Context) error {
	cmd := exec.Command(p.spec.Path)
	// Extensions must not outlive a gateway that is killed outright.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  extplugin.Handshake,
		Plugins:          extplugin.Map(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		SecureConfig:     &plugin.SecureConfig{Checksum: p.spec.SHA256, Hash: sha256.New()},
		Logger:           hclogFor(p.log),
		Stderr:           &lineLogger{log: p.log},
		StartTimeout:     startTimeout,
	})
	fail := func(err error) error {
		client.Kill()
		p.mu.Lock()
		p.lastErr = err
		p.mu.Unlock()
		return err
	}
	rpc, err := client.Client()
	if err != nil {
		return fail(fmt.Errorf("start %s: %w", p.spec.Path, err))
	}
	raw, err := rpc.Dispense(extplugin.PluginName)
	if err != nil {
		return fail(fmt.Errorf("dispense extension: %w", err))
	}
	c, ok := raw.(*extplugin.Client)
	if !ok {
		return fail(fmt.Errorf("extension served %T, not an extension client", raw))
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	info, err := c.Extension.Info(ctx, &extpb.InfoRequest{})
	if err != nil {
		return fail(fmt.Errorf("extension info: %w", err))
	}
	if info.ProtocolVersion != extplugin.ProtocolVersion {
		return fail(fmt.Errorf("extension speaks protocol %d, gateway %d", info.ProtocolVersion, extplugin.ProtocolVersion))
	}
	// Known before Init: the extension may call back during Init (e.g. to
	// list its rooms), and those calls are checked against its packages.
	p.mu.Lock()
	p.info = info
	p.mu.Unlock()
	brokerID := c.Broker.NextId()
	go c.Broker.AcceptAndServe(brokerID, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		extpb.RegisterCoreServer(s, p.core)
		return s
	})
	p.mu.RLock()
	restarts := p.restarts
	p.mu.RUnlock()
	req := &extpb.InitRequest{CoreBrokerId: brokerID, ConfigJson: p.spec.Config, Restarts: uint32(restarts)}
	if info.KeepsHandlesOnRestart {
		req.Handles = p.hooks.Handles(p.spec.Name)
	}
	if _, err := c.Extension.Init(ctx, req); err != nil {
		return fail(fmt.Errorf("extension init: %w", err))
	}
	pid := 0
	if rc := client.ReattachConfig(); rc != nil {
		pid = rc.Pid
	}
	p.mu.Lock()
	p.client, p.ext, p.info, p.pid, p.up, p.lastErr = client, c.Extension, info, pid, true, nil
	p.mu.Unlock()
	p.log.Info("extension up", "version", info.Version, "pid", pid, "restarts", restarts)
	p.hooks.Up(p.spec.Name, info, pid)
	return nil
}

func (p *Process) stop() {
	p.stopOnce.Do(func() { close(p.stopCh) })
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	if p.client != nil {
		p.client.Kill()
	}
}
