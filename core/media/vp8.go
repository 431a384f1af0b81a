package media

// vp8Desc is the parsed VP8 payload descriptor (RFC 7741 section 4.2) of
// one packet, plus the key frame bit of the VP8 payload header when the
// packet starts a frame.
type vp8Desc struct {
	valid     bool
	size      int  // descriptor length in bytes
	start     bool // S=1 and partition index 0: first packet of a frame
	keyframe  bool // start of a key frame
	hasPic    bool
	pic15     bool // picture ID is 15 bits on the wire
	pic       uint16
	hasTL0    bool
	tl0       uint8
	hasTID    bool // T bit: TID and Y present
	tid       uint8
	layerSync bool // Y bit
	hasKeyIdx bool
	keyIdx    uint8
}

// VP8 descriptor bits.
const (
	vp8X = 0x80 // extended control bits present
	vp8N = 0x20 // non-reference frame
	vp8S = 0x10 // start of partition
	vp8I = 0x80 // picture ID present
	vp8L = 0x40 // TL0PICIDX present
	vp8T = 0x20 // TID present
	vp8K = 0x10 // KEYIDX present
	vp8M = 0x80 // 15-bit picture ID
)

// parseVP8 reads the descriptor at the start of a VP8 RTP payload. It
// never allocates; malformed input yields valid=false.
func parseVP8(b []byte) (d vp8Desc) {
	if len(b) < 1 {
		return d
	}
	i := 1
	d.start = b[0]&vp8S != 0 && b[0]&0x07 == 0
	if b[0]&vp8X != 0 {
		if len(b) < 2 {
			return d
		}
		x := b[1]
		i = 2
		if x&vp8I != 0 {
			if len(b) < i+1 {
				return d
			}
			d.hasPic = true
			if b[i]&vp8M != 0 {
				if len(b) < i+2 {
					return d
				}
				d.pic15 = true
				d.pic = uint16(b[i]&0x7f)<<8 | uint16(b[i+1])
				i += 2
			} else {
				d.pic = uint16(b[i] & 0x7f)
				i++
			}
		}
		if x&vp8L != 0 {
			if len(b) < i+1 {
				return d
			}
			d.hasTL0 = true
			d.tl0 = b[i]
			i++
		}
		if x&(vp8T|vp8K) != 0 {
			if len(b) < i+1 {
				return d
			}
			if x&vp8T != 0 {
				d.hasTID = true
				d.tid = b[i] >> 6
				d.layerSync = b[i]&0x20 != 0
			}
			if x&vp8K != 0 {
				d.hasKeyIdx = true
				d.keyIdx = b[i] & 0x1f
			}
			i++
		}
	}
	d.size = i
	d.valid = true
	if d.start && len(b) > i {
		// VP8 payload header: P bit (bit 0) is 0 for key frames.
		d.keyframe = b[i]&0x01 == 0
	}
	return d
}

// vp8Munger keeps the picture ID, TL0PICIDX and KEYIDX of one outgoing
// stream continuous when its input changes (a simulcast layer switch or a
// new source): each input segment is shifted so its first picture follows
// the last one sent. Inside a segment the shift is constant, so gaps left
// by dropped temporal layers and reordering pass through unchanged.
type vp8Munger struct {
	started  bool
	segment  uint32 // munger segment the offsets belong to
	picOff   uint16 // 15-bit arithmetic
	tl0Off   uint8
	keyIdxOf uint8 // 5-bit arithmetic

	lastPic    uint16
	lastTL0    uint8
	lastKeyIdx uint8
}

// rewrite maps d's fields for the segment and writes the rewritten
// descriptor followed by the rest of payload into out. It returns the
// bytes to send: payload itself when nothing changes (no copy), or a
// prefix of out.
func (m *vp8Munger) rewrite(segment uint32, d *vp8Desc, payload, out []byte) []byte {
	if !m.started || segment != m.segment {
		if m.started {
			m.picOff = (m.lastPic + 1 - d.pic) & 0x7fff
			m.tl0Off = m.lastTL0 + 1 - d.tl0
			m.keyIdxOf = (m.lastKeyIdx + 1 - d.keyIdx) & 0x1f
		}
		m.started = true
		m.segment = segment
		m.lastPic = (d.pic + m.picOff) & 0x7fff
		m.lastTL0 = d.tl0 + m.tl0Off
		m.lastKeyIdx = (d.keyIdx + m.keyIdxOf) & 0x1f
	}
	pic := (d.pic + m.picOff) & 0x7fff
	tl0 := d.tl0 + m.tl0Off
	keyIdx := (d.keyIdx + m.keyIdxOf) & 0x1f
	if d.hasPic && int16((pic-m.lastPic)<<1) > 0 {
		m.lastPic = pic
	}
	if d.hasTL0 && int8(tl0-m.lastTL0) > 0 {
		m.lastTL0 = tl0
	}
	if d.hasKeyIdx {
		m.lastKeyIdx = keyIdx
	}
	identity := m.picOff == 0 && m.tl0Off == 0 && m.keyIdxOf == 0
	if d.size < 2 || identity && (!d.hasPic || d.pic15) {
		return payload // no extended fields to rewrite, or nothing changes
	}
	if len(payload)-d.size+6 > len(out) {
		return payload // cannot happen for packets we read; never corrupt
	}
	// Rewrite: same flags, picture ID always 15 bits.
	out[0] = payload[0]
	out[1] = payload[1]
	i := 2
	if d.hasPic {
		out[i] = vp8M | byte(pic>>8)
		out[i+1] = byte(pic)
		i += 2
	}
	if d.hasTL0 {
		out[i] = tl0
		i++
	}
	if d.hasTID || d.hasKeyIdx {
		b := payload[d.size-1] &^ 0x1f
		if d.hasKeyIdx {
			b |= keyIdx
		} else {
			b |= payload[d.size-1] & 0x1f
		}
		out[i] = b
		i++
	}
	n := copy(out[i:], payload[d.size:])
	return out[:i+n]
}
