package media

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// maxLayers is the most simulcast encodings one m-line may carry (browsers
// send at most three).
const maxLayers = 3

// layerTimeout is how long a simulcast layer may go without packets before
// destinations that want it fall back to a lower one. Browsers stop the
// upper encodings when their bandwidth estimate drops; Janus's default
// fallback is 250 ms, a little more is kinder to low frame rates.
const layerTimeout = 500 * time.Millisecond

// layer is one received RTP stream of a source: the only one for a plain
// m-line, or one simulcast encoding (rid). Layers are ordered by quality,
// index 0 being the lowest.
type layer struct {
	rid   string
	track atomic.Pointer[webrtc.TrackRemote]
	ssrc  atomic.Uint32

	lastAt         atomic.Int64 // clock() of the last packet, 0 = never
	packets, bytes atomic.Uint64
	lost           atomic.Int64
	lastPLI        atomic.Int64
	plisSent       atomic.Uint64

	// Sequence tracking for loss, touched only by the reading goroutine.
	seqStarted bool
	baseSeq    uint16
	maxSeq     uint16
	cycles     uint64
}

// active reports whether the layer has delivered a packet recently.
func (l *layer) active(now int64) bool {
	last := l.lastAt.Load()
	return last != 0 && now-last < int64(layerTimeout)
}

// account updates the layer's counters for one packet and returns by how
// much its cumulative loss changed.
func (l *layer) account(seq uint16, size int, now int64) (lostDelta int64) {
	received := l.packets.Add(1)
	l.bytes.Add(uint64(size))
	l.lastAt.Store(now)
	if !l.seqStarted {
		l.seqStarted = true
		l.baseSeq, l.maxSeq = seq, seq
	} else if ahead := int16(seq - l.maxSeq); ahead > 0 {
		if seq < l.maxSeq {
			l.cycles += 1 << 16
		}
		l.maxSeq = seq
	}
	expected := l.cycles + uint64(l.maxSeq) - uint64(l.baseSeq) + 1
	lost := int64(expected) - int64(received)
	if lost < 0 {
		lost = 0
	}
	old := l.lost.Swap(lost)
	return lost - old
}

// simulcastRIDs returns the rids a remote m-line announces, best quality
// first. The order is that of a=simulcast (or of the a=rid lines when
// there is none); janus.js and the browsers list the full-resolution
// encoding first ("h", "m", "l"), and Janus reads the list the same way.
func simulcastRIDs(simulcast string, ridLines []string) []string {
	var rids []string
	if _, list, ok := strings.Cut(strings.TrimSpace(simulcast), "send "); ok {
		list, _, _ = strings.Cut(list, " ") // a "recv ..." part may follow
		for _, alt := range strings.Split(list, ";") {
			first, _, _ := strings.Cut(alt, ",")
			first = strings.TrimPrefix(strings.TrimSpace(first), "~")
			if first != "" {
				rids = append(rids, first)
			}
		}
	}
	if len(rids) == 0 {
		for _, line := range ridLines {
			id, dir, _ := strings.Cut(strings.TrimSpace(line), " ")
			if strings.HasPrefix(strings.TrimSpace(dir), "send") && id != "" {
				rids = append(rids, id)
			}
		}
	}
	if len(rids) > maxLayers {
		rids = rids[:maxLayers]
	}
	return rids
}
