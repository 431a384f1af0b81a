package recorder

import "github.com/pion/rtp/codecs"

// Keyframe detection on single RTP payloads. Each function looks only at
// the payload it is given, never panics on arbitrary bytes (see the fuzz
// targets), and answers "can decoding start at this packet?": it is true
// only for the first packet of a keyframe (VP8, VP9, AV1) or for a packet
// carrying a keyframe's parameter sets or IDR slice (H.264).

// vp8DescriptorLen returns the length of the VP8 payload descriptor at the
// start of p (RFC 7741 section 4.2), or ok=false if p is too short for the
// descriptor its own flags announce.
func vp8DescriptorLen(p []byte) (n int, ok bool) {
	if len(p) < 1 {
		return 0, false
	}
	n = 1
	if p[0]&0x80 == 0 { // X: no extension byte
		return n, true
	}
	if len(p) < 2 {
		return 0, false
	}
	ext := p[1]
	n = 2
	if ext&0x80 != 0 { // I: picture ID, 7 or 15 bits
		if len(p) <= n {
			return 0, false
		}
		if p[n]&0x80 != 0 { // M: 15-bit picture ID
			n++
		}
		n++
	}
	if ext&0x40 != 0 { // L: TL0PICIDX
		n++
	}
	if ext&0x30 != 0 { // T or K: TID/Y/KEYIDX byte
		n++
	}
	if n > len(p) {
		return 0, false
	}
	return n, true
}

// vp8Keyframe reports whether p is the first packet of a VP8 key frame: the
// descriptor's S bit set with partition index 0, and the inverse key frame
// bit (P, bit 0 of the VP8 payload header, RFC 7741 section 4.3) clear.
func vp8Keyframe(p []byte) bool {
	n, ok := vp8DescriptorLen(p)
	if !ok || n >= len(p) {
		return false
	}
	if p[0]&0x10 == 0 || p[0]&0x07 != 0 {
		return false
	}
	return p[n]&0x01 == 0
}

// vp9Keyframe reports whether p is the first packet of a VP9 key frame: the
// descriptor's B bit (start of frame) set and P (inter-picture predicted)
// clear, and the uncompressed frame header that follows saying frame_type
// KEY_FRAME. The header check rules out intra-only frames, which also have
// P clear but cannot start a decoder. The descriptor is parsed by pion's
// VP9Packet, the parser the IVF writer itself uses.
func vp9Keyframe(p []byte) bool {
	if len(p) < 1 || p[0]&0x08 == 0 || p[0]&0x40 != 0 {
		return false
	}
	var d codecs.VP9Packet
	body, err := d.Unmarshal(p)
	return err == nil && vp9HeaderIsKeyframe(body)
}

// vp9HeaderIsKeyframe reads the start of a VP9 uncompressed frame header
// (VP9 bitstream specification section 6.2): frame_marker, profile,
// show_existing_frame and frame_type.
func vp9HeaderIsKeyframe(h []byte) bool {
	if len(h) < 1 || h[0]>>6 != 0x2 { // frame_marker must be 2
		return false
	}
	bit := 2 // next bit to read, counting from the most significant of h[0]
	read := func() (uint8, bool) {
		if bit/8 >= len(h) {
			return 0, false
		}
		b := (h[bit/8] >> (7 - bit%8)) & 1
		bit++
		return b, true
	}
	low, _ := read()
	high, _ := read()
	if high<<1|low == 3 {
		if _, ok := read(); !ok { // reserved_zero
			return false
		}
	}
	showExisting, ok := read()
	if !ok || showExisting == 1 {
		return false
	}
	frameType, ok := read()
	return ok && frameType == 0
}

// H.264 NAL unit types (RFC 6184 section 5.2, H.264 table 7-1).
const (
	naluSlice = 1
	naluIDR   = 5
	naluSEI   = 6
	naluSPS   = 7
	naluPPS   = 8
	naluAUD   = 9
	naluSTAPA = 24
	naluFUA   = 28
)

// h264Keyframe reports whether p carries an IDR slice or a sequence
// parameter set, as a single NAL unit, inside a STAP-A, or as the start
// fragment of a FU-A.
func h264Keyframe(p []byte) bool {
	info, ok := scanH264(p)
	return ok && (info.idr || info.sps)
}

// h264Info is what scanH264 learns about one H.264 RTP payload.
type h264Info struct {
	first    uint8 // type of the first NAL unit starting in the packet, 0 if none
	firstMB0 bool  // the first NAL unit is a slice with first_mb_in_slice = 0
	idr      bool  // an IDR slice starts in the packet
	sps, pps bool
	fuStart  bool // the packet is a FU-A start fragment
	fuEnd    bool // the packet is a FU-A end fragment
	fu       bool // the packet is a FU-A fragment
}

// scanH264 walks the NAL units that start in an H.264 RTP payload in
// non-interleaved mode. ok is false for payloads pion's depacketizer would
// reject or misread: empty payloads, other packetization types (STAP-B,
// MTAP, FU-B), STAP-As with truncated, empty or trailing units, and FU-As
// without a header.
func scanH264(p []byte) (info h264Info, ok bool) {
	if len(p) < 1 || p[0]&0x80 != 0 { // forbidden_zero_bit
		return info, false
	}
	switch typ := p[0] & 0x1f; {
	case typ >= 1 && typ <= 23:
		info.note(typ, p[1:])
		return info, true
	case typ == naluSTAPA:
		rest := p[1:]
		if len(rest) == 0 {
			return info, false
		}
		for len(rest) > 0 {
			if len(rest) < 2 {
				return info, false
			}
			size := int(rest[0])<<8 | int(rest[1])
			rest = rest[2:]
			if size == 0 || size > len(rest) {
				return info, false
			}
			unit := rest[:size]
			rest = rest[size:]
			if unit[0]&0x80 != 0 {
				return info, false
			}
			info.note(unit[0]&0x1f, unit[1:])
		}
		return info, true
	case typ == naluFUA:
		if len(p) < 2 {
			return info, false
		}
		info.fu = true
		info.fuStart = p[1]&0x80 != 0
		info.fuEnd = p[1]&0x40 != 0
		if info.fuStart {
			info.note(p[1]&0x1f, p[2:])
		}
		return info, true
	}
	return info, false
}

// note records one NAL unit of type typ whose bytes after the NAL header
// are body.
func (info *h264Info) note(typ uint8, body []byte) {
	if info.first == 0 {
		info.first = typ
		// first_mb_in_slice is the slice header's first field, ue(v); it is
		// 0 exactly when its first bit is 1.
		info.firstMB0 = (typ == naluSlice || typ == naluIDR) && len(body) > 0 && body[0]&0x80 != 0
	}
	switch typ {
	case naluIDR:
		info.idr = true
	case naluSPS:
		info.sps = true
	case naluPPS:
		info.pps = true
	}
}

// startsAccessUnit reports whether the packet can only be the first of an
// access unit: it begins with an access unit delimiter, SEI, parameter set,
// or the first slice of a picture. After packet loss, this is how the start
// of the next whole access unit is recognised (H.264 RTP has no frame start
// flag).
func (info h264Info) startsAccessUnit() bool {
	switch info.first {
	case naluAUD, naluSEI, naluSPS, naluPPS:
		return true
	}
	return info.firstMB0
}

// AV1 OBU types (AV1 specification section 6.2.2).
const (
	obuSequenceHeader    = 1
	obuTemporalDelimiter = 2
	obuTileList          = 8
)

// av1Keyframe reports whether p is the first packet of an AV1 temporal unit
// that starts a coded video sequence: the aggregation header's N bit, or a
// sequence header as the first OBU element that is kept (temporal delimiters
// and tile lists are dropped by receivers). An element that continues a
// fragment (Z) or is itself fragmented (Y on the last element) does not
// count.
func av1Keyframe(p []byte) bool {
	if len(p) < 2 {
		return false
	}
	agg := p[0]
	if agg&0x80 != 0 { // Z: first element continues an OBU from an earlier packet
		return false
	}
	if agg&0x08 != 0 { // N
		return true
	}
	fragmentedLast := agg&0x40 != 0 // Y
	count := int(agg>>4) & 0x03     // W
	off := 1
	for i := 0; off < len(p); i++ {
		last := count != 0 && i == count-1
		var size int
		if count == 0 || !last {
			v, n := readLEB128(p[off:])
			if n == 0 || v > uint64(len(p)) {
				return false
			}
			off += n
			size = int(v)
			if count == 0 && off+size == len(p) {
				last = true
			}
		} else {
			size = len(p) - off
		}
		if off+size > len(p) {
			return false
		}
		if last && fragmentedLast {
			return false
		}
		if size == 0 {
			if last {
				return false
			}
			continue
		}
		switch (p[off] >> 3) & 0x0f {
		case obuTemporalDelimiter, obuTileList:
			off += size
			if last {
				return false
			}
			continue
		case obuSequenceHeader:
			return true
		}
		return false
	}
	return false
}

// readLEB128 decodes an unsigned LEB128 number of at most 8 bytes (AV1
// specification section 4.10.5). n is 0 if b does not hold a complete one.
func readLEB128(b []byte) (v uint64, n int) {
	for i := 0; i < 8 && i < len(b); i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
