package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// roomPageState mirrors what testdata/www/videoroom.html keeps on window.vr.
type roomPageState struct {
	Connected     bool                  `json:"connected"`
	MyID          uint64                `json:"myId"`
	PublisherUp   bool                  `json:"publisherUp"`
	Configured    bool                  `json:"configured"`
	SubscriberUp  bool                  `json:"subscriberUp"`
	UnpublishedOK bool                  `json:"unpublishedOk"`
	Feeds         map[string]remoteFeed `json:"feeds"`
	MidFeed       map[string]uint64     `json:"midFeed"`
	Events        []roomEvent           `json:"events"`
	RemovedTracks []removedTrack        `json:"removedTracks"`
	Error         *string               `json:"error"`
}

// remoteFeed is one other publisher as the page subscribed to it.
type remoteFeed struct {
	Display   string   `json:"display"`
	Mids      []string `json:"mids"`
	VideoGone bool     `json:"videoGone"`
}

// roomEvent is one plugin message a handle of the page received.
type roomEvent struct {
	T      int64           `json:"t"`      // ms since the epoch, page clock
	Handle string          `json:"handle"` // "publisher" or "subscriber"
	Msg    json.RawMessage `json:"msg"`
	Jsep   *string         `json:"jsep"`  // SDP type when the message carried one
	Media  []string        `json:"media"` // its m-sections: "video 9 inactive mid=1"
}

// removedTrack is a remote track janus.js reported gone (onremotetrack with
// on=false), with the track's state at that moment.
type removedTrack struct {
	Mid        string `json:"mid"`
	Feed       uint64 `json:"feed"`
	Kind       string `json:"kind"`
	ReadyState string `json:"readyState"`
	Muted      bool   `json:"muted"`
}

// feedSample is what window.vr.sample(feed) measures on a remote feed.
type feedSample struct {
	Present       bool   `json:"present"` // its <video> is in the page
	VideoWidth    int    `json:"videoWidth"`
	VideoHeight   int    `json:"videoHeight"`
	FramesDecoded int    `json:"framesDecoded"`
	TrackState    string `json:"trackState"`
}

const readRoomStateJS = `(() => {
	const v = window.vr;
	if (!v) { return null; }
	return {connected: v.connected, myId: v.myId, publisherUp: v.publisherUp,
		configured: v.configured, subscriberUp: v.subscriberUp, unpublishedOk: v.unpublishedOk,
		feeds: v.feeds, midFeed: v.midFeed, events: v.events, removedTracks: v.removedTracks,
		error: v.error};
})()`

// roomPage is one participant: a tab showing videoroom.html.
type roomPage struct {
	name  string
	url   string
	tab   context.Context
	log   pageLog
	state roomPageState // as of the last refresh
}

// openRoomPage opens pageURL in a new tab of browser. The tab closes when
// the test ends.
func openRoomPage(t *testing.T, browser context.Context, name, pageURL string) *roomPage {
	t.Helper()
	tab, closeTab := chromedp.NewContext(browser)
	t.Cleanup(closeTab)
	p := &roomPage{name: name, url: pageURL, tab: tab}
	// Listening first also opens the tab, bound to tab rather than to a
	// context with a deadline.
	if err := p.log.listen(tab); err != nil {
		t.Fatalf("%s: listen to tab: %v", name, err)
	}
	if _, err := chromedp.Run(tab, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("%s: open %s: %v", name, pageURL, err)
	}
	return p
}

// bind returns a context that runs chromedp actions in p's tab but ends
// with ctx: chromedp picks the tab from the context, so a deadline shared by
// both pages cannot simply be passed down.
func (p *roomPage) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	tabCtx, cancel := context.WithCancel(p.tab)
	if deadline, ok := ctx.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		tabCtx, cancelDeadline = context.WithDeadline(tabCtx, deadline)
		cancelTab := cancel
		cancel = func() { cancelDeadline(); cancelTab() }
	}
	stop := context.AfterFunc(ctx, cancel)
	return tabCtx, func() { stop(); cancel() }
}

// refresh reads window.vr into p.state. A page that reported an error is an
// error.
func (p *roomPage) refresh(ctx context.Context) error {
	ctx, cancel := p.bind(ctx)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[roomPageState](readRoomStateJS))
	if errors.Is(err, chromedp.ErrJSNull) {
		return nil // page script not run yet
	}
	if err != nil {
		return fmt.Errorf("%s: read page state: %w", p.name, err)
	}
	p.state = state
	if state.Error != nil {
		return fmt.Errorf("%s: page reported an error: %s", p.name, *state.Error)
	}
	return nil
}

// sample measures the remote feed of publisher feed in this page.
func (p *roomPage) sample(ctx context.Context, feed uint64) (feedSample, error) {
	ctx, cancel := p.bind(ctx)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[feedSample](
		"window.vr.sample("+strconv.FormatUint(feed, 10)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return s, fmt.Errorf("%s: sample feed %d: %w", p.name, feed, err)
	}
	return s, nil
}

// feed returns the page's subscription to publisher id, if it has one.
func (p *roomPage) feed(id uint64) (remoteFeed, bool) {
	f, ok := p.state.Feeds[strconv.FormatUint(id, 10)]
	return f, ok
}

// eval runs a statement in the page and waits for the promise it may return.
func (p *roomPage) eval(ctx context.Context, js string) error {
	ctx, cancel := p.bind(ctx)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](js, chromedp.EvalAwaitPromise)); err != nil {
		return fmt.Errorf("%s: %s: %w", p.name, js, err)
	}
	return nil
}

// report renders the page's state and log tail for a failure message.
func (p *roomPage) report() string {
	state, _ := json.MarshalIndent(p.state, "", "  ")
	return fmt.Sprintf("== %s (%s)\nstate: %s\npage log:\n%s", p.name, p.url, state, p.log.tail(200))
}

// now reads the page's clock (ms since the epoch), which stamps its events.
func (p *roomPage) now(ctx context.Context) (int64, error) {
	ctx, cancel := p.bind(ctx)
	defer cancel()
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[int64]("Date.now()"))
	if err != nil {
		return 0, fmt.Errorf("%s: read page clock: %w", p.name, err)
	}
	return ms, nil
}
