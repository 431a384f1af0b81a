//go:build !unix

package rtpfwd

// write sends b. Without raw socket writes, a full send buffer may make
// this wait; the gateway's supported platforms are unix.
func (s *sender) write(b []byte) error {
	_, err := s.conn.Write(b)
	return err
}

func (s *sender) sendOnce(uintptr) bool { return true }
