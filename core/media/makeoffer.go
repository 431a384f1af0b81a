package media

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// dataChannelLabel is the channel opened to get a data m-line into an
// offer; it is the label janus.js uses for its own default channel.
const dataChannelLabel = "JanusDataChannel"

// OfferStream describes one m-line of an offer made by the engine.
type OfferStream struct {
	Kind  string // "audio", "video" or "data"
	Codec string // short codec name ("opus", "vp8", "h264" ...); "" = our default
	// MID names the m-line. On a first offer "" means the engine picks it:
	// the m-line index ("0", "1" ...). On a re-offer a MID of an existing
	// m-line keeps that m-line; "" adds a stream (reusing a stopped m-line
	// of the same kind and codec when there is one, as Janus does).
	MID string
	// Fmtp is the codec's format parameters to offer, normally the
	// publisher's (H.264 profile-level-id and packetization-mode, VP9
	// profile-id), so the subscriber decodes what is forwarded. "" uses
	// ours.
	Fmtp string
	// SourceHandle and SourceMID name the stream this m-line will carry.
	// When that stream exists, its negotiated codec and fmtp are offered,
	// overriding Codec and Fmtp (and Kind when empty).
	SourceHandle uint64
	SourceMID    string
	// Data asks for the data channel m-line; the same as Kind "data". A
	// PeerConnection has at most one; it is placed after the audio/video
	// m-lines of the offer that first includes it, and cannot be stopped.
	Data bool
	// Inactive offers the m-line stopped (a=inactive): a stream kept in
	// place whose media is gone.
	Inactive bool
}

func (st OfferStream) isData() bool {
	k := strings.ToLower(st.Kind)
	return st.Data || k == "data" || k == "application"
}

// MLine describes one m-line of a handle's current local description, as
// an extension reports it to its client (mindex, mid, type).
type MLine struct {
	Index  int    // position in the SDP (Janus's mindex)
	MID    string // a=mid
	Kind   string // "audio", "video" or "data"
	Codec  string // short name of the first codec ("opus", "vp8" ...); "" for data
	Active bool   // false when stopped (inactive or port 0)
}

// plannedStream is one requested stream after validation.
type plannedStream struct {
	st    OfferStream
	kind  webrtc.RTPCodecType
	spec  codecSpec // with the fmtp to offer
	prefs []webrtc.RTPCodecParameters
}

// MakeOffer makes the handle's offer for exactly the given streams,
// creating its PeerConnection on the first call. Every audio/video stream
// is a sendonly m-line carrying one codec (plus RTX), fed by routes to its
// mid; a "data" stream adds the data channel m-line.
//
// On an existing PeerConnection streams is the complete new list:
// m-lines named by MID stay where they are (Inactive stops one, and an
// entry for a stopped one revives it); m-lines the engine offered before
// that are not listed are stopped (a=inactive); streams without a known
// MID are added, reusing stopped m-lines of the same kind and codec
// before appending new ones. M-line order never changes and mids are
// never reused for another position, so MLines (or the SDP) can be read
// back to describe the streams. Apply the reply with ApplyAnswer.
func (e *Engine) MakeOffer(handleID uint64, streams []OfferStream) (string, error) {
	plan, needData, err := e.planOffer(streams)
	if err != nil {
		return "", err
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
	changed, err := e.applyPlan(p, plan, needData)
	if err != nil {
		return fail(err)
	}
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return fail(fmt.Errorf("create offer: %w", err))
	}
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return fail(fmt.Errorf("set local offer: %w", err))
	}
	for _, d := range changed {
		e.router.downChanged(endpoint{p.id, d.mid})
	}
	return e.localSDP(p, gathered), nil
}

// planOffer validates the request and resolves each stream's codec.
func (e *Engine) planOffer(streams []OfferStream) (plan []plannedStream, needData bool, err error) {
	mids := map[string]bool{}
	for _, st := range streams {
		if st.MID != "" {
			if mids[st.MID] {
				return nil, false, fmt.Errorf("make offer: mid %q listed twice", st.MID)
			}
			mids[st.MID] = true
		}
		if st.isData() {
			needData = true
			continue
		}
		kind, codec, fmtp := st.Kind, st.Codec, st.Fmtp
		if st.SourceMID != "" {
			if s := e.findSource(endpoint{st.SourceHandle, st.SourceMID}); s != nil {
				codec, fmtp = codecName(s.codec.MimeType), s.codec.SDPFmtpLine
				if kind == "" {
					kind = s.kindName()
				}
			}
		}
		k, err := parseKind(kind)
		if err != nil {
			return nil, false, fmt.Errorf("make offer: %w", err)
		}
		spec, err := offerCodec(k, codec, fmtp)
		if err != nil {
			return nil, false, fmt.Errorf("make offer: %w", err)
		}
		prefs := []webrtc.RTPCodecParameters{spec.params()}
		if spec.rtxPT != 0 {
			prefs = append(prefs, spec.rtxParams())
		}
		plan = append(plan, plannedStream{st: st, kind: k, spec: spec, prefs: prefs})
	}
	return plan, needData, nil
}

// applyPlan changes the peer's transceivers to match the plan and returns
// the downtracks whose routes must be re-evaluated. Caller holds sdpMu.
func (e *Engine) applyPlan(p *peerConn, plan []plannedStream, needData bool) ([]*downTrack, error) {
	layout := currentLayout(p)
	ours := p.offeredDowns() // in m-line order
	byMid := make(map[string]*downTrack, len(ours))
	for _, d := range ours {
		byMid[d.mid] = d
	}
	// Check everything before changing anything.
	var adds []plannedStream
	for _, ps := range plan {
		mid := ps.st.MID
		d := byMid[mid]
		switch {
		case mid == "":
			adds = append(adds, ps)
		case d == nil && layout.mids[mid]:
			return nil, fmt.Errorf("make offer: mid %q belongs to an m-line the engine did not offer", mid)
		case d == nil:
			adds = append(adds, ps)
		case d.kind != ps.kind:
			return nil, fmt.Errorf("make offer: mid %q is %s, not %s", mid, d.kind, ps.kind)
		}
	}
	var changed []*downTrack
	keep := map[string]bool{}
	for _, ps := range plan {
		d := byMid[ps.st.MID]
		if ps.st.MID == "" || d == nil {
			continue
		}
		keep[d.mid] = true
		switch {
		case ps.st.Inactive && !d.inactive.Load():
			if err := stopMLine(d); err != nil {
				return nil, err
			}
		case !ps.st.Inactive && d.inactive.Load():
			if err := reviveMLine(d, ps); err != nil {
				return nil, err
			}
			changed = append(changed, d)
		}
	}
	// Streams no longer listed stop, and their m-lines become reusable.
	for _, d := range ours {
		if !keep[d.mid] && !d.inactive.Load() {
			if err := stopMLine(d); err != nil {
				return nil, err
			}
		}
	}
	next := layout.count
	for _, ps := range adds {
		if ps.st.MID == "" && !ps.st.Inactive {
			if d := reusableMLine(ours, keep, ps); d != nil {
				keep[d.mid] = true
				if err := reviveMLine(d, ps); err != nil {
					return nil, err
				}
				changed = append(changed, d)
				continue
			}
		}
		mid := ps.st.MID
		if mid == "" {
			for layout.mids[strconv.Itoa(next)] {
				next++
			}
			mid = strconv.Itoa(next)
		}
		next++
		layout.mids[mid] = true
		d, err := e.addMLine(p, mid, ps)
		if err != nil {
			return nil, err
		}
		keep[mid] = true
		changed = append(changed, d)
	}
	if needData && !layout.data {
		// pion appends the data m-line after every audio/video one and names
		// it after its index.
		dataMid := strconv.Itoa(len(p.pc.GetTransceivers()))
		if layout.mids[dataMid] {
			return nil, fmt.Errorf("make offer: the data m-line would take mid %q, which is in use", dataMid)
		}
		dc, err := p.pc.CreateDataChannel(dataChannelLabel, nil)
		if err != nil {
			return nil, fmt.Errorf("make offer: data channel: %w", err)
		}
		e.addDataChannel(p, dc)
	}
	return changed, nil
}

// addMLine appends a sendonly m-line for ps under mid.
func (e *Engine) addMLine(p *peerConn, mid string, ps plannedStream) (*downTrack, error) {
	d := newDownTrack(p.id, mid, ps.kind, ps.spec.mime)
	tr, err := p.pc.AddTransceiverFromTrack(d, webrtc.RTPTransceiverInit{
		Direction: webrtc.RTPTransceiverDirectionSendonly,
	})
	if err != nil {
		return nil, fmt.Errorf("add %s transceiver: %w", ps.kind, err)
	}
	if err := tr.SetMid(mid); err != nil {
		return nil, fmt.Errorf("set mid %s: %w", mid, err)
	}
	if err := tr.SetCodecPreferences(ps.prefs); err != nil {
		return nil, fmt.Errorf("codec preferences for mid %s: %w", mid, err)
	}
	d.tr, d.sender, d.offered = tr, tr.Sender(), ps.spec
	p.mu.Lock()
	p.downs[mid] = d
	p.mu.Unlock()
	go d.readRTCP(d.sender)
	if ps.st.Inactive {
		if err := stopMLine(d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// stopMLine makes an m-line inactive without stopping its sender, so the
// m-line (with its mid and SSRC) can carry another stream later: pion
// offers a transceiver without sender as inactive.
func stopMLine(d *downTrack) error {
	if err := d.tr.SetSender(d.sender, nil); err != nil {
		return fmt.Errorf("stop mid %s: %w", d.mid, err)
	}
	d.inactive.Store(true)
	return nil
}

// reviveMLine puts a stopped m-line back to work for ps. Numbering goes
// on from what the m-line sent before, as the receiver knows its SSRC;
// the layer choice starts over, as for a new destination.
func reviveMLine(d *downTrack, ps plannedStream) error {
	d.wantLayer.Store(maxLayers - 1)
	d.wantTemporal.Store(-1)
	d.mu.Lock()
	d.mime = ps.spec.mime
	d.mung.restart()
	d.mu.Unlock()
	d.offered = ps.spec
	if err := d.tr.SetCodecPreferences(ps.prefs); err != nil {
		return fmt.Errorf("codec preferences for mid %s: %w", d.mid, err)
	}
	if err := d.tr.SetSender(d.sender, d); err != nil {
		return fmt.Errorf("reuse mid %s: %w", d.mid, err)
	}
	d.inactive.Store(false)
	return nil
}

// reusableMLine finds the first stopped m-line that can carry ps: same
// kind and the same codec, so the binding stays valid without waiting for
// the answer.
func reusableMLine(ours []*downTrack, taken map[string]bool, ps plannedStream) *downTrack {
	for _, d := range ours {
		if taken[d.mid] || !d.inactive.Load() || d.kind != ps.kind {
			continue
		}
		if strings.EqualFold(d.offered.mime, ps.spec.mime) && fmtpCompatible(ps.spec.mime, d.offered.fmtp, ps.spec.fmtp) {
			return d
		}
	}
	return nil
}

// offerLayout is what the current local description already holds.
type offerLayout struct {
	count int             // m-lines
	mids  map[string]bool // every mid in use
	data  bool            // has the data m-line
}

func currentLayout(p *peerConn) offerLayout {
	l := offerLayout{mids: map[string]bool{}}
	for _, tr := range p.pc.GetTransceivers() {
		l.count++
		if mid := tr.Mid(); mid != "" {
			l.mids[mid] = true
		}
	}
	for _, m := range p.mlines() {
		if m.Kind == "data" {
			l.data = true
			l.count++
			l.mids[m.MID] = true
		}
	}
	return l
}

// offeredDowns lists the downtracks the engine created by offering, in
// m-line order.
func (p *peerConn) offeredDowns() []*downTrack {
	order := map[string]int{}
	for i, tr := range p.pc.GetTransceivers() {
		order[tr.Mid()] = i
	}
	p.mu.Lock()
	var list []*downTrack
	for _, d := range p.downs {
		if d.tr != nil {
			list = append(list, d)
		}
	}
	p.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return order[list[i].mid] < order[list[j].mid] })
	return list
}

// MLines describes the m-lines of the handle's current local description
// (the last offer or answer it made), in order. It returns nil when the
// handle has no PeerConnection or no local description yet.
func (e *Engine) MLines(handleID uint64) []MLine {
	p := e.peer(handleID)
	if p == nil {
		return nil
	}
	return p.mlines()
}

func (p *peerConn) mlines() []MLine {
	ld := p.pc.LocalDescription()
	if ld == nil {
		return nil
	}
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(ld.SDP); err != nil {
		return nil
	}
	out := make([]MLine, 0, len(desc.MediaDescriptions))
	for i, md := range desc.MediaDescriptions {
		mid, _ := md.Attribute(sdp.AttrKeyMID)
		m := MLine{Index: i, MID: mid, Kind: md.MediaName.Media, Active: md.MediaName.Port.Value != 0}
		if m.Kind == "application" {
			m.Kind = "data"
		} else {
			if directionOf(md) == webrtc.RTPTransceiverDirectionInactive {
				m.Active = false
			}
			if codecs := codecsOf(md); len(codecs) > 0 {
				m.Codec = codecName(codecs[0].mime)
			}
		}
		out = append(out, m)
	}
	return out
}

// refreshSendCodecs re-resolves what each offered m-line sends with once
// an answer settled the payload types: a reused m-line may have been
// bound before its new codec was negotiated.
func refreshSendCodecs(p *peerConn) {
	for _, d := range p.offeredDowns() {
		if d.inactive.Load() || d.sender == nil {
			continue
		}
		d.refreshCodec(d.sender.GetParameters().Codecs)
	}
}

// refreshCodec rebinds d to its preferred codec among codecs when the
// binding holds another one.
func (d *downTrack) refreshCodec(codecs []webrtc.RTPCodecParameters) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.writer == nil || strings.EqualFold(d.codec.MimeType, d.mime) || d.mime == "" {
		return
	}
	codec, ok := pickCodec(codecs, d.mime)
	if !ok {
		return
	}
	d.codec = codec
	d.codecs = append([]webrtc.RTPCodecParameters(nil), codecs...)
	d.mung.clockRate = codec.ClockRate
	d.rebuildMapsLocked(d.src.Load())
}
