package media

import (
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"
)

// AnswerOffer applies a remote offer to the handle's PeerConnection
// (creating it on the first offer; later offers renegotiate) and returns
// our answer. Each audio/video m-line is answered with a single codec.
// Errors caused by the SDP wrap ErrBadSDP.
func (e *Engine) AnswerOffer(handleID uint64, offerSDP string, opts AnswerOptions) (string, error) {
	_, offered, err := parseRemoteSDP(offerSDP)
	if err != nil {
		return "", err
	}
	p, created, err := e.peerFor(handleID)
	if err != nil {
		return "", err
	}
	answer, err := e.answer(p, offerSDP, offered, opts)
	if err != nil && created {
		e.discardPeer(p)
	}
	return answer, err
}

func (e *Engine) answer(p *peerConn, offerSDP string, offered []offeredMedia, opts AnswerOptions) (string, error) {
	p.sdpMu.Lock()
	defer p.sdpMu.Unlock()
	// Known before any track can arrive: the layer order of simulcast m-lines.
	p.mu.Lock()
	for _, m := range offered {
		if len(m.rids) > 0 {
			p.rids[m.mid] = m.rids
		}
	}
	p.mu.Unlock()
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}); err != nil {
		return "", fmt.Errorf("%w: apply offer: %w", ErrBadSDP, err)
	}
	p.remoteApplied(nil)

	byMid := make(map[string]offeredMedia, len(offered))
	for _, m := range offered {
		byMid[m.mid] = m
	}
	var (
		added    []*downTrack
		rejected []*webrtc.RTPTransceiver
	)
	for _, tr := range p.pc.GetTransceivers() {
		m, ok := byMid[tr.Mid()]
		if !ok || m.kind != tr.Kind() {
			continue
		}
		allowed := opts.AudioCodecs
		if m.kind == webrtc.RTPCodecTypeVideo {
			allowed = opts.VideoCodecs
		}
		prefs, ok := chooseCodec(m, allowed)
		if !ok {
			p.log.Info("no acceptable codec, rejecting m-line", "mid", m.mid, "kind", m.kind.String())
			rejected = append(rejected, tr)
			continue
		}
		if err := tr.SetCodecPreferences(prefs); err != nil {
			return "", fmt.Errorf("%w: codec for mid %s: %w", ErrBadSDP, m.mid, err)
		}
		wantsMedia := m.direction == webrtc.RTPTransceiverDirectionSendrecv ||
			m.direction == webrtc.RTPTransceiverDirectionRecvonly
		if !opts.SendBack || !wantsMedia || tr.Sender() != nil {
			continue
		}
		d := newDownTrack(p.id, m.mid, m.kind, prefs[0].MimeType)
		if err := e.attachSender(p, tr, d); err != nil {
			return "", err
		}
		added = append(added, d)
	}
	// Stopped only now, so AddTrack above could not pick them. A stopped
	// transceiver is answered inactive.
	for _, tr := range rejected {
		if err := tr.Stop(); err != nil {
			return "", fmt.Errorf("stop transceiver %s: %w", tr.Mid(), err)
		}
	}

	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: create answer: %w", ErrBadSDP, err)
	}
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("set local answer: %w", err)
	}
	for _, d := range added {
		e.router.downChanged(endpoint{p.id, d.mid})
	}
	return e.localSDP(p, gathered), nil
}

// attachSender makes d the sending track of transceiver tr. It goes
// through PeerConnection.AddTrack because only senders made by the
// PeerConnection's own API see its negotiated header extension IDs (an
// RTPSender from the engine's shared API would write pre-negotiation IDs).
// AddTrack takes the first same-kind transceiver the remote lets us send
// on; callers visit transceivers in order, so that is tr, which is checked.
func (e *Engine) attachSender(p *peerConn, tr *webrtc.RTPTransceiver, d *downTrack) error {
	sender, err := p.pc.AddTrack(d)
	if err != nil {
		return fmt.Errorf("sender for mid %s: %w", d.mid, err)
	}
	if tr.Sender() != sender {
		_ = p.pc.RemoveTrack(sender)
		return fmt.Errorf("sender for mid %s landed on another m-line", d.mid)
	}
	p.mu.Lock()
	p.downs[d.mid] = d
	p.mu.Unlock()
	go d.readRTCP(sender)
	return nil
}

// localSDP returns our current local description, after waiting (bounded)
// for gathering in half-trickle mode so it carries the candidates.
func (e *Engine) localSDP(p *peerConn, gathered <-chan struct{}) string {
	if !e.cfg.FullTrickle {
		timer := time.NewTimer(e.cfg.gatherTimeout())
		select {
		case <-gathered:
		case <-timer.C:
			p.log.Warn("candidate gathering timed out; answering with what we have")
		}
		timer.Stop()
	}
	if ld := p.pc.LocalDescription(); ld != nil {
		return ld.SDP
	}
	return ""
}

// ApplyAnswer applies the remote answer to an offer made by MakeOffer.
// Errors caused by the SDP wrap ErrBadSDP.
func (e *Engine) ApplyAnswer(handleID uint64, answerSDP string) error {
	if _, _, err := parseRemoteSDP(answerSDP); err != nil {
		return err
	}
	p := e.peer(handleID)
	if p == nil {
		return fmt.Errorf("apply answer to handle %d: %w", handleID, ErrNoPeer)
	}
	p.sdpMu.Lock()
	defer p.sdpMu.Unlock()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answerSDP}); err != nil {
		return fmt.Errorf("%w: apply answer: %w", ErrBadSDP, err)
	}
	p.remoteApplied(nil)
	refreshSendCodecs(p)
	return nil
}
