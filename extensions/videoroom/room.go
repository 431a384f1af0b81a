package main

import (
	"fmt"
	"slices"
	"strings"
)

// roomSettings is everything "create" sets; it is what is persisted.
type roomSettings struct {
	Room               uint64   `json:"room"`
	Description        string   `json:"description"`
	Secret             string   `json:"secret,omitempty"`
	Pin                string   `json:"pin,omitempty"`
	IsPrivate          bool     `json:"is_private"`
	Allowed            []string `json:"allowed,omitempty"`
	CheckAllowed       bool     `json:"check_allowed"`
	RequirePvtID       bool     `json:"require_pvtid"`
	SignedTokens       bool     `json:"signed_tokens"`
	Publishers         int      `json:"publishers"`
	Bitrate            uint32   `json:"bitrate"`
	BitrateCap         bool     `json:"bitrate_cap"`
	FirFreq            int      `json:"fir_freq"`
	AudioCodecs        []string `json:"audiocodecs"`
	VideoCodecs        []string `json:"videocodecs"`
	VP9Profile         string   `json:"vp9_profile,omitempty"`
	H264Profile        string   `json:"h264_profile,omitempty"`
	OpusFEC            bool     `json:"opus_fec"`
	OpusDTX            bool     `json:"opus_dtx"`
	VideoSVC           bool     `json:"video_svc"`
	AudioLevelExt      bool     `json:"audiolevel_ext"`
	AudioLevelEvent    bool     `json:"audiolevel_event"`
	AudioActivePackets int      `json:"audio_active_packets"`
	AudioLevelAverage  int      `json:"audio_level_average"`
	VideoOrientExt     bool     `json:"videoorient_ext"`
	PlayoutDelayExt    bool     `json:"playoutdelay_ext"`
	TransportWideCCExt bool     `json:"transport_wide_cc_ext"`
	Record             bool     `json:"record"`
	RecDir             string   `json:"rec_dir,omitempty"`
	LockRecord         bool     `json:"lock_record"`
	NotifyJoining      bool     `json:"notify_joining"`
	RequireE2EE        bool     `json:"require_e2ee"`
	Permanent          bool     `json:"permanent"`
	// RecordingID groups the tracks of the room's current recording
	// ("record": true) into one catalogue entry, which replay plays back.
	RecordingID string `json:"recording_id,omitempty"`
}

// room is a live room: its settings and who is in it.
type room struct {
	roomSettings
	participants map[uint64]*publisher // by participant id
	subscribers  map[uint64]*subscriber
}

func newRoom(s roomSettings) *room {
	return &room{roomSettings: s, participants: map[uint64]*publisher{}, subscribers: map[uint64]*subscriber{}}
}

// Janus's audio codec names, as "audiocodec" accepts them.
var (
	audioCodecNames = []string{"opus", "multiopus", "red", "g722", "pcmu", "pcma", "isac32", "isac16", "l16-48", "l16"}
	videoCodecNames = []string{"vp8", "vp9", "h264", "av1", "h265"}
)

func defaultSettings(id uint64) roomSettings {
	return roomSettings{
		Room: id, Description: fmt.Sprintf("Room %d", id), Publishers: 3,
		AudioCodecs: []string{"opus"}, VideoCodecs: []string{"vp8"}, OpusFEC: true,
		AudioLevelExt: true, AudioActivePackets: 100, AudioLevelAverage: 25,
		VideoOrientExt: true, PlayoutDelayExt: true, TransportWideCCExt: true,
	}
}

var (
	createStrings = []string{"description", "secret", "pin", "audiocodec", "videocodec", "vp9_profile", "h264_profile", "rec_dir", "admin_key"}
	createUints   = []string{"room", "publishers", "bitrate", "fir_freq", "audio_active_packets", "audio_level_average"}
	createBools   = []string{"is_private", "require_pvtid", "signed_tokens", "bitrate_cap", "opus_fec", "opus_dtx", "video_svc",
		"audiolevel_ext", "audiolevel_event", "videoorient_ext", "playoutdelay_ext", "transport_wide_cc_ext", "record",
		"lock_record", "notify_joining", "require_e2ee", "permanent", "dummy_publisher"}
)

// settingsFrom reads the fields of a create request (or a configured room)
// over the defaults; the room id is set by the caller.
func settingsFrom(p params, id uint64) (roomSettings, *vrError) {
	if e := p.check(createStrings, createUints, createBools, []string{"allowed"}); e != nil {
		return roomSettings{}, e
	}
	s := defaultSettings(id)
	str := func(n string, dst *string) {
		if v, ok, _ := p.str(n); ok {
			*dst = v
		}
	}
	boolean := func(n string, dst *bool) {
		if v, ok, _ := p.boolean(n); ok {
			*dst = v
		}
	}
	num := func(n string, dst *int) {
		if v, ok, _ := p.uint(n); ok {
			*dst = int(v)
		}
	}
	str("description", &s.Description)
	if s.Description == "" {
		s.Description = fmt.Sprintf("Room %d", id)
	}
	str("secret", &s.Secret)
	str("pin", &s.Pin)
	str("vp9_profile", &s.VP9Profile)
	str("h264_profile", &s.H264Profile)
	str("rec_dir", &s.RecDir)
	for _, b := range []struct {
		n   string
		dst *bool
	}{{"is_private", &s.IsPrivate}, {"require_pvtid", &s.RequirePvtID}, {"signed_tokens", &s.SignedTokens},
		{"bitrate_cap", &s.BitrateCap}, {"opus_fec", &s.OpusFEC}, {"opus_dtx", &s.OpusDTX}, {"video_svc", &s.VideoSVC},
		{"audiolevel_ext", &s.AudioLevelExt}, {"audiolevel_event", &s.AudioLevelEvent}, {"videoorient_ext", &s.VideoOrientExt},
		{"playoutdelay_ext", &s.PlayoutDelayExt}, {"transport_wide_cc_ext", &s.TransportWideCCExt}, {"record", &s.Record},
		{"lock_record", &s.LockRecord}, {"notify_joining", &s.NotifyJoining}, {"require_e2ee", &s.RequireE2EE},
		{"permanent", &s.Permanent}} {
		boolean(b.n, b.dst)
	}
	num("publishers", &s.Publishers)
	if s.Publishers == 0 {
		s.Publishers = 3
	}
	num("fir_freq", &s.FirFreq)
	num("audio_active_packets", &s.AudioActivePackets)
	num("audio_level_average", &s.AudioLevelAverage)
	if v, ok, _ := p.uint("bitrate"); ok {
		s.Bitrate = uint32(v)
	}
	if v, ok, _ := p.strList("allowed"); ok {
		s.Allowed, s.CheckAllowed = v, true
	}
	var e *vrError
	if v, ok, _ := p.str("audiocodec"); ok {
		if s.AudioCodecs, e = codecList("audiocodec", v, audioCodecNames); e != nil {
			return s, e
		}
	}
	if v, ok, _ := p.str("videocodec"); ok {
		if s.VideoCodecs, e = codecList("videocodec", v, videoCodecNames); e != nil {
			return s, e
		}
	}
	return s, nil
}

// codecList parses Janus's comma separated codec preference list.
func codecList(field, v string, known []string) ([]string, *vrError) {
	var out []string
	for _, c := range strings.Split(v, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if !slices.Contains(known, c) {
			return nil, fail(errInvalidElement, "Invalid element (%s)", field)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fail(errInvalidElement, "Invalid element (%s)", field)
	}
	return out, nil
}

// listEntry is the room as the "list" request shows it.
func (r *room) listEntry() map[string]any {
	e := map[string]any{
		"room": r.Room, "description": r.Description, "pin_required": r.Pin != "", "is_private": r.IsPrivate,
		"max_publishers": r.Publishers, "bitrate": r.Bitrate, "fir_freq": r.FirFreq, "require_pvtid": r.RequirePvtID,
		"require_e2ee": r.RequireE2EE, "dummy_publisher": false, "notify_joining": r.NotifyJoining,
		"audiocodec": strings.Join(r.AudioCodecs, ","), "videocodec": strings.Join(r.VideoCodecs, ","),
		"record": r.Record, "lock_record": r.LockRecord, "num_participants": len(r.participants),
		"audiolevel_ext": r.AudioLevelExt, "audiolevel_event": r.AudioLevelEvent, "videoorient_ext": r.VideoOrientExt,
		"playoutdelay_ext": r.PlayoutDelayExt, "transport_wide_cc_ext": r.TransportWideCCExt,
	}
	if r.BitrateCap {
		e["bitrate_cap"] = true
	}
	if r.OpusFEC {
		e["opus_fec"] = true
	}
	if r.OpusDTX {
		e["opus_dtx"] = true
	}
	if r.VideoSVC {
		e["video_svc"] = true
	}
	if r.RecDir != "" {
		e["rec_dir"] = r.RecDir
	}
	if r.AudioLevelEvent {
		e["audio_active_packets"] = r.AudioActivePackets
		e["audio_level_average"] = r.AudioLevelAverage
	}
	return e
}

// checkSecret enforces the room secret on administrative requests.
func (r *room) checkSecret(p params) *vrError {
	if r.Secret == "" {
		return nil
	}
	s, ok, e := p.str("secret")
	if e != nil {
		return e
	}
	if !ok {
		return missing("secret")
	}
	if s != r.Secret {
		return fail(errUnauthorized, "Unauthorized (wrong secret)")
	}
	return nil
}

// checkPin enforces the room pin on joins.
func (r *room) checkPin(p params) *vrError {
	if r.Pin == "" {
		return nil
	}
	s, ok, e := p.str("pin")
	if e != nil {
		return e
	}
	if !ok {
		return missing("pin")
	}
	if s != r.Pin {
		return fail(errUnauthorized, "Unauthorized (wrong pin)")
	}
	return nil
}

// publishing counts the participants with a negotiated PeerConnection.
func (r *room) publishing() int {
	n := 0
	for _, p := range r.participants {
		if p.Published {
			n++
		}
	}
	return n
}

// byPrivateID finds the participant a subscriber says it belongs to.
func (r *room) byPrivateID(id uint32) *publisher {
	for _, p := range r.participants {
		if p.PrivateID == id {
			return p
		}
	}
	return nil
}
