package recorder

// reorderWindow is how many sequence numbers ahead of the next expected
// packet the reorder buffer holds before it gives up on the missing ones.
// Recording adds no latency anyone sees, so it can wait long: 64 packets is
// about a second of audio or a few hundred milliseconds of video.
const reorderWindow = 64

// resyncDistance is how far a sequence number may jump, either way, before
// it is taken as a restarted stream rather than loss or a late packet.
const resyncDistance = 3000

// reorderBuffer puts packets back in sequence-number order. Packets that
// arrive too late (already given up on) or twice are refused; a gap is
// waited for until a packet reorderWindow ahead of it arrives.
type reorderBuffer struct {
	slots    [reorderWindow]*packet
	next     uint16 // sequence number of the next packet to release
	held     int    // packets in slots
	ssrc     uint32
	started  bool
	lostNext int // packets given up on just before the next one released
}

// placement is what push decides about a packet.
type placement int

const (
	placeOK        placement = iota // stored
	placeLate                       // behind the window: refused
	placeDuplicate                  // already held: refused
	placeResync                     // new stream: caller must drain, reset, then push again
)

// push stores p, first giving up on (and releasing, through out) whatever
// has to leave the window for p to fit. It does not take ownership of a
// refused packet.
func (r *reorderBuffer) push(p *packet, out func(p *packet, lostBefore int)) placement {
	if !r.started {
		r.reset(p)
	}
	if p.ssrc != r.ssrc {
		return placeResync
	}
	d := int(int16(p.seq - r.next))
	switch {
	case d <= -resyncDistance || d >= resyncDistance:
		return placeResync
	case d < 0:
		return placeLate
	}
	for d >= reorderWindow {
		r.advance(out)
		d--
	}
	slot := &r.slots[p.seq%reorderWindow]
	if *slot != nil {
		return placeDuplicate
	}
	*slot = p
	r.held++
	r.releaseReady(out)
	return placeOK
}

// reset starts the buffer over at p's stream and sequence number. It must
// be empty.
func (r *reorderBuffer) reset(p *packet) {
	r.started = true
	r.ssrc = p.ssrc
	r.next = p.seq
	r.lostNext = 0
}

// releaseReady releases the packets that follow on without a gap.
func (r *reorderBuffer) releaseReady(out func(*packet, int)) {
	for {
		slot := &r.slots[r.next%reorderWindow]
		if *slot == nil {
			return
		}
		r.advance(out)
	}
}

// advance moves past the next sequence number, releasing its packet or,
// if it never came, counting it lost.
func (r *reorderBuffer) advance(out func(*packet, int)) {
	slot := &r.slots[r.next%reorderWindow]
	r.next++
	p := *slot
	if p == nil {
		r.lostNext++
		return
	}
	*slot = nil
	r.held--
	lost := r.lostNext
	r.lostNext = 0
	out(p, lost)
}

// drain releases every held packet in order, giving up on the gaps. The
// buffer stays positioned after the last packet held.
func (r *reorderBuffer) drain(out func(*packet, int)) {
	for r.held > 0 {
		r.advance(out)
	}
	r.lostNext = 0
}
