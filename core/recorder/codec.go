package recorder

import (
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"
)

// codec is a codec the recorder can write to a file.
type codec int

const (
	codecOpus codec = iota + 1
	codecVP8
	codecVP9
	codecAV1
	codecH264
)

// codecOf maps an RTP codec MIME type to the codec it names. MIME types are
// case-insensitive (RFC 6838), and SDP often spells them "VIDEO/vp8".
func codecOf(mime string) (codec, error) {
	switch {
	case strings.EqualFold(mime, webrtc.MimeTypeOpus):
		return codecOpus, nil
	case strings.EqualFold(mime, webrtc.MimeTypeVP8):
		return codecVP8, nil
	case strings.EqualFold(mime, webrtc.MimeTypeVP9):
		return codecVP9, nil
	case strings.EqualFold(mime, webrtc.MimeTypeAV1):
		return codecAV1, nil
	case strings.EqualFold(mime, webrtc.MimeTypeH264):
		return codecH264, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnsupportedCodec, mime)
}

// mime is the canonical MIME type, as stored in the catalogue and as pion's
// writers expect it.
func (c codec) mime() string {
	switch c {
	case codecOpus:
		return webrtc.MimeTypeOpus
	case codecVP8:
		return webrtc.MimeTypeVP8
	case codecVP9:
		return webrtc.MimeTypeVP9
	case codecAV1:
		return webrtc.MimeTypeAV1
	case codecH264:
		return webrtc.MimeTypeH264
	}
	return ""
}

func (c codec) isVideo() bool { return c != codecOpus }

// kind is the catalogue's kind column.
func (c codec) kind() string {
	if c.isVideo() {
		return "video"
	}
	return "audio"
}

// extension is the file name extension of the container c is written to.
func (c codec) extension() string {
	switch c {
	case codecOpus:
		return ".ogg"
	case codecH264:
		return ".h264"
	}
	return ".ivf"
}

// defaultClockRate is the RTP clock rate WebRTC mandates for c, used when
// the negotiated parameters leave it out.
func (c codec) defaultClockRate() uint32 {
	if c == codecOpus {
		return 48000
	}
	return 90000
}
