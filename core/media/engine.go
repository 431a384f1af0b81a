package media

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Engine owns every PeerConnection of the gateway, keyed by handle ID, and
// the routes between their streams.
type Engine struct {
	cfg      Config
	ev       Events
	log      *slog.Logger
	api      *webrtc.API
	closeMux func() error
	epoch    time.Time

	// mu guards the registry only; per-peer state has its own lock.
	mu      sync.RWMutex
	peers   map[uint64]*peerConn
	early   map[uint64][]webrtc.ICECandidateInit // candidates before any SDP
	opts    map[endpoint]sourceOptions           // per-stream settings (sourceopts.go)
	closed  bool
	router  *router
	data    *dataRouter
	virtual map[endpoint]*VirtualSource // sources without a peer (virtual.go)
	stop    chan struct{}
	stopped sync.WaitGroup
}

// AnswerOptions controls how AnswerOffer answers.
type AnswerOptions struct {
	// SendBack answers sendrecv with one local track per received
	// audio/video m-line, on the same codec (echo). False answers recvonly.
	SendBack bool
	// AudioCodecs and VideoCodecs restrict and order the accepted codecs by
	// short name; empty accepts any we support, in the offerer's order.
	AudioCodecs []string
	VideoCodecs []string
}

// NewEngine builds the pion API from cfg and starts the media monitor.
func NewEngine(cfg Config, ev Events, log *slog.Logger) (*Engine, error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "media")
	api, closeMux, err := newAPI(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("media engine: %w", err)
	}
	e := &Engine{
		cfg:      cfg,
		ev:       ev,
		log:      log,
		api:      api,
		closeMux: closeMux,
		epoch:    time.Now(),
		peers:    map[uint64]*peerConn{},
		early:    map[uint64][]webrtc.ICECandidateInit{},
		opts:     map[endpoint]sourceOptions{},
		stop:     make(chan struct{}),
	}
	e.router = newRouter(e.findSource, e.findDown)
	e.data = newDataRouter()
	e.stopped.Add(1)
	go e.monitor()
	return e, nil
}

// now is the engine's monotonic clock in nanoseconds.
func (e *Engine) now() int64 { return int64(time.Since(e.epoch)) }

// Close hangs up every peer and releases the engine's sockets.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	peers := make([]*peerConn, 0, len(e.peers))
	for _, p := range e.peers {
		peers = append(peers, p)
	}
	e.mu.Unlock()
	close(e.stop)
	e.stopped.Wait()
	var errs []error
	for _, p := range peers {
		if err := e.endPeer(p, ReasonShutdown); err != nil {
			errs = append(errs, err)
		}
	}
	e.router.closeAll()
	if err := e.closeMux(); err != nil {
		errs = append(errs, fmt.Errorf("close udp mux: %w", err))
	}
	return errors.Join(errs...)
}

func (e *Engine) peer(handleID uint64) *peerConn {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.peers[handleID]
}

func (e *Engine) findSource(ep endpoint) *source {
	if p := e.peer(ep.handle); p != nil {
		return p.source(ep.mid)
	}
	return e.virtualSource(ep)
}

func (e *Engine) findDown(ep endpoint) *downTrack {
	if p := e.peer(ep.handle); p != nil {
		return p.down(ep.mid)
	}
	return nil
}

// peerFor returns the handle's peer, creating its PeerConnection if needed.
func (e *Engine) peerFor(handleID uint64) (p *peerConn, created bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, false, ErrClosed
	}
	if p := e.peers[handleID]; p != nil {
		return p, false, nil
	}
	pc, err := e.api.NewPeerConnection(webrtc.Configuration{
		ICEServers:   e.cfg.ICEServers,
		BundlePolicy: webrtc.BundlePolicyMaxBundle,
	})
	if err != nil {
		return nil, false, fmt.Errorf("new PeerConnection: %w", err)
	}
	p = newPeer(handleID, pc, e.log.With("handle", handleID))
	p.pending = e.early[handleID]
	delete(e.early, handleID)
	e.installCallbacks(p)
	e.peers[handleID] = p
	return p, true, nil
}

// discardPeer removes a peer whose first negotiation failed. It never got
// near a connection, so no hangup is reported.
func (e *Engine) discardPeer(p *peerConn) {
	e.mu.Lock()
	if e.peers[p.id] == p {
		delete(e.peers, p.id)
	}
	e.mu.Unlock()
	p.ended.Store(true)
	_ = p.pc.Close()
}

func (e *Engine) installCallbacks(p *peerConn) {
	p.pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		p.log.Debug("connection state", "state", st.String())
		switch st {
		case webrtc.PeerConnectionStateConnected:
			if p.up.CompareAndSwap(false, true) && e.ev != nil {
				e.ev.WebRTCUp(p.id)
			}
		case webrtc.PeerConnectionStateFailed:
			reason := ReasonDTLSFailed
			if p.pc.ICEConnectionState() == webrtc.ICEConnectionStateFailed {
				reason = ReasonICEFailed
			}
			go func() { _ = e.endPeer(p, reason) }()
		case webrtc.PeerConnectionStateClosed:
			// Closed without us asking: the remote sent a DTLS close_notify.
			go func() { _ = e.endPeer(p, ReasonDTLSAlert) }()
		}
	})
	p.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if !e.cfg.FullTrickle || e.ev == nil || p.ended.Load() {
			return
		}
		if c == nil {
			e.ev.LocalCandidate(p.id, nil)
			return
		}
		init := c.ToJSON()
		e.ev.LocalCandidate(p.id, &init)
	})
	p.pc.OnTrack(func(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
		e.addSource(p, track, receiver)
	})
	p.pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		e.addDataChannel(p, dc)
	})
}

// addSource registers an incoming track under its mid and starts reading
// it. The tracks of a simulcast m-line (one per rid) become the layers of
// one source.
func (e *Engine) addSource(p *peerConn, track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	mid := ""
	for _, tr := range p.pc.GetTransceivers() {
		if tr.Receiver() == receiver {
			mid = tr.Mid()
			break
		}
	}
	if mid == "" {
		p.log.Warn("incoming track without mid ignored", "ssrc", uint32(track.SSRC()))
		return
	}
	ep := endpoint{handle: p.id, mid: mid}
	p.mu.Lock()
	s := p.sources[mid]
	created := false
	if s == nil || s.receiver != receiver || (!s.simulcast() && track.RID() == "") {
		if s != nil {
			s.fan.Store(nil) // replaced: its goroutines must not feed anyone
		}
		s = e.newSource(p, mid, track, receiver, p.rids[mid])
		p.sources[mid] = s
		created = true
	}
	li := s.layerFor(track.RID())
	if li < 0 || !s.layers[li].track.CompareAndSwap(nil, track) {
		p.mu.Unlock()
		p.log.Debug("unexpected track ignored", "mid", mid, "rid", track.RID(), "ssrc", uint32(track.SSRC()))
		return
	}
	s.layers[li].ssrc.Store(uint32(track.SSRC()))
	s.running.Add(1)
	p.mu.Unlock()
	p.log.Debug("incoming track", "mid", mid, "kind", s.kindName(), "codec", track.Codec().MimeType,
		"rid", track.RID(), "layer", li, "ssrc", uint32(track.SSRC()))
	if created {
		e.optionsFor(ep).applyTo(s)
		e.router.sourceChanged(ep)
	}
	go func() {
		s.run(li, track)
		if s.running.Add(-1) > 0 {
			return // other layers still flowing
		}
		p.mu.Lock()
		if p.sources[mid] == s {
			delete(p.sources, mid)
		}
		p.mu.Unlock()
		e.router.sourceEnded(ep, s)
	}()
}

// newSource builds the source for the first track of an m-line. rids are
// the simulcast encodings the remote announced, best first.
func (e *Engine) newSource(p *peerConn, mid string, track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver, rids []string) *source {
	params := receiver.GetParameters()
	s := &source{
		handleID: p.id,
		mid:      mid,
		kind:     track.Kind(),
		family:   familyOf(track.Codec().MimeType),
		receiver: receiver,
		codec:    track.Codec(),
		codecs:   params.Codecs,
		exts:     params.HeaderExtensions,
		sendRTCP: p.pc.WriteRTCP,
		clock:    e.now,
		events:   e.ev,
		nLayers:  1,
	}
	s.sinkLayer.Store(-1)
	if te, ok := e.ev.(TalkEvents); ok {
		s.talkEv = te
	}
	if s.kind == webrtc.RTPCodecTypeAudio {
		s.audioLevelID = uint8(extID(s.exts, sdp.AudioLevelURI))
	}
	if track.RID() != "" && len(rids) > 0 {
		// Layers by quality: the first rid listed is the best.
		s.nLayers = len(rids)
		for i, rid := range rids {
			s.layers[len(rids)-1-i].rid = rid
		}
	} else {
		s.layers[0].rid = track.RID()
	}
	return s
}

// endPeer reports the hangup (once) and closes the PeerConnection; routes
// to and from the handle are removed.
func (e *Engine) endPeer(p *peerConn, reason string) error {
	if !p.ended.CompareAndSwap(false, true) {
		return nil
	}
	e.mu.Lock()
	if e.peers[p.id] == p {
		delete(e.peers, p.id)
	}
	e.mu.Unlock()
	e.router.dropHandle(p.id)
	e.data.dropHandle(p.id)
	e.dropOptions(p.id)
	p.log.Info("hangup", "reason", reason)
	if e.ev != nil {
		e.ev.Hangup(p.id, reason)
	}
	if err := p.pc.Close(); err != nil {
		return fmt.Errorf("close PeerConnection of handle %d: %w", p.id, err)
	}
	return nil
}

// Hangup closes the handle's PeerConnection (reporting Events.Hangup once
// with reason) and removes every route to or from it.
func (e *Engine) Hangup(handleID uint64, reason string) {
	if reason == "" {
		reason = ReasonClosePC
	}
	e.mu.Lock()
	delete(e.early, handleID)
	p := e.peers[handleID]
	e.mu.Unlock()
	if p == nil {
		e.router.dropHandle(handleID)
		e.data.dropHandle(handleID)
		e.dropOptions(handleID)
		return
	}
	if err := e.endPeer(p, reason); err != nil {
		e.log.Warn("hangup", "handle", handleID, "err", err)
	}
}

// AddRemoteCandidate adds a trickled remote candidate. A candidate with an
// empty Candidate string signals end-of-candidates (see EndOfCandidates).
// Candidates that arrive before the remote SDP are queued.
func (e *Engine) AddRemoteCandidate(handleID uint64, c webrtc.ICECandidateInit) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	p := e.peers[handleID]
	if p == nil {
		if q := e.early[handleID]; len(q) < maxPendingCandidates {
			e.early[handleID] = append(q, c)
		}
		e.mu.Unlock()
		return nil
	}
	e.mu.Unlock()
	if err := p.addCandidate(c); err != nil {
		return fmt.Errorf("remote candidate %q: %w", c.Candidate, err)
	}
	return nil
}

// EndOfCandidates tells ICE the remote has no more candidates.
func (e *Engine) EndOfCandidates(handleID uint64) error {
	return e.AddRemoteCandidate(handleID, webrtc.ICECandidateInit{})
}

// Route feeds the stream (srcHandle, srcMid) to the outgoing m-line
// (dstHandle, dstMid). Either end may not exist yet; the route takes
// effect once both do. A destination has one source: routing a new one to
// it replaces the old (a switch), and numbering continues seamlessly.
func (e *Engine) Route(srcHandle uint64, srcMid string, dstHandle uint64, dstMid string) error {
	if e.isClosed() {
		return ErrClosed
	}
	return e.router.route(endpoint{srcHandle, srcMid}, endpoint{dstHandle, dstMid})
}

// Unroute removes a route; it is a no-op if that route does not exist.
func (e *Engine) Unroute(srcHandle uint64, srcMid string, dstHandle uint64, dstMid string) {
	e.router.unroute(endpoint{srcHandle, srcMid}, endpoint{dstHandle, dstMid})
}

// SetPaused stops or resumes sending on a destination m-line. Resuming
// continues the numbering and asks the source for a keyframe.
func (e *Engine) SetPaused(dstHandle uint64, dstMid string, paused bool) {
	if d := e.findDown(endpoint{dstHandle, dstMid}); d != nil {
		d.setPaused(paused)
	}
}

// RequestKeyframe sends a PLI for the handle's incoming video on mid
// (throttled).
func (e *Engine) RequestKeyframe(handleID uint64, mid string) {
	if s := e.findSource(endpoint{handleID, mid}); s != nil {
		s.requestKeyframe()
	}
}

func (e *Engine) isClosed() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.closed
}
