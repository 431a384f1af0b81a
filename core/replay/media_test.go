package replay

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// Test media is made by ffmpeg at test time, so the files replayed are
// real Opus, VP8, VP9, H.264 and AV1 in the containers core/recorder
// writes (Ogg with one Opus packet per page, IVF, Annex-B).

// needFFmpeg returns ffmpeg's path; without it the test is skipped, except
// in CI, where its absence is a failure.
func needFFmpeg(t testing.TB) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ffmpeg missing in CI (scripts/install-test-deps.sh installs it): %v", err)
		}
		t.Skipf("ffmpeg not installed: %v", err)
	}
	return ffmpeg
}

// makeMedia runs ffmpeg to write name in a temporary directory.
func makeMedia(t testing.TB, name string, args ...string) string {
	t.Helper()
	ffmpeg := needFFmpeg(t)
	out := filepath.Join(t.TempDir(), name)
	full := append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)
	full = append(full, out)
	if b, err := exec.Command(ffmpeg, full...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return out
}

// opusFile is secs of a 440 Hz tone in Ogg Opus, one packet per page.
func opusFile(t testing.TB, secs string) string {
	return makeMedia(t, "a.ogg", "-f", "lavfi", "-i", "sine=frequency=440:duration="+secs,
		"-c:a", "libopus", "-page_duration", "20000")
}

// ivfFile is secs of a 30 fps test pattern in IVF with encoder (libvpx,
// libvpx-vp9, libaom-av1), a key frame every 30 frames.
func ivfFile(t testing.TB, encoder, secs string, extra ...string) string {
	args := []string{"-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=" + secs,
		"-c:v", encoder, "-g", "30", "-b:v", "200k"}
	return makeMedia(t, "v.ivf", append(args, extra...)...)
}

// sent is one packet a test writer got, with its arrival time.
type sent struct {
	at  time.Time
	pkt rtp.Packet
}

// captureWriter keeps copies of what a player writes.
type captureWriter struct {
	mu   sync.Mutex
	pkts []sent
	kf   func()
}

func (c *captureWriter) WriteRTP(p *rtp.Packet) error {
	cp := *p.Clone()
	c.mu.Lock()
	c.pkts = append(c.pkts, sent{at: time.Now(), pkt: cp})
	c.mu.Unlock()
	return nil
}

func (c *captureWriter) OnKeyframeRequest(f func()) {
	c.mu.Lock()
	c.kf = f
	c.mu.Unlock()
}

func (c *captureWriter) requestKeyframe() bool {
	c.mu.Lock()
	f := c.kf
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return f != nil
}

func (c *captureWriter) snapshot() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.pkts)
}

// lateness collects actual − scheduled send times of a player's frames.
type lateness struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lateness) hook(p *Player) {
	p.onSend = func(scheduled, sentAt time.Time) {
		l.mu.Lock()
		l.d = append(l.d, sentAt.Sub(scheduled))
		l.mu.Unlock()
	}
}

func (l *lateness) percentiles() (p50, p99, maxD time.Duration, n int) {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	if len(d) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(d)
	return d[len(d)/2], d[len(d)*99/100], d[len(d)-1], len(d)
}

func waitDone(t *testing.T, p *Player, timeout time.Duration) (Reason, error) {
	t.Helper()
	select {
	case <-p.Done():
		return p.Result()
	case <-time.After(timeout):
		t.Fatalf("player %s did not end within %v", p.track.Path, timeout)
	}
	return "", errors.New("unreachable")
}
