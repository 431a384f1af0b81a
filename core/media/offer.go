package media

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// offeredCodec is one payload type of a remote m-line.
type offeredCodec struct {
	pt        webrtc.PayloadType
	mime      string
	clockRate uint32
	channels  uint16
	fmtp      string
}

// offeredMedia is what we need from one remote audio/video m-line.
type offeredMedia struct {
	mid       string
	kind      webrtc.RTPCodecType
	direction webrtc.RTPTransceiverDirection // as the remote sees it
	codecs    []offeredCodec                 // in the remote's order
	rids      []string                       // simulcast encodings, best first
}

// parseRemoteSDP checks that a remote description is usable before pion
// sees it, so that garbage yields a clear ErrBadSDP rather than whatever
// state pion would be left in.
func parseRemoteSDP(raw string) (*sdp.SessionDescription, []offeredMedia, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil, fmt.Errorf("%w: empty", ErrBadSDP)
	}
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	if len(desc.MediaDescriptions) == 0 {
		return nil, nil, fmt.Errorf("%w: no m-lines", ErrBadSDP)
	}
	var media []offeredMedia
	for i, md := range desc.MediaDescriptions {
		mid, _ := md.Attribute(sdp.AttrKeyMID)
		if mid == "" {
			return nil, nil, fmt.Errorf("%w: m-line %d has no a=mid", ErrBadSDP, i)
		}
		kind := webrtc.NewRTPCodecType(md.MediaName.Media)
		if kind == 0 {
			continue // application (data channels) or unknown
		}
		simulcast, _ := md.Attribute("simulcast")
		var ridLines []string
		for _, a := range md.Attributes {
			if a.Key == "rid" {
				ridLines = append(ridLines, a.Value)
			}
		}
		media = append(media, offeredMedia{
			mid:       mid,
			kind:      kind,
			direction: directionOf(md),
			codecs:    codecsOf(md),
			rids:      simulcastRIDs(simulcast, ridLines),
		})
	}
	return &desc, media, nil
}

func directionOf(md *sdp.MediaDescription) webrtc.RTPTransceiverDirection {
	for _, a := range md.Attributes {
		switch a.Key {
		case "sendrecv":
			return webrtc.RTPTransceiverDirectionSendrecv
		case "sendonly":
			return webrtc.RTPTransceiverDirectionSendonly
		case "recvonly":
			return webrtc.RTPTransceiverDirectionRecvonly
		case "inactive":
			return webrtc.RTPTransceiverDirectionInactive
		}
	}
	return webrtc.RTPTransceiverDirectionSendrecv
}

func codecsOf(md *sdp.MediaDescription) []offeredCodec {
	byPT := map[string]*offeredCodec{}
	var order []*offeredCodec
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		c := &offeredCodec{pt: webrtc.PayloadType(pt)}
		byPT[f] = c
		order = append(order, c)
	}
	for _, a := range md.Attributes {
		ptStr, rest, ok := strings.Cut(a.Value, " ")
		if !ok {
			continue
		}
		c := byPT[ptStr]
		if c == nil {
			continue
		}
		switch a.Key {
		case "rtpmap":
			parts := strings.Split(strings.TrimSpace(rest), "/")
			c.mime = md.MediaName.Media + "/" + parts[0]
			if len(parts) > 1 {
				if v, err := strconv.ParseUint(parts[1], 10, 32); err == nil {
					c.clockRate = uint32(v)
				}
			}
			if len(parts) > 2 {
				if v, err := strconv.ParseUint(parts[2], 10, 16); err == nil {
					c.channels = uint16(v)
				}
			}
		case "fmtp":
			c.fmtp = strings.TrimSpace(rest)
		}
	}
	out := make([]offeredCodec, 0, len(order))
	for _, c := range order {
		if c.mime == "" {
			c.mime = staticMime(c.pt)
		}
		if c.mime != "" {
			out = append(out, *c)
		}
	}
	return out
}

// staticMime names the static payload types an offer may use without rtpmap.
func staticMime(pt webrtc.PayloadType) string {
	switch pt {
	case 0:
		return webrtc.MimeTypePCMU
	case 8:
		return webrtc.MimeTypePCMA
	case 9:
		return webrtc.MimeTypeG722
	}
	return ""
}

// chooseCodec picks the single codec we answer with on an m-line, as Janus
// does: the first of the allowed names (in their order) that the remote
// offers, or with no list the remote's first codec we support. The matching
// RTX payload type, if offered, comes along.
func chooseCodec(m offeredMedia, allowed []string) ([]webrtc.RTPCodecParameters, bool) {
	var chosen *offeredCodec
	usable := func(c offeredCodec) bool {
		return !strings.EqualFold(c.mime, webrtc.MimeTypeRTX) && weSupport(m.kind, c.mime)
	}
	if len(allowed) == 0 {
		for i := range m.codecs {
			if usable(m.codecs[i]) {
				chosen = &m.codecs[i]
				break
			}
		}
	} else {
	search:
		for _, name := range allowed {
			for i := range m.codecs {
				if usable(m.codecs[i]) && codecName(m.codecs[i].mime) == strings.ToLower(name) {
					chosen = &m.codecs[i]
					break search
				}
			}
		}
	}
	if chosen == nil {
		return nil, false
	}
	var fb []webrtc.RTCPFeedback
	if m.kind == webrtc.RTPCodecTypeVideo {
		fb = videoFeedback
	}
	prefs := []webrtc.RTPCodecParameters{{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: chosen.mime, ClockRate: chosen.clockRate, Channels: chosen.channels,
			SDPFmtpLine: chosen.fmtp, RTCPFeedback: fb,
		},
		PayloadType: chosen.pt,
	}}
	apt := "apt=" + strconv.Itoa(int(chosen.pt))
	for _, c := range m.codecs {
		if strings.EqualFold(c.mime, webrtc.MimeTypeRTX) && fmtpHas(c.fmtp, apt) {
			prefs = append(prefs, webrtc.RTPCodecParameters{
				RTPCodecCapability: webrtc.RTPCodecCapability{
					MimeType: webrtc.MimeTypeRTX, ClockRate: c.clockRate, SDPFmtpLine: apt,
				},
				PayloadType: c.pt,
			})
			break
		}
	}
	return prefs, true
}

func fmtpHas(fmtp, param string) bool {
	for _, p := range strings.Split(fmtp, ";") {
		if strings.TrimSpace(p) == param {
			return true
		}
	}
	return false
}
