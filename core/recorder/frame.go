package recorder

import (
	"github.com/pion/rtp/codecs"
)

// Frame checks. pion's container writers keep state between packets (the
// frame being built, a FU-A or AV1 fragment) and some of them index payloads
// without checking their length. Feeding them a packet they reject or
// mishandle mid-frame would corrupt the frame after it or, for a VP8 packet
// with nothing after its descriptor, panic. So a video frame reaches a
// writer only whole and only after every packet in it has passed the checks
// below, which are at least as strict as the writer's own parsing; the fuzz
// targets feed arbitrary packets through the pipeline and fail on any writer
// error to keep it that way.

// frameStart reports whether p can be the first packet of a frame while
// the recorder is waiting for a keyframe: for VP8, VP9 and AV1 the first
// packet of a keyframe; for H.264 the first packet of any access unit,
// since whether it is a keyframe is only known once it is complete.
func frameStart(c codec, p []byte) bool {
	switch c {
	case codecVP8:
		return vp8Keyframe(p)
	case codecVP9:
		return vp9Keyframe(p)
	case codecAV1:
		return av1Keyframe(p)
	case codecH264:
		info, ok := scanH264(p)
		return ok && info.startsAccessUnit()
	}
	return false
}

// frameCheck is the verdict on one complete frame.
type frameCheck struct {
	valid    bool // every packet is well formed and the frame is whole
	keyframe bool // decoding can start at this frame
	// H.264 only: the access unit has an SPS and a PPS of its own.
	sps, pps bool
	// H.264 only: the first packet begins with an SPS, which is what pion's
	// h264writer looks for before it writes anything.
	spsFirst bool
}

// checkFrame validates a complete video frame: the packets of one RTP
// timestamp in sequence order, the last one carrying the marker bit.
func checkFrame(c codec, frame []*packet) frameCheck {
	if len(frame) == 0 {
		return frameCheck{}
	}
	switch c {
	case codecVP8:
		return checkVP8(frame)
	case codecVP9:
		return checkVP9(frame)
	case codecAV1:
		return checkAV1(frame)
	case codecH264:
		return checkH264(frame)
	}
	return frameCheck{}
}

func checkVP8(frame []*packet) frameCheck {
	for i, p := range frame {
		n, ok := vp8DescriptorLen(p.payload)
		if !ok || n >= len(p.payload) {
			return frameCheck{}
		}
		if i == 0 && (p.payload[0]&0x10 == 0 || p.payload[0]&0x07 != 0) {
			return frameCheck{} // a frame starts with S=1 in partition 0
		}
	}
	return frameCheck{valid: true, keyframe: vp8Keyframe(frame[0].payload)}
}

func checkVP9(frame []*packet) frameCheck {
	var d codecs.VP9Packet
	for i, p := range frame {
		body, err := d.Unmarshal(p.payload)
		if err != nil {
			return frameCheck{}
		}
		if i == 0 && (!d.B || len(body) == 0) {
			return frameCheck{}
		}
	}
	return frameCheck{valid: true, keyframe: vp9Keyframe(frame[0].payload)}
}

func checkAV1(frame []*packet) frameCheck {
	first, last := frame[0].payload, frame[len(frame)-1].payload
	if len(first) < 2 || first[0]&0x80 != 0 { // must not continue an earlier OBU (Z)
		return frameCheck{}
	}
	if len(last) < 2 || last[0]&0x40 != 0 { // must not leave an OBU unfinished (Y)
		return frameCheck{}
	}
	// A scratch depacketizer runs over the frame first; it accepts exactly
	// what the writer's would, since the frame starts and ends on OBU
	// boundaries and so does not depend on what came before.
	var d codecs.AV1Depacketizer
	for _, p := range frame {
		if _, err := d.Unmarshal(p.payload); err != nil {
			return frameCheck{}
		}
	}
	return frameCheck{valid: true, keyframe: av1Keyframe(first)}
}

func checkH264(frame []*packet) frameCheck {
	var (
		fc   = frameCheck{valid: true}
		inFU bool
	)
	for i, p := range frame {
		info, ok := scanH264(p.payload)
		if !ok {
			return frameCheck{}
		}
		// FU-A fragments must run start..end without anything in between,
		// so the writer's fragment buffer is empty at every frame boundary.
		switch {
		case info.fu && info.fuStart:
			if inFU {
				return frameCheck{}
			}
			inFU = !info.fuEnd
		case info.fu:
			if !inFU {
				return frameCheck{}
			}
			inFU = !info.fuEnd
		case inFU:
			return frameCheck{}
		}
		if i == 0 {
			fc.spsFirst = info.first == naluSPS && !info.fu
		}
		fc.keyframe = fc.keyframe || info.idr
		fc.sps = fc.sps || info.sps
		fc.pps = fc.pps || info.pps
	}
	if inFU {
		return frameCheck{}
	}
	return fc
}
