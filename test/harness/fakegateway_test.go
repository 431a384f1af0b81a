package harness

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// The harness tests run this test binary itself as the "gateway": when
// fakeModeEnv is set, TestMain calls runFakeGateway instead of the tests.
const fakeModeEnv = "REPRISE_HARNESS_FAKE_GATEWAY"

// Fake gateway behaviours.
const (
	fakeNormal        = "normal"         // serve /janus/info, exit 0 on SIGTERM
	fakeIgnoreTerm    = "ignore-term"    // like normal but ignores SIGTERM
	fakeExitEarly     = "exit-early"     // print a complaint and exit 3
	fakeWithChild     = "with-child"     // like normal, plus a long-lived child process
	fakeSleepingChild = "sleeping-child" // the child of fakeWithChild
)

// fakeInfo is what the fake serves at /janus/info, so tests can check how it
// was started.
type fakeInfo struct {
	Janus    string   `json:"janus"`
	Args     []string `json:"args"`
	Dir      string   `json:"dir"`
	ChildPID int      `json:"child_pid,omitempty"`
}

func runFakeGateway(mode string) int {
	switch mode {
	case fakeExitEarly:
		fmt.Fprintln(os.Stderr, "fake gateway: refusing to start")
		return 3
	case fakeSleepingChild:
		time.Sleep(time.Minute)
		return 0
	}

	fs := flag.NewFlagSet("fake-gateway", flag.ContinueOnError)
	httpAddr := fs.String("http", "", "")
	wsAddr := fs.String("ws", "", "")
	adminAddr := fs.String("admin", "", "")
	fs.String("data", "", "")
	fs.String("ice-enforce-list", "", "")
	fs.String("extensions-dir", "", "")
	fs.String("extra", "", "")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}

	terminated := make(chan os.Signal, 1)
	if mode == fakeIgnoreTerm {
		signal.Ignore(syscall.SIGTERM) // and never send on terminated
	} else {
		signal.Notify(terminated, syscall.SIGTERM)
	}

	dir, _ := os.Getwd()
	info := fakeInfo{Janus: "server_info", Args: os.Args[1:], Dir: dir}
	if mode == fakeWithChild {
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), fakeModeEnv+"="+fakeSleepingChild)
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "fake gateway: start child:", err)
			return 1
		}
		info.ChildPID = child.Process.Pid
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /janus/info", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(info)
	})
	for _, addr := range []string{*wsAddr, *adminAddr} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake gateway:", err)
			return 1
		}
		defer l.Close()
	}
	l, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake gateway:", err)
		return 1
	}
	go func() { _ = http.Serve(l, mux) }()
	fmt.Println("fake gateway: listening on", *httpAddr)
	<-terminated
	fmt.Println("fake gateway: terminated")
	return 0
}
