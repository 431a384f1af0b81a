package recorder

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// queueOnlyTrack is a Track without a writer goroutine, so that what is
// measured is WriteRTP alone: the media goroutine's cost. (Allocation
// counts are process-wide, and pion's container writers allocate on the
// writer goroutine for every page or frame.)
func queueOnlyTrack(qlen int) *Track {
	return &Track{
		started: time.Now(),
		queue:   make(chan *packet, qlen),
		free:    make(chan *packet, qlen+reorderWindow+256),
		out:     &countingWriter{w: seekDiscard{}},
	}
}

func testPacket() *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 3000, SSRC: 0x1234, Marker: true},
		Payload: make([]byte, 1100),
	}
}

func TestWriteRTPDoesNotAllocateInSteadyState(t *testing.T) {
	tr := queueOnlyTrack(64)
	pkt := testPacket()
	// The writer goroutine's part: take the packet and give its buffer back.
	consume := func() { tr.putPacket(<-tr.queue) }
	tr.WriteRTP(pkt) // first use fills the pool
	consume()
	if n := testing.AllocsPerRun(1000, func() {
		pkt.SequenceNumber++
		tr.WriteRTP(pkt)
		consume()
	}); n != 0 {
		t.Errorf("WriteRTP allocates %.1f times per packet in steady state, want 0", n)
	}

	// With the queue full, dropping does not allocate either.
	for i := 0; i < 64; i++ {
		tr.WriteRTP(pkt)
	}
	if n := testing.AllocsPerRun(1000, func() { tr.WriteRTP(pkt) }); n != 0 {
		t.Errorf("WriteRTP allocates %.1f times per dropped packet, want 0", n)
	}
	if s := tr.Stats(); s.Dropped < 1000 {
		t.Errorf("dropped %d packets, want every write to the full queue dropped", s.Dropped)
	}
}

func BenchmarkWriteRTP(b *testing.B) {
	tr := queueOnlyTrack(1024)
	pkt := testPacket()
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt.Payload)))
	for b.Loop() {
		pkt.SequenceNumber++
		tr.WriteRTP(pkt)
		tr.putPacket(<-tr.queue)
	}
}
