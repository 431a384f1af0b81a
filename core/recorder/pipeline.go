package recorder

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// packet is a track's own copy of one RTP packet, from a pool, holding only
// what recording needs.
type packet struct {
	seq     uint16
	ts      uint32
	ssrc    uint32
	pt      uint8
	marker  bool
	arrival time.Duration // since the track started
	payload []byte

	// What the jitter buffer hands pion's sample builder: the payload with
	// the arrival time before it, and a packet header around it.
	wire []byte
	sbp  rtp.Packet
}

// maxFramePackets bounds a frame being assembled; a frame that reaches it
// without a marker is dropped (a lost marker bit cannot make it unbounded,
// since a new timestamp also ends a frame, but a broken sender could).
const maxFramePackets = 1024

// keyframeRetry is how often the pipeline asks again while it keeps waiting
// for a keyframe: the first request or its answer can be lost.
const keyframeRetry = time.Second

// counters are the pipeline's and track's statistics, read by Stats from
// other goroutines.
type counters struct {
	received, dropped                 atomic.Uint64
	written, bytes, frames            atomic.Uint64
	lost, late, duplicates, discarded atomic.Uint64
	malformed, resyncs                atomic.Uint64
}

// pipeline is the synchronous heart of a track, run by its writer
// goroutine: reorder (jitter buffer), assemble frames, wait for keyframes, write.
type pipeline struct {
	codec  codec
	writer mediaWriter
	out    *countingWriter
	sprop  []byte // H.264 parameter sets from the SDP, as a STAP-A payload

	jitter *jitterBuffer
	frame  []*packet
	tl     timeline
	rtp    rtp.Packet // reused for every writer call

	waiting bool          // video: dropping until a keyframe
	asked   bool          // a keyframe was requested since waiting began
	askedAt time.Duration // arrival time of the packet that triggered it

	started           bool
	firstTS, lastTS   uint32 // source timestamps of the first and last packet written
	firstOut, lastOut uint64 // their timeline positions

	err error // first write failure; nothing is written after it

	c *counters
	// Hooks, all called on the pipeline's goroutine.
	release    func(*packet)                          // give a packet back to the pool
	onWaiting  func(waiting bool)                     // keyframe wait began or ended
	onKeyframe func()                                 // please ask the sender for a keyframe
	onFirst    func(ts uint32, arrival time.Duration) // first packet written
}

func newPipeline(c codec, clock uint32, writer mediaWriter, out *countingWriter, cnt *counters) *pipeline {
	step := 20 * time.Millisecond // one Opus frame
	if c.isVideo() {
		step = time.Second / 30
	}
	pl := &pipeline{
		codec:      c,
		writer:     writer,
		out:        out,
		tl:         newTimeline(clock, step),
		waiting:    c.isVideo(),
		c:          cnt,
		release:    func(*packet) {},
		onWaiting:  func(bool) {},
		onKeyframe: func() {},
		onFirst:    func(uint32, time.Duration) {},
	}
	pl.jitter = newJitterBuffer(c, clock, func(p *packet) { pl.release(p) })
	return pl
}

// push takes ownership of p. A panic inside a container writer (a parser
// fed something nobody foresaw) ends the recording with an error instead of
// taking the gateway down.
func (pl *pipeline) push(p *packet) {
	defer func() {
		if r := recover(); r != nil {
			pl.fail(fmt.Errorf("recorder: panic while writing: %v", r))
		}
	}()
	if pl.err != nil {
		pl.release(p)
		return
	}
	switch pl.jitter.push(p) {
	case jitterOK:
	case jitterLate:
		pl.c.late.Add(1)
		pl.release(p)
	case jitterDuplicate:
		pl.c.duplicates.Add(1)
		pl.release(p)
	case jitterResync:
		// A restarted stream: finish the old one, then continue with a
		// gap the decoder can cope with (a keyframe, for video).
		pl.c.resyncs.Add(1)
		pl.jitter.flush()
		pl.takeFrames()
		pl.broken(p.arrival)
		pl.jitter.restart()
		if pl.jitter.push(p) != jitterOK {
			pl.release(p) // cannot happen: a fresh buffer takes anything
		}
	}
	pl.takeFrames()
}

// flush writes out what the jitter buffer still holds; a frame left
// incomplete is dropped.
func (pl *pipeline) flush() {
	defer func() {
		if r := recover(); r != nil {
			pl.fail(fmt.Errorf("recorder: panic while writing: %v", r))
		}
	}()
	pl.jitter.flush()
	pl.takeFrames()
	if len(pl.frame) > 0 {
		pl.c.discarded.Add(uint64(len(pl.frame)))
		pl.dropFrame()
	}
}

// takeFrames writes the frames the jitter buffer has completed.
func (pl *pipeline) takeFrames() {
	for {
		f, ok := pl.jitter.pop()
		if !ok {
			return
		}
		pl.take(f)
	}
}

// take receives one frame (for Opus, one packet) from the jitter buffer,
// in sequence order.
func (pl *pipeline) take(f frame) {
	if len(f.packets) == 0 {
		return
	}
	pl.c.lost.Add(uint64(f.missing))
	pl.c.discarded.Add(uint64(f.dropped))
	if f.missing+f.dropped > 0 {
		pl.broken(f.packets[0].arrival)
	}
	for _, p := range f.packets {
		if pl.err != nil {
			return
		}
		if !pl.codec.isVideo() {
			pl.writeAudio(p)
			continue
		}
		pl.assemble(p)
	}
}

// broken handles a break in the packet sequence. Audio decoders conceal a
// gap by themselves; for video, the frame in progress is lost and every
// later frame may refer to it, so the file waits for a keyframe.
func (pl *pipeline) broken(arrival time.Duration) {
	if !pl.codec.isVideo() {
		return
	}
	if len(pl.frame) > 0 {
		pl.c.discarded.Add(uint64(len(pl.frame)))
		pl.dropFrame()
	}
	pl.wait(arrival)
}

func (pl *pipeline) writeAudio(p *packet) {
	ts := pl.tl.next(p.ts, p.arrival)
	if err := pl.write(p, ts, p.payload); err != nil {
		pl.fail(err)
		return
	}
	pl.noteWritten(p, p, ts)
	pl.c.written.Add(1)
	pl.c.bytes.Add(uint64(len(p.payload)))
}

func (pl *pipeline) assemble(p *packet) {
	if len(pl.frame) > 0 && p.ts != pl.frame[0].ts {
		// The frame in progress never got its marker bit.
		pl.c.malformed.Add(1)
		pl.broken(p.arrival)
	}
	if len(pl.frame) == 0 && pl.waiting && !frameStart(pl.codec, p.payload) {
		pl.c.discarded.Add(1)
		pl.askAgain(p.arrival)
		return
	}
	pl.frame = append(pl.frame, p)
	if len(pl.frame) >= maxFramePackets && !p.marker {
		pl.c.malformed.Add(1)
		pl.broken(p.arrival)
		return
	}
	if p.marker {
		pl.completeFrame()
	}
}

// completeFrame writes the frame just assembled, if it is well formed and,
// while waiting, a keyframe.
func (pl *pipeline) completeFrame() {
	first := pl.frame[0]
	fc := checkFrame(pl.codec, pl.frame)
	if !fc.valid {
		pl.c.malformed.Add(1)
		pl.broken(first.arrival)
		return
	}
	var primer []byte
	if pl.waiting {
		if !fc.keyframe {
			pl.skipFrame(first.arrival)
			return
		}
		if pl.codec == codecH264 && !fc.spsFirst {
			// pion's h264writer starts at a packet that begins with an
			// SPS; give it one built from the parameter sets at hand.
			if fc.sps && fc.pps {
				primer = h264FrameParameterSets(pl.frame)
			}
			if primer == nil {
				primer = pl.sprop
			}
			if primer == nil {
				pl.skipFrame(first.arrival) // no SPS anywhere: not decodable
				return
			}
		}
	}

	ts := pl.tl.next(first.ts, first.arrival)
	before := pl.out.n.Load()
	if primer != nil {
		if err := pl.write(first, ts, primer); err != nil {
			pl.fail(err)
			return
		}
	}
	var size uint64
	for _, p := range pl.frame {
		if err := pl.write(p, ts, p.payload); err != nil {
			pl.fail(err)
			return
		}
		size += uint64(len(p.payload))
	}
	if pl.waiting {
		if pl.out.n.Load() == before {
			// The writer still considers this undecodable; keep waiting
			// rather than report a keyframe that is not in the file.
			pl.skipFrame(first.arrival)
			return
		}
		pl.waiting = false
		pl.onWaiting(false)
	}
	pl.noteWritten(first, pl.frame[len(pl.frame)-1], ts)
	pl.c.frames.Add(1)
	pl.c.written.Add(uint64(len(pl.frame)))
	pl.c.bytes.Add(size)
	pl.dropFrame()
}

// skipFrame drops a whole frame that arrived while waiting for a keyframe
// and was not one.
func (pl *pipeline) skipFrame(arrival time.Duration) {
	pl.c.discarded.Add(uint64(len(pl.frame)))
	pl.dropFrame()
	pl.askAgain(arrival)
}

func (pl *pipeline) write(p *packet, ts uint64, payload []byte) error {
	pl.rtp.Header = rtp.Header{
		Version:        2,
		Marker:         p.marker,
		PayloadType:    p.pt,
		SequenceNumber: p.seq,
		Timestamp:      uint32(ts),
		SSRC:           p.ssrc,
	}
	pl.rtp.Payload = payload
	if err := pl.writer.WriteRTP(&pl.rtp); err != nil {
		return fmt.Errorf("recorder: write: %w", err)
	}
	return nil
}

func (pl *pipeline) noteWritten(first, last *packet, ts uint64) {
	if !pl.started {
		pl.started = true
		pl.firstTS, pl.firstOut = first.ts, ts
		pl.onFirst(first.ts, first.arrival)
	}
	pl.lastTS, pl.lastOut = last.ts, ts
}

// duration is the time from the first to the last packet written, by
// their timestamps.
func (pl *pipeline) duration() time.Duration {
	if !pl.started {
		return 0
	}
	ticks, clock := pl.lastOut-pl.firstOut, uint64(pl.tl.clock)
	return time.Duration(ticks/clock)*time.Second + time.Duration(ticks%clock*uint64(time.Second)/clock)
}

// wait starts waiting for a keyframe, asking for one right away.
func (pl *pipeline) wait(arrival time.Duration) {
	if pl.waiting {
		pl.askAgain(arrival)
		return
	}
	pl.waiting = true
	pl.asked = false
	pl.onWaiting(true)
	pl.askAgain(arrival)
}

// askAgain asks for a keyframe if none was asked for yet in this wait, or
// the last request is keyframeRetry old.
func (pl *pipeline) askAgain(arrival time.Duration) {
	if !pl.waiting || (pl.asked && arrival-pl.askedAt < keyframeRetry) {
		return
	}
	pl.asked, pl.askedAt = true, arrival
	pl.onKeyframe()
}

func (pl *pipeline) fail(err error) {
	if pl.err == nil {
		pl.err = err
	}
	pl.dropFrame()
}

// dropFrame forgets the frame in progress, whether it was written or not.
// Its packets are the jitter buffer's copies, not pooled buffers.
func (pl *pipeline) dropFrame() {
	for i := range pl.frame {
		pl.frame[i] = nil
	}
	pl.frame = pl.frame[:0]
}
