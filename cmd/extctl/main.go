// Command extctl manages the extensions registered in a Reprise gateway's
// catalogue (<data dir>/reprise.db). It works on the catalogue file directly,
// so it can run while the gateway is up or down.
//
//	extctl [-data DIR] list [--json]
//
// Exit status: 0 on success, 1 when the command fails, 2 on a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// dataDirEnv overrides the default data directory, so a deployment can set
// it once for both the gateway and extctl.
const dataDirEnv = "REPRISE_DATA"

// defaultDataDir is used when neither -data nor REPRISE_DATA is given.
const defaultDataDir = "data"

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usageText = `usage: extctl [-data DIR] <command> [flags]

Commands:
  list [--json]   list installed extensions

Not implemented yet: install, info, enable, disable, remove.

Global flags:
  -data DIR   gateway data directory holding reprise.db
              (default $` + dataDirEnv + `, else "` + defaultDataDir + `")
`

// notImplemented are the commands that are planned but not built yet. They
// are recognised so a script gets a clear message rather than "unknown".
var notImplemented = map[string]bool{
	"install": true, "info": true, "enable": true, "disable": true, "remove": true,
}

func main() {
	// Migrations log at info level; a listing should print only what was
	// asked for, so only warnings and errors reach stderr.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one extctl invocation and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("extctl", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() { fmt.Fprint(stderr, usageText) }
	dataDir := global.String("data", defaultDir(), "gateway data directory")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if global.NArg() == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}

	cmd, rest := global.Arg(0), global.Args()[1:]
	switch {
	case cmd == "list":
		return runList(*dataDir, rest, stdout, stderr)
	case cmd == "help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	case notImplemented[cmd]:
		fmt.Fprintf(stderr, "extctl %s: not implemented yet\n", cmd)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "extctl: unknown command %q\n\n%s", cmd, usageText)
		return exitUsage
	}
}

func defaultDir() string {
	if d := os.Getenv(dataDirEnv); d != "" {
		return d
	}
	return defaultDataDir
}
