package recorder

import "time"

// timeline maps the source's RTP timestamps onto the timestamps written to
// the file: a 64-bit count of clock ticks that only moves forward.
//
// pion's writers derive positions from differences between consecutive
// timestamps (oggwriter's granule position) or from the difference to the
// first one (ivfwriter's PTS), so a timestamp that jumps backwards or far
// ahead (a publisher restarting its stream, a corrupt packet) would push
// everything after it to nonsense positions. A jump that the wall clock does
// not account for is replaced by the wall-clock time between the packets,
// or one nominal frame if that is shorter, which keeps tracks of the same
// recording in step.
type timeline struct {
	clock   uint32 // ticks per second
	step    uint64 // nominal frame duration in ticks
	started bool
	lastIn  uint32 // last source timestamp mapped
	lastAt  time.Duration
	out     uint64 // output timestamp of the last mapping
}

// slack is how much further than the wall clock an RTP timestamp may run
// between two packets before it counts as a jump: jitter and bursts after
// a stall make arrival times lag behind.
const slack = 2 * time.Second

func newTimeline(clock uint32, step time.Duration) timeline {
	return timeline{clock: clock, step: uint64(step.Seconds() * float64(clock))}
}

// next maps source timestamp ts of a packet that arrived at arrival (since
// any fixed origin) and returns the output timestamp.
func (t *timeline) next(ts uint32, arrival time.Duration) uint64 {
	if !t.started {
		t.started = true
		t.lastIn, t.lastAt = ts, arrival
		t.out = uint64(ts)
		return t.out
	}
	d := int64(int32(ts - t.lastIn))
	wall := max(arrival-t.lastAt, 0)
	if d < 0 || d > t.ticks(wall+slack) {
		d = max(t.ticks(wall), int64(t.step))
	}
	t.out += uint64(d)
	t.lastIn, t.lastAt = ts, arrival
	return t.out
}

func (t *timeline) ticks(d time.Duration) int64 {
	// Float, because nanoseconds times a 90 kHz clock overflow int64 after
	// a day; the precision lost is far below one tick.
	return int64(d.Seconds() * float64(t.clock))
}
