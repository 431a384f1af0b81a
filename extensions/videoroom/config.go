package main

import (
	"encoding/json"
	"fmt"
)

// config is the extension's settings (see the package documentation).
type config struct {
	AdminKey       string            `json:"admin_key"`
	LockRtpForward bool              `json:"lock_rtp_forward"`
	Rooms          []json.RawMessage `json:"rooms"`
}

// sampleRooms are the rooms Janus's shipped janus.plugin.videoroom.jcfg
// defines, used when the configuration names none.
var sampleRooms = []string{
	`{"room":1234,"description":"Demo Room","secret":"adminpwd","publishers":6,"bitrate":128000,"fir_freq":10,"record":false}`,
	`{"room":5678,"description":"VP9-SVC Demo Room","secret":"adminpwd","publishers":6,"bitrate":512000,"fir_freq":10,"videocodec":"vp9","video_svc":true}`,
}

func parseConfig(raw []byte) (config, error) {
	var c config
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &c); err != nil {
			return c, fmt.Errorf("videoroom config: %w", err)
		}
	}
	if c.Rooms == nil {
		for _, r := range sampleRooms {
			c.Rooms = append(c.Rooms, json.RawMessage(r))
		}
	}
	return c, nil
}

// configuredRooms turns the "rooms" entries into room settings.
func (c config) configuredRooms() ([]roomSettings, error) {
	var out []roomSettings
	for i, raw := range c.Rooms {
		p, e := parseParams(raw)
		if e != nil {
			return nil, fmt.Errorf("videoroom config: room #%d: %s", i, e.msg)
		}
		id, e := p.mustUint("room")
		if e != nil {
			return nil, fmt.Errorf("videoroom config: room #%d: %s", i, e.msg)
		}
		s, e := settingsFrom(p, id)
		if e != nil {
			return nil, fmt.Errorf("videoroom config: room %d: %s", id, e.msg)
		}
		out = append(out, s)
	}
	return out, nil
}
