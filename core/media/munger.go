package media

// maxSeqJump is the largest forward gap in input sequence numbers still
// treated as loss within one stream; a bigger jump (either way) means the
// sender restarted its numbering and is handled like a source switch.
const maxSeqJump = 3000

// munger rewrites the sequence numbers and timestamps of one outgoing
// stream so the receiver sees a single continuous stream while the input
// changes under it: pause/resume, a new source, or a sender restart.
//
// Packets arrive in input segments. Inside a segment the output is the input
// shifted by constant offsets, so reordering and loss pass through
// unchanged. When a segment starts, the offsets are chosen so the first
// packet continues from the last one sent (seq+1, timestamp advanced by the
// wall-clock time since then). It is not safe for concurrent use.
type munger struct {
	started bool
	resync  bool // the next packet starts a new segment

	segment   uint32 // counts segments, so payload mungers can follow
	inSSRC    uint32 // SSRC of the current segment's input
	clockRate uint32 // RTP clock of the output, for the timestamp gap

	seqOffset uint16 // out = in + seqOffset
	tsOffset  uint32 // out = in + tsOffset
	segStart  uint16 // input seqs older than this are dropped
	highestIn uint16 // newest input seq of the segment

	lastSeq uint16 // newest seq sent
	lastTS  uint32 // its timestamp
	lastAt  int64  // when it was sent, in ns (any monotonic origin)
}

// restart makes the next packet begin a new segment (after a pause or when
// the source changes).
func (m *munger) restart() { m.resync = true }

// update maps an input packet to its output seq and timestamp; ok is false
// when the packet must be dropped (older than the current segment).
func (m *munger) update(seq uint16, ts, ssrc uint32, now int64) (outSeq uint16, outTS uint32, ok bool) {
	if !m.started || m.resync || ssrc != m.inSSRC {
		m.startSegment(seq, ts, ssrc, now)
		return m.lastSeq, m.lastTS, true
	}
	ahead := int16(seq - m.highestIn)
	switch {
	case ahead > 0 && ahead <= maxSeqJump:
		outSeq, outTS = seq+m.seqOffset, ts+m.tsOffset
		m.highestIn = seq
		m.lastSeq, m.lastTS, m.lastAt = outSeq, outTS, now
		return outSeq, outTS, true
	case ahead <= 0 && ahead >= -maxSeqJump:
		// Reordered or retransmitted: keep the mapping, but never reach back
		// before the segment start (or a skipped packet), where output
		// numbers belong to other input.
		if int16(seq-m.segStart) < 0 {
			return 0, 0, false
		}
		return seq + m.seqOffset, ts + m.tsOffset, true
	default:
		m.startSegment(seq, ts, ssrc, now)
		return m.lastSeq, m.lastTS, true
	}
}

// skip absorbs a packet that will not be sent (padding only) so the next
// packet follows without a gap the receiver would take for loss. Only the
// newest packet can be absorbed; older input is cut off, since its output
// numbers would now collide.
func (m *munger) skip(seq uint16, ts, ssrc uint32) {
	if !m.started || m.resync || ssrc != m.inSSRC {
		return
	}
	ahead := int16(seq - m.highestIn)
	if ahead <= 0 || ahead > maxSeqJump {
		return
	}
	m.highestIn = seq
	m.seqOffset--
	m.segStart = seq + 1
}

func (m *munger) startSegment(seq uint16, ts, ssrc uint32, now int64) {
	if m.started {
		outSeq := m.lastSeq + 1
		outTS := m.lastTS + m.tsGap(now)
		m.seqOffset = outSeq - seq
		m.tsOffset = outTS - ts
	} else {
		// The first segment passes through unchanged: an echo gets its own
		// numbers back, which keeps traces readable.
		m.seqOffset, m.tsOffset = 0, 0
		m.started = true
	}
	m.resync = false
	m.segment++
	m.inSSRC = ssrc
	m.segStart, m.highestIn = seq, seq
	m.lastSeq, m.lastTS, m.lastAt = seq+m.seqOffset, ts+m.tsOffset, now
}

// tsGap is the timestamp advance matching the wall-clock time since the
// last packet, at least 1 so timestamps never repeat across segments.
func (m *munger) tsGap(now int64) uint32 {
	elapsed := now - m.lastAt
	if elapsed <= 0 || m.clockRate == 0 {
		return 1
	}
	// Split the product so it cannot overflow for long pauses.
	sec, frac := elapsed/1e9, elapsed%1e9
	gap := uint32(sec)*m.clockRate + uint32(frac*int64(m.clockRate)/1e9)
	if gap == 0 {
		return 1
	}
	return gap
}
