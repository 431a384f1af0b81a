package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is every setting of the gateway. Each has a flag; the same names
// are the keys of the JSON config file (-config) and, upper-cased with
// dashes as underscores and a REPRISE_ prefix, environment variables.
// Precedence: flag > environment > config file > default.
type config struct {
	HTTP           string
	WS             string
	Admin          string
	Data           string
	Extensions     string
	ExtensionsDir  string
	ExtensionConf  string
	SessionTimeout time.Duration
	APISecret      string
	AdminSecret    string
	TokenAuth      bool
	ICEEnforceList string
	NAT1To1        string
	STUN           string
	TURN           string
	TURNUser       string
	TURNPassword   string
	UDPPortRange   string
	UDPPort        int
	FullTrickle    bool
	JanusSDPAlways bool
	SlowlinkThresh int
	NoMediaTimer   time.Duration
	LongPollHold   time.Duration
	LogLevel       string
}

func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.HTTP, "http", ":8088", "Janus HTTP API address (path /janus; empty disables)")
	fs.StringVar(&c.WS, "ws", ":8188", "Janus WebSocket API address (subprotocol janus-protocol; empty disables)")
	fs.StringVar(&c.Admin, "admin", ":7088", "admin API address (path /admin, also /metrics; empty disables)")
	fs.StringVar(&c.Data, "data", "./data", "data directory: SQLite catalogue, recordings, installed extensions")
	fs.StringVar(&c.Extensions, "extensions", "", "comma-separated extensions to start (default: every enabled one)")
	fs.StringVar(&c.ExtensionsDir, "extensions-dir", "", "directory of the bundled extension binaries (default: <gateway binary dir>/extensions)")
	fs.StringVar(&c.ExtensionConf, "extension-config", "", "JSON object of per-extension settings handed to each extension's Init, e.g. {\"videoroom\": {\"rooms\": [...]}}")
	c.SessionTimeout = 60 * time.Second
	fs.Var((*seconds)(&c.SessionTimeout), "session-timeout", "a session without activity for this long times out (0 disables)")
	fs.StringVar(&c.APISecret, "api-secret", "", "if set, every Janus API request must carry it as \"apisecret\"")
	fs.StringVar(&c.AdminSecret, "admin-secret", "janusoverlord", "secret every admin API request must carry as \"admin_secret\"")
	fs.BoolVar(&c.TokenAuth, "token-auth", false, "require a stored token (added with the admin API's add_token) on every request")
	fs.StringVar(&c.ICEEnforceList, "ice-enforce-list", "", "comma-separated interfaces or IPs to gather host candidates on (default: all)")
	fs.StringVar(&c.NAT1To1, "nat-1-1", "", "comma-separated public IPs to advertise instead of the host addresses (NAT 1:1)")
	fs.StringVar(&c.STUN, "stun", "", "STUN server host:port")
	fs.StringVar(&c.TURN, "turn", "", "TURN server URL, e.g. turn:host:3478?transport=udp")
	fs.StringVar(&c.TURNUser, "turn-user", "", "TURN username")
	fs.StringVar(&c.TURNPassword, "turn-pwd", "", "TURN password")
	fs.StringVar(&c.UDPPortRange, "udp-port-range", "", "MIN-MAX range of UDP ports for media")
	fs.IntVar(&c.UDPPort, "udp-port", 0, "single UDP port multiplexing every peer's media (overrides the range)")
	fs.BoolVar(&c.FullTrickle, "full-trickle", false, "trickle the gateway's candidates instead of waiting to put them in the SDP")
	fs.BoolVar(&c.JanusSDPAlways, "janus-sdp-always", false, "repeat every jsep sent to clients as \"janusSdp\" (by default only to sessions that sent janusSdp)")
	fs.IntVar(&c.SlowlinkThresh, "slowlink-threshold", 0, "lost packets per second on a stream that raise a slowlink event (0 disables, as in Janus)")
	c.NoMediaTimer = time.Second
	fs.Var((*seconds)(&c.NoMediaTimer), "no-media-timer", "how long without packets before a \"media\" event says receiving:false")
	c.LongPollHold = 30 * time.Second
	fs.Var((*seconds)(&c.LongPollHold), "long-poll", "how long an HTTP long-poll waits for events before a keepalive")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
}

// loadConfig parses args, then fills what they left unset from the
// environment and the -config file.
func loadConfig(args []string, env func(string) string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs)
	file := fs.String("config", "", "JSON config file whose keys are these flag names, e.g. {\"http\": \":8088\", \"session-timeout\": \"30s\"}")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gateway [flags]\n\nReprise, a Janus-compatible WebRTC gateway. Each flag can also be set in the\n-config JSON file (same key) or as REPRISE_<FLAG> in the environment\n(upper case, dashes as underscores); flags win over the environment,\nwhich wins over the file.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var fromFile map[string]any
	if *file != "" {
		data, err := os.ReadFile(*file)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		if err := json.Unmarshal(data, &fromFile); err != nil {
			return nil, fmt.Errorf("parse config %s: %w", *file, err)
		}
		for k := range fromFile {
			if fs.Lookup(k) == nil || k == "config" {
				return nil, fmt.Errorf("config %s: unknown setting %q", *file, k)
			}
		}
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || set[f.Name] || f.Name == "config" {
			return
		}
		envName := "REPRISE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env(envName); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", envName, e)
			}
			return
		}
		if v, ok := fromFile[f.Name]; ok {
			if e := f.Value.Set(jsonScalar(v)); e != nil {
				err = fmt.Errorf("config %s: %s: %w", *file, f.Name, e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// jsonScalar renders a JSON value as the flag text it stands for; a plain
// number for a duration means seconds, as in Janus's session_timeout.
func jsonScalar(v any) string {
	switch t := v.(type) {
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case string:
		return t
	case map[string]any:
		b, _ := json.Marshal(t)
		return string(b)
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			parts = append(parts, jsonScalar(e))
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(t)
	}
}

// list splits a comma-separated setting.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// portRange parses "MIN-MAX".
func portRange(s string) (uint16, uint16, error) {
	if s == "" {
		return 0, 0, nil
	}
	lo, hi, ok := strings.Cut(s, "-")
	a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
	b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 16)
	if !ok || err1 != nil || err2 != nil || a == 0 || a > b {
		return 0, 0, fmt.Errorf("udp-port-range %q: want MIN-MAX with 0 < MIN <= MAX <= 65535", s)
	}
	return uint16(a), uint16(b), nil
}

// seconds is a duration flag that also takes a bare number of seconds, the
// unit Janus's own settings use.
type seconds time.Duration

func (d *seconds) String() string { return time.Duration(*d).String() }

func (d *seconds) Set(s string) error {
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 0 {
		*d = seconds(time.Duration(n * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("want seconds or a duration like 30s, got %q", s)
	}
	*d = seconds(v)
	return nil
}
