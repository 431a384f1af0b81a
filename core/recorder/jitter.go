package recorder

import (
	"encoding/binary"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"
)

// reorderWindow is how many sequence numbers the jitter buffer holds
// before it gives up on a missing packet. Recording adds no latency anyone
// sees, so it can wait long: 64 packets is about a second of audio or a few
// hundred milliseconds of video.
const reorderWindow = 64

// resyncDistance is how far a sequence number may jump, either way, before
// it is taken as a restarted stream rather than loss or a late packet.
const resyncDistance = 3000

// admitRing sizes the record of recently pushed sequence numbers used to
// refuse duplicates and to tell padding from loss; it must exceed
// reorderWindow.
const admitRing = 512

// arrivalLen is the prefix the jitter buffer puts before each payload it
// hands pion's sample builder: the packet's arrival time, which the
// pipeline needs per packet and the sample builder does not keep.
const arrivalLen = 8

// jitterBuffer puts packets back in sequence order and groups them into
// frames, using pion's samplebuilder. What samplebuilder cannot express is
// done here, around it:
//
//   - The container writers take RTP packets, not depacketized samples, and
//     the frame checks look at each packet. So the depacketizer given to
//     samplebuilder does not depacketize: it passes every packet through,
//     length-prefixed, and the sample's RTP headers (WithRTPHeaders) restore
//     the packets.
//   - samplebuilder stores a packet pushed twice in place of the first and
//     lets a packet older than its window move its window backwards. So
//     duplicates and late packets are refused before they reach it, and a
//     restarted stream (new SSRC, sequence jump) gets a new builder.
//   - Padding-only packets (bandwidth probes) use sequence numbers but carry
//     no media; they are kept out of the builder and their sequence numbers
//     are not counted as lost.
type jitterBuffer struct {
	codec   codec
	clock   uint32
	sb      *samplebuilder.SampleBuilder
	recycle func(*packet)
	held    map[uint16]*packet // pushed into sb, not yet released by it

	started  bool
	ssrc     uint32
	highest  uint16 // highest sequence number pushed
	emitted  bool   // a sample has been popped since the last (re)start
	lastOut  uint16 // last sequence number of the last sample popped
	seen     [admitRing]uint32
	padding  [admitRing]uint32
	scratch  []*packet
	depacket passThrough
}

// jitterVerdict is what the buffer decided about a pushed packet.
type jitterVerdict int

const (
	jitterOK        jitterVerdict = iota // taken
	jitterLate                           // already given up on or written: refused
	jitterDuplicate                      // already held: refused
	jitterResync                         // new stream: caller must drain, restart, push again
)

func newJitterBuffer(c codec, clock uint32, recycle func(*packet)) *jitterBuffer {
	j := &jitterBuffer{codec: c, clock: clock, recycle: recycle, held: map[uint16]*packet{}}
	j.depacket.inner = partitionChecker(c)
	j.restart()
	return j
}

// partitionChecker is pion's depacketizer for c, used for its frame-end
// rule.
func partitionChecker(c codec) rtp.Depacketizer {
	switch c {
	case codecVP8:
		return &codecs.VP8Packet{}
	case codecVP9:
		return &codecs.VP9Packet{}
	case codecAV1:
		return &codecs.AV1Depacketizer{}
	case codecH264:
		return &codecs.H264Packet{}
	}
	return &codecs.OpusPacket{}
}

// restart drops the builder (which must have been drained) and starts a
// new one for the next packet's stream.
func (j *jitterBuffer) restart() {
	for seq, p := range j.held { // none after a flush, unless the builder lost track of one
		delete(j.held, seq)
		j.recycle(p)
	}
	j.sb = samplebuilder.New(reorderWindow, &j.depacket, j.clock,
		samplebuilder.WithRTPHeaders(true),
		samplebuilder.WithPacketReleaseHandler(j.released))
	j.started, j.emitted = false, false
	j.seen, j.padding = [admitRing]uint32{}, [admitRing]uint32{}
}

// ringMark is how a sequence number is stored in the rings: never 0, so
// an empty slot matches nothing.
func ringMark(seq uint16) uint32 { return uint32(seq) | 1<<16 }

// push hands p to the builder, or refuses it. A refused packet stays the
// caller's. Taken packets are given back through recycle once the builder
// is done with them (their media is copied into the samples).
func (j *jitterBuffer) push(p *packet) jitterVerdict {
	if !j.started {
		j.started, j.ssrc, j.highest = true, p.ssrc, p.seq-1
	}
	if p.ssrc != j.ssrc {
		return jitterResync
	}
	d := int(int16(p.seq - j.highest))
	switch {
	case d <= -resyncDistance || d >= resyncDistance:
		return jitterResync
	case d <= -reorderWindow:
		return jitterLate
	case j.emitted && int16(p.seq-j.lastOut) <= 0:
		return jitterLate
	case j.seen[p.seq%admitRing] == ringMark(p.seq):
		return jitterDuplicate
	}
	j.seen[p.seq%admitRing] = ringMark(p.seq)
	if d > 0 {
		j.highest = p.seq
	}
	if len(p.payload) == 0 {
		j.padding[p.seq%admitRing] = ringMark(p.seq)
		j.recycle(p)
		return jitterOK
	}
	p.wire = binary.BigEndian.AppendUint64(p.wire[:0], uint64(p.arrival))
	p.wire = append(p.wire, p.payload...)
	p.sbp = rtp.Packet{
		Header: rtp.Header{
			Version: 2, Marker: p.marker, PayloadType: p.pt,
			SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc,
		},
		Payload: p.wire,
	}
	if old := j.held[p.seq]; old != nil {
		// Left in the builder from 65536 packets ago; it would be replaced
		// without a release.
		delete(j.held, p.seq)
		j.recycle(old)
	}
	j.held[p.seq] = p
	j.sb.Push(&p.sbp)
	return jitterOK
}

// released is samplebuilder's release handler.
func (j *jitterBuffer) released(r *rtp.Packet) {
	p := j.held[r.SequenceNumber]
	if p == nil || &p.sbp != r {
		return
	}
	delete(j.held, r.SequenceNumber)
	j.recycle(p)
}

// frame is one sample popped from the builder, as packets again.
type frame struct {
	packets []*packet
	// missing is how many sequence numbers between the previous frame and
	// this one never arrived (padding does not count); dropped is how many
	// did arrive but were dropped by the builder as part of a frame it
	// could not complete.
	missing, dropped int
}

// pop returns the next complete frame, or false when there is none yet.
// With flush, it gives up on every gap and returns what the builder holds.
// The frame's packets are fresh and belong to the caller.
func (j *jitterBuffer) pop() (frame, bool) {
	s := j.sb.Pop()
	if s == nil {
		return frame{}, false
	}
	return j.unpack(s), true
}

// flush makes the builder give up on every gap; pop then returns the rest.
func (j *jitterBuffer) flush() { j.sb.Flush() }

// unpack turns a sample back into its packets, and works out what was lost
// between it and the previous one.
func (j *jitterBuffer) unpack(s *media.Sample) frame {
	var f frame
	data := s.Data
	for _, h := range s.RTPHeaders {
		if len(data) < 4 {
			break
		}
		n := int(binary.BigEndian.Uint32(data))
		data = data[4:]
		if n < arrivalLen || n > len(data) {
			break
		}
		f.packets = append(f.packets, &packet{
			seq: h.SequenceNumber, ts: h.Timestamp, ssrc: h.SSRC, pt: h.PayloadType, marker: h.Marker,
			arrival: time.Duration(binary.BigEndian.Uint64(data)),
			payload: data[arrivalLen:n:n],
		})
		data = data[n:]
	}
	if len(f.packets) == 0 {
		return f
	}
	first := f.packets[0].seq
	if j.emitted {
		gap := int(first - j.lastOut - 1)
		if gap > admitRing {
			f.missing = gap // beyond what the rings remember: take it all as lost
		} else {
			for seq := j.lastOut + 1; seq != first; seq++ {
				switch ringMark(seq) {
				case j.padding[seq%admitRing]:
				case j.seen[seq%admitRing]:
					f.dropped++
				default:
					f.missing++
				}
			}
		}
	}
	j.emitted, j.lastOut = true, f.packets[len(f.packets)-1].seq
	return f
}

// passThrough is the depacketizer given to samplebuilder: it frames each
// packet (arrival prefix and payload) with its length instead of
// depacketizing it, and asks inner where frames end.
type passThrough struct{ inner rtp.Depacketizer }

func (d *passThrough) Unmarshal(wire []byte) ([]byte, error) {
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(wire)), uint32(len(wire)))
	return append(out, wire...), nil
}

// IsPartitionHead takes every packet for a possible frame start. Whether a
// frame really starts there is the pipeline's call (frameStart, checkFrame),
// made with its keyframe state. Letting samplebuilder judge would cost
// frames: when it is forced to give up on a gap and the next packets are
// the rest of a frame that lost its head, it drops them and then, in the
// same pass, the first packet of the complete frame after them too.
func (d *passThrough) IsPartitionHead(wire []byte) bool {
	return len(wire) > arrivalLen
}

func (d *passThrough) IsPartitionTail(marker bool, wire []byte) bool {
	return len(wire) >= arrivalLen && d.inner.IsPartitionTail(marker, wire[arrivalLen:])
}
