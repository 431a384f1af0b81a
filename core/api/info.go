package api

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// Janus version this API is compatible with, as reported in server_info.
const (
	CompatVersion       = 1102
	CompatVersionString = "1.1.2"
)

// moduleEntry is one element of the "transports", "plugins" (and the
// empty "events"/"loggers") maps of server_info.
type moduleEntry struct {
	Name          string `json:"name"`
	Author        string `json:"author"`
	Description   string `json:"description"`
	VersionString string `json:"version_string"`
	Version       int    `json:"version"`
}

// serverInfo is the "server_info" response. Keys and their order are
// Janus's; the values describe Reprise.
type serverInfo struct {
	Janus                 string                 `json:"janus"`
	Transaction           string                 `json:"transaction,omitempty"`
	Name                  string                 `json:"name"`
	Version               int                    `json:"version"`
	VersionString         string                 `json:"version_string"`
	Author                string                 `json:"author"`
	CommitHash            string                 `json:"commit-hash"`
	CompileTime           string                 `json:"compile-time"`
	LogToStdout           bool                   `json:"log-to-stdout"`
	LogToFile             bool                   `json:"log-to-file"`
	DataChannels          bool                   `json:"data_channels"`
	AcceptingNewSessions  bool                   `json:"accepting-new-sessions"`
	SessionTimeout        int64                  `json:"session-timeout"`
	ReclaimSessionTimeout int64                  `json:"reclaim-session-timeout"`
	CandidatesTimeout     int64                  `json:"candidates-timeout"`
	ServerName            string                 `json:"server-name"`
	LocalIP               string                 `json:"local-ip"`
	IPv6                  bool                   `json:"ipv6"`
	ICELite               bool                   `json:"ice-lite"`
	ICETCP                bool                   `json:"ice-tcp"`
	ICENomination         string                 `json:"ice-nomination"`
	ICEKeepaliveConncheck bool                   `json:"ice-keepalive-conncheck"`
	FullTrickle           bool                   `json:"full-trickle"`
	MDNSEnabled           bool                   `json:"mdns-enabled"`
	MinNACKQueue          int                    `json:"min-nack-queue"`
	NACKOptimizations     bool                   `json:"nack-optimizations"`
	TWCCPeriod            int                    `json:"twcc-period"`
	DTLSMTU               int                    `json:"dtls-mtu"`
	StaticEventLoops      int                    `json:"static-event-loops"`
	APISecret             bool                   `json:"api_secret"`
	AuthToken             bool                   `json:"auth_token"`
	EventHandlers         bool                   `json:"event_handlers"`
	OpaqueIDInAPI         bool                   `json:"opaqueid_in_api"`
	Dependencies          map[string]string      `json:"dependencies"`
	Transports            map[string]moduleEntry `json:"transports"`
	Events                map[string]moduleEntry `json:"events"`
	Loggers               map[string]moduleEntry `json:"loggers"`
	Plugins               map[string]moduleEntry `json:"plugins"`
}

// build describes the running binary for server_info.
type build struct {
	commit, time string
	deps         map[string]string
}

var buildFacts = sync.OnceValue(func() build {
	b := build{commit: "not-a-git-repo", time: "unknown", deps: map[string]string{"go": runtime.Version()}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && s.Value != "":
			b.commit = s.Value
		case s.Key == "vcs.time" && s.Value != "":
			b.time = s.Value
		}
	}
	for _, m := range bi.Deps {
		if m.Path == "github.com/pion/webrtc/v4" {
			b.deps["pion-webrtc"] = m.Version
		}
	}
	return b
})

func (c *Core) serverInfo(transaction string) *serverInfo {
	bf := buildFacts()
	info := &serverInfo{
		Janus:                "server_info",
		Transaction:          transaction,
		Name:                 c.cfg.Name,
		Version:              CompatVersion,
		VersionString:        CompatVersionString,
		Author:               "Reprise",
		CommitHash:           bf.commit,
		CompileTime:          bf.time,
		LogToStdout:          true,
		DataChannels:         true,
		AcceptingNewSessions: true,
		SessionTimeout:       int64(c.cfg.SessionTimeout.Seconds()),
		CandidatesTimeout:    45,
		ServerName:           c.cfg.ServerName,
		LocalIP:              c.cfg.LocalIP,
		IPv6:                 c.cfg.IPv6,
		ICELite:              c.cfg.ICELite,
		ICETCP:               c.cfg.ICETCP,
		ICENomination:        "aggressive",
		FullTrickle:          c.cfg.FullTrickle,
		MinNACKQueue:         200,
		TWCCPeriod:           200,
		DTLSMTU:              1200,
		APISecret:            c.cfg.APISecret != "",
		AuthToken:            c.cfg.TokenAuth,
		Dependencies:         bf.deps,
		Transports:           map[string]moduleEntry{},
		Events:               map[string]moduleEntry{},
		Loggers:              map[string]moduleEntry{},
		Plugins:              map[string]moduleEntry{},
	}
	c.mu.Lock()
	for _, t := range c.transports {
		info.Transports[t.Package] = moduleEntry{Name: t.Name, Author: t.Author, Description: t.Description, VersionString: t.VersionString, Version: t.Version}
	}
	c.mu.Unlock()
	if b, err := c.getBackend(); err == nil {
		for _, p := range b.Plugins() {
			info.Plugins[p.Package] = moduleEntry{Name: p.Name, Author: p.Author, Description: p.Description, VersionString: p.VersionString, Version: p.Version}
		}
	}
	return info
}
