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

// TestChromiumSimulcast checks layer switching against a real encoder and
// decoder: Chromium publishes VP8 with the three encodings janus.js asks
// for (rid h, m, l), and a second PeerConnection in the same page
// subscribes through the engine. After each SelectLayer the subscriber's
// decoder must keep producing frames at the new layer's size, which it
// only does if the switch happened on a key frame and the picture IDs and
// sequence numbers stayed continuous.
func TestChromiumSimulcast(t *testing.T) {
	chromiumLayers(t, layeredPublish{
		pub: 51, sub: 52, codec: "vp8",
		addTrack: `pc.addTransceiver(stream.getVideoTracks()[0], {direction: 'sendonly', sendEncodings: [
			{rid: 'h', active: true, maxBitrate: 1500000},
			{rid: 'm', active: true, maxBitrate: 500000, scaleResolutionDownBy: 2},
			{rid: 'l', active: true, maxBitrate: 150000, scaleResolutionDownBy: 4},
		]});`,
		flowing: func(s *source) bool {
			return s.numLayers() == 3 && s.layers[0].packets.Load() > 50 && s.layers[1].packets.Load() > 50
		},
	})
}

// TestChromiumVP9SVC does the same with one VP9 stream of three spatial
// layers (janus.js svc: 'L3T3_KEY'): SelectLayer drops the spatial layers
// above the chosen one, fixing up the marker bit.
func TestChromiumVP9SVC(t *testing.T) {
	chromiumLayers(t, layeredPublish{
		pub: 53, sub: 54, codec: "vp9",
		addTrack: `const tr = pc.addTransceiver(stream.getVideoTracks()[0], {direction: 'sendonly',
			sendEncodings: [{scalabilityMode: 'L3T3_KEY'}]});
		tr.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter(c => c.mimeType === 'video/VP9'));`,
		flowing: func(s *source) bool { return s.family == familyVP9 && s.packets.Load() > 100 },
	})
}

// layeredPublish describes a Chromium publisher for chromiumLayers.
type layeredPublish struct {
	pub, sub uint64
	codec    string // answered codec
	// addTrack is JavaScript adding the camera track to pc (a
	// RTCPeerConnection) with the encodings under test.
	addTrack string
	// flowing reports that the engine receives what the test needs.
	flowing func(s *source) bool
}

// chromiumLayers publishes Chromium's camera (1280x720) as lp describes,
// subscribes a second PeerConnection of the same page through the engine
// and walks SelectLayer through the lowest, middle and lowest layer
// again, checking the decoder's frame size and that it keeps decoding.
func chromiumLayers(t *testing.T, lp layeredPublish) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	ev := newRecorder()
	e := newTestEngine(t, Config{}, ev)
	pub, sub := lp.pub, lp.sub

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
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<!doctype html><title>simulcast</title>"))
	}))
	defer page.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(page.URL)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	eval := func(js string) string {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		return string(out)
	}
	evalString := func(js string) string {
		t.Helper()
		var s string
		if err := json.Unmarshal([]byte(eval(js)), &s); err != nil {
			t.Fatalf("browser returned no string: %v", err)
		}
		return s
	}
	offer := evalString(`(async () => {
		window.gather = pc => new Promise(resolve => {
			if (pc.iceGatheringState === 'complete') return resolve();
			pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
			setTimeout(resolve, 3000);
		});
		const stream = await navigator.mediaDevices.getUserMedia({video: {width: 1280, height: 720}});
		const pc = new RTCPeerConnection();
		window.pub = pc;
		` + lp.addTrack + `
		await pc.setLocalDescription(await pc.createOffer());
		await gather(pc);
		return pc.localDescription.sdp;
	})()`)
	answer, err := e.AnswerOffer(pub, offer, AnswerOptions{VideoCodecs: []string{lp.codec}})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(answer)
	eval(`pub.setRemoteDescription({type: 'answer', sdp: ` + string(js) + `}).then(() => true)`)
	ev.waitFor(t, "video from chromium", 15*time.Second, func() bool { return ev.sawMedia(fmt.Sprintf("%d/0/video/true", pub)) })
	waitUntil(t, "layers flowing", 15*time.Second, func() bool {
		s := e.findSource(endpoint{pub, "0"})
		return s != nil && lp.flowing(s)
	})

	offer, err = e.MakeOffer(sub, []OfferStream{{SourceHandle: pub, SourceMID: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Route(pub, "0", sub, "0"); err != nil {
		t.Fatal(err)
	}
	e.SelectLayer(sub, "0", 0, -1)
	js, _ = json.Marshal(offer)
	subAnswer := evalString(`(async () => {
		const pc = new RTCPeerConnection();
		window.sub = pc;
		await pc.setRemoteDescription({type: 'offer', sdp: ` + string(js) + `});
		await pc.setLocalDescription(await pc.createAnswer());
		await gather(pc);
		return pc.localDescription.sdp;
	})()`)
	if err := e.ApplyAnswer(sub, subAnswer); err != nil {
		t.Fatal(err)
	}
	type inbound struct {
		Frames float64 `json:"frames"`
		Width  float64 `json:"width"`
	}
	stats := func() inbound {
		var in inbound
		raw := eval(`(async () => {
			const out = {frames: 0, width: 0};
			(await sub.getStats()).forEach(s => {
				if (s.type === 'inbound-rtp' && s.kind === 'video') {
					out.frames = s.framesDecoded || 0;
					out.width = s.frameWidth || 0;
				}
			});
			return out;
		})()`)
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			t.Fatalf("stats: %v", err)
		}
		return in
	}
	// waitLayer waits until the decoder runs at width, with frames still
	// being decoded after it got there.
	waitLayer := func(what string, width func(float64) bool) inbound {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		var at *inbound
		for {
			in := stats()
			if width(in.Width) {
				if at == nil {
					at = &in
				} else if in.Frames > at.Frames+10 {
					return in
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: decoder stats %+v; engine: %v", what, in, e.PeerInfo(sub)["media"])
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	low := waitLayer("lowest layer", func(w float64) bool { return w > 0 && w <= 400 })
	e.SelectLayer(sub, "0", 1, -1)
	mid := waitLayer("middle layer", func(w float64) bool { return w > 400 && w <= 700 })
	e.SelectLayer(sub, "0", 0, -1)
	back := waitLayer("back to the lowest", func(w float64) bool { return w > 0 && w <= 400 })
	if !(low.Frames < mid.Frames && mid.Frames < back.Frames) {
		t.Fatalf("frames decoded did not keep growing: %v %v %v", low, mid, back)
	}
	e.Hangup(sub, ReasonClosePC)
	e.Hangup(pub, ReasonClosePC)
}
