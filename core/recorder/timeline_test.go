package recorder

import (
	"testing"
	"time"
)

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
