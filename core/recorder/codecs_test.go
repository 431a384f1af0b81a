package recorder

import (
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// Each video codec end to end: join the stream after its first keyframe,
// lose one packet later on, and check that the file ffprobe reads starts
// on a keyframe, decodes without errors, and holds the expected frames.
func TestRecordVideoCodecs(t *testing.T) {
	cases := []struct {
		name    string
		codec   webrtc.RTPCodecParameters
		capture func(testing.TB) []*rtp.Packet
		// hasDuration: the container stores timestamps (IVF does, a raw
		// H.264 stream does not).
		hasDuration bool
	}{
		{"VP8", vp8Codec, vp8RTP, true},
		{"VP9", vp9Codec, func(t testing.TB) []*rtp.Packet {
			return captureRTP(t, append(videoInput(), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
				"-b:v", "300k", "-strict", "experimental")...)
		}, true},
		{"H264", h264Codec, func(t testing.TB) []*rtp.Packet {
			return captureRTP(t, append(videoInput(), "-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast",
				"-tune", "zerolatency", "-bf", "0", "-b:v", "300k")...)
		}, false},
		{"AV1", av1Codec, func(t testing.TB) []*rtp.Packet {
			return ivfToRTP(t, &codecs.AV1Payloader{}, append(videoInput(), "-c:v", "libsvtav1", "-preset", "12")...)
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pkts := tc.capture(t)
			c, _ := codecOf(tc.codec.MimeType)
			// Frame boundaries and keyframe starts, as the recorder sees them.
			var keyframes []int
			for i := range pkts {
				if (i == 0 || pkts[i-1].Marker) && isKeyframeStart(c, pkts, i) {
					keyframes = append(keyframes, i)
				}
			}
			if len(keyframes) < 3 || keyframes[0] != 0 {
				t.Fatalf("keyframes at packets %v; want the capture to start with one and hold at least 3", keyframes)
			}
			// Start one packet into the stream, so the first keyframe is
			// missed, and lose the first packet of the frame after the
			// second keyframe.
			lostAt := keyframes[1]
			for !pkts[lostAt].Marker {
				lostAt++
			}
			lostAt++
			var feed []*rtp.Packet
			for i := 1; i < len(pkts); i++ {
				if i != lostAt {
					feed = append(feed, pkts[i])
				}
			}
			tr := record(t, nil, Options{Dir: t.TempDir(), BaseName: "v", Codec: tc.codec, QueueLength: 4096}, feed)

			if !probeFirstFrameIsKey(t, tr.Path()) {
				t.Error("first frame is not a keyframe")
			}
			if msg := decodeErrors(t, tr.Path()); msg != "" {
				t.Errorf("decoding the file: %s", msg)
			}
			want := frameCount(pkts[keyframes[1]:lostAt]) + frameCount(pkts[keyframes[2]:])
			if got := len(probeFrames(t, tr.Path())); got != want {
				t.Errorf("file has %d frames, want %d", got, want)
			}
			if s := tr.Stats(); s.Frames != uint64(want) || s.Lost != 1 {
				t.Errorf("stats %+v, want %d frames and 1 lost packet", s, want)
			}
			if tc.hasDuration {
				sent := span(pkts[keyframes[1]:], 90000, time.Second/30)
				if got := probeDuration(t, tr.Path()); !closeTo(got, sent, probeTolerance) {
					t.Errorf("ffprobe duration %v, sent %v (tolerance %v)", got, sent, probeTolerance)
				}
			}
		})
	}
}

// isKeyframeStart reports whether the frame starting at pkts[i] is a
// keyframe, judged for H.264 by the whole access unit.
func isKeyframeStart(c codec, pkts []*rtp.Packet, i int) bool {
	if c != codecH264 {
		return frameStart(c, pkts[i].Payload)
	}
	for j := i; j < len(pkts) && pkts[j].Timestamp == pkts[i].Timestamp; j++ {
		if info, ok := scanH264(pkts[j].Payload); ok && info.idr {
			return true
		}
	}
	return false
}
