package main

import "strings"

const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// offersAudioLevel reports whether an SDP's audio m-line carries the
// ssrc-audio-level header extension, which VideoRoom's talking flags and
// events depend on. Only the lines it needs are looked at.
func offersAudioLevel(sdp string) bool {
	inAudio := false
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "m="):
			inAudio = strings.HasPrefix(line, "m=audio ")
		case inAudio && strings.HasPrefix(line, "a=extmap:"):
			fields := strings.Fields(line)
			if len(fields) >= 2 && fields[1] == audioLevelURI {
				return true
			}
		}
	}
	return false
}
