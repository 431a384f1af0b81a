package recorder

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/storage"
)

// DefaultQueueLength is how many packets a track buffers between WriteRTP
// and its writer goroutine when Options.QueueLength is 0: a few seconds of
// a 1-2 Mbit/s video stream, enough to ride out a slow disk write.
const DefaultQueueLength = 1024

// catalogueTimeout bounds each catalogue write made by a track's own
// goroutine, so a stuck database cannot keep Close waiting for ever.
const catalogueTimeout = 5 * time.Second

// progressInterval is how often a track stores its progress in the
// catalogue while it records.
const progressInterval = time.Second

// recycleLimit is the largest payload buffer a track keeps for reuse; a
// rare oversized packet's buffer is left to the garbage collector.
const recycleLimit = 16 << 10

// Options describe one track to record.
type Options struct {
	// Dir is the directory for the file; created if missing.
	Dir string
	// BaseName is the file name without extension, for example
	// "videoroom-1234-user-5678-1700000000000000-video". The extension is
	// chosen from the codec: .ogg, .ivf or .h264. The file must not exist.
	BaseName string
	// Codec is the negotiated codec of the stream. Its MimeType picks the
	// container, ClockRate the timestamp scale (WebRTC's default when 0),
	// Channels the Opus channel count, and for H.264 SDPFmtpLine may carry
	// sprop-parameter-sets.
	Codec webrtc.RTPCodecParameters

	// Catalogue metadata; RecordingID must name an existing recording when
	// a store is given. TrackID is generated when empty.
	RecordingID   string
	TrackID       string
	ParticipantID string
	Display       string
	Mid           string
	// RecordingStart is the recording's start (its started_at), from which
	// the track's start_offset_ms is measured. Zero means the time Start
	// is called.
	RecordingStart time.Time

	// QueueLength is the packet queue's capacity; 0 means
	// DefaultQueueLength.
	QueueLength int
	// OnKeyframeNeeded, if set, is called when a video track starts waiting
	// for a keyframe, and again at most once a second while it keeps
	// waiting (judged by packet arrivals). It runs on the track's writer
	// goroutine and must not block; sending a PLI is the usual answer.
	OnKeyframeNeeded func()
	// Logger receives the track's log records; slog.Default() when nil.
	Logger *slog.Logger
}

// Track records one RTP stream to one file. It satisfies the media core's
// Sink interface (WriteRTP, Close). Its methods are safe for concurrent use.
type Track struct {
	id, path    string
	codec       codec
	store       *storage.DB
	log         *slog.Logger
	started     time.Time // wall and monotonic clock at Start
	recStart    time.Time
	onKeyframe  func()
	queue, free chan *packet
	stop, done  chan struct{}

	closed       atomic.Bool
	closeOnce    sync.Once
	closeErr     error
	needKeyframe atomic.Bool
	c            counters

	pipe         *pipeline // owned by the writer goroutine
	savedPackets uint64    // packets written at the last progress update; writer goroutine only
	file         *os.File
	out          *countingWriter
}

// Start creates the track's file, writes the container header and the
// catalogue row (when store is not nil), and starts the writer goroutine.
// ctx bounds only this setup; the track runs until Close.
func Start(ctx context.Context, store *storage.DB, opts Options) (*Track, error) {
	c, err := codecOf(opts.Codec.MimeType)
	if err != nil {
		return nil, err
	}
	if opts.Dir == "" || opts.BaseName == "" {
		return nil, errors.New("recorder: Dir and BaseName are required")
	}
	id := opts.TrackID
	if id == "" {
		id = newID()
	}
	path := filepath.Join(opts.Dir, opts.BaseName+c.extension())
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("recorder: create directory: %w", err)
	}
	// O_EXCL: two recordings given the same name must not write into
	// each other's file.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("recorder: create file: %w", err)
	}
	out := &countingWriter{w: f}
	writer, err := newContainer(c, opts.Codec, out)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if store != nil {
		row := storage.RecordingTrack{
			ID: id, RecordingID: opts.RecordingID, ParticipantID: opts.ParticipantID,
			Display: opts.Display, Mid: opts.Mid, Kind: c.kind(), Codec: c.mime(), Path: path,
		}
		if err := store.AddRecordingTrack(ctx, row); err != nil {
			f.Close()
			os.Remove(path)
			return nil, fmt.Errorf("recorder: %w", err)
		}
	}

	qlen := opts.QueueLength
	if qlen <= 0 {
		qlen = DefaultQueueLength
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	t := &Track{
		id:         id,
		path:       path,
		codec:      c,
		store:      store,
		log:        log.With("recording_track", id, "path", path),
		started:    time.Now(),
		recStart:   opts.RecordingStart,
		onKeyframe: opts.OnKeyframeNeeded,
		queue:      make(chan *packet, qlen),
		// Room for every buffer that can be out at once: queued, held for
		// reordering, or in the frame being assembled.
		free: make(chan *packet, qlen+reorderWindow+256),
		stop: make(chan struct{}),
		done: make(chan struct{}),
		file: f,
		out:  out,
	}
	if t.recStart.IsZero() {
		t.recStart = t.started
	}
	clock := opts.Codec.ClockRate
	if clock == 0 {
		clock = c.defaultClockRate()
	}
	t.pipe = newPipeline(c, clock, writer, out, &t.c)
	if c == codecH264 {
		t.pipe.sprop = h264ParameterSets(opts.Codec.SDPFmtpLine)
	}
	t.pipe.release = t.putPacket
	t.pipe.onWaiting = t.needKeyframe.Store
	t.pipe.onKeyframe = t.requestKeyframe
	t.pipe.onFirst = t.firstWritten
	t.needKeyframe.Store(c.isVideo())
	go t.run(writer)
	return t, nil
}

// newID returns 128 random bits in hex.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics if it cannot read)
	return hex.EncodeToString(b[:])
}

// ID is the track's catalogue ID.
func (t *Track) ID() string { return t.id }

// Path is the file being written.
func (t *Track) Path() string { return t.path }

// NeedsKeyframe reports whether the track is dropping video until a
// keyframe arrives: before the first one, and after packet loss. Always
// false for audio.
func (t *Track) NeedsKeyframe() bool { return t.needKeyframe.Load() }

// WriteRTP queues a copy of pkt for writing. It never blocks: when the
// queue is full the packet is dropped and counted (Stats.Dropped). It does
// not keep pkt. After Close it returns ErrClosed.
func (t *Track) WriteRTP(pkt *rtp.Packet) error {
	if t.closed.Load() {
		return ErrClosed
	}
	t.c.received.Add(1)
	p := t.getPacket()
	p.seq = pkt.SequenceNumber
	p.ts = pkt.Timestamp
	p.ssrc = pkt.SSRC
	p.pt = pkt.PayloadType
	p.marker = pkt.Marker
	p.arrival = time.Since(t.started)
	p.payload = append(p.payload[:0], pkt.Payload...)
	select {
	case t.queue <- p:
	default:
		t.c.dropped.Add(1)
		t.putPacket(p)
	}
	return nil
}

func (t *Track) getPacket() *packet {
	select {
	case p := <-t.free:
		return p
	default:
		return &packet{payload: make([]byte, 0, 1500)}
	}
}

func (t *Track) putPacket(p *packet) {
	if cap(p.payload) > recycleLimit {
		return
	}
	select {
	case t.free <- p:
	default:
	}
}

// Close stops the track: it writes what is still queued, closes the file
// and finishes the catalogue row, then returns. Packets written after Close
// has started may be lost. The error reports a failed write, a failure to
// close the file, or a failed catalogue update; the file is kept in every
// case. Calling Close again returns the same error.
func (t *Track) Close() error {
	t.closeOnce.Do(func() {
		t.closed.Store(true)
		close(t.stop)
		<-t.done
	})
	return t.closeErr
}

// run is the writer goroutine.
func (t *Track) run(writer mediaWriter) {
	defer close(t.done)
	progress := time.NewTicker(progressInterval)
	defer progress.Stop()
	for {
		select {
		case p := <-t.queue:
			t.pipe.push(p)
			continue
		case <-progress.C:
			t.saveProgress()
			continue
		case <-t.stop:
		}
		break
	}
	// Whatever WriteRTP queued before Close still goes into the file.
	for drained := false; !drained; {
		select {
		case p := <-t.queue:
			t.pipe.push(p)
		default:
			drained = true
		}
	}
	t.pipe.flush()
	t.needKeyframe.Store(false)

	writeErr := t.pipe.err
	closeErr := t.closeFile(writer)
	if writeErr != nil {
		t.log.Error("recording stopped early", "err", writeErr)
	}
	end := storage.RecordingTrackEnd{
		LastRTPTS: t.pipe.lastTS,
		Packets:   t.c.written.Load(),
		Bytes:     t.c.bytes.Load(),
		Duration:  t.pipe.duration(),
		Complete:  writeErr == nil && closeErr == nil,
	}
	var dbErr error
	if t.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), catalogueTimeout)
		dbErr = t.store.FinishRecordingTrack(ctx, t.id, end)
		cancel()
		if dbErr != nil {
			dbErr = fmt.Errorf("recorder: %w", dbErr)
		}
	}
	s := t.Stats()
	t.log.Info("recording track closed", "packets", end.Packets, "bytes", end.Bytes,
		"duration", end.Duration, "complete", end.Complete, "dropped", s.Dropped, "lost", s.Lost,
		"discarded", s.Discarded, "malformed", s.Malformed)
	t.closeErr = errors.Join(writeErr, closeErr, dbErr)
}

// closeFile finishes the container and closes the file.
func (t *Track) closeFile(writer mediaWriter) error {
	err := writer.Close()
	if err == nil && t.codec.extension() == ".ivf" {
		ticks := t.pipe.lastOut - t.pipe.firstOut
		err = writeIVFLength(t.file, ivfLength(ticks, t.c.frames.Load(), t.pipe.tl.step))
	}
	if cerr := t.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("recorder: close file: %w", err)
	}
	return nil
}

// saveProgress stores what has been written so far in the catalogue, so
// that a gateway killed mid-recording leaves a row that says how much of
// the file is usable (see Repair). The file itself needs no flushing for
// that: the container writers hand every page and frame to the kernel as
// soon as it is complete, and a killed process does not lose what the
// kernel holds.
func (t *Track) saveProgress() {
	if t.store == nil || !t.pipe.started {
		return
	}
	written := t.c.written.Load()
	if written == t.savedPackets {
		return
	}
	t.savedPackets = written
	ctx, cancel := context.WithTimeout(context.Background(), catalogueTimeout)
	defer cancel()
	err := t.store.UpdateRecordingTrackProgress(ctx, t.id, storage.RecordingTrackProgress{
		LastRTPTS: t.pipe.lastTS,
		Packets:   written,
		Bytes:     t.c.bytes.Load(),
		Duration:  t.pipe.duration(),
	})
	if err != nil {
		t.log.Warn("could not record progress in the catalogue", "err", err)
	}
}

// firstWritten records the first packet in the catalogue. It runs on the
// writer goroutine, which owns the disk and may wait for the database.
func (t *Track) firstWritten(ts uint32, arrival time.Duration) {
	if t.store == nil {
		return
	}
	offset := t.started.Add(arrival).Sub(t.recStart)
	ctx, cancel := context.WithTimeout(context.Background(), catalogueTimeout)
	defer cancel()
	if err := t.store.StartRecordingTrack(ctx, t.id, ts, offset); err != nil {
		t.log.Warn("could not record the first packet in the catalogue", "err", err)
	}
}

func (t *Track) requestKeyframe() {
	if t.onKeyframe != nil {
		t.onKeyframe()
	}
}

// Stats are a track's packet counters.
type Stats struct {
	Received   uint64 // packets given to WriteRTP
	Dropped    uint64 // of those, dropped because the queue was full
	Written    uint64 // packets written to the file
	Bytes      uint64 // payload bytes written to the file
	Frames     uint64 // video frames written
	Lost       uint64 // sequence numbers never received (or dropped) in time
	Late       uint64 // packets that arrived after being given up on
	Duplicates uint64
	Discarded  uint64 // video packets dropped while waiting for a keyframe
	Malformed  uint64 // video frames dropped as malformed or incomplete
	Resyncs    uint64 // restarts of the stream (new SSRC, sequence jump)
	FileBytes  int64  // bytes in the file so far, container overhead included
}

// Stats returns the track's counters so far.
func (t *Track) Stats() Stats {
	return Stats{
		Received:   t.c.received.Load(),
		Dropped:    t.c.dropped.Load(),
		Written:    t.c.written.Load(),
		Bytes:      t.c.bytes.Load(),
		Frames:     t.c.frames.Load(),
		Lost:       t.c.lost.Load(),
		Late:       t.c.late.Load(),
		Duplicates: t.c.duplicates.Load(),
		Discarded:  t.c.discarded.Load(),
		Malformed:  t.c.malformed.Load(),
		Resyncs:    t.c.resyncs.Load(),
		FileBytes:  t.out.n.Load(),
	}
}
