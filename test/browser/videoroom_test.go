package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
)

const (
	videoRoomPlugin = "janus.plugin.videoroom"
	// roomMediaTimeout bounds the time from opening both pages until each
	// plays the other's video.
	roomMediaTimeout = 25 * time.Second
	// roomUnpublishTimeout bounds the time from the unpublish request until
	// the other participant's video of it is gone. janus.js reports a muted
	// remote track gone only after 2.5 s.
	roomUnpublishTimeout = 10 * time.Second
	roomPollInterval     = 200 * time.Millisecond
)

// TestVideoRoom is what two users of the Janus VideoRoom demo (multistream
// API, janus.js 1.1.2) do: each joins a room as a publisher, publishes camera
// and microphone, and subscribes to the other with one subscriber handle;
// each must see the other's video play. Then one unpublishes, and the other
// must be told and lose that video. It runs once over the REST transport
// (long polling) and once over WebSocket, each in a room of its own.
func TestVideoRoom(t *testing.T) {
	requireBrowserDeps(t)
	gw := harness.Start(t, harness.Options{})
	if !gw.External {
		// Until the videoroom extension is bundled, the gateway has nothing
		// to test here; the test runs by itself once it is.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		plugins, err := serverPlugins(ctx, gw.HTTPURL)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(plugins, videoRoomPlugin) {
			t.Skipf("the gateway does not offer %s (GET /janus/info lists %v); build bin/extensions/videoroom to run this test", videoRoomPlugin, plugins)
		}
	}
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
			room := createRoom(t, transport.server)
			pageURL := func(display string) string {
				return pages.URL + "/videoroom.html?" + url.Values{
					"server":  {transport.server},
					"room":    {strconv.FormatUint(room, 10)},
					"display": {display},
				}.Encode()
			}
			runVideoRoom(t, openRoomPage(t, browser, "alice", pageURL("alice")),
				openRoomPage(t, browser, "bob", pageURL("bob")))
		})
	}
}

// createRoom creates a room with a random id through server and destroys it
// when the test ends.
func createRoom(t *testing.T, server string) uint64 {
	t.Helper()
	// Below 2^53, so JavaScript numbers hold it exactly.
	room := rand.Uint64N(1<<53-1) + 1
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := videoRoomRequest(ctx, server, map[string]any{
		"request": "create", "room": room, "publishers": 6,
	}); err != nil {
		t.Fatalf("create room %d: %v", room, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := videoRoomRequest(ctx, server, map[string]any{"request": "destroy", "room": room}); err != nil {
			t.Errorf("destroy room %d: %v", room, err)
		}
	})
	return room
}

// runVideoRoom drives the scenario with both pages already opened: a and b
// must each play the other's video, then a unpublishes and b must lose it.
func runVideoRoom(t *testing.T, a, b *roomPage) {
	failf := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\n%s\n%s", fmt.Sprintf(format, args...), a.report(), b.report())
	}

	// Both sessions end before the tabs close (and before the room is
	// destroyed), as a user leaving the page would.
	defer func() {
		for _, p := range []*roomPage{a, b} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := p.eval(ctx, "window.vr.leave()"); err != nil {
				t.Logf("leave: %v", err)
			}
			cancel()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), roomMediaTimeout)
	defer cancel()
	if err := waitUntilPlaying(ctx, a, b); err != nil {
		failf("%v", err)
	}

	// Unpublish a and watch what b is told about it.
	aID := a.state.MyID
	ctx, cancel = context.WithTimeout(context.Background(), roomUnpublishTimeout)
	defer cancel()
	unpublishedAt, err := b.now(ctx)
	if err != nil {
		failf("%v", err)
	}
	if err := a.eval(ctx, "window.vr.unpublish()"); err != nil {
		failf("%v", err)
	}
	err = waitUntilGone(ctx, a, b, aID, unpublishedAt)
	t.Logf("%s's events after %s unpublished (feed %d):\n%s", b.name, a.name, aID, eventLines(eventsSince(b.state.Events, unpublishedAt)))
	t.Logf("%s's tracks reported gone: %+v", b.name, b.state.RemovedTracks)
	if err != nil {
		failf("%v", err)
	}
}

// subscriptionStream is one entry of "streams" in a subscriber's "attached"
// or "updated" event.
type subscriptionStream struct {
	Active bool   `json:"active"`
	FeedID uint64 `json:"feed_id"`
}

// announcesUnpublished tells whether ev is the videoroom notice that
// publisher feed stopped publishing.
func announcesUnpublished(ev roomEvent, feed uint64) bool {
	var msg struct {
		VideoRoom   string          `json:"videoroom"`
		Unpublished json.RawMessage `json:"unpublished"`
	}
	return ev.Handle == "publisher" && json.Unmarshal(ev.Msg, &msg) == nil &&
		msg.VideoRoom == "event" && string(msg.Unpublished) == strconv.FormatUint(feed, 10)
}

// dropsFeed tells whether ev is a subscription "updated" event with a new
// offer in which no stream of publisher feed is active any more.
func dropsFeed(ev roomEvent, feed uint64) bool {
	var msg struct {
		VideoRoom string               `json:"videoroom"`
		Streams   []subscriptionStream `json:"streams"`
	}
	if ev.Handle != "subscriber" || json.Unmarshal(ev.Msg, &msg) != nil || msg.VideoRoom != "updated" ||
		ev.Jsep == nil || *ev.Jsep != "offer" {
		return false
	}
	return !slices.ContainsFunc(msg.Streams, func(s subscriptionStream) bool { return s.Active && s.FeedID == feed })
}

// waitUntilPlaying polls both pages until each is publishing and plays the
// other's video: frames decoded must grow between two samples a second or
// more apart, so video is flowing rather than one stale frame.
func waitUntilPlaying(ctx context.Context, a, b *roomPage) error {
	type watch struct {
		viewer *roomPage
		of     *roomPage
		first  feedSample
		firstT time.Time
		done   bool
	}
	watches := []*watch{{viewer: a, of: b}, {viewer: b, of: a}}
	tick := time.NewTicker(roomPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			var missing []string
			for _, w := range watches {
				if !w.done {
					missing = append(missing, fmt.Sprintf("%s does not play %s's video (first sample %+v)", w.viewer.name, w.of.name, w.first))
				}
			}
			return fmt.Errorf("within %v: %s", roomMediaTimeout, strings.Join(missing, "; "))
		case <-tick.C:
		}
		for _, p := range []*roomPage{a, b} {
			if err := p.refresh(ctx); err != nil {
				return err
			}
		}
		all := true
		for _, w := range watches {
			if w.done {
				continue
			}
			all = false
			feedID := w.of.state.MyID
			if feedID == 0 || !w.of.state.PublisherUp || !w.of.state.Configured {
				continue
			}
			if _, ok := w.viewer.feed(feedID); !ok {
				continue
			}
			s, err := w.viewer.sample(ctx, feedID)
			if err != nil {
				return err
			}
			if !s.Present || s.VideoWidth == 0 || s.FramesDecoded == 0 {
				continue
			}
			switch {
			case w.firstT.IsZero():
				w.first, w.firstT = s, time.Now()
			case time.Since(w.firstT) >= time.Second && s.FramesDecoded > w.first.FramesDecoded:
				w.done = true
			}
		}
		if all {
			return nil
		}
	}
}

// waitUntilGone polls until everything that follows a's unpublish (at
// since, b's page clock) has happened. What Janus 1.1.2 does, and janus.js
// applications rely on: a gets {"unpublished": "ok"}; everyone else in the
// room gets {"unpublished": a's id} (Janus sends it twice, once is enough
// here); b's subscription that carried the feed gets an "updated" event
// whose offer leaves the feed's streams inactive, which the page answers
// with "start"; janus.js then reports b's remote tracks of the feed gone and
// the page takes its <video> away.
func waitUntilGone(ctx context.Context, a, b *roomPage, feed uint64, since int64) error {
	tick := time.NewTicker(roomPollInterval)
	defer tick.Stop()
	var missing []string
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("within %v of %s unpublishing feed %d: %s", roomUnpublishTimeout, a.name, feed, strings.Join(missing, "; "))
		case <-tick.C:
		}
		for _, p := range []*roomPage{a, b} {
			if err := p.refresh(ctx); err != nil {
				return err
			}
		}
		f, ok := b.feed(feed)
		if !ok {
			return fmt.Errorf("%s lost track of feed %d", b.name, feed)
		}
		s, err := b.sample(ctx, feed)
		if err != nil {
			return err
		}
		after := eventsSince(b.state.Events, since)
		missing = missing[:0]
		if !a.state.UnpublishedOK {
			missing = append(missing, fmt.Sprintf(`%s got no {"unpublished": "ok"}`, a.name))
		}
		if !slices.ContainsFunc(after, func(ev roomEvent) bool { return announcesUnpublished(ev, feed) }) {
			missing = append(missing, fmt.Sprintf(`%s's publisher handle got no {"unpublished": %d}`, b.name, feed))
		}
		if !slices.ContainsFunc(after, func(ev roomEvent) bool { return dropsFeed(ev, feed) }) {
			missing = append(missing, fmt.Sprintf(`%s's subscriber handle got no "updated" offer without the feed`, b.name))
		}
		if !f.VideoGone || s.Present {
			missing = append(missing, fmt.Sprintf("%s still shows the feed's video (%+v)", b.name, s))
		}
		if len(missing) == 0 {
			return nil
		}
	}
}

// eventLines renders events one a line, with times relative to the first.
func eventLines(events []roomEvent) string {
	var sb strings.Builder
	for _, ev := range events {
		jsep := ""
		if ev.Jsep != nil {
			jsep = fmt.Sprintf(" + jsep %s %q", *ev.Jsep, ev.Media)
		}
		fmt.Fprintf(&sb, "  +%4dms %-10s %s%s\n", ev.T-events[0].T, ev.Handle, ev.Msg, jsep)
	}
	return sb.String()
}

// eventsSince returns the events received at or after t (page clock, ms).
func eventsSince(events []roomEvent, t int64) []roomEvent {
	i := slices.IndexFunc(events, func(ev roomEvent) bool { return ev.T >= t })
	if i < 0 {
		return nil
	}
	return events[i:]
}
