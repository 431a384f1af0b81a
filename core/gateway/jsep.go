package gateway

import (
	"encoding/json"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/reprise-rtc/reprise/core/janus"
)

// JSEP is a session description as clients send it.
type JSEP struct {
	Type    string `json:"type"`
	SDP     string `json:"sdp"`
	Trickle *bool  `json:"trickle,omitempty"`
}

// ParseJSEP validates a client's jsep the way the Janus core does before a
// plugin sees it, with Janus's error codes: 455 not an object, 456 missing
// type or sdp, 464 unknown type, 465 an SDP that does not parse or lacks
// the mandatory lines.
func ParseJSEP(raw json.RawMessage) (*JSEP, *janus.Error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, janus.Errorf(janus.ErrInvalidJSONObject, "Invalid jsep object")
	}
	var j JSEP
	if err := json.Unmarshal(fields["type"], &j.Type); err != nil || j.Type == "" {
		return nil, janus.Errorf(janus.ErrMissingMandatoryElement, "JSEP error: missing mandatory element (type)")
	}
	if j.Type != "offer" && j.Type != "answer" {
		return nil, janus.Errorf(janus.ErrJSEPUnknownType, "JSEP error: unknown message type '%s'", j.Type)
	}
	if err := json.Unmarshal(fields["sdp"], &j.SDP); err != nil || j.SDP == "" {
		return nil, janus.Errorf(janus.ErrMissingMandatoryElement, "JSEP error: missing mandatory element (sdp)")
	}
	if t, ok := fields["trickle"]; ok {
		var b bool
		if json.Unmarshal(t, &b) == nil {
			j.Trickle = &b
		}
	}
	if !strings.HasPrefix(j.SDP, "v=") {
		return nil, janus.Errorf(janus.ErrJSEPInvalidSDP, "Invalid SDP (doesn't start with v=)")
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(j.SDP); err != nil {
		return nil, janus.Errorf(janus.ErrJSEPInvalidSDP, "Invalid SDP (%v)", err)
	}
	if len(sd.MediaDescriptions) == 0 {
		return nil, janus.Errorf(janus.ErrJSEPInvalidSDP, "Missing mandatory lines (o=, s= or m=)")
	}
	return &j, nil
}

// Stream is one m-line of a negotiated SDP.
type Stream struct {
	MID    string
	Kind   string
	Codec  string
	MIndex int
	RIDs   []string
	Fmtp   string
}

// StreamsOf lists the m-lines of an SDP the core produced, with the first
// codec of each (the one the answer settles on).
func StreamsOf(s string) ([]Stream, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(s); err != nil {
		return nil, err
	}
	out := make([]Stream, 0, len(sd.MediaDescriptions))
	for i, md := range sd.MediaDescriptions {
		st := Stream{Kind: md.MediaName.Media, MIndex: i}
		if st.Kind == "application" {
			st.Kind = "data"
		}
		if mid, ok := md.Attribute("mid"); ok {
			st.MID = mid
		}
		if len(md.MediaName.Formats) > 0 && st.Kind != "data" {
			if c, err := sd.GetCodecForPayloadType(atoiPT(md.MediaName.Formats[0])); err == nil {
				st.Codec = strings.ToLower(c.Name)
				st.Fmtp = c.Fmtp
			}
		}
		for _, a := range md.Attributes {
			if a.Key == "rid" {
				if rid, _, _ := strings.Cut(a.Value, " "); rid != "" {
					st.RIDs = append(st.RIDs, rid)
				}
			}
		}
		if md.MediaName.Port.Value == 0 {
			continue // rejected m-line
		}
		out = append(out, st)
	}
	return out, nil
}

func atoiPT(s string) uint8 {
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
		if n > 255 {
			return 0
		}
	}
	return uint8(n)
}
