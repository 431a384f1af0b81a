package main

import (
	"context"
	"log/slog"
	"slices"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// forwarder is an RTP forwarder of a publisher stream, as the core runs it.
type forwarder struct {
	StreamID uint32 `json:"stream_id"`
	Type     string `json:"type"`
	MID      string `json:"mid,omitempty"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	SSRC     uint32 `json:"ssrc,omitempty"`
	PT       int    `json:"pt,omitempty"`
	SRTP     bool   `json:"srtp"`
}

func (f *forwarder) info() map[string]any {
	m := map[string]any{"stream_id": f.StreamID, "type": f.Type, "host": f.Host, "port": f.Port}
	if f.SRTP {
		m["srtp"] = true
	}
	if f.Type != "data" {
		if f.SSRC != 0 {
			m["ssrc"] = f.SSRC
		}
		if f.PT > 0 {
			m["pt"] = f.PT
		}
	}
	return m
}

// checkForwardAuth enforces the room secret and, with lock_rtp_forward,
// the admin key.
func (v *videoRoom) checkForwardAuth(r *room, p params) *vrError {
	if v.cfg.LockRtpForward && v.cfg.AdminKey != "" {
		key, ok, _ := p.str("admin_key")
		if !ok {
			return missing("admin_key")
		}
		if key != v.cfg.AdminKey {
			return fail(errUnauthorized, "Unauthorized (wrong admin_key)")
		}
	}
	return r.checkSecret(p)
}

func (v *videoRoom) rtpForward(ctx context.Context, p params) any {
	if _, e := p.mustUint("room"); e != nil {
		return e
	}
	host, e := p.mustStr("host")
	if e != nil {
		return e
	}
	feed, e := p.mustUint("publisher_id")
	if e != nil {
		return e
	}
	if e := p.check([]string{"srtp_crypto", "host_family"}, []string{"audio_port", "video_port", "data_port", "srtp_suite",
		"audio_ssrc", "video_ssrc", "audio_pt", "video_pt"}, nil, nil); e != nil {
		return e
	}
	reqs, _, e := p.objects("streams")
	if e != nil {
		return e
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := v.checkForwardAuth(r, p); e != nil {
		return e
	}
	pub := feedOf(r, feed)
	if pub == nil {
		return fail(errNoSuchFeed, "No such feed (%d)", feed)
	}
	suite, _, _ := p.uint("srtp_suite")
	crypto, _, _ := p.str("srtp_crypto")
	var specs []sdk.RtpForward
	add := func(st *pubStream, q params, portKey, ssrcKey, ptKey string) *vrError {
		port, ok, e := q.uint(portKey)
		if e != nil {
			return e
		}
		if !ok || port == 0 {
			return missing(portKey)
		}
		ssrc, _, _ := q.uint(ssrcKey)
		pt, hasPT, _ := q.uint(ptKey)
		h := host
		if sh, ok, _ := q.str("host"); ok {
			h = sh
		}
		f := sdk.RtpForward{Handle: pub.Handle, MID: st.MID, Data: st.Type == "data", Host: h, Port: int(port),
			SSRC: uint32(ssrc), PayloadType: -1, SRTPSuite: int(suite), SRTPCrypto: crypto}
		if hasPT {
			f.PayloadType = int(pt)
		}
		specs = append(specs, f)
		return nil
	}
	for _, q := range reqs {
		mid, e := q.mustStr("mid")
		if e != nil {
			return e
		}
		st := pub.stream(mid)
		if st == nil {
			continue // Janus skips unknown mids
		}
		if e := add(st, q, "port", "ssrc", "pt"); e != nil {
			return e
		}
	}
	// The deprecated per-kind ports forward the first stream of each kind.
	for _, kind := range []string{"audio", "video", "data"} {
		if !p.has(kind + "_port") {
			continue
		}
		for _, st := range pub.Streams {
			if st.Type == kind {
				if e := add(st, p, kind+"_port", kind+"_ssrc", kind+"_pt"); e != nil {
					return e
				}
				break
			}
		}
	}
	out := []map[string]any{}
	for _, f := range specs {
		got, err := v.core.StartRtpForward(ctx, f)
		if err != nil {
			slog.Warn("rtp forward", "feed", feed, "mid", f.MID, "err", err)
			return coreFeatureError("RTP forwarding", err)
		}
		kind := "data"
		if st := pub.stream(f.MID); st != nil {
			kind = st.Type
		}
		// Only what the request set is shown, as Janus does.
		fw := &forwarder{StreamID: got.StreamID, Type: kind, MID: f.MID, Host: f.Host, Port: f.Port, SSRC: f.SSRC,
			PT: max(f.PayloadType, 0), SRTP: f.SRTPSuite > 0 && f.SRTPCrypto != ""}
		pub.Forwarders = append(pub.Forwarders, fw)
		out = append(out, fw.info())
	}
	v.dirty.pubs[pub.Handle] = true
	return map[string]any{"videoroom": "rtp_forward", "room": r.Room, "publisher_id": pub.ID, "forwarders": out}
}

func (v *videoRoom) stopRtpForward(ctx context.Context, p params) any {
	if _, e := p.mustUint("room"); e != nil {
		return e
	}
	feed, e := p.mustUint("publisher_id")
	if e != nil {
		return e
	}
	id, e := p.mustUint("stream_id")
	if e != nil {
		return e
	}
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := v.checkForwardAuth(r, p); e != nil {
		return e
	}
	pub := r.participants[feed]
	if pub == nil {
		return fail(errNoSuchFeed, "No such feed (%d)", feed)
	}
	i := slices.IndexFunc(pub.Forwarders, func(f *forwarder) bool { return uint64(f.StreamID) == id })
	if i < 0 {
		return fail(errNoSuchFeed, "No such stream (%d)", id)
	}
	if err := v.core.StopRtpForward(ctx, pub.Forwarders[i].StreamID); err != nil {
		return coreFeatureError("RTP forwarding", err)
	}
	pub.Forwarders = slices.Delete(pub.Forwarders, i, i+1)
	v.dirty.pubs[pub.Handle] = true
	return map[string]any{"videoroom": "stop_rtp_forward", "room": r.Room, "publisher_id": pub.ID, "stream_id": id}
}

func (v *videoRoom) listForwarders(_ context.Context, p params) any {
	r, e := v.roomOf(p)
	if e != nil {
		return e
	}
	if e := r.checkSecret(p); e != nil {
		return e
	}
	out := []map[string]any{}
	for _, pub := range sortedParticipants(r) {
		if len(pub.Forwarders) == 0 {
			continue
		}
		fs := make([]map[string]any, 0, len(pub.Forwarders))
		for _, f := range pub.Forwarders {
			fs = append(fs, f.info())
		}
		entry := map[string]any{"publisher_id": pub.ID, "forwarders": fs}
		if pub.Display != "" {
			entry["display"] = pub.Display
		}
		out = append(out, entry)
	}
	return map[string]any{"videoroom": "forwarders", "room": r.Room, "publishers": out}
}
