package media

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

const seedOffer = "v=0\r\n" +
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0 1\r\n" +
	"a=msid-semantic: WMS\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=rtcp:9 IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:abcd\r\n" +
	"a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=ice-options:trickle\r\n" +
	"a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=sendrecv\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:111 opus/48000/2\r\n" +
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=ssrc:1001 cname:x\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:abcd\r\n" +
	"a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:1\r\n" +
	"a=sendrecv\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:96 VP8/90000\r\n" +
	"a=rtcp-fb:96 nack pli\r\n" +
	"a=rtpmap:97 rtx/90000\r\n" +
	"a=fmtp:97 apt=96\r\n" +
	"a=ssrc-group:FID 2001 2002\r\n" +
	"a=ssrc:2001 cname:x\r\n" +
	"a=ssrc:2002 cname:x\r\n"

// TestSeedOfferIsAnswered keeps the fuzz seed honest: it must be a valid
// offer, so the fuzzer starts from the interesting side of the parser.
func TestSeedOfferIsAnswered(t *testing.T) {
	e := newTestEngine(t, Config{FullTrickle: true}, newRecorder())
	answer, err := e.AnswerOffer(1, seedOffer, AnswerOptions{SendBack: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "VP8/90000") || !strings.Contains(answer, "opus/48000") {
		t.Fatalf("answer lacks the offered codecs:\n%s", answer)
	}
	// A renegotiation with the same offer on the same handle must work too.
	if _, err := e.AnswerOffer(1, strings.Replace(seedOffer, "2 IN IP4", "3 IN IP4", 1), AnswerOptions{SendBack: true}); err != nil {
		t.Fatalf("renegotiation: %v", err)
	}
}

func sdpSeeds(f *testing.F) {
	f.Add(seedOffer)
	f.Add("")
	f.Add("v=0\r\n")
	f.Add(strings.Replace(seedOffer, "a=mid:1\r\n", "", 1))
	f.Add(strings.Replace(seedOffer, "96 97", "96 97 300", 1))
	f.Add(strings.Replace(seedOffer, "a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP8", 1))
	f.Add(strings.Replace(seedOffer, "a=fingerprint", "a=x", -1))
}

// FuzzAnswerOffer: whatever the offer, AnswerOffer returns an answer or an
// error, and never panics.
func FuzzAnswerOffer(f *testing.F) {
	sdpSeeds(f)
	e, err := NewEngine(Config{FullTrickle: true, ICEEnforceList: []string{"127.0.0.1"}}, nil, testLogger())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	var handle atomic.Uint64
	f.Fuzz(func(t *testing.T, offer string) {
		h := handle.Add(1)
		answer, err := e.AnswerOffer(h, offer, AnswerOptions{SendBack: true})
		if err == nil && answer == "" {
			t.Fatal("no error and no answer")
		}
		if err != nil && e.PeerInfo(h) != nil {
			t.Fatal("failed first offer left a peer behind")
		}
		e.Hangup(h, "fuzz")
	})
}

// FuzzApplyAnswer: an arbitrary answer to our offer is applied or
// rejected with an error, never a panic.
func FuzzApplyAnswer(f *testing.F) {
	sdpSeeds(f)
	f.Add(strings.Replace(seedOffer, "a=setup:actpass", "a=setup:active", -1))
	e, err := NewEngine(Config{FullTrickle: true, ICEEnforceList: []string{"127.0.0.1"}}, nil, testLogger())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	var handle atomic.Uint64
	f.Fuzz(func(t *testing.T, answer string) {
		h := handle.Add(1)
		if _, err := e.MakeOffer(h, []OfferStream{{Kind: "audio", MID: "0"}, {Kind: "video", MID: "1"}}); err != nil {
			t.Fatal(err)
		}
		err := e.ApplyAnswer(h, answer)
		if err != nil && !errors.Is(err, ErrBadSDP) {
			t.Fatalf("ApplyAnswer error %v does not wrap ErrBadSDP", err)
		}
		e.Hangup(h, "fuzz")
	})
}
