package api

import "time"

// Config is the Janus core's behaviour that deployments choose.
type Config struct {
	// SessionTimeout is how long a session may go without any request
	// (keepalive and long-poll included) before it is timed out. 0 disables.
	SessionTimeout time.Duration
	// TimeoutCheckInterval is how often sessions are checked for the
	// timeout. Default 1 s.
	TimeoutCheckInterval time.Duration

	APISecret   string // when set, Janus API requests need a matching "apisecret"
	AdminSecret string // when set, Admin API requests need a matching "admin_secret"
	TokenAuth   bool   // stored-token auth: requests need a "token" added via the Admin API

	// AlwaysJanusSDP repeats every jsep sent to clients under the legacy
	// name "janusSdp" too, not only to sessions that used that name.
	AlwaysJanusSDP bool

	Name       string // "name" in server_info; default "Reprise (Janus API)"
	ServerName string // "server-name" in server_info; default "Reprise"

	// Media facts reported in server_info; the media engine's owner fills them.
	LocalIP     string
	IPv6        bool
	ICELite     bool
	ICETCP      bool
	FullTrickle bool
}

// DefaultConfig is Janus's default behaviour: a 60 s session timeout and no
// authentication.
func DefaultConfig() Config {
	return Config{SessionTimeout: 60 * time.Second}
}

func (c Config) withDefaults() Config {
	if c.TimeoutCheckInterval <= 0 {
		c.TimeoutCheckInterval = time.Second
	}
	if c.Name == "" {
		c.Name = "Reprise (Janus API)"
	}
	if c.ServerName == "" {
		c.ServerName = "Reprise"
	}
	if c.LocalIP == "" {
		c.LocalIP = "127.0.0.1"
	}
	return c
}
