package rtpfwd

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/pion/srtp/v3"
)

// Options describe an RTP forwarder's destination and rewriting.
type Options struct {
	// Host is the destination: an IPv4 or IPv6 address, or a name resolved
	// once by New.
	Host string
	Port int
	// SSRC replaces the source's SSRC in every packet (Janus' ssrc,
	// audio_ssrc, video_ssrc). Zero keeps the source's, as in Janus.
	SSRC uint32
	// PayloadType replaces the payload type when OverridePayloadType is
	// set (Janus' pt, audio_pt, video_pt).
	PayloadType         uint8
	OverridePayloadType bool
	// SRTPSuite is 0 for plain RTP, or Janus' srtp_suite: 80 for
	// AES_CM_128_HMAC_SHA1_80, 32 for AES_CM_128_HMAC_SHA1_32.
	SRTPSuite int
	// SRTPCrypto is Janus' srtp_crypto: the base64 of the 16-byte master key
	// followed by the 14-byte master salt.
	SRTPCrypto string
}

// srtpKeyLen and srtpSaltLen are the AES_CM_128 master key and salt sizes
// (RFC 3711 section 8.2).
const (
	srtpKeyLen  = 16
	srtpSaltLen = 14
)

// errSRTPConfig is wrapped by every SRTP configuration error.
var errSRTPConfig = errors.New("rtpfwd: bad SRTP configuration")

// srtpContext builds the encryption context the options ask for, or nil
// for plain RTP.
func (o Options) srtpContext() (*srtp.Context, error) {
	if o.SRTPSuite == 0 && o.SRTPCrypto == "" {
		return nil, nil
	}
	var profile srtp.ProtectionProfile
	switch o.SRTPSuite {
	case 80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case 32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, fmt.Errorf("%w: srtp_suite %d (want 32 or 80)", errSRTPConfig, o.SRTPSuite)
	}
	keySalt, err := base64.StdEncoding.DecodeString(o.SRTPCrypto)
	if err != nil {
		// Janus' own examples are sometimes unpadded.
		keySalt, err = base64.RawStdEncoding.DecodeString(o.SRTPCrypto)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: srtp_crypto is not base64: %w", errSRTPConfig, err)
	}
	if len(keySalt) != srtpKeyLen+srtpSaltLen {
		return nil, fmt.Errorf("%w: srtp_crypto holds %d bytes, want %d (key and salt)",
			errSRTPConfig, len(keySalt), srtpKeyLen+srtpSaltLen)
	}
	ctx, err := srtp.CreateContext(keySalt[:srtpKeyLen], keySalt[srtpKeyLen:], profile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSRTPConfig, err)
	}
	return ctx, nil
}

// dial opens a UDP socket connected to host:port. Connecting fixes the
// destination once, so each send needs no address.
func dial(host string, port int) (*net.UDPConn, error) {
	if host == "" || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("rtpfwd: bad destination %q port %d", host, port)
	}
	addr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("rtpfwd: resolve %s: %w", host, err)
	}
	conn, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		return nil, fmt.Errorf("rtpfwd: connect to %s: %w", addr, err)
	}
	return conn, nil
}
