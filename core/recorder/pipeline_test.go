package recorder

import (
	"encoding/base64"
	"io"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

func h264RTP(t testing.TB) []*rtp.Packet {
	return captureRTP(t, append(videoInput(), "-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast",
		"-tune", "zerolatency", "-bf", "0", "-b:v", "300k")...)
}

// Publishers differ in where they put H.264 parameter sets. pion's
// h264writer only starts at a packet that begins with an SPS; these
// variants of a real stream check that the recorder still writes a file
// that decodes from its first frame.
func TestRecordH264ParameterSetPlacement(t *testing.T) {
	pkts := h264RTP(t)
	var sps, pps []byte
	for _, p := range pkts {
		for _, u := range nalUnits(p.Payload) {
			switch u[0] & 0x1f {
			case naluSPS:
				sps = u
			case naluPPS:
				pps = u
			}
		}
	}
	if sps == nil || pps == nil {
		t.Fatal("ffmpeg sent no SPS/PPS in band; the test's premise is wrong")
	}
	// rewriteUnits rebuilds a packet from the NAL units edit makes of its
	// own (single NAL unit and STAP-A packets only; FU-As pass through).
	rewriteUnits := func(p *rtp.Packet, edit func(units [][]byte) [][]byte) []*rtp.Packet {
		units := nalUnits(p.Payload)
		if units == nil {
			return []*rtp.Packet{p}
		}
		units = edit(units)
		q := *p
		switch len(units) {
		case 0:
			return nil
		case 1:
			q.Payload = units[0]
		default:
			q.Payload = []byte{0x78}
			for _, u := range units {
				q.Payload = append(q.Payload, byte(len(u)>>8), byte(len(u)))
				q.Payload = append(q.Payload, u...)
			}
		}
		return []*rtp.Packet{&q}
	}
	isParamSet := func(u []byte) bool { t := u[0] & 0x1f; return t == naluSPS || t == naluPPS }

	cases := []struct {
		name    string
		fmtp    string
		rewrite func(p *rtp.Packet) []*rtp.Packet
	}{
		{"out of band only (sprop-parameter-sets)",
			"packetization-mode=1;sprop-parameter-sets=" + base64.StdEncoding.EncodeToString(sps) + "," + base64.StdEncoding.EncodeToString(pps),
			func(p *rtp.Packet) []*rtp.Packet {
				return rewriteUnits(p, func(units [][]byte) (kept [][]byte) {
					for _, u := range units {
						if !isParamSet(u) {
							kept = append(kept, u)
						}
					}
					return kept
				})
			}},
		{"in band behind an access unit delimiter", "packetization-mode=1",
			func(p *rtp.Packet) []*rtp.Packet {
				return rewriteUnits(p, func(units [][]byte) [][]byte {
					if isParamSet(units[0]) {
						return append([][]byte{{0x09, 0xf0}}, units...)
					}
					return units
				})
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var feed []*rtp.Packet
			for _, p := range pkts {
				feed = append(feed, tc.rewrite(p)...)
			}
			for i, p := range feed {
				q := *p
				q.SequenceNumber = pkts[0].SequenceNumber + uint16(i)
				feed[i] = &q
			}
			codec := h264Codec
			codec.SDPFmtpLine = tc.fmtp
			tr := record(t, nil, Options{Dir: t.TempDir(), BaseName: "v", Codec: codec, QueueLength: 4096}, feed)
			if tr.NeedsKeyframe() || tr.Stats().Frames == 0 {
				t.Fatalf("nothing written: %+v", tr.Stats())
			}
			if !probeFirstFrameIsKey(t, tr.Path()) {
				t.Error("first frame is not a keyframe")
			}
			if msg := decodeErrors(t, tr.Path()); msg != "" {
				t.Errorf("decoding the file: %s", msg)
			}
			if got, want := len(probeFrames(t, tr.Path())), frameCount(pkts); got != want {
				t.Errorf("file has %d frames, want %d", got, want)
			}
		})
	}
}

// nalUnits returns the NAL units of a single NAL unit or STAP-A payload,
// nil for anything else.
func nalUnits(p []byte) [][]byte {
	switch t := p[0] & 0x1f; {
	case t >= 1 && t <= 23:
		return [][]byte{p}
	case t == naluSTAPA:
		var units [][]byte
		for rest := p[1:]; len(rest) >= 2; {
			n := int(rest[0])<<8 | int(rest[1])
			units = append(units, rest[2:2+n])
			rest = rest[2+n:]
		}
		return units
	}
	return nil
}

// seekDiscard is an in-memory stand-in for a file.
type seekDiscard struct{}

func (seekDiscard) Write(b []byte) (int, error)            { return len(b), nil }
func (seekDiscard) Seek(int64, int) (int64, error)         { return 0, nil }
func (seekDiscard) WriteAt(b []byte, _ int64) (int, error) { return len(b), nil }

var _ io.WriteSeeker = seekDiscard{}

var fuzzCodecs = []webrtc.RTPCodecParameters{opusCodec, vp8Codec, vp9Codec, av1Codec, h264Codec}

// FuzzPipeline sends arbitrary packets (payloads, markers, sequence number
// and timestamp steps, SSRC changes) through the whole writer side of a
// track, for every codec, into real container writers. Nothing may panic,
// and no container writer may reject what the frame checks let through:
// that would mean a publisher could end a recording, or corrupt the frames
// after it, with one crafted packet.
func FuzzPipeline(f *testing.F) {
	// Each packet: control byte, payload length, payload.
	f.Add(byte(1), []byte{0x01, 3, 0x10, 0x00, 0x9d, 0x01, 2, 0x10, 0x01})
	f.Add(byte(4), []byte{0x01, 4, 0x67, 0x42, 0xc0, 0x1e, 0x01, 2, 0x68, 0xce, 0x01, 3, 0x65, 0x88, 0x84})
	f.Add(byte(4), []byte{0x00, 3, 0x7c, 0x85, 0x88, 0x01, 2, 0x7c, 0x45})
	f.Add(byte(3), []byte{0x01, 3, 0x18, 0x30, 0x00, 0x09, 3, 0x10, 0x30, 0x00})
	f.Add(byte(2), []byte{0x01, 2, 0x0c, 0x80, 0x05, 2, 0x4c, 0x84})
	f.Add(byte(0), []byte{0x01, 3, 0xfc, 0xff, 0xfe, 0x41, 3, 0xfc, 0xff, 0xfe, 0x81, 0})
	f.Fuzz(fuzzPipelineBody)
}

// fuzzPipelineBody is FuzzPipeline's check of one input: which picks the
// codec, data holds the packets.
func fuzzPipelineBody(t *testing.T, which byte, data []byte) {
	params := fuzzCodecs[int(which)%len(fuzzCodecs)]
	c, err := codecOf(params.MimeType)
	if err != nil {
		t.Fatal(err)
	}
	out := &countingWriter{w: seekDiscard{}}
	w, err := newContainer(c, params, out)
	if err != nil {
		t.Fatal(err)
	}
	var cnt counters
	pl := newPipeline(c, params.ClockRate, w, out, &cnt)
	if c == codecH264 {
		pl.sprop = h264ParameterSets("sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAA8jxYuS,aMuMsg==")
	}
	var (
		seq  uint16 = 65500
		ts   uint32 = 4294960000
		ssrc uint32 = 1
	)
	for len(data) >= 2 {
		ctl, n := data[0], int(data[1])
		data = data[2:]
		n = min(n, len(data))
		payload := append([]byte(nil), data[:n]...)
		data = data[n:]
		// ctl: bit 0 marker; bits 1-2 sequence step (+1, +2, -1, +40);
		// bits 3-4 timestamp step (0, +3000, -3000, +2^31); bit 5 new SSRC.
		seq += [4]uint16{1, 2, 65535, 40}[(ctl>>1)&3]
		ts += [4]uint32{0, 3000, 4294964296, 1 << 31}[(ctl>>3)&3]
		if ctl&0x20 != 0 {
			ssrc++
		}
		pl.push(&packet{seq: seq, ts: ts, ssrc: ssrc, marker: ctl&1 != 0, payload: payload})
	}
	pl.flush()
	if pl.err != nil {
		t.Fatalf("%s: %v", params.MimeType, pl.err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%s: close: %v", params.MimeType, err)
	}
}
