package media

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChromiumEcho checks the part a pion client cannot: a real browser
// connects to our 127.0.0.1-only candidates and gets its own audio and
// video back through an echo route.
func TestChromiumEcho(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	const h = 5
	for _, mid := range []string{"0", "1"} {
		if err := e.Route(h, mid, h, mid); err != nil {
			t.Fatal(err)
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()

	// getUserMedia needs a secure context; http://127.0.0.1 is one.
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<!doctype html><title>echo</title>"))
	}))
	defer page.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(page.URL)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	offer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
			const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
			const pc = new RTCPeerConnection();
			window.pc = pc;
			stream.getTracks().forEach(t => pc.addTrack(t, stream));
			await pc.setLocalDescription(await pc.createOffer());
			await new Promise(resolve => {
				if (pc.iceGatheringState === 'complete') return resolve();
				pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
				setTimeout(resolve, 3000);
			});
			return pc.localDescription.sdp;
		})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browser offer: %v", err)
	}
	answer, err := e.AnswerOffer(h, offer, AnswerOptions{SendBack: true})
	if err != nil {
		t.Fatal(err)
	}
	answerJSON, _ := json.Marshal(answer)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`pc.setRemoteDescription({type: 'answer', sdp: `+string(answerJSON)+`}).then(() => true)`,
		chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("browser answer: %v", err)
	}
	ev.waitFor(t, "webrtcup from chromium", 15*time.Second, func() bool { return ev.up[h] == 1 })
	ev.waitFor(t, "media from chromium", 10*time.Second, func() bool {
		return ev.sawMedia("5/0/audio/true") && ev.sawMedia("5/1/video/true")
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(async () => {
			const out = {};
			(await pc.getStats()).forEach(s => {
				if (s.type === 'inbound-rtp') out[s.kind] = s.packetsReceived;
				if (s.type === 'inbound-rtp' && s.kind === 'video') out.frames = s.framesDecoded || 0;
			});
			return out;
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if got["audio"] > 20 && got["video"] > 20 && got["frames"] > 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser did not get its media back: %v; our side: %v", got, e.PeerInfo(h)["media"])
		}
		time.Sleep(200 * time.Millisecond)
	}
	e.Hangup(h, ReasonClosePC)
}
