package rtpfwd

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// listen opens a UDP listener on the loopback address of network ("udp4"
// or "udp6"), skipping the test if that family is unavailable.
func listen(t *testing.T, network string) *net.UDPConn {
	t.Helper()
	ip := net.IPv4(127, 0, 0, 1)
	if network == "udp6" {
		ip = net.IPv6loopback
	}
	conn, err := net.ListenUDP(network, &net.UDPAddr{IP: ip})
	if err != nil {
		if network == "udp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// receive reads one datagram, failing after a second.
func receive(t *testing.T, conn *net.UDPConn) []byte {
	t.Helper()
	buf := make([]byte, 65536)
	conn.SetReadDeadline(time.Now().Add(time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return buf[:n]
}

func source(seq uint16) *rtp.Packet {
	return &rtp.Packet{
		Header: rtp.Header{
			Version: 2, Marker: seq%2 == 0, PayloadType: 111, SequenceNumber: seq,
			Timestamp: 960 * uint32(seq), SSRC: 0xdeadbeef,
		},
		Payload: []byte{0xfc, byte(seq), 0x01, 0x02, 0x03},
	}
}

func TestForwardRewritesSSRCAndPayloadType(t *testing.T) {
	for _, network := range []string{"udp4", "udp6"} {
		t.Run(network, func(t *testing.T) {
			l := listen(t, network)
			addr := l.LocalAddr().(*net.UDPAddr)
			f, err := New(Options{Host: addr.IP.String(), Port: addr.Port, SSRC: 0x01020304, PayloadType: 100, OverridePayloadType: true})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var sent int
			for seq := uint16(65534); seq != 2; seq++ { // across the wrap
				in := source(seq)
				if err := f.WriteRTP(in); err != nil {
					t.Fatal(err)
				}
				var got rtp.Packet
				wire := receive(t, l)
				sent += len(wire)
				if err := got.Unmarshal(wire); err != nil {
					t.Fatal(err)
				}
				if got.SSRC != 0x01020304 || got.PayloadType != 100 || got.SequenceNumber != seq ||
					got.Timestamp != in.Timestamp || got.Marker != in.Marker || !bytes.Equal(got.Payload, in.Payload) {
					t.Errorf("received %v, sent %v", &got, in)
				}
				if in.SSRC != 0xdeadbeef || in.PayloadType != 111 {
					t.Fatal("forwarding modified the caller's packet")
				}
			}
			if s := f.Stats(); s.Packets != 4 || s.Bytes != uint64(sent) || s.Errors != 0 {
				t.Errorf("stats %+v, want 4 packets, %d bytes", s, sent)
			}
			if info := f.Info(); info.SSRC != 0x01020304 || info.PayloadType != 100 || info.SRTP || info.Addr.Port != addr.Port {
				t.Errorf("info %+v", info)
			}
		})
	}
}

func TestForwardKeepsSourceSSRCWhenUnset(t *testing.T) {
	l := listen(t, "udp4")
	addr := l.LocalAddr().(*net.UDPAddr)
	f, err := New(Options{Host: "localhost", Port: addr.Port})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Header extensions and padding survive the re-marshal.
	in := source(7)
	if err := in.SetExtension(1, []byte{0xaa, 0xbb}); err != nil {
		t.Fatal(err)
	}
	in.Padding, in.PaddingSize = true, 4
	if err := f.WriteRTP(in); err != nil {
		t.Fatal(err)
	}
	var got rtp.Packet
	if err := got.Unmarshal(receive(t, l)); err != nil {
		t.Fatal(err)
	}
	if got.SSRC != 0xdeadbeef || got.PayloadType != 111 || !bytes.Equal(got.GetExtension(1), []byte{0xaa, 0xbb}) ||
		got.PaddingSize != 4 || !bytes.Equal(got.Payload, in.Payload) {
		t.Errorf("received %v, sent %v", &got, in)
	}
	if info := f.Info(); info.SSRC != 0 || info.PayloadType != -1 {
		t.Errorf("info %+v, want SSRC 0 and payload type -1 (kept)", info)
	}
}

func TestForwardSRTP(t *testing.T) {
	keySalt := make([]byte, srtpKeyLen+srtpSaltLen)
	for i := range keySalt {
		keySalt[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		suite   int
		profile srtp.ProtectionProfile
		tagLen  int
	}{
		{80, srtp.ProtectionProfileAes128CmHmacSha1_80, 10},
		{32, srtp.ProtectionProfileAes128CmHmacSha1_32, 4},
	} {
		l := listen(t, "udp4")
		addr := l.LocalAddr().(*net.UDPAddr)
		f, err := New(Options{Host: "127.0.0.1", Port: addr.Port, SSRC: 42,
			SRTPSuite: tc.suite, SRTPCrypto: base64.StdEncoding.EncodeToString(keySalt)})
		if err != nil {
			t.Fatal(err)
		}
		// The receiving side, as a Janus-compatible consumer would set it up.
		dec, err := srtp.CreateContext(keySalt[:srtpKeyLen], keySalt[srtpKeyLen:], tc.profile)
		if err != nil {
			t.Fatal(err)
		}
		for seq := uint16(100); seq < 105; seq++ {
			in := source(seq)
			if err := f.WriteRTP(in); err != nil {
				t.Fatal(err)
			}
			wire := receive(t, l)
			plainLen := in.MarshalSize()
			if len(wire) != plainLen+tc.tagLen {
				t.Errorf("suite %d: datagram of %d bytes, want %d + %d-byte tag", tc.suite, len(wire), plainLen, tc.tagLen)
			}
			if bytes.Contains(wire, in.Payload) {
				t.Errorf("suite %d: payload sent in the clear", tc.suite)
			}
			var hdr rtp.Header
			plain, err := dec.DecryptRTP(nil, wire, &hdr)
			if err != nil {
				t.Fatalf("suite %d: decrypt: %v", tc.suite, err)
			}
			var got rtp.Packet
			if err := got.Unmarshal(plain); err != nil {
				t.Fatal(err)
			}
			if got.SSRC != 42 || got.SequenceNumber != seq || !bytes.Equal(got.Payload, in.Payload) {
				t.Errorf("suite %d: decrypted %v, sent %v", tc.suite, &got, in)
			}
		}
		if !f.Info().SRTP {
			t.Error("Info does not report SRTP")
		}
		f.Close()
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(make([]byte, 30))
	for name, o := range map[string]Options{
		"no host":        {Port: 5000},
		"no port":        {Host: "127.0.0.1"},
		"port too large": {Host: "127.0.0.1", Port: 70000},
		"unknown suite":  {Host: "127.0.0.1", Port: 5000, SRTPSuite: 64, SRTPCrypto: good},
		"key missing":    {Host: "127.0.0.1", Port: 5000, SRTPSuite: 80},
		"not base64":     {Host: "127.0.0.1", Port: 5000, SRTPSuite: 80, SRTPCrypto: "%%%"},
		"short key":      {Host: "127.0.0.1", Port: 5000, SRTPSuite: 32, SRTPCrypto: base64.StdEncoding.EncodeToString(make([]byte, 16))},
		"key, no suite":  {Host: "127.0.0.1", Port: 5000, SRTPCrypto: good},
	} {
		if f, err := New(o); err == nil {
			f.Close()
			t.Errorf("%s: accepted", name)
		}
	}
	// Unpadded base64, as in some Janus examples, is accepted.
	unpadded := base64.RawStdEncoding.EncodeToString(make([]byte, 30))
	f, err := New(Options{Host: "127.0.0.1", Port: 5000, SRTPSuite: 80, SRTPCrypto: unpadded})
	if err != nil {
		t.Fatalf("unpadded key: %v", err)
	}
	f.Close()
}

func TestWriteAfterClose(t *testing.T) {
	l := listen(t, "udp4")
	f, err := New(Options{Host: "127.0.0.1", Port: l.LocalAddr().(*net.UDPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteRTP(source(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteRTP after Close: %v, want ErrClosed", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// An unreachable destination makes sends fail (ICMP port unreachable comes
// back on the connected socket); the failures are counted and WriteRTP
// keeps returning promptly.
func TestUnreachableDestinationCountsErrors(t *testing.T) {
	l := listen(t, "udp4")
	port := l.LocalAddr().(*net.UDPAddr).Port
	l.Close() // nobody listens on port any more
	f, err := New(Options{Host: "127.0.0.1", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	begin := time.Now()
	for seq := uint16(0); seq < 50; seq++ {
		f.WriteRTP(source(seq))
		time.Sleep(time.Millisecond) // let the ICMP error arrive
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("50 writes took %v", d)
	}
	if s := f.Stats(); s.Errors == 0 || s.Packets+s.Errors != 50 {
		t.Errorf("stats %+v, want errors counted and every packet accounted for", s)
	}
}

func TestDataForwarder(t *testing.T) {
	l := listen(t, "udp4")
	addr := l.LocalAddr().(*net.UDPAddr)
	d, err := NewData("127.0.0.1", addr.Port)
	if err != nil {
		t.Fatal(err)
	}
	msgs := [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte{0x5a}, 1400)}
	for _, m := range msgs {
		if err := d.Send(m); err != nil {
			t.Fatal(err)
		}
		if got := receive(t, l); !bytes.Equal(got, m) {
			t.Errorf("received %d bytes, sent %d", len(got), len(m))
		}
	}
	if s := d.Stats(); s.Packets != 3 || s.Bytes != 1405 || s.Errors != 0 {
		t.Errorf("stats %+v", s)
	}
	if d.Addr().Port != addr.Port || d.Host() != "127.0.0.1" {
		t.Errorf("destination %v %q", d.Addr(), d.Host())
	}
	if err := d.Send(make([]byte, 70000)); err == nil {
		t.Error("oversized message sent")
	}
	d.Close()
	if err := d.Send(msgs[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
}

// Forwarding plain RTP allocates nothing per packet. With SRTP, pion/srtp
// itself allocates while computing the HMAC-SHA1 tag (crypto/hmac's Sum, in
// generateSrtpAuthTag): up to two allocations per packet, none of them in
// this package; the bound keeps it from growing unnoticed.
func TestWriteRTPAllocations(t *testing.T) {
	l := listen(t, "udp4")
	addr := l.LocalAddr().(*net.UDPAddr)
	go drain(l)
	key := base64.StdEncoding.EncodeToString(make([]byte, 30))
	for _, tc := range []struct {
		opts Options
		max  float64
	}{
		{Options{Host: "127.0.0.1", Port: addr.Port, SSRC: 9}, 0},
		{Options{Host: "127.0.0.1", Port: addr.Port, SSRC: 9, SRTPSuite: 80, SRTPCrypto: key}, 2},
	} {
		f, err := New(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		pkt := source(1)
		pkt.Payload = make([]byte, 1100)
		f.WriteRTP(pkt) // first packet of the SSRC sets up SRTP state
		if n := testing.AllocsPerRun(500, func() {
			pkt.SequenceNumber++
			f.WriteRTP(pkt)
		}); n > tc.max {
			t.Errorf("SRTP=%v: %.1f allocations per packet, want at most %v", tc.opts.SRTPSuite != 0, n, tc.max)
		}
		f.Close()
	}
}

func drain(c *net.UDPConn) {
	buf := make([]byte, 65536)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

func BenchmarkWriteRTP(b *testing.B) {
	for _, tc := range []struct {
		name string
		srtp bool
	}{{"plain", false}, {"srtp80", true}} {
		b.Run(tc.name, func(b *testing.B) {
			l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			go drain(l)
			o := Options{Host: "127.0.0.1", Port: l.LocalAddr().(*net.UDPAddr).Port, SSRC: 9}
			if tc.srtp {
				o.SRTPSuite, o.SRTPCrypto = 80, base64.StdEncoding.EncodeToString(make([]byte, 30))
			}
			f, err := New(o)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			pkt := source(1)
			pkt.Payload = make([]byte, 1100)
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt.Payload)))
			for b.Loop() {
				pkt.SequenceNumber++
				f.WriteRTP(pkt)
			}
		})
	}
}

// Forwarder is a media-core sink. The interface is restated here rather
// than imported, so this package does not depend on core/media.
var _ interface {
	WriteRTP(*rtp.Packet) error
	Close() error
} = (*Forwarder)(nil)
