package replay

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// frame is one unit to packetize: an Opus packet, or a whole video frame.
type frame struct {
	data []byte
	// at is the frame's position in the file, in clock-rate units from
	// the first frame.
	at uint64
	// samples is the frame's duration in clock-rate units, 0 when unknown.
	samples  uint32
	keyframe bool
}

// frameReader yields a file's frames in order; io.EOF ends the file.
type frameReader interface {
	next() (frame, error)
}

// errNoTiming marks Ogg pages whose granule position says no packet ends
// on them (a packet continued over pages), which replay cannot split.
var errNoTiming = errors.New("ogg page without granule position")

// oggFrames reads Opus packets from an Ogg file. It expects one packet per
// page, as core/recorder (pion's oggwriter) writes them; a page holding
// several packets would be sent as one payload.
type oggFrames struct {
	r       *oggreader.OggReader
	preSkip uint64
	first   bool
	base    uint64 // granule start of the first packet
	prevEnd uint64 // granule end of the previous packet
}

func newOggFrames(in io.Reader) (*oggFrames, error) {
	r, head, err := oggreader.NewWith(in)
	if err != nil {
		return nil, fmt.Errorf("ogg: %w", err)
	}
	return &oggFrames{r: r, preSkip: uint64(head.PreSkip), first: true}, nil
}

func (o *oggFrames) next() (frame, error) {
	for {
		payload, hdr, err := o.r.ParseNextPage()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF // a truncated last page ends the file
			}
			return frame{}, err
		}
		if bytes.HasPrefix(payload, []byte("OpusTags")) || bytes.HasPrefix(payload, []byte("OpusHead")) || len(payload) == 0 {
			continue
		}
		if hdr.GranulePosition == ^uint64(0) {
			return frame{}, errNoTiming
		}
		samples := opusSamples(payload)
		end := hdr.GranulePosition
		// A packet starts where the previous one ended (the last page's
		// granule may be trimmed short of its packet's full length).
		start := o.prevEnd
		if o.first {
			o.first = false
			if end > uint64(samples) {
				start = end - uint64(samples)
			}
			o.base = start
		}
		o.prevEnd = max(end, start)
		return frame{data: payload, at: start - o.base, samples: samples, keyframe: true}, nil
	}
}

// opusSamples is an Opus packet's duration at 48 kHz from its TOC byte
// (RFC 6716 section 3.1), 0 when the packet is malformed.
func opusSamples(p []byte) uint32 {
	if len(p) == 0 {
		return 0
	}
	toc := p[0]
	config := toc >> 3
	var per uint32 // samples per frame at 48 kHz
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		per = [4]uint32{480, 960, 1920, 2880}[config%4]
	case config < 16: // hybrid: 10, 20 ms
		per = [2]uint32{480, 960}[config%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		per = [4]uint32{120, 240, 480, 960}[config%4]
	}
	switch toc & 3 {
	case 0:
		return per
	case 1, 2:
		return 2 * per
	default:
		if len(p) < 2 {
			return 0
		}
		return per * uint32(p[1]&0x3f)
	}
}

// ivfFrames reads VP8, VP9 or AV1 frames from an IVF file, timed by their
// presentation timestamps converted to the 90 kHz RTP clock.
type ivfFrames struct {
	in       *bufio.Reader // peeked for frame sizes before ivfreader allocates
	r        *ivfreader.IVFReader
	codec    string
	num, den uint64
	first    bool
	base     uint64
	last     uint64
}

// maxIVFFrame bounds the frame size accepted from a file's frame header:
// ivfreader allocates what the header says before reading it.
const maxIVFFrame = 16 << 20

func newIVFFrames(in io.Reader) (*ivfFrames, error) {
	br := bufio.NewReader(in)
	r, hdr, err := ivfreader.NewWith(br)
	if err != nil {
		return nil, fmt.Errorf("ivf: %w", err)
	}
	var codec string
	switch strings.ToUpper(hdr.FourCC) {
	case "VP80":
		codec = "vp8"
	case "VP90":
		codec = "vp9"
	case "AV01":
		codec = "av1"
	default:
		return nil, fmt.Errorf("ivf: unsupported fourcc %q", hdr.FourCC)
	}
	return &ivfFrames{in: br, r: r, codec: codec, num: uint64(hdr.TimebaseNumerator), den: uint64(hdr.TimebaseDenominator), first: true}, nil
}

func (v *ivfFrames) next() (frame, error) {
	for {
		head, err := v.in.Peek(ivfFrameHeaderSize)
		if err != nil {
			return frame{}, io.EOF // a truncated frame header ends the file
		}
		if size := binary.LittleEndian.Uint32(head); size > maxIVFFrame {
			return frame{}, fmt.Errorf("ivf: frame of %d bytes", size)
		}
		data, hdr, err := v.r.ParseNextFrame()
		if err != nil {
			// Only a short read is left: the last frame was cut off, as
			// when a recording stopped mid-write.
			return frame{}, io.EOF
		}
		if len(data) == 0 {
			continue
		}
		// pion reports pts*den/num; undo that to get the file's pts, then
		// convert pts (in num/den seconds) to 90 kHz.
		pts := hdr.Timestamp * v.num / v.den
		at := pts * v.num * videoClock / v.den
		if v.first {
			v.first = false
			v.base = at
		}
		if at < v.base {
			at = v.base
		}
		at -= v.base
		if at < v.last {
			at = v.last // presentation order only; never go back
		}
		v.last = at
		return frame{data: data, at: at, keyframe: videoKeyframe(v.codec, data)}, nil
	}
}

const (
	videoClock         = 90000
	ivfFrameHeaderSize = 12
)

// videoKeyframe reports whether a whole frame of codec is a key frame.
func videoKeyframe(codec string, b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch codec {
	case "vp8":
		return b[0]&0x01 == 0 // P bit of the frame tag
	case "vp9":
		// frame_marker(2) profile_low profile_high [reserved if profile 3]
		// show_existing_frame frame_type (0 = key), MSB first.
		bit := func(i int) byte { return b[i/8] >> (7 - i%8) & 1 }
		if b[0]>>6 != 2 {
			return false
		}
		i := 4
		if bit(2) == 1 && bit(3) == 1 {
			i++
		}
		if i+1 >= 8 {
			return false
		}
		return bit(i) == 0 && bit(i+1) == 0
	case "av1":
		// A temporal unit starting a coded video sequence carries a
		// sequence header OBU (type 1), as encoders emit with key frames.
		for i := 0; i < len(b); {
			h := b[i]
			typ := h >> 3 & 0x0f
			if typ == 1 {
				return true
			}
			i++
			if h&0x04 != 0 { // extension byte
				i++
			}
			if h&0x02 == 0 { // no size field: OBU runs to the end
				return false
			}
			size, n := leb128(b[i:])
			if n == 0 {
				return false
			}
			i += n + int(size)
			if size > uint64(len(b)) {
				return false
			}
		}
	}
	return false
}

func leb128(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 8; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// h264Frames groups the NAL units of an Annex-B stream into access units,
// timed by a fixed frame rate (the stream carries no timestamps).
type h264Frames struct {
	r        *h264reader.H264Reader
	interval float64 // 90 kHz ticks per frame
	n        uint64
	pending  *h264reader.NAL // first NAL of the next access unit
	done     bool
}

func newH264Frames(in io.Reader, frameRate float64) (*h264Frames, error) {
	r, err := h264reader.NewReader(in)
	if err != nil {
		return nil, fmt.Errorf("h264: %w", err)
	}
	if frameRate <= 0 {
		frameRate = DefaultFrameRate
	}
	return &h264Frames{r: r, interval: videoClock / frameRate}, nil
}

// DefaultFrameRate times H.264 files when Track.FrameRate is unset.
const DefaultFrameRate = 30

var annexBStart = []byte{0, 0, 0, 1}

func (h *h264Frames) next() (frame, error) {
	if h.done {
		return frame{}, io.EOF
	}
	var (
		au       []byte
		sawVCL   bool
		keyframe bool
	)
	add := func(n *h264reader.NAL) {
		au = append(au, annexBStart...)
		au = append(au, n.Data...)
		t := n.UnitType
		if t == h264reader.NalUnitTypeCodedSliceIdr || t == h264reader.NalUnitTypeSPS {
			keyframe = true
		}
		if t == h264reader.NalUnitTypeCodedSliceIdr || t == h264reader.NalUnitTypeCodedSliceNonIdr {
			sawVCL = true
		}
	}
	if h.pending != nil {
		add(h.pending)
		h.pending = nil
	}
	for {
		n, err := h.r.NextNAL()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return frame{}, fmt.Errorf("h264: %w", err)
			}
			h.done = true
			if len(au) == 0 {
				return frame{}, io.EOF
			}
			break
		}
		if n == nil || len(n.Data) == 0 {
			continue
		}
		if sawVCL && startsAccessUnit(n) {
			h.pending = n
			break
		}
		add(n)
	}
	f := frame{data: au, at: uint64(float64(h.n) * h.interval), keyframe: keyframe}
	h.n++
	return f, nil
}

// startsAccessUnit reports whether NAL n begins a new access unit after a
// picture has been seen (H.264 section 7.4.1.2.3, simplified): a parameter
// set, SEI or delimiter, or a slice whose first_mb_in_slice is 0.
func startsAccessUnit(n *h264reader.NAL) bool {
	switch n.UnitType {
	case h264reader.NalUnitTypeAUD, h264reader.NalUnitTypeSPS, h264reader.NalUnitTypePPS, h264reader.NalUnitTypeSEI:
		return true
	case h264reader.NalUnitTypeCodedSliceIdr, h264reader.NalUnitTypeCodedSliceNonIdr:
		// first_mb_in_slice is ue(v): 0 is coded as a single 1 bit.
		return len(n.Data) > 1 && n.Data[1]&0x80 != 0
	}
	return false
}

// clockDuration converts ticks of a clock rate to a duration.
func clockDuration(ticks uint64, rate uint32) time.Duration {
	return time.Duration(float64(ticks) * float64(time.Second) / float64(rate))
}
