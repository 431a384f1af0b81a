package recorder

import (
	"testing"

	"github.com/pion/rtp/codecs"
)

func TestKeyframeDetectors(t *testing.T) {
	cases := []struct {
		name   string
		detect func([]byte) bool
		p      []byte
		want   bool
	}{
		{"vp8 key", vp8Keyframe, []byte{0x10, 0x00, 0x9d}, true},
		{"vp8 key, 15-bit picture id", vp8Keyframe, []byte{0x90, 0x80, 0x81, 0x23, 0x00}, true},
		{"vp8 key, all extensions", vp8Keyframe, []byte{0x90, 0xf0, 0x05, 0x01, 0x40, 0x00}, true},
		{"vp8 delta", vp8Keyframe, []byte{0x10, 0x01}, false},
		{"vp8 continuation", vp8Keyframe, []byte{0x00, 0x00}, false},
		{"vp8 second partition", vp8Keyframe, []byte{0x11, 0x00}, false},
		{"vp8 descriptor only", vp8Keyframe, []byte{0x90, 0x80, 0x81, 0x23}, false},
		{"vp8 empty", vp8Keyframe, nil, false},

		{"vp9 key", vp9Keyframe, []byte{0x08, 0x80}, true},
		{"vp9 key, picture id", vp9Keyframe, []byte{0x88, 0x80, 0x01, 0x80}, true},
		{"vp9 key, profile 3", vp9Keyframe, []byte{0x08, 0xb0}, true},
		{"vp9 inter frame bit in header", vp9Keyframe, []byte{0x08, 0x84}, false},
		{"vp9 show existing frame", vp9Keyframe, []byte{0x08, 0x88}, false},
		{"vp9 predicted", vp9Keyframe, []byte{0x48, 0x80}, false},
		{"vp9 not frame start", vp9Keyframe, []byte{0x00, 0x80}, false},
		{"vp9 bad frame marker", vp9Keyframe, []byte{0x08, 0x40}, false},
		{"vp9 truncated picture id", vp9Keyframe, []byte{0x88, 0x80}, false},

		{"h264 sps", h264Keyframe, []byte{0x67, 0x42, 0xc0, 0x1e}, true},
		{"h264 idr", h264Keyframe, []byte{0x65, 0x88, 0x84}, true},
		{"h264 non-idr slice", h264Keyframe, []byte{0x41, 0x9a}, false},
		{"h264 stap-a with sps", h264Keyframe, []byte{0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce}, true},
		{"h264 stap-a with sei then idr", h264Keyframe, []byte{0x78, 0, 2, 0x06, 0x05, 0, 2, 0x65, 0x88}, true},
		{"h264 stap-a truncated", h264Keyframe, []byte{0x78, 0, 5, 0x67, 0x42}, false},
		{"h264 fu-a idr start", h264Keyframe, []byte{0x7c, 0x85, 0x88}, true},
		{"h264 fu-a idr middle", h264Keyframe, []byte{0x7c, 0x05, 0x88}, false},
		{"h264 fu-a non-idr start", h264Keyframe, []byte{0x5c, 0x81, 0x9a}, false},
		{"h264 stap-b", h264Keyframe, []byte{0x79, 0, 0, 0, 2, 0x67, 0x42}, false},
		{"h264 forbidden bit", h264Keyframe, []byte{0xe7, 0x42}, false},

		{"av1 new sequence (N)", av1Keyframe, []byte{0x18, 0x30, 0x00}, true},
		{"av1 sequence header", av1Keyframe, []byte{0x10, 0x08, 0x00, 0x00}, true},
		{"av1 delimiter then sequence header", av1Keyframe, []byte{0x00, 0x01, 0x10, 0x02, 0x08, 0x00}, true},
		{"av1 frame", av1Keyframe, []byte{0x10, 0x30, 0x00}, false},
		{"av1 continuation (Z)", av1Keyframe, []byte{0x90, 0x08, 0x00}, false},
		{"av1 fragmented sequence header (Y)", av1Keyframe, []byte{0x50, 0x08, 0x00}, false},
		{"av1 length past end", av1Keyframe, []byte{0x00, 0x09, 0x08, 0x00}, false},
	}
	for _, c := range cases {
		if got := c.detect(c.p); got != c.want {
			t.Errorf("%s: % x -> %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestH264AccessUnitStart(t *testing.T) {
	cases := []struct {
		p    []byte
		want bool
	}{
		{[]byte{0x09, 0x10}, true},                    // AUD
		{[]byte{0x67, 0x42}, true},                    // SPS
		{[]byte{0x65, 0x88}, true},                    // IDR, first_mb_in_slice 0
		{[]byte{0x41, 0x9a}, true},                    // slice, first_mb_in_slice 0
		{[]byte{0x41, 0x40}, false},                   // slice, first_mb_in_slice 1
		{[]byte{0x7c, 0x85, 0x88}, true},              // FU-A start of an IDR's first slice
		{[]byte{0x7c, 0x05, 0x88}, false},             // FU-A middle
		{[]byte{0x78, 0, 2, 0x68, 0xce}, true},        // STAP-A starting with PPS
		{[]byte{0x78, 0, 2, 0x41, 0x40}, false},       // STAP-A starting with a later slice
		{[]byte{0x7c, 0x85}, false},                   // FU-A start with no slice data
		{[]byte{0x78, 0, 0, 0, 2, 0x67, 0x42}, false}, // STAP-A with an empty unit
	}
	for _, c := range cases {
		info, ok := scanH264(c.p)
		if got := ok && info.startsAccessUnit(); got != c.want {
			t.Errorf("% x: starts access unit = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestH264ParameterSetsFromSDP(t *testing.T) {
	// PPS listed first: the STAP-A must still begin with the SPS.
	stap := h264ParameterSets("profile-level-id=42e01f;sprop-parameter-sets=aM48gA==,Z0LAHtkDxWhAAAADAEAAAA8jxYuS;packetization-mode=1")
	info, ok := scanH264(stap)
	if !ok || info.first != naluSPS || !info.sps || !info.pps {
		t.Fatalf("STAP-A % x: %+v ok=%v, want SPS first and a PPS", stap, info, ok)
	}
	if h264ParameterSets("sprop-parameter-sets=aM48gA==") != nil {
		t.Error("parameter sets without an SPS accepted")
	}
	if h264ParameterSets("packetization-mode=1") != nil || h264ParameterSets("sprop-parameter-sets=!!!") != nil {
		t.Error("primer built from nothing")
	}
}

// FuzzKeyframeDetectors feeds arbitrary payloads to every detector: none
// may panic, and each positive answer must agree with what the matching
// frame check and pion's depacketizer make of the same packet.
func FuzzKeyframeDetectors(f *testing.F) {
	for _, seed := range [][]byte{
		{0x10, 0x00, 0x9d}, {0x90, 0xf0, 0x05, 0x01, 0x40, 0x00}, {0x88, 0x80, 0x01, 0x80},
		{0x0a, 0xf0, 0x30, 0x01, 0x40, 0x00, 0xf0, 0x00, 0x04, 0x80}, // VP9 with scalability structure
		{0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce}, {0x7c, 0x85, 0x88},
		{0x18, 0x30, 0x00}, {0x00, 0x01, 0x10, 0x02, 0x08, 0x00}, {0x20, 0x01, 0x10, 0x08, 0x00},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		frame := []*packet{{payload: p, marker: true}}
		if vp8Keyframe(p) {
			if fc := checkFrame(codecVP8, frame); !fc.valid || !fc.keyframe {
				t.Errorf("VP8 keyframe % x fails the frame check: %+v", p, fc)
			}
		}
		if vp9Keyframe(p) {
			var d codecs.VP9Packet
			if body, err := d.Unmarshal(p); err != nil || !d.B || d.P || len(body) == 0 {
				t.Errorf("VP9 keyframe % x: pion reads B=%v P=%v body=%d err=%v", p, d.B, d.P, len(body), err)
			}
		}
		if h264Keyframe(p) {
			if _, ok := scanH264(p); !ok {
				t.Errorf("H.264 keyframe % x is malformed", p)
			}
		}
		if av1Keyframe(p) {
			// The writer starts on a packet with N set or whose first OBU
			// out of the depacketizer is a sequence header.
			var d codecs.AV1Depacketizer
			out, err := d.Unmarshal(p)
			if err == nil && !d.N && (len(out) == 0 || (out[0]>>3)&0x0f != obuSequenceHeader) {
				t.Errorf("AV1 keyframe % x: depacketized to % x", p, out)
			}
		}
		for c := codecOpus; c <= codecH264; c++ {
			frameStart(c, p)
			checkFrame(c, frame)
		}
	})
}
