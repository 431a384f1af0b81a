// Command gateway is the Reprise gateway: the Janus API over HTTP,
// WebSocket and the admin API, the pion media core, and the extension host
// that runs each extension as its own process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/console"
	"github.com/reprise-rtc/reprise/core/exthost"
	"github.com/reprise-rtc/reprise/core/gateway"
	"github.com/reprise-rtc/reprise/core/media"
	"github.com/reprise-rtc/reprise/core/recorder"
	"github.com/reprise-rtc/reprise/core/transport/adminapi"
	"github.com/reprise-rtc/reprise/core/transport/httpapi"
	"github.com/reprise-rtc/reprise/core/transport/wsapi"
	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

func main() {
	cfg, err := loadConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(2)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "gateway: -log-level:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("gateway stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg *config, log *slog.Logger) error {
	db, err := storage.Open(ctx, cfg.Data)
	if err != nil {
		return fmt.Errorf("open catalogue: %w", err)
	}
	defer db.Close()
	// Recordings cut short by a crash are made playable and catalogued
	// as incomplete before anything records again.
	if n, err := recorder.Repair(ctx, db); err != nil {
		log.Warn("repair recordings", "err", err)
	} else if n > 0 {
		log.Info("repaired recordings cut short by a crash", "tracks", n)
	}

	mcfg, err := mediaConfig(cfg)
	if err != nil {
		return err
	}
	gw := gateway.New(log, db)
	engine, err := media.NewEngine(mcfg, gw.MediaEvents(), log.With("component", "media"))
	if err != nil {
		return fmt.Errorf("media engine: %w", err)
	}
	defer engine.Close()
	gw.SetMedia(engine)
	gw.SetRecordingsDir(filepath.Join(cfg.Data, "recordings"))

	host := exthost.New(log.With("component", "exthost"), func(ext string) extpb.CoreServer { return gw.CoreFor(ext) }, gw)
	gw.SetHost(host)
	extDir := cfg.ExtensionsDir
	if extDir == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("locate gateway binary: %w", err)
		}
		extDir = filepath.Join(filepath.Dir(self), "extensions")
	}
	specs, err := extensionSpecs(ctx, log, db, extDir, list(cfg.Extensions), cfg.ExtensionConf)
	if err != nil {
		return err
	}
	if err := host.Start(ctx, specs); err != nil {
		return err
	}
	defer host.Stop()

	core := api.New(api.Config{
		SessionTimeout: cfg.SessionTimeout, APISecret: cfg.APISecret, AdminSecret: cfg.AdminSecret,
		TokenAuth: cfg.TokenAuth, FullTrickle: cfg.FullTrickle, AlwaysJanusSDP: cfg.JanusSDPAlways,
	}, gw, log.With("component", "janus"))
	defer core.Close()
	gw.SetSink(core)

	servers, err := serve(cfg, core, console.Handler(status{gw, core}), log)
	if err != nil {
		return err
	}
	log.Info("gateway ready", "http", cfg.HTTP, "ws", cfg.WS, "admin", cfg.Admin, "data", cfg.Data, "extensions", len(specs))
	<-ctx.Done()
	log.Info("shutting down")
	// Sessions end first: that answers every held long-poll, which
	// Shutdown would otherwise wait for (up to the 30 s hold).
	core.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			_ = s.Close()
		}
	}
	return nil
}

func mediaConfig(cfg *config) (media.Config, error) {
	lo, hi, err := portRange(cfg.UDPPortRange)
	if err != nil {
		return media.Config{}, err
	}
	m := media.Config{
		ICEEnforceList: list(cfg.ICEEnforceList),
		NAT1To1IPs:     list(cfg.NAT1To1),
		UDPPortMin:     lo, UDPPortMax: hi, UDPPort: cfg.UDPPort,
		FullTrickle:       cfg.FullTrickle,
		SlowlinkThreshold: cfg.SlowlinkThresh,
		NoMediaTimeout:    cfg.NoMediaTimer,
	}
	for _, s := range list(cfg.STUN) {
		if !strings.HasPrefix(s, "stun:") {
			s = "stun:" + s
		}
		m.ICEServers = append(m.ICEServers, webrtc.ICEServer{URLs: []string{s}})
	}
	if cfg.TURN != "" {
		m.ICEServers = append(m.ICEServers, webrtc.ICEServer{URLs: []string{cfg.TURN}, Username: cfg.TURNUser, Credential: cfg.TURNPassword})
	}
	return m, nil
}

// serve starts a listener per configured address; binding errors are fatal
// at start, not discovered later.
func serve(cfg *config, core *api.Core, operator http.Handler, log *slog.Logger) ([]*http.Server, error) {
	var servers []*http.Server
	for _, l := range []struct {
		name, addr string
		handler    http.Handler
	}{
		{"http", cfg.HTTP, httpHandler(core, cfg)},
		{"ws", cfg.WS, wsHandler(core)},
		{"admin", cfg.Admin, adminHandler(core, operator)},
	} {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return nil, fmt.Errorf("listen %s on %s: %w", l.name, l.addr, err)
		}
		srv := &http.Server{Handler: l.handler, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("server failed", "listener", l.name, "err", err)
			}
		}()
		servers = append(servers, srv)
	}
	return servers, nil
}

func httpHandler(core *api.Core, cfg *config) http.Handler {
	mux := http.NewServeMux()
	h := httpapi.Handler(core, httpapi.Options{BasePath: "/janus", LongPollHold: cfg.LongPollHold})
	mux.Handle("/janus", h)
	mux.Handle("/janus/", h)
	return mux
}

func wsHandler(core *api.Core) http.Handler { return wsapi.Handler(core, wsapi.Options{}) }

func adminHandler(core *api.Core, operator http.Handler) http.Handler {
	mux := http.NewServeMux()
	h := adminapi.Handler(core, adminapi.Options{BasePath: "/admin"})
	mux.Handle("/admin", h)
	mux.Handle("/admin/", h)
	mux.Handle("/metrics", operator)
	mux.Handle("/console", operator)
	return mux
}

// status joins what the console shows: extensions and handles from the
// gateway, sessions from the API core.
type status struct {
	*gateway.Gateway
	core *api.Core
}

func (s status) SessionCount() int { return s.core.SessionCount() }
