package media

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChromiumMultistreamSubscriber renegotiates one Chromium subscriber
// the way the VideoRoom does: two publishers' audio and video plus data,
// then one publisher leaves (its m-lines go inactive), then another
// arrives and takes over those m-lines. Chromium must accept every offer
// and receive packets on each active mid, including the reused ones.
func TestChromiumMultistreamSubscriber(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	const pubA, pubB, pubC, sub = 61, 62, 63, 69
	for _, h := range []uint64{pubA, pubB, pubC} {
		c := newPublisher(t, false)
		c.connect(t, e, h)
		c.start()
	}
	for _, h := range []uint64{pubA, pubB, pubC} {
		ev.waitFor(t, "publisher media", 10*time.Second, func() bool { return ev.sawMedia(fmt.Sprintf("%d/1/video/true", h)) })
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<!doctype html><title>subscriber</title>"))
	}))
	defer page.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(page.URL)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		window.sub = new RTCPeerConnection();
		window.answerOffer = async sdp => {
			await sub.setRemoteDescription({type: 'offer', sdp});
			await sub.setLocalDescription(await sub.createAnswer());
			await new Promise(resolve => {
				if (sub.iceGatheringState === 'complete') return resolve();
				sub.onicegatheringstatechange = () => sub.iceGatheringState === 'complete' && resolve();
				setTimeout(resolve, 3000);
			});
			return sub.localDescription.sdp;
		};
		window.packetsByMid = async () => {
			const out = {};
			(await sub.getStats()).forEach(s => { if (s.type === 'inbound-rtp') out[s.mid] = s.packetsReceived; });
			return out;
		};
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	negotiate := func(streams []OfferStream) {
		t.Helper()
		offer, err := e.MakeOffer(sub, streams)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(offer)
		answer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`answerOffer(`+string(js)+`)`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("chromium rejected the offer: %v\n%s", err, offer)
		}
		if err := e.ApplyAnswer(sub, answer); err != nil {
			t.Fatal(err)
		}
	}
	packets := func() map[string]float64 {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`packetsByMid()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// growing waits until every listed mid received more packets than in base.
	growing := func(what string, base map[string]float64, mids ...string) map[string]float64 {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			now := packets()
			ok := true
			for _, mid := range mids {
				ok = ok && now[mid] > base[mid]+10
			}
			if ok {
				return now
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: packets by mid %v (before %v)", what, now, base)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	from := func(h uint64, mid string) OfferStream { return OfferStream{SourceHandle: h, SourceMID: mid} }
	route := func(src uint64, srcMid, dstMid string) {
		t.Helper()
		if err := e.Route(src, srcMid, sub, dstMid); err != nil {
			t.Fatal(err)
		}
	}

	negotiate([]OfferStream{from(pubA, "0"), from(pubA, "1"), from(pubB, "0"), from(pubB, "1"), {Kind: "data"}})
	route(pubA, "0", "0")
	route(pubA, "1", "1")
	route(pubB, "0", "2")
	route(pubB, "1", "3")
	ev.waitFor(t, "subscriber webrtcup", 10*time.Second, func() bool { return ev.up[sub] == 1 })
	base := growing("first offer", nil, "0", "1", "2", "3")

	e.Unroute(pubA, "0", sub, "0")
	e.Unroute(pubA, "1", sub, "1")
	keepB := []OfferStream{{MID: "2", SourceHandle: pubB, SourceMID: "0"}, {MID: "3", SourceHandle: pubB, SourceMID: "1"}, {Kind: "data"}}
	negotiate(keepB)
	base = growing("after A left", base, "2", "3")

	negotiate(append(keepB, from(pubC, "0"), from(pubC, "1")))
	if got := mlineString(e.MLines(sub)); got != "0:0:audio:opus:on 1:1:video:vp8:on 2:2:audio:opus:on 3:3:video:vp8:on 4:4:data::on" {
		t.Fatalf("m-lines after C joined: %s", got)
	}
	route(pubC, "0", "0")
	route(pubC, "1", "1")
	growing("C on the reused m-lines", base, "0", "1", "2", "3")
}
