package media

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// Config configures an Engine. The zero value is usable: all interfaces,
// any UDP port, half trickle, 1 s no-media timer, slowlink disabled.
type Config struct {
	// ICEEnforceList restricts host candidates to these interface names
	// (prefix match, like Janus's ice_enforce_list) or IP addresses / CIDR
	// prefixes. Empty means every non-loopback interface. Loopback addresses
	// are gathered only when the list names them explicitly.
	ICEEnforceList []string
	// NAT1To1IPs replaces the address of host candidates with these public
	// addresses (Janus's nat_1_1_mapping).
	NAT1To1IPs []string
	// ICEServers are STUN/TURN servers used for gathering.
	ICEServers []webrtc.ICEServer
	// UDPPortMin and UDPPortMax bound the ephemeral UDP ports (0 = any).
	UDPPortMin, UDPPortMax uint16
	// UDPPort, when > 0, multiplexes every PeerConnection on this one UDP
	// port; UDPPortMin/UDPPortMax are then ignored.
	UDPPort int
	// FullTrickle false makes AnswerOffer and MakeOffer wait (at most
	// GatherTimeout) for candidate gathering so the SDP carries the
	// candidates, as Janus does by default. True returns at once and reports
	// candidates through Events.LocalCandidate.
	FullTrickle bool
	// GatherTimeout bounds the half-trickle wait; 0 means 3 s.
	GatherTimeout time.Duration
	// NoMediaTimeout is how long a stream may go without packets before a
	// "receiving: false" media event. 0 means 1 s; negative disables it.
	NoMediaTimeout time.Duration
	// SlowlinkThreshold is the number of lost (or NACKed) packets per second
	// that triggers a slowlink event. 0 disables slowlink, which is also
	// Janus's default (slowlink_threshold).
	SlowlinkThreshold int
}

const (
	defaultGatherTimeout  = 3 * time.Second
	defaultNoMediaTimeout = time.Second
)

func (c Config) gatherTimeout() time.Duration {
	if c.GatherTimeout > 0 {
		return c.GatherTimeout
	}
	return defaultGatherTimeout
}

// noMediaTimeout returns the effective timeout, 0 when disabled.
func (c Config) noMediaTimeout() time.Duration {
	switch {
	case c.NoMediaTimeout < 0:
		return 0
	case c.NoMediaTimeout == 0:
		return defaultNoMediaTimeout
	default:
		return c.NoMediaTimeout
	}
}
