//go:build unix

package rtpfwd

import (
	"fmt"
	"syscall"
)

// write sends b without ever waiting. net.UDPConn.Write parks the
// goroutine until the socket is writable when its send buffer is full; the
// media goroutine must not park, so the write goes through the raw socket
// and a full buffer is an error instead.
func (s *sender) write(b []byte) error {
	s.out = b
	err := s.raw.Write(s.sendFn)
	if err == nil {
		err = s.err
	}
	s.out, s.err = nil, nil
	return err
}

// sendOnce makes one write attempt; returning true tells the runtime not
// to wait for the socket to become writable.
func (s *sender) sendOnce(fd uintptr) bool {
	for {
		_, err := syscall.Write(int(fd), s.out)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			s.err = errWouldBlock
		case err != nil:
			// ECONNREFUSED and friends: an ICMP error for an earlier
			// datagram, reported on a connected socket. Counted, not fatal.
			s.err = fmt.Errorf("rtpfwd: send: %w", err)
		}
		return true
	}
}
