package media

import (
	"strings"

	"github.com/pion/webrtc/v4"
)

// codecFamily says how to read a video payload: which descriptor it
// carries and how a key frame looks.
type codecFamily uint8

const (
	familyOther codecFamily = iota
	familyVP8
	familyVP9
	familyH264
	familyAV1
)

func familyOf(mime string) codecFamily {
	switch {
	case strings.EqualFold(mime, webrtc.MimeTypeVP8):
		return familyVP8
	case strings.EqualFold(mime, webrtc.MimeTypeVP9):
		return familyVP9
	case strings.EqualFold(mime, webrtc.MimeTypeH264):
		return familyH264
	case strings.EqualFold(mime, webrtc.MimeTypeAV1):
		return familyAV1
	}
	return familyOther
}

// packetInfo is what the forwarding path needs to know about one received
// packet's payload. It is computed once per packet by the source and
// shared (read-only) by every destination.
type packetInfo struct {
	layer    int  // simulcast layer index the packet arrived on (0 = lowest)
	keyframe bool // first packet of a key frame
	// frameStart marks the first packet of a picture, where temporal layer
	// changes may take effect.
	frameStart bool
	vp8        vp8Desc
	vp9        vp9Desc
}

// inspect fills info for payload of the given codec family.
func (info *packetInfo) inspect(family codecFamily, payload []byte) {
	switch family {
	case familyVP8:
		info.vp8 = parseVP8(payload)
		info.keyframe = info.vp8.keyframe
		info.frameStart = info.vp8.start
	case familyVP9:
		info.vp9 = parseVP9(payload)
		info.keyframe = info.vp9.keyframe
		info.frameStart = info.vp9.start && (!info.vp9.hasLayers || info.vp9.sid == 0)
	case familyH264:
		info.keyframe = h264Keyframe(payload)
		info.frameStart = info.keyframe
	case familyAV1:
		// Aggregation header N bit: first packet of a new coded video
		// sequence, which starts with a key frame.
		info.keyframe = len(payload) > 0 && payload[0]&0x08 != 0
		info.frameStart = info.keyframe
	}
}

// h264Keyframe reports whether an H.264 payload (RFC 6184) starts an IDR
// picture or carries a sequence parameter set, which Chrome and Firefox
// send right before one. Single NAL units, STAP-A and the first fragment
// of an FU-A are inspected.
func h264Keyframe(b []byte) bool {
	if len(b) < 1 {
		return false
	}
	isKey := func(t byte) bool { return t == 5 || t == 7 }
	switch t := b[0] & 0x1f; {
	case t >= 1 && t <= 23:
		return isKey(t)
	case t == 24: // STAP-A: 16-bit size, then the NAL unit
		for i := 1; i+2 < len(b); {
			size := int(b[i])<<8 | int(b[i+1])
			i += 2
			if size == 0 || i+size > len(b) {
				return false
			}
			if isKey(b[i] & 0x1f) {
				return true
			}
			i += size
		}
	case t == 28: // FU-A: only the start fragment tells
		return len(b) > 1 && b[1]&0x80 != 0 && isKey(b[1]&0x1f)
	}
	return false
}
