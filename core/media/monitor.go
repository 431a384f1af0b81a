package media

import (
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// monitorTick is the resolution of the no-media timer.
const monitorTick = 100 * time.Millisecond

// statsWindow is the period of slowlink checks and REMB refreshes.
const statsWindow = time.Second

// monitor runs the timers of all peers from one goroutine: media stopped
// events, slowlink, and the periodic REMB that keeps a bitrate cap applied.
func (e *Engine) monitor() {
	defer e.stopped.Done()
	ticker := time.NewTicker(monitorTick)
	defer ticker.Stop()
	var (
		peers   []*peerConn
		sources []*source
		downs   []*downTrack
		lastWin = e.now()
	)
	for {
		select {
		case <-e.stop:
			return
		case <-ticker.C:
		}
		now := e.now()
		window := now-lastWin >= int64(statsWindow)
		if window {
			lastWin = now
		}
		peers = e.peerList(peers[:0])
		for _, p := range peers {
			sources = p.sourceList(sources[:0])
			e.checkMedia(sources, now)
			periodicKeyframes(sources, now)
			if !window {
				continue
			}
			downs = p.downList(downs[:0])
			e.checkSlowlink(p, sources, downs)
			if bps := p.bitrate.Load(); bps > 0 {
				sendREMB(p, sources, bps)
			}
		}
		clear(peers)
		clear(sources)
		clear(downs)
	}
}

func (e *Engine) peerList(buf []*peerConn) []*peerConn {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, p := range e.peers {
		buf = append(buf, p)
	}
	return buf
}

// checkMedia reports streams silent for longer than the no-media timeout.
func (e *Engine) checkMedia(sources []*source, now int64) {
	timeout := int64(e.cfg.noMediaTimeout())
	if timeout == 0 {
		return
	}
	for _, s := range sources {
		if !s.receiving.Load() || now-s.lastAt.Load() < timeout {
			continue
		}
		s.mediaMu.Lock()
		stale := s.receiving.Load() && e.now()-s.lastAt.Load() >= timeout
		if stale {
			s.receiving.Store(false)
			if e.ev != nil {
				e.ev.Media(s.handleID, s.mid, s.kindName(), false)
			}
		}
		s.mediaMu.Unlock()
	}
}

// checkSlowlink compares the loss of the last window with the threshold.
// Uplink (true) is loss in what we receive, measured from sequence gaps;
// downlink (false) is loss in what we send, from the receiver's NACKs and
// reports, whichever is larger.
func (e *Engine) checkSlowlink(p *peerConn, sources []*source, downs []*downTrack) {
	threshold := e.cfg.SlowlinkThreshold
	for _, s := range sources {
		lost := s.lost.Load()
		delta := lost - s.slowlinkBaseline
		s.slowlinkBaseline = lost
		if threshold > 0 && delta >= int64(threshold) && e.ev != nil {
			e.ev.Slowlink(p.id, s.mid, s.kindName(), true, uint32(delta))
		}
	}
	for _, d := range downs {
		nacked, lost := d.nacked.Load(), d.remoteLost.Load()
		nackDelta := nacked - d.nackedBase
		var lostDelta uint64
		if lost > d.lostBase {
			lostDelta = uint64(lost - d.lostBase)
		}
		d.nackedBase, d.lostBase = nacked, lost
		worst := max(nackDelta, lostDelta)
		if threshold > 0 && worst >= uint64(threshold) && e.ev != nil {
			e.ev.Slowlink(p.id, d.mid, d.kind.String(), false, uint32(min(worst, 1<<31)))
		}
	}
}

// SetBitrateCap caps what the peer sends us by REMB, sent now and then
// every second while the cap is set. 0 removes the cap (REMB stops; the
// sender's own estimate takes over). The cap belongs to the sending peer
// (Janus VideoRoom's publisher bitrate): the REMB carries exactly this
// value whatever its subscribers report, since their REMBs and PLIs are
// never relayed as bitrate feedback. For simulcast the REMB lists every
// layer's SSRC, and the browser shares the cap among its encodings.
func (e *Engine) SetBitrateCap(handleID uint64, bps uint32) {
	p := e.peer(handleID)
	if p == nil {
		return
	}
	p.bitrate.Store(bps)
	if bps > 0 {
		sendREMB(p, p.sourceList(nil), bps)
	}
}

func sendREMB(p *peerConn, sources []*source, bps uint32) {
	var ssrcs []uint32
	for _, s := range sources {
		if s.kind == webrtc.RTPCodecTypeVideo {
			ssrcs = s.ssrcs(ssrcs)
		}
	}
	if len(ssrcs) == 0 {
		return
	}
	remb := &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: float32(bps), SSRCs: ssrcs}
	if err := p.pc.WriteRTCP([]rtcp.Packet{remb}); err != nil {
		p.log.Debug("send REMB failed", "err", err)
	}
}
