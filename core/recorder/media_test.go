package recorder

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// Test media is made by ffmpeg at test time, so it is real Opus, VP8,
// VP9, H.264 and AV1 rather than bytes that merely look like it, and
// ffprobe judges the files written: the recorder's output must be
// something a standard tool opens.

// needFFmpeg returns the paths of ffmpeg and ffprobe. Without them the test
// is skipped, except in CI, where scripts/install-test-deps.sh installs
// them and their absence is a failure.
func needFFmpeg(t testing.TB) (ffmpeg, ffprobe string) {
	t.Helper()
	ffmpeg, err1 := exec.LookPath("ffmpeg")
	ffprobe, err2 := exec.LookPath("ffprobe")
	if err := errors.Join(err1, err2); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ffmpeg/ffprobe missing in CI (scripts/install-test-deps.sh installs them): %v", err)
		}
		t.Skipf("ffmpeg/ffprobe not installed (apt-get install ffmpeg, or run scripts/install-test-deps.sh): %v", err)
	}
	return ffmpeg, ffprobe
}

// captureRTP runs ffmpeg with args followed by an RTP output to a UDP
// socket of the test's, and returns the packets it sent, in order.
func captureRTP(t testing.TB, args ...string) []*rtp.Packet {
	t.Helper()
	ffmpeg, _ := needFFmpeg(t)
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// ffmpeg sends as fast as it encodes; a large buffer keeps the kernel
	// from dropping any of it.
	_ = conn.SetReadBuffer(8 << 20)

	var (
		mu   sync.Mutex
		pkts []*rtp.Packet
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65536)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			p := &rtp.Packet{}
			if p.Unmarshal(append([]byte(nil), buf[:n]...)) != nil {
				continue
			}
			mu.Lock()
			pkts = append(pkts, p)
			mu.Unlock()
		}
	}()

	url := fmt.Sprintf("rtp://%s?pkt_size=1200", conn.LocalAddr())
	cmd := exec.Command(ffmpeg, append(append([]string{"-hide_banner", "-v", "error", "-nostdin"}, args...), "-f", "rtp", url)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, stderr.String())
	}
	// Loopback delivers at once; wait briefly for the reader to catch up.
	for last := -1; ; {
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		n := len(pkts)
		mu.Unlock()
		if n == last {
			break
		}
		last = n
	}
	conn.Close()
	wg.Wait()

	if len(pkts) == 0 {
		t.Fatalf("ffmpeg %v sent no RTP", args)
	}
	for i := 1; i < len(pkts); i++ {
		if pkts[i].SequenceNumber != pkts[i-1].SequenceNumber+1 {
			t.Fatalf("capture is not contiguous at %d: %d after %d", i, pkts[i].SequenceNumber, pkts[i-1].SequenceNumber)
		}
	}
	return pkts
}

// ivfToRTP encodes with ffmpeg to an IVF file, then packetizes its frames
// with payloader: for codecs ffmpeg 5 has no RTP packetizer for (AV1).
func ivfToRTP(t testing.TB, payloader rtp.Payloader, args ...string) []*rtp.Packet {
	t.Helper()
	ffmpeg, _ := needFFmpeg(t)
	path := t.TempDir() + "/in.ivf"
	cmd := exec.Command(ffmpeg, append(append([]string{"-hide_banner", "-v", "error", "-nostdin"}, args...), "-f", "ivf", path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// IVF: a 32-byte header with the time base as rate (offset 16) and
	// scale (offset 20), then frames, each with a 12-byte header holding
	// its size and PTS.
	if len(data) < 32 || string(data[:4]) != "DKIF" {
		t.Fatalf("%s is not an IVF file", path)
	}
	rate, scale := uint64(binary.LittleEndian.Uint32(data[16:])), uint64(binary.LittleEndian.Uint32(data[20:]))
	pz := rtp.NewPacketizer(1200, 96, 0x1234, payloader, rtp.NewRandomSequencer(), 90000)
	var (
		pkts   []*rtp.Packet
		lastTS uint64
	)
	for rest := data[32:]; len(rest) >= 12; {
		size := int(binary.LittleEndian.Uint32(rest))
		pts := binary.LittleEndian.Uint64(rest[4:])
		if len(rest) < 12+size {
			t.Fatalf("truncated IVF frame in %s", path)
		}
		frame := rest[12 : 12+size]
		rest = rest[12+size:]
		ts := pts * 90000 * scale / rate
		if len(pkts) > 0 {
			pz.SkipSamples(uint32(ts - lastTS))
		}
		lastTS = ts
		pkts = append(pkts, pz.Packetize(frame, 0)...)
	}
	if len(pkts) == 0 {
		t.Fatal("no frames in the IVF file")
	}
	return pkts
}

// probeDuration is the file's duration according to ffprobe.
func probeDuration(t testing.TB, path string) time.Duration {
	t.Helper()
	_, ffprobe := needFFmpeg(t)
	out, err := exec.Command(ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe cannot read %s: %v", path, exitDetail(err))
	}
	var res struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe output %q: %v", out, err)
	}
	secs, err := strconv.ParseFloat(res.Format.Duration, 64)
	if err != nil {
		t.Fatalf("ffprobe gave no duration for %s: %q", path, out)
	}
	return time.Duration(secs * float64(time.Second))
}

// probeFrames returns the key_frame flag of every video frame ffprobe
// decodes from the file, in order.
func probeFrames(t testing.TB, path string) []bool {
	t.Helper()
	_, ffprobe := needFFmpeg(t)
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v",
		"-show_entries", "frame=key_frame", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe cannot read %s: %v", path, exitDetail(err))
	}
	var keys []bool
	for _, line := range strings.Fields(string(out)) {
		keys = append(keys, strings.HasPrefix(line, "1"))
	}
	return keys
}

// probeFirstFrameIsKey runs the check the way an operator would:
// ffprobe -show_frames -read_intervals %+#1 on the first video frame.
func probeFirstFrameIsKey(t testing.TB, path string) bool {
	t.Helper()
	_, ffprobe := needFFmpeg(t)
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v", "-show_frames",
		"-read_intervals", "%+#1", "-show_entries", "frame=key_frame", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe cannot read %s: %v", path, exitDetail(err))
	}
	var res struct {
		Frames []struct {
			KeyFrame int `json:"key_frame"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Frames) == 0 {
		t.Fatalf("ffprobe found no first frame in %s: %s (%v)", path, out, err)
	}
	return res.Frames[0].KeyFrame == 1
}

// decodeErrors decodes the whole file with ffmpeg and returns what the
// decoder complained about (empty for a clean file).
func decodeErrors(t testing.TB, path string) string {
	t.Helper()
	ffmpeg, _ := needFFmpeg(t)
	out, err := exec.Command(ffmpeg, "-hide_banner", "-v", "error", "-nostdin", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func exitDetail(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("%v: %s", err, ee.Stderr)
	}
	return err.Error()
}

// frameCount counts the distinct RTP timestamps (frames) in pkts.
func frameCount(pkts []*rtp.Packet) int {
	n := 0
	for i, p := range pkts {
		if i == 0 || p.Timestamp != pkts[i-1].Timestamp {
			n++
		}
	}
	return n
}

// span is the time from the first to the last packet's timestamp plus one
// frame of frameDur: how much media pkts hold.
func span(pkts []*rtp.Packet, clock uint32, frameDur time.Duration) time.Duration {
	d := pkts[len(pkts)-1].Timestamp - pkts[0].Timestamp
	return time.Duration(float64(d)/float64(clock)*float64(time.Second)) + frameDur
}

// within reports whether got is within frac of want.
func within(got, want time.Duration, frac float64) bool {
	diff := got - want
	if diff < 0 {
		diff = -diff
	}
	return float64(diff) <= frac*float64(want)
}

// probeTolerance is how far ffprobe's idea of a file's duration may be from
// the media time that was recorded.
const probeTolerance = 100 * time.Millisecond

// closeTo reports whether got is within tol of want.
func closeTo(got, want, tol time.Duration) bool {
	return got-want <= tol && want-got <= tol
}
