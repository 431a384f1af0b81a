package media

import (
	"bytes"
	"testing"
)

// FuzzVP8Descriptor feeds arbitrary payloads through the VP8 descriptor
// parser and the picture ID rewriter: no panics, and a rewritten payload
// parses back to the mapped values with the codec payload untouched.
func FuzzVP8Descriptor(f *testing.F) {
	f.Add([]byte{0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0x00, 'k'}, uint16(77), uint8(3))
	f.Add([]byte{0x90, 0x80, 0x12, 0x01, 'p'}, uint16(0x7fff), uint8(0))
	f.Add([]byte{0x10, 0x00}, uint16(1), uint8(1))
	f.Add([]byte{0x80, 0x10, 0x1f}, uint16(5), uint8(200))
	f.Add([]byte{}, uint16(0), uint8(0))
	f.Fuzz(func(t *testing.T, payload []byte, lastPic uint16, lastTL0 uint8) {
		d := parseVP8(payload)
		if !d.valid || len(payload) > receiveBufferSize {
			return // the packet path never reads more than receiveBufferSize
		}
		if d.size > len(payload) {
			t.Fatalf("descriptor size %d beyond payload %d", d.size, len(payload))
		}
		m := vp8Munger{started: true, segment: 1, lastPic: lastPic & 0x7fff, lastTL0: lastTL0}
		var out [receiveBufferSize + 8]byte
		got := m.rewrite(2, &d, payload, out[:])
		r := parseVP8(got)
		if !r.valid || r.hasPic != d.hasPic || r.hasTL0 != d.hasTL0 || r.hasTID != d.hasTID || r.tid != d.tid {
			t.Fatalf("rewrite changed the descriptor shape: %+v -> %+v", d, r)
		}
		if d.hasPic && r.pic != (lastPic+1)&0x7fff {
			t.Fatalf("first picture of a new segment = %d, want %d", r.pic, (lastPic+1)&0x7fff)
		}
		if d.hasTL0 && r.tl0 != lastTL0+1 {
			t.Fatalf("first tl0picidx of a new segment = %d, want %d", r.tl0, lastTL0+1)
		}
		if !bytes.Equal(got[r.size:], payload[d.size:]) {
			t.Fatal("rewrite changed the VP8 payload after the descriptor")
		}
	})
}

// FuzzVP9Descriptor checks the VP9 parser on arbitrary input.
func FuzzVP9Descriptor(f *testing.F) {
	f.Add([]byte{0xa8, 0x80, 0x01, 0x02, 0x00})
	f.Add([]byte{0xec, 0x7f, 0x25})
	f.Add([]byte{0x20})
	f.Fuzz(func(t *testing.T, payload []byte) {
		d := parseVP9(payload)
		if d.keyframe && (d.interPic || !d.start || d.sid != 0) {
			t.Fatalf("key frame flag on an inter-predicted or non-base packet: %+v", d)
		}
		if d.sid > 7 || d.tid > 7 {
			t.Fatalf("layer ids out of range: %+v", d)
		}
	})
}

// FuzzPacketInfo runs every codec's payload inspection on arbitrary
// payloads, as the packet path does for whatever a sender puts on the wire.
func FuzzPacketInfo(f *testing.F) {
	f.Add([]byte{0x18, 0, 2, 0x67, 1, 0, 1, 0x68})
	f.Add([]byte{0x7c, 0x85, 1})
	f.Add([]byte{0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0x00})
	f.Add([]byte{0x08})
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, fam := range []codecFamily{familyOther, familyVP8, familyVP9, familyH264, familyAV1} {
			var info packetInfo
			info.inspect(fam, payload)
			if fam == familyOther && (info.keyframe || info.frameStart) {
				t.Fatal("unknown codec reported a key frame")
			}
		}
	})
}

// FuzzSimulcastRIDs parses arbitrary a=simulcast and a=rid values.
func FuzzSimulcastRIDs(f *testing.F) {
	f.Add("send h;m;l", "h send")
	f.Add("send ~a,b;c recv x", "")
	f.Add("", "q send pt=96")
	f.Fuzz(func(t *testing.T, simulcast, rid string) {
		rids := simulcastRIDs(simulcast, []string{rid, rid})
		if len(rids) > maxLayers {
			t.Fatalf("%d layers, more than %d", len(rids), maxLayers)
		}
		for _, r := range rids {
			if r == "" {
				t.Fatal("empty rid")
			}
		}
	})
}
