package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reprise-rtc/reprise/test/harness"
)

// echoRunTimeout bounds one echo test run, from page load to verified media.
const echoRunTimeout = 40 * time.Second

// echoState mirrors the flags that testdata/www/echotest.html keeps on
// window.echo.
type echoState struct {
	Initialized  bool     `json:"initialized"`
	Connected    bool     `json:"connected"`
	Attached     bool     `json:"attached"`
	OfferSent    bool     `json:"offerSent"`
	ResultOK     bool     `json:"resultOk"`
	Answered     bool     `json:"answered"`
	WebRTCUp     bool     `json:"webrtcup"`
	RemoteTracks []string `json:"remoteTracks"`
	Media        []string `json:"media"`
	Error        *string  `json:"error"`
}

// videoSample is what window.echo.sample() measures on the remote video.
type videoSample struct {
	VideoWidth           int `json:"videoWidth"`
	VideoHeight          int `json:"videoHeight"`
	TotalVideoFrames     int `json:"totalVideoFrames"`
	FramesDecoded        int `json:"framesDecoded"`
	AudioPacketsReceived int `json:"audioPacketsReceived"`
}

const readStateJS = `(() => {
	const e = window.echo;
	if (!e) { return null; }
	return {initialized: e.initialized, connected: e.connected, attached: e.attached,
		offerSent: e.offerSent, resultOk: e.resultOk, answered: e.answered,
		webrtcup: e.webrtcup, remoteTracks: e.remoteTracks, media: e.media, error: e.error};
})()`

// TestEchoTest is what a user of the Janus echotest demo does: janus.js in a
// browser sends camera and microphone to janus.plugin.echotest and must see
// its own video come back and play. It runs once over the REST transport
// (long polling) and once over WebSocket.
func TestEchoTest(t *testing.T) {
	requireBrowserDeps(t)
	gw := harness.Start(t, harness.Options{})
	pages := servePages(t)
	browser := startChromium(t)

	for _, transport := range []struct{ name, server string }{
		{"http", gw.HTTPURL},
		{"ws", gw.WSURL},
	} {
		t.Run(transport.name, func(t *testing.T) {
			if transport.server == "" {
				t.Skipf("target has no %s URL (set %s / %s)", transport.name, harness.EnvTargetHTTP, harness.EnvTargetWS)
			}
			pageURL := pages.URL + "/echotest.html?server=" + url.QueryEscape(transport.server)
			runEchoTest(t, browser, pageURL)
		})
	}
}

// runEchoTest opens pageURL in a new tab and waits until the echoed video
// plays, failing with the page's log if it does not within echoRunTimeout.
func runEchoTest(t *testing.T, browser context.Context, pageURL string) {
	tab, closeTab := chromedp.NewContext(browser)
	defer closeTab()
	var plog pageLog
	if err := plog.listen(tab); err != nil {
		t.Fatalf("listen to tab: %v", err)
	}

	ctx, cancel := context.WithTimeout(tab, echoRunTimeout)
	defer cancel()

	var state echoState
	var first, last videoSample
	failf := func(format string, args ...any) {
		t.Helper()
		stateJSON, _ := json.MarshalIndent(state, "", "  ")
		t.Fatalf("%s\npage: %s\nstate: %s\nlast sample: %+v\npage log:\n%s",
			fmt.Sprintf(format, args...), pageURL, stateJSON, last, plog.tail(300))
	}

	if _, err := chromedp.Run(ctx, chromedp.Navigate(pageURL)); err != nil {
		failf("open page: %v", err)
	}

	// Phase 1: signalling and media set up. Phase 2: once frames decode,
	// sample again at least a second later; the count must have grown, so
	// video is flowing rather than one stale frame.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			failf("echo test did not complete within %v", echoRunTimeout)
		case <-tick.C:
		}
		var err error
		state, err = chromedp.Run(ctx, chromedp.Evaluate[echoState](readStateJS))
		if err != nil {
			if errors.Is(err, chromedp.ErrJSNull) {
				continue // page script not run yet
			}
			failf("read page state: %v", err)
		}
		if state.Error != nil {
			failf("page reported an error: %s", *state.Error)
		}
		if !state.WebRTCUp || !state.ResultOK {
			continue
		}
		last, err = chromedp.Run(ctx, chromedp.Evaluate[videoSample](`window.echo.sample()`, chromedp.EvalAwaitPromise))
		if err != nil {
			failf("sample remote video: %v", err)
		}
		if last.VideoWidth == 0 || last.FramesDecoded == 0 {
			continue
		}
		if first.FramesDecoded == 0 {
			first = last
			time.Sleep(time.Second) // ticks during the sleep are dropped
			continue
		}
		if last.FramesDecoded > first.FramesDecoded && last.AudioPacketsReceived > first.AudioPacketsReceived {
			break
		}
	}

	if !contains(state.RemoteTracks, "video") || !contains(state.RemoteTracks, "audio") {
		failf("remote tracks %v, want audio and video echoed back", state.RemoteTracks)
	}
	t.Logf("echoed media plays: %dx%d, frames decoded %d -> %d, audio packets %d -> %d",
		last.VideoWidth, last.VideoHeight, first.FramesDecoded, last.FramesDecoded,
		first.AudioPacketsReceived, last.AudioPacketsReceived)

	// Leave the target as we found it: destroy the session (detaching the
	// handle and hanging up the PeerConnection) rather than abandoning it.
	destroyCtx, cancelDestroy := context.WithTimeout(tab, 5*time.Second)
	defer cancelDestroy()
	if _, err := chromedp.Run(destroyCtx, chromedp.Evaluate[chromedp.Void](
		`new Promise((resolve) => window.echo.janus.destroy({success: resolve, error: resolve}))`,
		chromedp.EvalAwaitPromise)); err != nil {
		t.Logf("destroy session: %v", err)
	}
}

func contains(list []string, want string) bool {
	return slices.Contains(list, want)
}
