package media

import (
	"testing"
	"time"
)

func mustUpdate(t *testing.T, m *munger, seq uint16, ts, ssrc uint32, now int64) (uint16, uint32) {
	t.Helper()
	s, r, ok := m.update(seq, ts, ssrc, now)
	if !ok {
		t.Fatalf("packet seq %d dropped", seq)
	}
	return s, r
}

func TestMungerFirstSegmentPassesThrough(t *testing.T) {
	m := munger{clockRate: 90000}
	for i := uint16(0); i < 5; i++ {
		seq, ts := mustUpdate(t, &m, 65533+i, 1000+uint32(i)*3000, 7, int64(i))
		if seq != 65533+i || ts != 1000+uint32(i)*3000 {
			t.Fatalf("packet %d: got seq %d ts %d, want input unchanged", i, seq, ts)
		}
	}
}

func TestMungerResumeContinuesNumbering(t *testing.T) {
	m := munger{clockRate: 90000}
	mustUpdate(t, &m, 100, 5000, 7, 0)
	mustUpdate(t, &m, 101, 8000, 7, int64(33*time.Millisecond))
	m.restart()
	// The input jumped ahead during the pause; the output must not.
	at := int64(33*time.Millisecond) + int64(2*time.Second)
	seq, ts := mustUpdate(t, &m, 161, 188000, 7, at)
	if seq != 102 {
		t.Fatalf("seq after resume = %d, want 102", seq)
	}
	if want := uint32(8000 + 2*90000); ts != want {
		t.Fatalf("ts after resume = %d, want %d (2 s of 90 kHz after the last)", ts, want)
	}
	// Later packets keep the new offset.
	seq, ts = mustUpdate(t, &m, 162, 191000, 7, at+1)
	if seq != 103 || ts != 8000+2*90000+3000 {
		t.Fatalf("next packet = %d/%d, want 103/%d", seq, ts, 8000+2*90000+3000)
	}
}

func TestMungerSourceSwitchIsContinuous(t *testing.T) {
	m := munger{clockRate: 48000}
	mustUpdate(t, &m, 10, 100, 1, 0)
	mustUpdate(t, &m, 11, 1060, 1, int64(20*time.Millisecond))
	seq, ts := mustUpdate(t, &m, 40000, 999999, 2, int64(40*time.Millisecond))
	if seq != 12 || ts != 1060+960 {
		t.Fatalf("first packet of new SSRC = %d/%d, want 12/%d", seq, ts, 1060+960)
	}
}

func TestMungerReorderAndSegmentStart(t *testing.T) {
	m := munger{clockRate: 90000}
	mustUpdate(t, &m, 10, 0, 1, 0)
	mustUpdate(t, &m, 12, 0, 1, 1)
	if seq, _ := mustUpdate(t, &m, 11, 0, 1, 2); seq != 11 {
		t.Fatalf("reordered packet mapped to %d, want 11", seq)
	}
	m.restart()
	mustUpdate(t, &m, 500, 0, 1, 3) // becomes 13
	if _, _, ok := m.update(499, 0, 1, 4); ok {
		t.Fatal("packet older than the segment start was forwarded; its number belongs to the previous segment")
	}
	if seq, _ := mustUpdate(t, &m, 501, 0, 1, 5); seq != 14 {
		t.Fatalf("seq = %d, want 14", seq)
	}
}

func TestMungerBigJumpStartsNewSegment(t *testing.T) {
	m := munger{clockRate: 90000}
	mustUpdate(t, &m, 10, 0, 1, 0)
	if seq, _ := mustUpdate(t, &m, 10+maxSeqJump+1, 0, 1, 1); seq != 11 {
		t.Fatalf("seq after restart of sender numbering = %d, want 11", seq)
	}
}

func TestMungerSkipLeavesNoGap(t *testing.T) {
	m := munger{clockRate: 90000}
	mustUpdate(t, &m, 10, 0, 1, 0)
	m.skip(11, 0, 1)
	m.skip(12, 0, 1)
	if seq, _ := mustUpdate(t, &m, 13, 0, 1, 1); seq != 11 {
		t.Fatalf("seq after two skipped packets = %d, want 11", seq)
	}
	if _, _, ok := m.update(12, 0, 1, 2); ok {
		t.Fatal("a late copy of a skipped packet was forwarded")
	}
}

// FuzzMunger drives the munger with arbitrary packet sequences and checks
// the properties receivers rely on: a new segment continues at last+1, and
// no output sequence number is reused for a different input packet.
func FuzzMunger(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 1, 2, 0, 0, 2, 0, 0, 0, 1, 5, 0, 0})
	f.Add([]byte{1, 0, 10, 0, 3, 0, 0, 0, 1, 0xff, 0xf0, 0, 4, 3, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := munger{clockRate: 90000}
		type input struct {
			ssrc uint32
			seq  uint16
			seg  int
		}
		owner := map[uint16]input{}
		var (
			seq      uint16 = 1000
			ssrc     uint32 = 1
			ts       uint32
			now      int64
			seg      int
			advance  int
			lastOut  uint16
			haveLast bool
		)
		for len(ops) >= 4 {
			op, a, b := ops[0]%6, int8(ops[1]), ops[2]
			ops = ops[4:]
			now += int64(b) * int64(time.Millisecond)
			ts += uint32(b) * 90
			segStarts := !m.started || m.resync
			switch op {
			case 0: // next packet with a small step (possibly backwards)
				seq += uint16(int16(a%8) + 1)
			case 1: // reordered / retransmitted packet
				seq -= uint16(a % 16)
			case 2: // pause/resume
				m.restart()
				seq += uint16(b)
				segStarts = true
			case 3: // source switch
				ssrc++
				seq = uint16(a) << 8
				segStarts = true
			case 4: // padding-only packet
				seq++
				m.skip(seq, ts, ssrc)
				continue
			case 5: // sender restart
				seq += maxSeqJump + 1 + uint16(b)
			}
			if segStarts {
				seg++
			}
			out, _, ok := m.update(seq, ts, ssrc, now)
			if !ok {
				continue
			}
			if segStarts && haveLast && out != lastOut+1 {
				t.Fatalf("new segment starts at %d, last sent %d", out, lastOut)
			}
			if !haveLast || int16(out-lastOut) > 0 {
				advance += int(uint16(out - lastOut))
				lastOut, haveLast = out, true
			}
			if advance > 30000 { // stay clear of wrap-around
				clear(owner)
				advance = 0
			}
			in := input{ssrc: ssrc, seq: seq, seg: seg}
			if prev, ok := owner[out]; ok && prev.ssrc == in.ssrc && prev.seq != in.seq {
				t.Fatalf("output seq %d used for input %+v and %+v", out, prev, in)
			}
			if prev, ok := owner[out]; ok && prev.ssrc != in.ssrc {
				t.Fatalf("output seq %d used by two sources: %+v and %+v", out, prev, in)
			}
			owner[out] = in
		}
	})
}
