package media

// vp9Desc is the part of the VP9 payload descriptor (RFC 9628 section
// 4.2) needed to select layers of an SVC stream and to find key frames.
type vp9Desc struct {
	valid      bool
	interPic   bool // P: inter-picture predicted
	hasLayers  bool // L: layer indices present
	flexible   bool // F
	start      bool // B: first packet of a layer frame
	end        bool // E: last packet of a layer frame
	tid        uint8
	switchUp   bool // U: switching up point (temporal)
	sid        uint8
	interLayer bool // D: depends on the lower spatial layer
	keyframe   bool // start of a key frame (first spatial layer, not inter-predicted)
}

// VP9 descriptor bits (first byte).
const (
	vp9I = 0x80
	vp9P = 0x40
	vp9L = 0x20
	vp9F = 0x10
	vp9B = 0x08
	vp9E = 0x04
)

// parseVP9 reads the VP9 payload descriptor. It never allocates.
func parseVP9(b []byte) (d vp9Desc) {
	if len(b) < 1 {
		return d
	}
	f := b[0]
	d.interPic = f&vp9P != 0
	d.flexible = f&vp9F != 0
	d.start = f&vp9B != 0
	d.end = f&vp9E != 0
	i := 1
	if f&vp9I != 0 {
		if len(b) < i+1 {
			return d
		}
		if b[i]&0x80 != 0 {
			i += 2
		} else {
			i++
		}
	}
	if f&vp9L != 0 {
		if len(b) < i+1 {
			return d
		}
		d.hasLayers = true
		d.tid = b[i] >> 5
		d.switchUp = b[i]&0x10 != 0
		d.sid = (b[i] >> 1) & 0x07
		d.interLayer = b[i]&0x01 != 0
		i++
	}
	if len(b) < i {
		return d
	}
	d.valid = true
	d.keyframe = !d.interPic && d.start && d.sid == 0
	return d
}
