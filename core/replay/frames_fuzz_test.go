package replay

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// drain reads frames until the reader ends, checking what must hold for
// any input: no panic, no endless stream from finite bytes, and positions
// that never go back.
func drain(t *testing.T, r frameReader, input int) {
	var prev uint64
	for i := 0; ; i++ {
		f, err := r.next()
		if err != nil {
			return
		}
		if i > input+1 {
			t.Fatalf("%d frames from %d bytes", i, input)
		}
		if f.at < prev {
			t.Fatalf("frame %d at %d, before the previous %d", i, f.at, prev)
		}
		prev = f.at
	}
}

func seed(f *testing.F, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add(b[:min(len(b), 40)])
	return b
}

func FuzzOggFrames(f *testing.F) {
	seed(f, "testdata/seed.ogg")
	f.Add([]byte("OggS"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := newFrames(bytes.NewReader(b), "opus", 0)
		if err != nil {
			return
		}
		drain(t, r, len(b))
	})
}

func FuzzIVFFrames(f *testing.F) {
	seed(f, "testdata/seed.ivf")
	f.Add([]byte("DKIF\x00\x00\x20\x00AV01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := newFrames(bytes.NewReader(b), "", 0)
		if err != nil {
			return
		}
		drain(t, r, len(b))
	})
}

func FuzzH264Frames(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0, 0, 0, 1, 0x65, 0x88, 0x84})
	f.Add([]byte{0, 0, 1, 0x41, 0x9a, 0, 0, 1, 0x41, 0x9a})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := newFrames(bytes.NewReader(b), "h264", 0)
		if err != nil {
			return
		}
		drain(t, r, len(b))
	})
}

// The seed files themselves read completely: a sanity check on the corpus
// and on the readers for files without ffmpeg at hand.
func TestSeedFilesRead(t *testing.T) {
	for _, c := range []struct{ name, codec string }{{"testdata/seed.ogg", "opus"}, {"testdata/seed.ivf", ""}} {
		b, err := os.ReadFile(c.name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newFrames(bytes.NewReader(b), c.codec, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		n, keys := 0, 0
		for {
			fr, err := r.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s frame %d: %v", c.name, n, err)
			}
			if fr.keyframe {
				keys++
			}
			n++
		}
		if n < 3 || keys == 0 {
			t.Fatalf("%s: %d frames, %d key frames", c.name, n, keys)
		}
	}
}

func TestOpusSamples(t *testing.T) {
	cases := []struct {
		p    []byte
		want uint32
	}{
		{nil, 0},
		{[]byte{0xfc}, 960},            // config 31 (CELT 20 ms), code 0
		{[]byte{0xf8 | 1}, 1920},       // CELT 20 ms, two frames
		{[]byte{0x08}, 960},            // SILK 20 ms
		{[]byte{0x78 | 3, 0x03}, 2880}, // hybrid 20 ms, code 3 with 3 frames
		{[]byte{0xfb}, 0},              // code 3 without its count byte
	}
	for _, c := range cases {
		if got := opusSamples(c.p); got != c.want {
			t.Errorf("opusSamples(% x) = %d, want %d", c.p, got, c.want)
		}
	}
}
