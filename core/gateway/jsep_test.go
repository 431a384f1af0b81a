package gateway

import (
	"encoding/json"
	"testing"

	"github.com/reprise-rtc/reprise/core/janus"
)

const minimalOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"

func TestParseJSEPErrorsMatchJanus(t *testing.T) {
	offer, _ := json.Marshal(minimalOffer)
	cases := []struct {
		in   string
		code int
	}{
		{`"x"`, janus.ErrInvalidJSONObject},
		{`{"sdp":"v=0"}`, janus.ErrMissingMandatoryElement},
		{`{"type":"bogus","sdp":"v=0"}`, janus.ErrJSEPUnknownType},
		{`{"type":"offer"}`, janus.ErrMissingMandatoryElement},
		{`{"type":"offer","sdp":"garbage"}`, janus.ErrJSEPInvalidSDP},
		{`{"type":"answer","sdp":"v=0\r\n"}`, janus.ErrJSEPInvalidSDP},
		{`{"type":"offer","sdp":` + string(offer) + `}`, 0},
	}
	for _, c := range cases {
		j, err := ParseJSEP(json.RawMessage(c.in))
		switch {
		case c.code == 0 && err != nil:
			t.Errorf("%s: unexpected error %v", c.in, err)
		case c.code == 0 && j.Type != "offer":
			t.Errorf("%s: type %q", c.in, j.Type)
		case c.code != 0 && (err == nil || err.Code != c.code):
			t.Errorf("%s: got %v, want code %d", c.in, err, c.code)
		}
	}
}

func TestStreamsOf(t *testing.T) {
	st, err := StreamsOf(minimalOffer)
	if err != nil || len(st) != 1 || st[0].MID != "0" || st[0].Kind != "audio" || st[0].Codec != "opus" {
		t.Fatalf("got %+v, %v", st, err)
	}
}

func FuzzParseJSEP(f *testing.F) {
	offer, _ := json.Marshal(minimalOffer)
	for _, s := range []string{`{"type":"offer","sdp":` + string(offer) + `}`, `{}`, `null`, `{"type":"answer","sdp":"v=0\r\nm=video 0 RTP/AVP 96\r\n"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := ParseJSEP(data)
		if err == nil {
			if j.Type != "offer" && j.Type != "answer" {
				t.Fatalf("accepted type %q", j.Type)
			}
			_, _ = StreamsOf(j.SDP)
		}
	})
}
