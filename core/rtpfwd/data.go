package rtpfwd

import (
	"net"
	"sync"
	"sync/atomic"
)

// DataForwarder sends data channel messages to a UDP destination, one
// datagram per message, as Janus' rtp_forward does with data_port. It is
// safe for concurrent use.
type DataForwarder struct {
	host   string
	dest   *net.UDPAddr
	mu     sync.Mutex
	s      *sender
	closed atomic.Bool
}

// NewData opens a data forwarder to host:port.
func NewData(host string, port int) (*DataForwarder, error) {
	conn, err := dial(host, port)
	if err != nil {
		return nil, err
	}
	s, err := newSender(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &DataForwarder{host: host, dest: conn.RemoteAddr().(*net.UDPAddr), s: s}, nil
}

// Send sends msg as one datagram. It does not keep msg and never waits; a
// failed send is counted and returned. Messages larger than a datagram can
// hold fail (EMSGSIZE).
func (d *DataForwarder) Send(msg []byte) error {
	if d.closed.Load() {
		return ErrClosed
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.s.send(msg)
}

// Close closes the socket. Later sends return ErrClosed.
func (d *DataForwarder) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.s.close()
}

// Stats returns the counters so far.
func (d *DataForwarder) Stats() Stats {
	return Stats{Packets: d.s.packets.Load(), Bytes: d.s.bytes.Load(), Errors: d.s.errs.Load()}
}

// Addr is the destination.
func (d *DataForwarder) Addr() *net.UDPAddr { return d.dest }

// Host is the destination host as configured.
func (d *DataForwarder) Host() string { return d.host }
