package recorder

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/h264writer"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
)

// mediaWriter is what pion's container writers have in common.
type mediaWriter interface {
	WriteRTP(pkt *rtp.Packet) error
	Close() error
}

// countingWriter counts the bytes that reach the file, which is how the
// pipeline sees whether a writer actually wrote the frame it was given
// (pion's writers silently skip what they consider not decodable yet).
// Seek passes through, so ivfwriter can still patch its header. Close does
// not close the file: the track owns it and still has to finish the IVF
// header after the writer is done (see ivfLength).
type countingWriter struct {
	w io.Writer
	n atomic.Int64 // read by Track.Stats on other goroutines
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingWriter) Seek(offset int64, whence int) (int64, error) {
	s, ok := c.w.(io.Seeker)
	if !ok {
		return 0, errors.New("recorder: output cannot seek")
	}
	return s.Seek(offset, whence)
}

func (c *countingWriter) Close() error { return nil }

// ivfLengthOffset is where an IVF header holds its length. libvpx calls the
// 32-bit field there a frame count, which is what pion writes, but ffmpeg
// reads it as the stream's duration in time-base units (and its own IVF
// muxer writes the duration there). With a 1/90000 time base a frame count
// makes ffprobe report a 3 s file as lasting under a millisecond, so the
// track writes the duration, as 64 bits over the unused field that follows.
const ivfLengthOffset = 24

// ivfLength is the length to put in the IVF header of a stream whose
// frames span ticks from the first to the last, plus one frame of the
// stream's average frame duration, as ffmpeg computes it.
func ivfLength(ticks, frames uint64, nominalFrame uint64) uint64 {
	switch {
	case frames == 0:
		return 0
	case frames > 1:
		return ticks + ticks/(frames-1)
	}
	return ticks + nominalFrame
}

func writeIVFLength(f io.WriterAt, length uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], length)
	_, err := f.WriteAt(b[:], ivfLengthOffset)
	return err
}

// newContainer starts a file of c's container format on out.
func newContainer(c codec, params webrtc.RTPCodecParameters, out *countingWriter) (mediaWriter, error) {
	switch c {
	case codecOpus:
		// The OpusHead channel count only sizes the decoder's output; a
		// mono stream decodes fine as stereo. WebRTC always signals 2.
		channels := params.Channels
		if channels == 0 {
			channels = 2
		}
		w, err := oggwriter.NewWith(out, 48000, channels)
		if err != nil {
			return nil, fmt.Errorf("recorder: start ogg file: %w", err)
		}
		return w, nil
	case codecVP8, codecVP9, codecAV1:
		clock := params.ClockRate
		if clock == 0 {
			clock = c.defaultClockRate()
		}
		// The IVF time base is the RTP clock and PTS are RTP ticks, so no
		// precision is lost (pion's default converts to milliseconds and
		// then divides by a 30 fps frame rate).
		w, err := ivfwriter.NewWith(out,
			ivfwriter.WithCodec(c.mime()),
			ivfwriter.WithFrameRate(1, clock),
			ivfwriter.WithDirectPTS())
		if err != nil {
			return nil, fmt.Errorf("recorder: start ivf file: %w", err)
		}
		return w, nil
	case codecH264:
		return h264writer.NewWith(out), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedCodec, params.MimeType)
}

// h264ParameterSets returns the SPS and PPS that the SDP carried out of band
// (sprop-parameter-sets, RFC 6184 section 8.1) as one STAP-A payload, or nil
// if there is no SPS among them. Publishers that only send them that way
// still get a decodable file: the STAP-A is written before the first IDR.
func h264ParameterSets(fmtp string) []byte {
	var sets string
	for _, param := range strings.Split(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
		if ok && strings.EqualFold(k, "sprop-parameter-sets") {
			sets = v
		}
	}
	var nals [][]byte
	for _, s := range strings.Split(sets, ",") {
		nal, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err == nil {
			nals = append(nals, nal)
		}
	}
	return parameterSetSTAPA(nals)
}

// h264FrameParameterSets collects the SPS and PPS NAL units sent inside an
// access unit (as single NAL unit packets or in STAP-As) into one STAP-A
// payload, or nil if there is no SPS among them.
func h264FrameParameterSets(frame []*packet) []byte {
	var nals [][]byte
	for _, p := range frame {
		b := p.payload
		if len(b) == 0 {
			continue
		}
		switch b[0] & 0x1f {
		case naluSPS, naluPPS:
			nals = append(nals, b)
		case naluSTAPA:
			for rest := b[1:]; len(rest) >= 2; {
				size := int(rest[0])<<8 | int(rest[1])
				if size == 0 || size > len(rest)-2 {
					break
				}
				nals = append(nals, rest[2:2+size])
				rest = rest[2+size:]
			}
		}
	}
	return parameterSetSTAPA(nals)
}

// parameterSetSTAPA builds a STAP-A of the SPS and PPS units among nals,
// SPS first: pion's h264writer starts writing at a packet that begins with
// an SPS and skips everything before it.
func parameterSetSTAPA(nals [][]byte) []byte {
	stap := []byte{0x78} // F=0, NRI=3, type 24
	var haveSPS bool
	for _, want := range []byte{naluSPS, naluPPS} {
		for _, nal := range nals {
			if len(nal) == 0 || len(nal) > 0xffff || nal[0]&0x80 != 0 || nal[0]&0x1f != want {
				continue
			}
			haveSPS = haveSPS || want == naluSPS
			stap = append(stap, byte(len(nal)>>8), byte(len(nal)))
			stap = append(stap, nal...)
		}
	}
	if !haveSPS {
		return nil
	}
	return stap
}
