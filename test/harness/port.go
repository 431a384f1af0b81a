package harness

import (
	"fmt"
	"net"
)

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on right now.
// Another process may still take it before the caller binds it; on a test
// machine that window is small enough. It panics if the loopback interface
// cannot be bound at all, since no test could run then.
func FreePort() int {
	ports, err := freePorts(1)
	if err != nil {
		panic(err)
	}
	return ports[0]
}

// freePorts returns n distinct free ports. All listeners stay open until every
// port is chosen, so the kernel cannot hand out the same port twice.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("harness: pick a free port on 127.0.0.1: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
