package recorder

import (
	"slices"
	"testing"
	"time"
)

// released is what a reorder buffer handed on: sequence numbers, and the
// loss reported before each.
type released struct {
	seqs []uint16
	lost []int
}

func (r *released) out(p *packet, lost int) {
	r.seqs = append(r.seqs, p.seq)
	r.lost = append(r.lost, lost)
}

func pushAll(rb *reorderBuffer, r *released, seqs ...uint16) []placement {
	var res []placement
	for _, s := range seqs {
		res = append(res, rb.push(&packet{seq: s, ssrc: 7}, r.out))
	}
	return res
}

func TestReorderPutsPacketsInOrder(t *testing.T) {
	var rb reorderBuffer
	var r released
	pushAll(&rb, &r, 65533, 65535, 65534, 1, 0, 2) // across the wrap
	if want := []uint16{65533, 65534, 65535, 0, 1, 2}; !slices.Equal(r.seqs, want) {
		t.Errorf("released %v, want %v", r.seqs, want)
	}
	if slices.ContainsFunc(r.lost, func(n int) bool { return n != 0 }) {
		t.Errorf("loss reported without loss: %v", r.lost)
	}
}

func TestReorderGivesUpOnGapAfterWindow(t *testing.T) {
	var rb reorderBuffer
	var r released
	pushAll(&rb, &r, 10, 12) // 11 missing
	if !slices.Equal(r.seqs, []uint16{10}) {
		t.Fatalf("released %v before the gap was given up on", r.seqs)
	}
	for s := uint16(13); s < 11+reorderWindow; s++ { // up to the window's edge
		pushAll(&rb, &r, s)
	}
	if len(r.seqs) != 1 {
		t.Fatalf("released %v while the gap is still within the window", r.seqs)
	}
	pushAll(&rb, &r, 11+reorderWindow) // 11 drops out of the window
	if len(r.seqs) != reorderWindow+1 || r.seqs[1] != 12 || r.lost[1] != 1 {
		t.Errorf("after the window moved: released %d packets, second %d with loss %d; want %d, 12, 1",
			len(r.seqs), r.seqs[1], r.lost[1], reorderWindow+1)
	}
	// 11 turning up now is late.
	if got := pushAll(&rb, &r, 11); got[0] != placeLate {
		t.Errorf("packet given up on: %v, want late", got[0])
	}
}

func TestReorderRefusesDuplicatesAndDetectsRestart(t *testing.T) {
	var rb reorderBuffer
	var r released
	got := pushAll(&rb, &r, 1, 3, 3, 1)
	if want := []placement{placeOK, placeOK, placeDuplicate, placeLate}; !slices.Equal(got, want) {
		t.Errorf("placements %v, want %v", got, want)
	}
	if got := pushAll(&rb, &r, 2+resyncDistance); got[0] != placeResync {
		t.Errorf("far jump: %v, want resync", got[0])
	}
	if got := rb.push(&packet{seq: 4, ssrc: 8}, r.out); got != placeResync {
		t.Errorf("new SSRC: %v, want resync", got)
	}
	// Draining before the restart gives up on 2 and releases 3.
	rb.drain(r.out)
	if !slices.Equal(r.seqs, []uint16{1, 3}) || !slices.Equal(r.lost, []int{0, 1}) {
		t.Errorf("released %v with losses %v, want [1 3] with [0 1]", r.seqs, r.lost)
	}
}

func TestTimelineBridgesJumps(t *testing.T) {
	tl := newTimeline(90000, time.Second/30)
	at := func(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }
	if got := tl.next(4294964296, at(0)); got != 4294964296 {
		t.Fatalf("first mapping %d, want the timestamp itself", got)
	}
	// Wrapping the 32-bit timestamp keeps counting up.
	if got := tl.next(0, at(33)); got != 4294967296 {
		t.Errorf("across the wrap: %d, want 4294967296", got)
	}
	// A jump backwards becomes the wall-clock gap (500 ms).
	var back uint32 = 4294900000
	if got := tl.next(back, at(533)); got != 4294967296+45000 {
		t.Errorf("backwards jump mapped to %d, want +45000", got-4294967296)
	}
	// A jump an hour ahead after 1 s of wall clock becomes 1 s.
	if got := tl.next(back+90000*3600, at(1533)); got != 4294967296+45000+90000 {
		t.Errorf("forward jump mapped to %d, want +135000", got-4294967296)
	}
	// A long pause that the wall clock confirms is kept.
	if got := tl.next(back+90000*3660, at(61533)); got != 4294967296+45000+90000+90000*60 {
		t.Errorf("real pause mapped to %d, want +5535000", got-4294967296)
	}
	// Packets arriving together (a burst) keep their timestamp difference.
	base := tl.out
	if got := tl.next(back+90000*3660+3000, at(61533)); got != base+3000 {
		t.Errorf("burst: %d, want +3000", got-base)
	}
}
