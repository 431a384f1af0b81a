package rtpfwd

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// FuzzSRTPOptions: srtp_suite and srtp_crypto come from API requests.
// Whatever they hold, building the context must not panic, and an
// accepted configuration must be one of the two suites with a 30-byte key.
func FuzzSRTPOptions(f *testing.F) {
	f.Add(80, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add(32, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd")
	f.Add(0, "")
	f.Add(80, "====")
	f.Fuzz(func(t *testing.T, suite int, crypto string) {
		ctx, err := Options{SRTPSuite: suite, SRTPCrypto: crypto}.srtpContext()
		if err == nil && ctx != nil && suite != 32 && suite != 80 {
			t.Errorf("suite %d accepted", suite)
		}
	})
}

// FuzzForwardRTP sends whatever a publisher's packet can parse as through a
// forwarder: the datagram that arrives must parse as the same packet with
// only the SSRC and payload type rewritten.
func FuzzForwardRTP(f *testing.F) {
	seed := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 2, SSRC: 3,
		CSRC: []uint32{4, 5}}, Payload: []byte{1, 2, 3}}
	seed.SetExtension(3, []byte{9, 9})
	b, _ := seed.Marshal()
	f.Add(b)
	f.Add([]byte{0x80, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3})
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		f.Fatal(err)
	}
	defer l.Close()
	fw, err := New(Options{Host: "127.0.0.1", Port: l.LocalAddr().(*net.UDPAddr).Port, SSRC: 77, PayloadType: 5, OverridePayloadType: true})
	if err != nil {
		f.Fatal(err)
	}
	defer fw.Close()
	buf := make([]byte, 65536)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in rtp.Packet
		if in.Unmarshal(data) != nil {
			return
		}
		if err := fw.WriteRTP(&in); err != nil {
			return // counted; oversized packets are refused
		}
		l.SetReadDeadline(time.Now().Add(time.Second))
		n, err := l.Read(buf)
		if err != nil {
			t.Fatalf("nothing arrived: %v", err)
		}
		var got rtp.Packet
		if err := got.Unmarshal(buf[:n]); err != nil {
			t.Fatalf("forwarded datagram does not parse: %v", err)
		}
		if got.SSRC != 77 || got.PayloadType != 5 || got.SequenceNumber != in.SequenceNumber ||
			got.Timestamp != in.Timestamp || got.Marker != in.Marker || !bytes.Equal(got.Payload, in.Payload) ||
			len(got.CSRC) != len(in.CSRC) || got.PaddingSize != in.PaddingSize {
			t.Fatalf("forwarded %v, sent %v", &got, &in)
		}
	})
}
