package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// Writer takes the player's packets; *media.VirtualSource is one. A
// Writer that also has OnKeyframeRequest(func()) gets its keyframe
// requests answered (see Options.IgnoreKeyframeRequests).
type Writer interface {
	WriteRTP(pkt *rtp.Packet) error
}

// keyframeRequester is the optional part of a Writer.
type keyframeRequester interface {
	OnKeyframeRequest(func())
}

// Track names one recorded file and where it sits in its recording.
type Track struct {
	Path string
	// Codec is the short name ("opus", "vp8", "vp9", "h264", "av1") or
	// the MIME type ("video/VP8", as storage.RecordingTrack.Codec has it).
	// Empty derives it from the file (extension, IVF fourcc).
	Codec string
	// Offset is when the track starts relative to the recording's start
	// (storage's start offset); its first frame is sent that long after
	// the player's start time.
	Offset time.Duration
	// FrameRate times H.264 files, which carry no timestamps; 0 means
	// DefaultFrameRate.
	FrameRate float64
}

// Options tune a Player.
type Options struct {
	// Loop restarts the file when it ends; timestamps and sequence numbers
	// continue, and the next pass starts when the previous one's last
	// frame has lasted its duration.
	Loop bool
	// PayloadType, SSRC and MTU of the packets; zero values take 96 (111
	// for Opus), a random SSRC and 1200 bytes.
	PayloadType uint8
	SSRC        uint32
	MTU         uint16
	// IgnoreKeyframeRequests leaves keyframe requests unanswered. By
	// default a request re-sends the last key frame of the file right
	// away, so a subscriber who joined mid-stream gets a picture without
	// waiting for the file's next key frame (until that one, later frames
	// may decode with artifacts, since they reference frames the repeated
	// key frame does not restore).
	IgnoreKeyframeRequests bool
	// OnDone is called once when playing ends, with the reason, before
	// Done is closed; it must not call Stop or wait on Done.
	OnDone func(Reason, error)
	Logger *slog.Logger
}

// Reason says why a Player stopped.
type Reason string

const (
	ReasonEnded    Reason = "ended"    // the file (without Loop) was played to its end
	ReasonStopped  Reason = "stopped"  // Stop was called
	ReasonCanceled Reason = "canceled" // the context given to Play ended
	ReasonError    Reason = "error"    // reading the file or writing a packet failed
)

// ErrAlreadyStarted is returned by Play on a player that was started.
var ErrAlreadyStarted = errors.New("replay: player already started")

// Stats counts what a Player sent.
type Stats struct {
	Frames, Packets  uint64
	KeyframeRequests uint64 // requests received from the Writer
	KeyframesResent  uint64 // key frames re-sent to answer them
	Loops            uint64 // completed passes over the file when looping
}

// Player plays one recorded track into a Writer, paced by the file's
// timestamps.
type Player struct {
	track Track
	codec string
	clock uint32
	opts  Options
	w     Writer
	log   *slog.Logger
	pz    rtp.Packetizer

	started atomic.Bool
	stopCh  chan struct{}
	stopper sync.Once
	done    chan struct{}
	reason  Reason
	err     error

	mu          sync.Mutex
	paused      bool
	pausedAt    time.Time
	pausedTotal time.Duration
	resume      chan struct{} // closed on Resume

	wantKeyframe atomic.Bool
	frames       atomic.Uint64
	packets      atomic.Uint64
	kfRequests   atomic.Uint64
	kfResent     atomic.Uint64
	loops        atomic.Uint64

	// onSend, when set (tests), sees every frame's schedule and send time.
	onSend func(scheduled, sent time.Time)
}

// NewPlayer checks that the track's file opens and its codec is known, and
// prepares to play it into w.
func NewPlayer(t Track, w Writer, opts Options) (*Player, error) {
	if w == nil {
		return nil, errors.New("replay: nil writer")
	}
	codec := strings.ToLower(t.Codec)
	if _, sub, ok := strings.Cut(codec, "/"); ok {
		codec = sub // a MIME type, as the recordings catalogue stores it
	}
	if codec == "" {
		codec = codecOfPath(t.Path)
	}
	r, closeFile, err := openFrames(t.Path, codec, t.FrameRate)
	if err != nil {
		return nil, err
	}
	_ = closeFile()
	if iv, ok := r.(*ivfFrames); ok && codec == "" {
		codec = iv.codec
	}
	var payloader rtp.Payloader
	clock := uint32(videoClock)
	pt := opts.PayloadType
	switch codec {
	case "opus":
		payloader, clock = &codecs.OpusPayloader{}, 48000
		if pt == 0 {
			pt = 111
		}
	case "vp8":
		payloader = &codecs.VP8Payloader{EnablePictureID: true}
	case "vp9":
		payloader = &codecs.VP9Payloader{}
	case "h264":
		payloader = &codecs.H264Payloader{}
	case "av1":
		payloader = &codecs.AV1Payloader{}
	default:
		return nil, fmt.Errorf("replay %s: unsupported codec %q", t.Path, codec)
	}
	if pt == 0 {
		pt = 96
	}
	ssrc := opts.SSRC
	for ssrc == 0 {
		ssrc = rand.Uint32()
	}
	mtu := opts.MTU
	if mtu == 0 {
		mtu = 1200
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	p := &Player{
		track:  t,
		codec:  codec,
		clock:  clock,
		opts:   opts,
		w:      w,
		log:    log.With("component", "replay", "path", t.Path, "codec", codec),
		pz:     rtp.NewPacketizer(mtu, pt, ssrc, payloader, rtp.NewRandomSequencer(), clock),
		stopCh: make(chan struct{}),
		done:   make(chan struct{}),
	}
	return p, nil
}

// codecOfPath guesses the codec from the file name; IVF files name theirs.
func codecOfPath(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ogg", ".opus":
		return "opus"
	case ".h264", ".264":
		return "h264"
	}
	return ""
}

// openFrames opens path and returns its frame reader and a closer.
func openFrames(path, codec string, frameRate float64) (frameReader, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("replay: %w", err)
	}
	r, err := newFrames(f, codec, frameRate)
	if err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("replay %s: %w", path, err)
	}
	return r, f.Close, nil
}

// newFrames picks the reader for codec ("" = IVF, whose header says).
func newFrames(in io.Reader, codec string, frameRate float64) (frameReader, error) {
	switch codec {
	case "opus":
		return newOggFrames(in)
	case "h264":
		return newH264Frames(in, frameRate)
	case "vp8", "vp9", "av1", "":
		r, err := newIVFFrames(in)
		if err != nil {
			return nil, err
		}
		if codec != "" && r.codec != codec {
			return nil, fmt.Errorf("ivf holds %s, not %s", r.codec, codec)
		}
		return r, nil
	}
	return nil, fmt.Errorf("unsupported codec %q", codec)
}

// Codec is the track's codec short name ("opus", "vp8" ...).
func (p *Player) Codec() string { return p.codec }

// ClockRate is the RTP clock rate of the packets sent.
func (p *Player) ClockRate() uint32 { return p.clock }

// Play starts playing now, in the background. See PlayAt.
func (p *Player) Play(ctx context.Context) error { return p.PlayAt(ctx, time.Now()) }

// PlayAt starts playing in the background: each frame is sent at start +
// Track.Offset + its position in the file (+ time spent paused). A start
// in the past makes the frames already due go out at once. Playing ends
// at the end of the file (unless Loop), on Stop, when ctx ends, or on an
// error; Done is closed then and OnDone called.
func (p *Player) PlayAt(ctx context.Context, start time.Time) error {
	if !p.started.CompareAndSwap(false, true) {
		return ErrAlreadyStarted
	}
	if kr, ok := p.w.(keyframeRequester); ok {
		kr.OnKeyframeRequest(func() {
			p.kfRequests.Add(1)
			if !p.opts.IgnoreKeyframeRequests {
				p.wantKeyframe.Store(true)
			}
		})
	}
	go p.run(ctx, start)
	return nil
}

// Pause holds the packets; Resume continues where it stopped, with every
// later frame shifted by the pause's length.
func (p *Player) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		return
	}
	p.paused = true
	p.pausedAt = time.Now()
	p.resume = make(chan struct{})
}

// Resume ends a Pause.
func (p *Player) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		return
	}
	p.paused = false
	p.pausedTotal += time.Since(p.pausedAt)
	close(p.resume)
}

// Stop ends playing (Reason ReasonStopped) and waits for it to end, if it
// started.
func (p *Player) Stop() {
	p.stopper.Do(func() { close(p.stopCh) })
	if p.started.Load() {
		<-p.done
	}
}

// Done is closed when playing has ended.
func (p *Player) Done() <-chan struct{} { return p.done }

// Result is why playing ended; valid once Done is closed.
func (p *Player) Result() (Reason, error) {
	<-p.done
	return p.reason, p.err
}

// Stats returns the counters so far.
func (p *Player) Stats() Stats {
	return Stats{
		Frames: p.frames.Load(), Packets: p.packets.Load(),
		KeyframeRequests: p.kfRequests.Load(), KeyframesResent: p.kfResent.Load(),
		Loops: p.loops.Load(),
	}
}

func (p *Player) run(ctx context.Context, start time.Time) {
	reason, err := p.playAll(ctx, start)
	if kr, ok := p.w.(keyframeRequester); ok {
		kr.OnKeyframeRequest(nil)
	}
	p.reason, p.err = reason, err
	if err != nil {
		p.log.Warn("replay ended", "reason", reason, "err", err)
	} else {
		p.log.Debug("replay ended", "reason", reason)
	}
	// OnDone runs before Done closes, so whoever waits on Stop or Done
	// sees its effects.
	if p.opts.OnDone != nil {
		p.opts.OnDone(reason, err)
	}
	close(p.done)
}

// playAll plays the file, once or looping.
func (p *Player) playAll(ctx context.Context, start time.Time) (Reason, error) {
	var (
		passBase uint64 // clock ticks of the passes before this one
		lastKey  []byte
		prevAt   uint64 // position of the previous frame sent (absolute)
		sentAny  bool
	)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		r, closeFile, err := openFrames(p.track.Path, p.codec, p.track.FrameRate)
		if err != nil {
			return ReasonError, err
		}
		var last frame
		n := 0
		for {
			f, err := r.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				_ = closeFile()
				return ReasonError, fmt.Errorf("replay %s: %w", p.track.Path, err)
			}
			at := passBase + f.at
			if sentAny && at < prevAt {
				at = prevAt // a damaged file must not move time back
			}
			if reason, ok := p.wait(ctx, timer, start, at); !ok {
				_ = closeFile()
				return reason, nil
			}
			// The RTP timestamp advances by the time since the previous
			// frame; the packetizer adds samples after each frame.
			if sentAny {
				p.pz.SkipSamples(uint32(at - prevAt))
			}
			if p.wantKeyframe.Swap(false) && lastKey != nil && !f.keyframe && p.codec != "opus" {
				// Re-send the last key frame one tick before this frame.
				p.pz.SkipSamples(^uint32(0)) // -1: wraps the timestamp back one tick
				if err := p.send(lastKey, 1); err != nil {
					_ = closeFile()
					return ReasonError, err
				}
				p.kfResent.Add(1)
			}
			if err := p.send(f.data, 0); err != nil {
				_ = closeFile()
				return ReasonError, err
			}
			if f.keyframe && p.codec != "opus" {
				lastKey = append(lastKey[:0], f.data...)
			}
			prevAt, sentAny = at, true
			p.frames.Add(1)
			last = f
			n++
		}
		_ = closeFile()
		if !p.opts.Loop || n == 0 {
			return ReasonEnded, nil
		}
		p.loops.Add(1)
		dur := uint64(last.samples)
		if dur == 0 {
			dur = uint64(p.clock / DefaultFrameRate)
		}
		passBase += last.at + dur
	}
}

// wait sleeps until the frame at position at (clock ticks) is due.
func (p *Player) wait(ctx context.Context, timer *time.Timer, start time.Time, at uint64) (Reason, bool) {
	for {
		p.mu.Lock()
		paused, resume, shift := p.paused, p.resume, p.pausedTotal
		p.mu.Unlock()
		if paused {
			select {
			case <-resume:
				continue
			case <-p.stopCh:
				return ReasonStopped, false
			case <-ctx.Done():
				return ReasonCanceled, false
			}
		}
		due := start.Add(p.track.Offset + shift + clockDuration(at, p.clock))
		d := time.Until(due)
		if d <= 0 {
			select {
			case <-p.stopCh:
				return ReasonStopped, false
			case <-ctx.Done():
				return ReasonCanceled, false
			default:
			}
			if p.onSend != nil {
				p.onSend(due, time.Now())
			}
			return "", true
		}
		timer.Reset(d)
		select {
		case <-timer.C:
		case <-p.stopCh:
			return ReasonStopped, false
		case <-ctx.Done():
			return ReasonCanceled, false
		}
		// Loop: re-check pause and the due time (a pause may have begun).
	}
}

// send packetizes one frame and writes its packets. advance is the number
// of ticks the packetizer adds after this frame (it adds the samples given).
func (p *Player) send(data []byte, advance uint32) error {
	pkts := p.pz.Packetize(data, advance)
	for _, pkt := range pkts {
		if err := p.w.WriteRTP(pkt); err != nil {
			return fmt.Errorf("replay %s: write: %w", p.track.Path, err)
		}
	}
	p.packets.Add(uint64(len(pkts)))
	return nil
}
