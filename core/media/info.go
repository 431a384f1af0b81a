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
	now := e.now()
	for _, s := range p.sourceList(nil) {
		m := entry(s.mid, s.kindName())
		m["receiving"] = s.receiving.Load()
		in := map[string]any{
			"codec":     s.codec.MimeType,
			"ssrc":      s.layers[0].ssrc.Load(),
			"packets":   s.packets.Load(),
			"bytes":     s.bytes.Load(),
			"lost":      s.lost.Load(),
			"plis_sent": s.plisSent(),
		}
		if s.simulcast() {
			in["ssrc"] = s.layers[s.numLayers()-1].ssrc.Load()
			layers := make([]map[string]any, 0, s.numLayers())
			for i := 0; i < s.numLayers(); i++ {
				l := &s.layers[i]
				layers = append(layers, map[string]any{
					"substream": i,
					"rid":       l.rid,
					"ssrc":      l.ssrc.Load(),
					"packets":   l.packets.Load(),
					"bytes":     l.bytes.Load(),
					"lost":      l.lost.Load(),
					"active":    l.active(now),
					"plis_sent": l.plisSent.Load(),
				})
			}
			in["simulcast"] = layers
			in["sink_substream"] = s.sinkLayerIndex()
		}
		if cfg := s.talk.cfg.Load(); cfg != 0 {
			in["talk_detection"] = map[string]any{"packets": int(cfg >> 32), "level_average": int(uint32(cfg))}
		}
		if every := s.keyframeEvery.Load(); every > 0 {
			in["keyframe_interval_ms"] = every / int64(1e6)
		}
		m["in"] = in
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
			"active":        !d.inactive.Load(),
		}
		if s := d.src.Load(); s != nil && (s.simulcast() || s.family == familyVP8 || s.family == familyVP9) {
			out["substream_target"] = d.wantLayer.Load()
			out["temporal_target"] = d.wantTemporal.Load()
			if s.simulcast() {
				out["substream"] = d.layerNow.Load()
			}
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
