package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// startChromium starts one headless Chromium for the test and returns a
// context whose children (chromedp.NewContext) open tabs in it. The browser
// stops when the test ends.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// No sandbox: CI runs as root, where Chromium refuses to sandbox.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// The machine reaches no network but loopback; keep Chromium from
		// trying (and from stalling on) its own services.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		// Fake camera and microphone, granted without a permission prompt.
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		// The remote <video> must play without a user gesture.
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry a timeout, which
	// would end the whole browser when it expires.
	if _, err := chromedp.Run(browserCtx, chromedp.Evaluate[chromedp.Void](`0`)); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return browserCtx
}

// pageLog collects what a tab prints: console calls, uncaught exceptions and
// the browser's own log entries (network and WebRTC errors).
type pageLog struct {
	mu    sync.Mutex
	lines []string
}

// listen records the tab's messages from now on. ctx is the tab's context.
func (l *pageLog) listen(ctx context.Context) error {
	return chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			parts := make([]string, 0, len(ev.Args))
			for _, arg := range ev.Args {
				parts = append(parts, remoteObjectText(arg))
			}
			l.add(fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + remoteObjectText(d.Exception)
			}
			l.add(fmt.Sprintf("exception: %s (%s:%d)", text, d.URL, d.LineNumber))
		case *log.EventEntryAdded:
			l.add(fmt.Sprintf("browser %s %s: %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	})
}

func (l *pageLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

// tail returns the last n lines, which is where a failure shows.
func (l *pageLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := l.lines
	skipped := 0
	if len(lines) > n {
		skipped = len(lines) - n
		lines = lines[skipped:]
	}
	var b strings.Builder
	if skipped > 0 {
		fmt.Fprintf(&b, "(%d earlier lines left out)\n", skipped)
	}
	for _, line := range lines {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// remoteObjectText renders a console argument: its JSON value when it has
// one, else the description the DevTools console would show.
func remoteObjectText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}
