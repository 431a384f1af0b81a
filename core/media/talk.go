package media

import (
	"sync/atomic"

	"github.com/pion/rtp"
)

// TalkEvents is implemented by an Events value that wants talking
// notifications (the VideoRoom's talking / stopped-talking). It is a
// separate interface so existing Events implementations keep compiling;
// the engine checks for it with a type assertion.
type TalkEvents interface {
	// Talking reports that the speaker on the handle's audio stream mid
	// started (talking true) or stopped talking. level is the average
	// audio level of the window that decided it, in -dBov (0 loudest, 127
	// silence), as Janus reports audio-level-dBov-avg.
	Talking(handleID uint64, mid string, talking bool, level float64)
}

// Janus VideoRoom defaults for audio_active_packets and audio_level_average.
const (
	DefaultTalkPackets = 100
	DefaultTalkLevel   = 25
)

// talkDetector implements Janus's talk detection over the RFC 6464 audio
// level header extension: every `packets` packets carrying a level, the
// average is compared with the threshold, and a change of state is
// reported.
type talkDetector struct {
	// cfg packs packets<<32 | level; 0 disables. Written by the API,
	// read by the packet path, which restarts its window on a change.
	cfg atomic.Uint64

	// Reading goroutine only.
	applied uint64
	count   int
	sum     int
	talking bool
}

func packTalk(packets, level int) uint64 {
	if packets <= 0 {
		return 0
	}
	if level < 0 {
		level = 0
	}
	return uint64(uint32(packets))<<32 | uint64(uint32(level))
}

// observe feeds one packet of source s.
func (t *talkDetector) observe(s *source, pkt *rtp.Packet) {
	cfg := t.cfg.Load()
	if cfg != t.applied {
		t.applied, t.count, t.sum = cfg, 0, 0
	}
	if cfg == 0 {
		return
	}
	ext := pkt.GetExtension(s.audioLevelID)
	if len(ext) < 1 {
		return
	}
	t.sum += int(ext[0] & 0x7f)
	t.count++
	packets, threshold := int(cfg>>32), int(uint32(cfg))
	if t.count < packets {
		return
	}
	avg := float64(t.sum) / float64(t.count)
	t.count, t.sum = 0, 0
	// Janus compares strictly: an average below the threshold is talking.
	talking := avg < float64(threshold)
	if talking == t.talking {
		return
	}
	t.talking = talking
	if s.talkEv != nil {
		s.talkEv.Talking(s.handleID, s.mid, talking, avg)
	}
}
