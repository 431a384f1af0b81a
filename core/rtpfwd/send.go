package rtpfwd

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
)

// errWouldBlock reports a datagram the socket could not take at once.
var errWouldBlock = errors.New("rtpfwd: socket send buffer full")

// sender writes datagrams to a connected UDP socket and counts them.
type sender struct {
	conn *net.UDPConn
	raw  syscall.RawConn

	// The datagram being sent and the outcome, for sendFn; kept in the
	// struct so that sending allocates no closure.
	out    []byte
	err    error
	sendFn func(fd uintptr) bool

	packets, bytes, errs atomic.Uint64
}

func newSender(conn *net.UDPConn) (*sender, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("rtpfwd: raw socket: %w", err)
	}
	s := &sender{conn: conn, raw: raw}
	s.sendFn = s.sendOnce
	return s, nil
}

// send writes b as one datagram and counts the outcome. Callers serialise
// calls.
func (s *sender) send(b []byte) error {
	if err := s.write(b); err != nil {
		s.errs.Add(1)
		return err
	}
	s.packets.Add(1)
	s.bytes.Add(uint64(len(b)))
	return nil
}

func (s *sender) close() error { return s.conn.Close() }
