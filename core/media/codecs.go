package media

import (
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"
)

// codecSpec is one codec the engine negotiates. Payload types are our
// defaults for offers we make; in answers the offerer's numbers are kept.
type codecSpec struct {
	name      string // short name used by callers: "opus", "vp8", "h264" ...
	kind      webrtc.RTPCodecType
	mime      string
	clockRate uint32
	channels  uint16
	fmtp      string
	pt        webrtc.PayloadType
	rtxPT     webrtc.PayloadType // 0 = no RTX
}

// Feedback is completed by the interceptor configuration (nack, nack pli,
// transport-cc); these are the ones only the codec registration can add.
var videoFeedback = []webrtc.RTCPFeedback{
	{Type: webrtc.TypeRTCPFBGoogREMB},
	{Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"},
	{Type: webrtc.TypeRTCPFBNACK},
	{Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"},
}

// supportedCodecs lists codecs in our default preference order per kind.
var supportedCodecs = []codecSpec{
	{name: "opus", kind: webrtc.RTPCodecTypeAudio, mime: webrtc.MimeTypeOpus, clockRate: 48000, channels: 2,
		fmtp: "minptime=10;useinbandfec=1", pt: 111},
	{name: "g722", kind: webrtc.RTPCodecTypeAudio, mime: webrtc.MimeTypeG722, clockRate: 8000, pt: 9},
	{name: "pcmu", kind: webrtc.RTPCodecTypeAudio, mime: webrtc.MimeTypePCMU, clockRate: 8000, pt: 0},
	{name: "pcma", kind: webrtc.RTPCodecTypeAudio, mime: webrtc.MimeTypePCMA, clockRate: 8000, pt: 8},

	{name: "vp8", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeVP8, clockRate: 90000, pt: 96, rtxPT: 97},
	{name: "vp9", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeVP9, clockRate: 90000,
		fmtp: "profile-id=0", pt: 98, rtxPT: 99},
	{name: "vp9", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeVP9, clockRate: 90000,
		fmtp: "profile-id=2", pt: 100, rtxPT: 101},
	{name: "h264", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeH264, clockRate: 90000,
		fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", pt: 106, rtxPT: 107},
	{name: "h264", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeH264, clockRate: 90000,
		fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", pt: 102, rtxPT: 103},
	{name: "h264", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeH264, clockRate: 90000,
		fmtp: "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f", pt: 108, rtxPT: 109},
	{name: "h264", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeH264, clockRate: 90000,
		fmtp: "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f", pt: 104, rtxPT: 105},
	{name: "h264", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeH264, clockRate: 90000,
		fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f", pt: 127, rtxPT: 125},
	{name: "h264", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeH264, clockRate: 90000,
		fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f", pt: 112, rtxPT: 113},
	{name: "av1", kind: webrtc.RTPCodecTypeVideo, mime: webrtc.MimeTypeAV1, clockRate: 90000, pt: 45, rtxPT: 46},
}

func (c codecSpec) params() webrtc.RTPCodecParameters {
	var fb []webrtc.RTCPFeedback
	if c.kind == webrtc.RTPCodecTypeVideo {
		fb = videoFeedback
	}
	return webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: c.mime, ClockRate: c.clockRate, Channels: c.channels,
			SDPFmtpLine: c.fmtp, RTCPFeedback: fb,
		},
		PayloadType: c.pt,
	}
}

func (c codecSpec) rtxParams() webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeRTX, ClockRate: c.clockRate,
			SDPFmtpLine: fmt.Sprintf("apt=%d", c.pt),
		},
		PayloadType: c.rtxPT,
	}
}

// codecName maps a MIME type ("video/VP8") to the short name ("vp8").
func codecName(mime string) string {
	_, sub, ok := strings.Cut(mime, "/")
	if !ok {
		return strings.ToLower(mime)
	}
	return strings.ToLower(sub)
}

// findCodecSpec returns our first codec with that short name and kind.
func findCodecSpec(kind webrtc.RTPCodecType, name string) (codecSpec, bool) {
	name = strings.ToLower(name)
	for _, c := range supportedCodecs {
		if c.kind == kind && c.name == name {
			return c, true
		}
	}
	return codecSpec{}, false
}

// weSupport reports whether we registered a codec of this kind and MIME.
func weSupport(kind webrtc.RTPCodecType, mime string) bool {
	_, ok := findCodecSpec(kind, codecName(mime))
	return ok
}

// parseKind maps "audio"/"video" to the pion codec type.
func parseKind(kind string) (webrtc.RTPCodecType, error) {
	switch strings.ToLower(kind) {
	case "audio":
		return webrtc.RTPCodecTypeAudio, nil
	case "video":
		return webrtc.RTPCodecTypeVideo, nil
	}
	return 0, fmt.Errorf("unknown media kind %q", kind)
}

// offerCodec resolves the codec offered for a stream: our codec of that
// name whose fmtp is compatible with fmtp (so the payload type is the one
// registered for it), offered with fmtp itself when given. name "" takes
// our default for the kind.
func offerCodec(kind webrtc.RTPCodecType, name, fmtp string) (codecSpec, error) {
	if name == "" {
		spec, ok := defaultCodec(kind)
		if !ok {
			return codecSpec{}, fmt.Errorf("no codec for %s", kind)
		}
		return spec, nil
	}
	name = strings.ToLower(name)
	var first *codecSpec
	for i := range supportedCodecs {
		c := supportedCodecs[i]
		if c.kind != kind || c.name != name {
			continue
		}
		if first == nil {
			first = &supportedCodecs[i]
		}
		if fmtp == "" {
			return c, nil
		}
		if fmtpCompatible(c.mime, c.fmtp, fmtp) {
			c.fmtp = fmtp
			return c, nil
		}
	}
	if first == nil {
		return codecSpec{}, fmt.Errorf("unsupported %s codec %q", kind, name)
	}
	// No registered variant matches (an unusual H.264 profile): offer the
	// first one; the subscriber can decode it only if the publisher's
	// stream is compatible, as with Janus.
	return *first, nil
}

func defaultCodec(kind webrtc.RTPCodecType) (codecSpec, bool) {
	for _, c := range supportedCodecs {
		if c.kind == kind {
			return c, true
		}
	}
	return codecSpec{}, false
}

// fmtpCompatible reports whether two fmtp lines describe the same
// bitstream format: for H.264 the profile (profile_idc and constraint
// flags of profile-level-id; the level may differ) and packetization-mode,
// for VP9 profile-id. Other codecs' parameters do not change what a
// decoder must handle.
func fmtpCompatible(mime, a, b string) bool {
	switch {
	case strings.EqualFold(mime, webrtc.MimeTypeH264):
		pa, pb := fmtpParam(a, "profile-level-id"), fmtpParam(b, "profile-level-id")
		if pa == "" {
			pa = "42001f" // RFC 6184 default: constrained baseline
		}
		if pb == "" {
			pb = "42001f"
		}
		if len(pa) < 4 || len(pb) < 4 || !strings.EqualFold(pa[:4], pb[:4]) {
			return false
		}
		ma, mb := fmtpParam(a, "packetization-mode"), fmtpParam(b, "packetization-mode")
		if ma == "" {
			ma = "0"
		}
		if mb == "" {
			mb = "0"
		}
		return ma == mb
	case strings.EqualFold(mime, webrtc.MimeTypeVP9):
		pa, pb := fmtpParam(a, "profile-id"), fmtpParam(b, "profile-id")
		if pa == "" {
			pa = "0"
		}
		if pb == "" {
			pb = "0"
		}
		return pa == pb
	}
	return true
}

// fmtpParam returns the value of key in an fmtp line ("" when absent).
func fmtpParam(fmtp, key string) string {
	for _, kv := range strings.Split(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
