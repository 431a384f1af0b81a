package recorder

import (
	"slices"
	"testing"
)

// jitterRun pushes packets with the given sequence numbers into a fresh
// jitter buffer (one packet per frame, so one frame per timestamp), and
// returns what it did with each and the frames that came out, flushed at
// the end.
type jitterRun struct {
	jb        *jitterBuffer
	verdicts  []jitterVerdict
	out       []uint16 // sequence numbers, in the order the frames came out
	missing   int
	dropped   int
	recycled  int
	refusedOf []uint16
}

func newJitterRun(c codec) *jitterRun {
	r := &jitterRun{}
	r.jb = newJitterBuffer(c, 90000, func(*packet) { r.recycled++ })
	return r
}

func (r *jitterRun) push(ssrc uint32, seqs ...uint16) {
	for _, s := range seqs {
		p := &packet{seq: s, ts: uint32(s) * 3000, ssrc: ssrc, marker: true, payload: []byte{0x10, 0x00, byte(s)}}
		v := r.jb.push(p)
		r.verdicts = append(r.verdicts, v)
		if v != jitterOK {
			r.refusedOf = append(r.refusedOf, s)
		}
		r.drain()
	}
}

func (r *jitterRun) drain() {
	for {
		f, ok := r.jb.pop()
		if !ok {
			return
		}
		r.missing += f.missing
		r.dropped += f.dropped
		for _, p := range f.packets {
			r.out = append(r.out, p.seq)
		}
	}
}

func (r *jitterRun) flush() {
	r.jb.flush()
	r.drain()
}

func TestJitterBufferPutsFramesInOrder(t *testing.T) {
	r := newJitterRun(codecVP8)
	r.push(1, 10, 12, 11, 13, 15, 14)
	r.flush()
	if want := []uint16{10, 11, 12, 13, 14, 15}; !slices.Equal(r.out, want) || r.missing != 0 {
		t.Errorf("frames %v (missing %d), want %v and none missing", r.out, r.missing, want)
	}
	if r.recycled != 6 {
		t.Errorf("%d packets given back, want all 6", r.recycled)
	}
}

func TestJitterBufferGivesUpOnGapAfterWindow(t *testing.T) {
	r := newJitterRun(codecVP8)
	r.push(1, 1)
	// 2 never comes; once the window has moved past it, the rest flows.
	for s := uint16(3); s < 3+reorderWindow+2; s++ {
		r.push(1, s)
	}
	if len(r.out) < 2 || r.out[0] != 1 || r.out[1] != 3 || r.missing != 1 {
		t.Fatalf("frames %v, missing %d; want 1, 3, ... with 1 missing", r.out[:min(len(r.out), 3)], r.missing)
	}
	// 2 arriving now is late; 1 arriving again is late too.
	r.push(1, 2, 1)
	if !slices.Equal(r.verdicts[len(r.verdicts)-2:], []jitterVerdict{jitterLate, jitterLate}) {
		t.Errorf("verdicts for late packets %v", r.verdicts[len(r.verdicts)-2:])
	}
}

func TestJitterBufferRefusesDuplicatesAndDetectsRestart(t *testing.T) {
	r := newJitterRun(codecVP8)
	r.push(1, 100, 101, 101)
	if r.verdicts[2] != jitterDuplicate {
		t.Errorf("second 101: %v, want duplicate", r.verdicts[2])
	}
	r.push(2, 102) // new SSRC
	r.push(1, 101+resyncDistance)
	if r.verdicts[3] != jitterResync || r.verdicts[4] != jitterResync {
		t.Errorf("verdicts %v, want resync for a new SSRC and a jump", r.verdicts[3:])
	}
}

// Padding-only packets use sequence numbers but are not frames; skipping
// them is not loss.
func TestJitterBufferPaddingIsNotLoss(t *testing.T) {
	r := newJitterRun(codecVP8)
	r.push(1, 1)
	pad := &packet{seq: 2, ts: 3000, ssrc: 1}
	if v := r.jb.push(pad); v != jitterOK {
		t.Fatalf("padding: %v", v)
	}
	r.push(1, 3, 4)
	r.flush()
	if !slices.Equal(r.out, []uint16{1, 3, 4}) || r.missing != 0 || r.dropped != 0 {
		t.Errorf("frames %v, missing %d, dropped %d; want 1 3 4 and nothing lost", r.out, r.missing, r.dropped)
	}
}

// A frame whose first packet is lost still comes out, for the pipeline to
// discard, and the complete frame after it is not lost with it; only the
// packet that never came counts as missing.
func TestJitterBufferCountsMissingApartFromDropped(t *testing.T) {
	r := newJitterRun(codecVP8)
	frame := func(seq uint16, ts uint32, head, marker bool) *packet {
		b := byte(0x00)
		if head {
			b = 0x10
		}
		return &packet{seq: seq, ts: ts, ssrc: 1, marker: marker, payload: []byte{b, 0x00, 0x01}}
	}
	for _, p := range []*packet{
		frame(1, 0, true, true),
		// frame 2..4 at ts 3000: 2 lost
		frame(3, 3000, false, false),
		frame(4, 3000, false, true),
		frame(5, 6000, true, true),
	} {
		r.jb.push(p)
		r.drain()
	}
	r.flush()
	if !slices.Equal(r.out, []uint16{1, 3, 4, 5}) || r.missing != 1 || r.dropped != 0 {
		t.Errorf("frames %v, missing %d, dropped %d; want 1 3 4 5, 1 missing, none dropped", r.out, r.missing, r.dropped)
	}
}
