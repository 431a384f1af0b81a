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
// goroutine: reorder, assemble frames, wait for keyframes, write.
type pipeline struct {
	codec  codec
	writer mediaWriter
	out    *countingWriter
	sprop  []byte // H.264 parameter sets from the SDP, as a STAP-A payload

	reorder reorderBuffer
	deliver func(*packet, int) // pl.take, bound once so pushing does not allocate
	frame   []*packet
	tl      timeline
	rtp     rtp.Packet // reused for every writer call

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
	pl.deliver = pl.take
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
	switch pl.reorder.push(p, pl.deliver) {
	case placeOK:
	case placeLate:
		pl.c.late.Add(1)
		pl.release(p)
	case placeDuplicate:
		pl.c.duplicates.Add(1)
		pl.release(p)
	case placeResync:
		// A restarted stream: finish the old one, then continue with a
		// gap the decoder can cope with (a keyframe, for video).
		pl.c.resyncs.Add(1)
		pl.reorder.drain(pl.deliver)
		pl.broken(p.arrival)
		pl.reorder.reset(p)
		pl.reorder.push(p, pl.deliver)
	}
}

// flush writes out what the reorder buffer still holds; a frame left
// incomplete is dropped.
func (pl *pipeline) flush() {
	defer func() {
		if r := recover(); r != nil {
			pl.fail(fmt.Errorf("recorder: panic while writing: %v", r))
		}
	}()
	pl.reorder.drain(pl.deliver)
	if len(pl.frame) > 0 {
		pl.c.discarded.Add(uint64(len(pl.frame)))
		pl.dropFrame()
	}
}

// take receives packets from the reorder buffer in sequence order, with the
// number of packets given up on just before p.
func (pl *pipeline) take(p *packet, lost int) {
	if lost > 0 {
		pl.c.lost.Add(uint64(lost))
		pl.broken(p.arrival)
	}
	if pl.err != nil || len(p.payload) == 0 {
		// Padding-only packets (bandwidth probes) carry no media but do
		// use sequence numbers, so they are dropped only after reordering.
		pl.release(p)
		return
	}
	if !pl.codec.isVideo() {
		pl.writeAudio(p)
		return
	}
	pl.assemble(p)
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
		pl.release(p)
		return
	}
	pl.noteWritten(p, p, ts)
	pl.c.written.Add(1)
	pl.c.bytes.Add(uint64(len(p.payload)))
	pl.release(p)
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
		pl.release(p) // last use of p: the pool may hand it out at once
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

// dropFrame gives the packets of the frame in progress back to the pool,
// whether they were written or not.
func (pl *pipeline) dropFrame() {
	for i, p := range pl.frame {
		pl.release(p)
		pl.frame[i] = nil
	}
	pl.frame = pl.frame[:0]
}
