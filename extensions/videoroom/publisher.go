package main

// publisher is a participant of a room (Janus's "publisher" role): it may
// never publish, and then only receives the room's notifications.
type publisher struct {
	Handle     uint64       `json:"handle"`
	Room       uint64       `json:"room"`
	ID         uint64       `json:"id"`
	PrivateID  uint32       `json:"private_id"`
	Display    string       `json:"display,omitempty"`
	Published  bool         `json:"published"` // a PeerConnection was negotiated
	Active     bool         `json:"active"`    // it is up: the feed is announced
	AudioCodec string       `json:"audio_codec,omitempty"`
	VideoCodec string       `json:"video_codec,omitempty"`
	Streams    []*pubStream `json:"streams,omitempty"`
	Bitrate    uint32       `json:"bitrate,omitempty"` // per-publisher cap; 0: the room's
	Recording  bool         `json:"recording,omitempty"`
	RecordBase string       `json:"record_base,omitempty"`
	// RecordingID is the catalogue entry its tracks are recorded into:
	// the room's while the room records, else its own.
	RecordingID string            `json:"recording_id,omitempty"`
	AudioLevel  bool              `json:"audio_level,omitempty"` // ssrc-audio-level negotiated
	Talking     bool              `json:"talking,omitempty"`
	Described   map[string]string `json:"descriptions,omitempty"` // mid -> description
	Forwarders  []*forwarder      `json:"forwarders,omitempty"`
	// Per-participant overrides of the room's talk detection settings.
	AudioActivePackets int `json:"audio_active_packets,omitempty"`
	AudioLevelAverage  int `json:"audio_level_average,omitempty"`
	// Virtual: a recorded participant replayed by the core (ReplayID);
	// Handle is then the core's virtual handle, which has no client and no
	// PeerConnection.
	Virtual  bool   `json:"virtual,omitempty"`
	ReplayID string `json:"replay_id,omitempty"`
}

// pubStream is one published m-line.
type pubStream struct {
	Type      string `json:"type"`
	MIndex    int    `json:"mindex"`
	MID       string `json:"mid"`
	Codec     string `json:"codec,omitempty"`
	Fmtp      string `json:"fmtp,omitempty"`
	FEC       bool   `json:"fec,omitempty"`
	Disabled  bool   `json:"disabled,omitempty"`
	Moderated bool   `json:"moderated,omitempty"`
	Muted     bool   `json:"muted,omitempty"` // the publisher's own "send": false
	Simulcast bool   `json:"simulcast,omitempty"`
	SVC       bool   `json:"svc,omitempty"`
	Talking   bool   `json:"talking,omitempty"`
	// RecordPending: recording was asked for before media arrived; it
	// starts with the first packets.
	RecordPending bool `json:"record_pending,omitempty"`
}

func (p *publisher) stream(mid string) *pubStream {
	for _, s := range p.Streams {
		if s.MID == mid {
			return s
		}
	}
	return nil
}

// info describes the publisher as "joined" (full) and "publishers" events
// (without the talking flags) show it.
func (p *publisher) info(full bool) map[string]any {
	m := map[string]any{"id": p.ID}
	if p.Display != "" {
		m["display"] = p.Display
	}
	if p.AudioCodec != "" {
		m["audio_codec"] = p.AudioCodec
	}
	if p.VideoCodec != "" {
		m["video_codec"] = p.VideoCodec
	}
	m["streams"] = p.streamInfos(full)
	if full && p.AudioLevel {
		m["talking"] = p.Talking
	}
	return m
}

func (p *publisher) streamInfos(full bool) []map[string]any {
	out := make([]map[string]any, 0, len(p.Streams))
	for _, s := range p.Streams {
		m := map[string]any{"type": s.Type, "mindex": s.MIndex, "mid": s.MID}
		if s.Disabled {
			m["disabled"] = true
			out = append(out, m)
			continue
		}
		if s.Codec != "" {
			m["codec"] = s.Codec
		}
		if s.FEC {
			m["fec"] = true
		}
		if d := p.Described[s.MID]; d != "" {
			m["description"] = d
		}
		if s.Moderated {
			m["moderated"] = true
		}
		if s.Simulcast {
			m["simulcast"] = true
		}
		if s.SVC {
			m["svc"] = true
		}
		if full && s.Type == "audio" && p.AudioLevel {
			m["talking"] = s.Talking
		}
		out = append(out, m)
	}
	return out
}

// participantInfo is the entry of "listparticipants".
func (p *publisher) participantInfo() map[string]any {
	m := map[string]any{"id": p.ID, "publisher": p.Active}
	if p.Display != "" {
		m["display"] = p.Display
	}
	if p.Active && p.AudioLevel {
		m["talking"] = p.Talking
	}
	return m
}

// attendee is the entry of "attendees" and "joining".
func (p *publisher) attendee() map[string]any {
	m := map[string]any{"id": p.ID}
	if p.Display != "" {
		m["display"] = p.Display
	}
	return m
}
