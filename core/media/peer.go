package media

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"
)

// maxPendingCandidates bounds the remote candidates queued before the
// remote description arrives, so a misbehaving client cannot grow it.
const maxPendingCandidates = 128

// peerConn is one handle's PeerConnection with its streams.
type peerConn struct {
	id  uint64
	pc  *webrtc.PeerConnection
	log *slog.Logger

	// sdpMu serialises negotiation steps on this peer.
	sdpMu sync.Mutex

	mu        sync.Mutex
	sources   map[string]*source    // incoming streams by mid
	downs     map[string]*downTrack // outgoing streams by mid
	channels  map[string]*webrtc.DataChannel
	rids      map[string][]string // simulcast rids per remote m-line, best first
	pending   []webrtc.ICECandidateInit
	remoteSet bool

	up      atomic.Bool // webrtcup reported
	ended   atomic.Bool // hangup reported
	bitrate atomic.Uint32
}

func newPeer(id uint64, pc *webrtc.PeerConnection, log *slog.Logger) *peerConn {
	return &peerConn{
		id:       id,
		pc:       pc,
		log:      log,
		sources:  map[string]*source{},
		downs:    map[string]*downTrack{},
		channels: map[string]*webrtc.DataChannel{},
		rids:     map[string][]string{},
	}
}

func (p *peerConn) source(mid string) *source {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sources[mid]
}

func (p *peerConn) down(mid string) *downTrack {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.downs[mid]
}

func (p *peerConn) sourceList(buf []*source) []*source {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.sources {
		buf = append(buf, s)
	}
	return buf
}

func (p *peerConn) downList(buf []*downTrack) []*downTrack {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.downs {
		buf = append(buf, d)
	}
	return buf
}

// addCandidate applies a remote candidate, or queues it until the remote
// description is set (trickle may overtake the offer).
func (p *peerConn) addCandidate(c webrtc.ICECandidateInit) error {
	p.mu.Lock()
	if !p.remoteSet {
		if len(p.pending) < maxPendingCandidates {
			p.pending = append(p.pending, c)
		}
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	return p.pc.AddICECandidate(c)
}

// remoteApplied flushes the queued candidates once a remote description
// is in place.
func (p *peerConn) remoteApplied(extra []webrtc.ICECandidateInit) {
	p.mu.Lock()
	p.remoteSet = true
	pending := append(p.pending, extra...)
	p.pending = nil
	p.mu.Unlock()
	for _, c := range pending {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Debug("queued remote candidate rejected", "candidate", c.Candidate, "err", err)
		}
	}
}
