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

// MakeOffer creates (or extends) the handle's PeerConnection with one
// sendonly m-line per stream and returns the offer. Streams whose MID
// already exists are left as they are. Apply the reply with ApplyAnswer.
func (e *Engine) MakeOffer(handleID uint64, streams []OfferStream) (string, error) {
	type planned struct {
		d    *downTrack
		tr   *webrtc.RTPTransceiver
		spec codecSpec
	}
	var plan []planned
	for _, st := range streams {
		kind, err := parseKind(st.Kind)
		if err != nil {
			return "", err
		}
		spec, ok := defaultCodec(kind)
		if st.Codec != "" {
			if spec, ok = findCodecSpec(kind, st.Codec); !ok {
				return "", fmt.Errorf("unsupported %s codec %q", st.Kind, st.Codec)
			}
		}
		if !ok {
			return "", fmt.Errorf("no codec for %s", st.Kind)
		}
		d := newDownTrack(handleID, st.MID, kind, spec.mime)
		if st.MID == "" {
			d.trackID = fmt.Sprintf("%s-new%d", kind, len(plan))
		}
		plan = append(plan, planned{d: d, spec: spec})
	}
	p, created, err := e.peerFor(handleID)
	if err != nil {
		return "", err
	}
	p.sdpMu.Lock()
	defer p.sdpMu.Unlock()
	fail := func(err error) (string, error) {
		if created {
			e.discardPeer(p)
		}
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	for i := range plan {
		pl := &plan[i]
		if pl.d.mid != "" && p.down(pl.d.mid) != nil {
			pl.d = nil
			continue
		}
		tr, err := p.pc.AddTransceiverFromTrack(pl.d, webrtc.RTPTransceiverInit{
			Direction: webrtc.RTPTransceiverDirectionSendonly,
		})
		if err != nil {
			return fail(fmt.Errorf("add %s transceiver: %w", pl.d.kind, err))
		}
		if pl.d.mid != "" {
			if err := tr.SetMid(pl.d.mid); err != nil {
				return fail(fmt.Errorf("set mid %s: %w", pl.d.mid, err))
			}
		}
		prefs := []webrtc.RTPCodecParameters{pl.spec.params()}
		if pl.spec.rtxPT != 0 {
			prefs = append(prefs, pl.spec.rtxParams())
		}
		if err := tr.SetCodecPreferences(prefs); err != nil {
			return fail(fmt.Errorf("codec preferences: %w", err))
		}
		pl.tr = tr
		go pl.d.readRTCP(tr.Sender())
	}
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return fail(fmt.Errorf("create offer: %w", err))
	}
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return fail(fmt.Errorf("set local offer: %w", err))
	}
	for _, pl := range plan {
		if pl.d == nil {
			continue
		}
		// pion numbers m-lines without an explicit mid in CreateOffer.
		pl.d.mid = pl.tr.Mid()
		p.mu.Lock()
		p.downs[pl.d.mid] = pl.d
		p.mu.Unlock()
		e.router.downChanged(endpoint{p.id, pl.d.mid})
	}
	return e.localSDP(p, gathered), nil
}

func defaultCodec(kind webrtc.RTPCodecType) (codecSpec, bool) {
	for _, c := range supportedCodecs {
		if c.kind == kind {
			return c, true
		}
	}
	return codecSpec{}, false
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
	return nil
}
