package rtpfwd

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// ErrClosed is returned by sending after Close.
var ErrClosed = errors.New("rtpfwd: forwarder closed")

// maxPacket bounds a forwarded packet: anything larger than a UDP payload
// can be is refused before marshalling.
const maxPacket = 65507

// srtpOverhead is the most SRTP adds to a packet: an 80-bit tag.
const srtpOverhead = 10

// Forwarder re-sends the RTP packets of one stream to a UDP destination. It
// satisfies the media core's Sink interface (WriteRTP, Close), and is safe
// for concurrent use.
type Forwarder struct {
	opts Options
	dest *net.UDPAddr

	mu     sync.Mutex // guards the buffers and the SRTP context
	s      *sender
	srtp   *srtp.Context
	buf    []byte     // marshalled packet
	enc    []byte     // SRTP-protected packet
	header rtp.Header // scratch for the SRTP context's header parse
	closed atomic.Bool
}

// New opens a forwarder to opts.Host:opts.Port.
func New(opts Options) (*Forwarder, error) {
	ctx, err := opts.srtpContext()
	if err != nil {
		return nil, err
	}
	conn, err := dial(opts.Host, opts.Port)
	if err != nil {
		return nil, err
	}
	s, err := newSender(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &Forwarder{
		opts: opts,
		dest: conn.RemoteAddr().(*net.UDPAddr),
		s:    s,
		srtp: ctx,
		buf:  make([]byte, 1500),
		enc:  make([]byte, 0, 1500+srtpOverhead),
	}, nil
}

// WriteRTP sends a rewritten copy of pkt. It does not keep pkt and never
// waits: a failed or refused send is counted in Stats.Errors and returned.
func (f *Forwarder) WriteRTP(pkt *rtp.Packet) error {
	if f.closed.Load() {
		return ErrClosed
	}
	f.mu.Lock()
	defer f.mu.Unlock()

	out := rtp.Packet{Header: pkt.Header, Payload: pkt.Payload, PaddingSize: pkt.PaddingSize}
	if f.opts.SSRC != 0 {
		out.SSRC = f.opts.SSRC
	}
	if f.opts.OverridePayloadType {
		out.PayloadType = f.opts.PayloadType
	}
	size := out.MarshalSize()
	if size > maxPacket {
		f.s.errs.Add(1)
		return fmt.Errorf("rtpfwd: packet of %d bytes too large for UDP", size)
	}
	if cap(f.buf) < size {
		f.buf = make([]byte, size)
	}
	n, err := out.MarshalTo(f.buf[:size])
	if err != nil {
		f.s.errs.Add(1)
		return fmt.Errorf("rtpfwd: marshal: %w", err)
	}
	wire := f.buf[:n]
	if f.srtp != nil {
		if cap(f.enc) < n+srtpOverhead {
			f.enc = make([]byte, 0, n+srtpOverhead)
		}
		if wire, err = f.srtp.EncryptRTP(f.enc[:0], wire, &f.header); err != nil {
			f.s.errs.Add(1)
			return fmt.Errorf("rtpfwd: srtp: %w", err)
		}
	}
	return f.s.send(wire)
}

// Close closes the socket. Later writes return ErrClosed.
func (f *Forwarder) Close() error {
	if f.closed.Swap(true) {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s.close()
}

// Stats are a forwarder's counters.
type Stats struct {
	Packets uint64 // datagrams sent
	Bytes   uint64 // bytes sent, RTP header (and SRTP tag) included
	Errors  uint64 // packets not sent: socket full, send error, unmarshallable
}

// Stats returns the counters so far.
func (f *Forwarder) Stats() Stats {
	return Stats{Packets: f.s.packets.Load(), Bytes: f.s.bytes.Load(), Errors: f.s.errs.Load()}
}

// Info describes a forwarder for listings such as Janus' listforwarders.
type Info struct {
	Host        string // as configured
	Addr        *net.UDPAddr
	SSRC        uint32 // 0: the source's SSRC is kept
	PayloadType int    // -1: the source's payload type is kept
	SRTP        bool
	SRTPSuite   int
}

// Info returns the forwarder's configuration.
func (f *Forwarder) Info() Info {
	pt := -1
	if f.opts.OverridePayloadType {
		pt = int(f.opts.PayloadType)
	}
	return Info{
		Host: f.opts.Host, Addr: f.dest, SSRC: f.opts.SSRC, PayloadType: pt,
		SRTP: f.srtp != nil, SRTPSuite: f.opts.SRTPSuite,
	}
}
