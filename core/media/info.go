package media

import "sort"

// PeerInfo describes the handle's PeerConnection for the admin API's
// handle_info: connection states, SDPs, routes and per-mid counters. It
// returns nil when the handle has no PeerConnection.
func (e *Engine) PeerInfo(handleID uint64) map[string]any {
	p := e.peer(handleID)
	if p == nil {
		return nil
	}
	pc := p.pc
	info := map[string]any{
		"connection_state": pc.ConnectionState().String(),
		"ice_state":        pc.ICEConnectionState().String(),
		"gathering_state":  pc.ICEGatheringState().String(),
		"signaling_state":  pc.SignalingState().String(),
		"webrtcup":         p.up.Load(),
		"bitrate_cap":      p.bitrate.Load(),
	}
	if dtls := pc.SCTP().Transport(); dtls != nil {
		info["dtls_state"] = dtls.State().String()
		if ice := dtls.ICETransport(); ice != nil {
			if pair, err := ice.GetSelectedCandidatePair(); err == nil && pair != nil {
				info["selected_pair"] = pair.String()
			}
		}
	}
	if ld := pc.LocalDescription(); ld != nil {
		info["local_sdp"] = ld.SDP
	}
	if rd := pc.RemoteDescription(); rd != nil {
		info["remote_sdp"] = rd.SDP
	}
	routesIn, routesOut := e.router.routesOf(handleID)
	sort.Strings(routesIn)
	sort.Strings(routesOut)
	info["routes_in"], info["routes_out"] = routesIn, routesOut

	media := map[string]map[string]any{}
	entry := func(mid, kind string) map[string]any {
		m := media[mid]
		if m == nil {
			m = map[string]any{"kind": kind}
			media[mid] = m
		}
		return m
	}
	for _, s := range p.sourceList(nil) {
		m := entry(s.mid, s.kindName())
		m["receiving"] = s.receiving.Load()
		m["in"] = map[string]any{
			"codec":     s.track.Codec().MimeType,
			"ssrc":      uint32(s.track.SSRC()),
			"packets":   s.packets.Load(),
			"bytes":     s.bytes.Load(),
			"lost":      s.lost.Load(),
			"plis_sent": s.plisSent.Load(),
		}
	}
	for _, d := range p.downList(nil) {
		m := entry(d.mid, d.kind.String())
		out := map[string]any{
			"codec":         d.boundCodec().MimeType,
			"ssrc":          d.ssrc.Load(),
			"packets":       d.packets.Load(),
			"bytes":         d.bytes.Load(),
			"nacks":         d.nacked.Load(),
			"plis":          d.plis.Load(),
			"firs":          d.firs.Load(),
			"remote_lost":   d.remoteLost.Load(),
			"fraction_lost": float64(d.remoteFracLost.Load()) / 256,
			"paused":        d.paused.Load(),
		}
		m["out"] = out
	}
	info["media"] = media
	p.mu.Lock()
	labels := make([]string, 0, len(p.channels))
	for l := range p.channels {
		labels = append(labels, l)
	}
	p.mu.Unlock()
	sort.Strings(labels)
	info["data_channels"] = labels
	return info
}
