package recorder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/storage"
)

var (
	opusCodec = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111}
	vp8Codec  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, PayloadType: 96}
	vp9Codec  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000}, PayloadType: 98}
	av1Codec  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeAV1, ClockRate: 90000}, PayloadType: 45}
	h264Codec = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}, PayloadType: 102}
)

// Encoder settings: small pictures and fast presets keep the tests quick;
// -g 30 at 30 fps puts a keyframe every second.
const testSeconds = "3"

func opusRTP(t testing.TB) []*rtp.Packet {
	return captureRTP(t, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+testSeconds,
		"-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20")
}

func videoInput() []string {
	return []string{"-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=" + testSeconds, "-pix_fmt", "yuv420p", "-g", "30"}
}

func vp8RTP(t testing.TB) []*rtp.Packet {
	return captureRTP(t, append(videoInput(), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k")...)
}

// openStore opens a catalogue with one recording, "rec", started now.
func openStore(t *testing.T) (*storage.DB, storage.Recording) {
	t.Helper()
	db, err := storage.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rec := storage.Recording{ID: "rec", Plugin: "janus.plugin.videoroom", RoomID: "1234", StartedAt: time.Now().UTC()}
	if err := db.CreateRecording(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return db, rec
}

// record starts a track, feeds it pkts and closes it.
func record(t *testing.T, store *storage.DB, opts Options, pkts []*rtp.Packet) *Track {
	t.Helper()
	tr, err := Start(context.Background(), store, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := tr.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if s := tr.Stats(); s.Dropped != 0 {
		// The tests feed packets faster than real time; they must still all
		// fit the queue, or the checks below measure the wrong thing.
		t.Fatalf("queue dropped %d packets; raise QueueLength in the test", s.Dropped)
	}
	return tr
}

func TestRecordOpusToOgg(t *testing.T) {
	pkts := opusRTP(t)
	store, rec := openStore(t)
	dir := t.TempDir()
	opts := Options{
		Dir: dir, BaseName: "videoroom-1234-user-42-1700000000000000-audio", Codec: opusCodec,
		RecordingID: rec.ID, TrackID: "rec-audio", ParticipantID: "42", Display: "Alice", Mid: "0",
		RecordingStart: rec.StartedAt, QueueLength: 4096,
	}
	tr, err := Start(context.Background(), store, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The catalogue row exists before the first packet.
	tracks, err := store.RecordingTracks(context.Background(), rec.ID)
	if err != nil || len(tracks) != 1 {
		t.Fatalf("tracks before media: %+v, %v", tracks, err)
	}
	if row := tracks[0]; row.ID != "rec-audio" || row.Complete || row.MediaStarted ||
		row.Path != filepath.Join(dir, opts.BaseName+".ogg") || row.Kind != "audio" || row.Codec != webrtc.MimeTypeOpus {
		t.Errorf("row before media: %+v", row)
	}
	if tr.NeedsKeyframe() {
		t.Error("audio track asks for a keyframe")
	}
	for _, p := range pkts {
		if err := tr.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.WriteRTP(pkts[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteRTP after Close: %v, want ErrClosed", err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	sent := span(pkts, 48000, 20*time.Millisecond)
	if got := probeDuration(t, tr.Path()); !closeTo(got, sent, probeTolerance) {
		t.Errorf("ffprobe duration %v, sent %v (tolerance %v)", got, sent, probeTolerance)
	}
	if msg := decodeErrors(t, tr.Path()); msg != "" {
		t.Errorf("decoding the file: %s", msg)
	}

	s := tr.Stats()
	var payload uint64
	for _, p := range pkts {
		payload += uint64(len(p.Payload))
	}
	if s.Written != uint64(len(pkts)) || s.Bytes != payload || s.Lost != 0 {
		t.Errorf("stats %+v, want %d packets, %d bytes, none lost", s, len(pkts), payload)
	}
	tracks, err = store.RecordingTracks(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	row := tracks[0]
	if !row.Complete || !row.MediaStarted || row.Packets != s.Written || row.Bytes != s.Bytes ||
		row.FirstRTPTS != pkts[0].Timestamp || row.LastRTPTS != pkts[len(pkts)-1].Timestamp {
		t.Errorf("finished row %+v; first ts %d, last ts %d", row, pkts[0].Timestamp, pkts[len(pkts)-1].Timestamp)
	}
	if want := sent - 20*time.Millisecond; row.Duration != want.Truncate(time.Millisecond) {
		t.Errorf("row duration %v, want %v", row.Duration, want)
	}
	if row.StartOffset < 0 || row.StartOffset > time.Minute {
		t.Errorf("start offset %v", row.StartOffset)
	}
}

func TestRecordVP8StartsOnKeyframe(t *testing.T) {
	pkts := vp8RTP(t)
	if !vp8Keyframe(pkts[0].Payload) {
		t.Fatal("ffmpeg's first VP8 packet is not a keyframe start; the test's premise is wrong")
	}
	// Join mid-GOP: skip the first keyframe and a few frames after it.
	start := 0
	for frames := 0; frames < 5; start++ {
		if pkts[start].Marker {
			frames++
		}
	}
	next := start
	for !vp8Keyframe(pkts[next].Payload) {
		next++
	}
	feed := pkts[start:]

	var asked atomic.Int32
	store, rec := openStore(t)
	tr, err := Start(context.Background(), store, Options{
		Dir: t.TempDir(), BaseName: "video", Codec: vp8Codec, RecordingID: rec.ID, QueueLength: 4096,
		OnKeyframeNeeded: func() { asked.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.NeedsKeyframe() {
		t.Error("fresh video track does not report needing a keyframe")
	}
	for _, p := range feed[:next-start] {
		tr.WriteRTP(p)
	}
	waitFor(t, "keyframe request", func() bool { return asked.Load() > 0 })
	if !tr.NeedsKeyframe() {
		t.Error("NeedsKeyframe false while only delta frames arrived")
	}
	for _, p := range pkts[next:] {
		tr.WriteRTP(p)
	}
	waitFor(t, "keyframe to be written", func() bool { return !tr.NeedsKeyframe() })
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}

	if !probeFirstFrameIsKey(t, tr.Path()) {
		t.Error("first frame of the file is not a keyframe")
	}
	if msg := decodeErrors(t, tr.Path()); msg != "" {
		t.Errorf("decoding the file: %s", msg)
	}
	want := frameCount(pkts[next:])
	if keys := probeFrames(t, tr.Path()); len(keys) != want {
		t.Errorf("file has %d frames, want %d (those from the first keyframe on)", len(keys), want)
	}
	sent := span(pkts[next:], 90000, time.Second/30)
	if got := probeDuration(t, tr.Path()); !closeTo(got, sent, probeTolerance) {
		t.Errorf("ffprobe duration %v, sent %v (tolerance %v)", got, sent, probeTolerance)
	}
	s := tr.Stats()
	if s.Discarded != uint64(next-start) || s.Written != uint64(len(pkts)-next) || int(s.Frames) != want {
		t.Errorf("stats %+v; want %d discarded, %d written, %d frames", s, next-start, len(pkts)-next, want)
	}
	tracks, _ := store.RecordingTracks(context.Background(), rec.ID)
	if len(tracks) != 1 || tracks[0].FirstRTPTS != pkts[next].Timestamp || tracks[0].Packets != s.Written ||
		!within(tracks[0].Duration, sent-time.Second/30, 0.01) || tracks[0].Kind != "video" {
		t.Errorf("catalogue row %+v; want first ts %d", tracks, pkts[next].Timestamp)
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestRecordVP8AcrossLossAndReordering(t *testing.T) {
	pkts := vp8RTP(t)
	// Find the second keyframe, and a packet of a delta frame after it
	// that is not the frame's first (so the loss is mid-frame).
	var keys []int
	for i, p := range pkts {
		if vp8Keyframe(p.Payload) {
			keys = append(keys, i)
		}
	}
	if len(keys) < 3 {
		t.Fatalf("want at least 3 keyframes in the capture, got %d", len(keys))
	}
	lostAt := -1
	for i := keys[1] + 1; i < keys[2]; i++ {
		if pkts[i].Timestamp != pkts[keys[1]].Timestamp && pkts[i].Timestamp == pkts[i-1].Timestamp {
			lostAt = i
			break
		}
	}
	if lostAt < 0 {
		// Every delta frame fits one packet at this size: lose a whole one.
		lostAt = keys[1] + 10
	}

	var feed []*rtp.Packet
	for i := 0; i < len(pkts); i++ {
		switch {
		case i == lostAt:
			continue
		case i%7 == 3 && i+1 < len(pkts) && i+1 != lostAt:
			// Swap neighbours all through the stream, within frames and
			// across frame boundaries.
			feed = append(feed, pkts[i+1], pkts[i])
			i++
		default:
			feed = append(feed, pkts[i])
		}
	}
	feed = append(feed, pkts[5], pkts[len(pkts)-3]) // a late copy and a duplicate

	tr := record(t, nil, Options{Dir: t.TempDir(), BaseName: "video", Codec: vp8Codec, QueueLength: 4096}, feed)

	if msg := decodeErrors(t, tr.Path()); msg != "" {
		t.Errorf("decoding the file: %s", msg)
	}
	if !probeFirstFrameIsKey(t, tr.Path()) {
		t.Error("first frame is not a keyframe")
	}
	// Everything except the frames from the loss to the next keyframe.
	lostFrom := lostAt
	for lostFrom > 0 && pkts[lostFrom-1].Timestamp == pkts[lostAt].Timestamp {
		lostFrom--
	}
	want := frameCount(pkts[:lostFrom]) + frameCount(pkts[keys[2]:])
	keysInFile := probeFrames(t, tr.Path())
	if len(keysInFile) != want {
		t.Errorf("file has %d frames, want %d", len(keysInFile), want)
	}
	if s := tr.Stats(); s.Lost != 1 || s.Late != 1 || s.Duplicates != 1 {
		t.Errorf("stats %+v, want 1 lost, 1 late, 1 duplicate", s)
	}
}

// A publisher that restarts its stream (new SSRC, sequence numbers from
// elsewhere) mid-recording: the recording goes on in the same file from the
// new stream's next keyframe.
func TestRecordVP8AcrossStreamRestart(t *testing.T) {
	pkts := vp8RTP(t)
	var keys []int
	for i, p := range pkts {
		if vp8Keyframe(p.Payload) {
			keys = append(keys, i)
		}
	}
	if len(keys) < 3 {
		t.Fatalf("want at least 3 keyframes in the capture, got %d", len(keys))
	}
	feed := append([]*rtp.Packet(nil), pkts[:keys[1]]...)
	for _, p := range pkts[keys[1]+3:] {
		q := *p
		q.SSRC++
		q.SequenceNumber += 20000
		feed = append(feed, &q)
	}
	tr := record(t, nil, Options{Dir: t.TempDir(), BaseName: "v", Codec: vp8Codec, QueueLength: 4096}, feed)

	if msg := decodeErrors(t, tr.Path()); msg != "" {
		t.Errorf("decoding the file: %s", msg)
	}
	want := frameCount(pkts[:keys[1]]) + frameCount(pkts[keys[2]:])
	if got := len(probeFrames(t, tr.Path())); got != want {
		t.Errorf("file has %d frames, want %d", got, want)
	}
	if s := tr.Stats(); s.Resyncs != 1 || s.Lost != 0 {
		t.Errorf("stats %+v, want 1 resync and no loss", s)
	}
	sent := span(pkts, 90000, time.Second/30)
	if got := probeDuration(t, tr.Path()); !closeTo(got, sent, probeTolerance) {
		t.Errorf("ffprobe duration %v, sent %v (tolerance %v)", got, sent, probeTolerance)
	}
}

func TestWriteRTPNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	var once atomic.Bool
	tr, err := Start(context.Background(), nil, Options{
		Dir: t.TempDir(), BaseName: "v", Codec: vp8Codec, QueueLength: 8,
		// The writer goroutine's first keyframe request stalls it, like a
		// disk that stopped answering.
		OnKeyframeNeeded: func() {
			if once.CompareAndSwap(false, true) {
				<-release
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	delta := &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 1, Marker: true}, Payload: []byte{0x10, 0x01, 0xff}}
	// The jitter buffer releases a frame once the packet after it is in.
	delta.SequenceNumber = 0
	tr.WriteRTP(delta)
	delta.SequenceNumber = 1
	delta.Timestamp = 3000
	tr.WriteRTP(delta)
	waitFor(t, "writer to stall", once.Load)

	begin := time.Now()
	for i := 2; i <= 101; i++ {
		delta.SequenceNumber = uint16(i)
		if err := tr.WriteRTP(delta); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("100 writes to a stalled track took %v", d)
	}
	s := tr.Stats()
	if s.Received != 102 || s.Dropped != 100-8 {
		t.Errorf("stats %+v, want 102 received, %d dropped", s, 100-8)
	}
	close(release)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStartRejects(t *testing.T) {
	store, rec := openStore(t)
	dir := t.TempDir()
	ctx := context.Background()
	pcmu := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}}
	if _, err := Start(ctx, nil, Options{Dir: dir, BaseName: "a", Codec: pcmu}); !errors.Is(err, ErrUnsupportedCodec) {
		t.Errorf("PCMU: err = %v, want ErrUnsupportedCodec", err)
	}
	if _, err := Start(ctx, nil, Options{Dir: dir, Codec: opusCodec}); err == nil {
		t.Error("empty BaseName accepted")
	}

	// An existing file is never overwritten.
	existing := filepath.Join(dir, "taken.ogg")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(ctx, nil, Options{Dir: dir, BaseName: "taken", Codec: opusCodec}); err == nil {
		t.Error("existing file accepted")
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("existing file changed to %q", b)
	}

	// A catalogue failure (unknown recording) leaves no file behind.
	_, err := Start(ctx, store, Options{Dir: dir, BaseName: "orphan", Codec: opusCodec, RecordingID: "nope"})
	if err == nil {
		t.Error("track of an unknown recording accepted")
	}
	if _, statErr := os.Stat(filepath.Join(dir, "orphan.ogg")); !os.IsNotExist(statErr) {
		t.Errorf("file left behind after catalogue failure: %v", statErr)
	}

	// Mixed-case MIME types, as SDP may spell them, are accepted; the
	// catalogue stores the canonical one.
	vp8 := vp8Codec
	vp8.MimeType = "VIDEO/vp8"
	tr, err := Start(ctx, store, Options{Dir: dir, BaseName: "mixed", Codec: vp8, RecordingID: rec.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	tracks, _ := store.RecordingTracks(ctx, rec.ID)
	if len(tracks) != 1 || tracks[0].Codec != webrtc.MimeTypeVP8 || filepath.Ext(tracks[0].Path) != ".ivf" ||
		!tracks[0].Complete || tracks[0].MediaStarted || tracks[0].Packets != 0 {
		t.Errorf("empty VP8 track row: %+v", tracks)
	}
}

// Track is a media-core sink. The interface is restated here rather than
// imported, so this package does not depend on core/media.
var _ interface {
	WriteRTP(*rtp.Packet) error
	Close() error
} = (*Track)(nil)

// A publisher that stops sending audio for a second (DTX, a muted
// microphone) keeps its RTP clock running: the file must keep the silence,
// so it lasts as long as the video recorded beside it. A packet reordered
// right after the gap must not move the clock backwards.
func TestRecordOpusKeepsGaps(t *testing.T) {
	pkts := opusRTP(t)
	const gapFrom, gapLen = 50, 50 // packets of 20 ms: one second, from 1 s on
	if len(pkts) < gapFrom+gapLen+20 {
		t.Fatalf("capture too short: %d packets", len(pkts))
	}
	var feed []*rtp.Packet
	for i, p := range pkts {
		if i >= gapFrom && i < gapFrom+gapLen {
			continue
		}
		q := *p
		if i >= gapFrom+gapLen {
			q.SequenceNumber -= gapLen // no packets were sent: no sequence numbers used
		}
		feed = append(feed, &q)
	}
	// Swap the first two packets after the gap.
	feed[gapFrom], feed[gapFrom+1] = feed[gapFrom+1], feed[gapFrom]

	store, rec := openStore(t)
	tr := record(t, store, Options{Dir: t.TempDir(), BaseName: "a", Codec: opusCodec, RecordingID: rec.ID, QueueLength: 4096}, feed)

	sent := span(pkts, 48000, 20*time.Millisecond)
	if got := probeDuration(t, tr.Path()); !closeTo(got, sent, probeTolerance) {
		t.Errorf("ffprobe duration %v, sent %v with a 1 s gap (tolerance %v)", got, sent, probeTolerance)
	}
	if msg := decodeErrors(t, tr.Path()); msg != "" {
		t.Errorf("decoding the file: %s", msg)
	}
	if s := tr.Stats(); s.Written != uint64(len(feed)) || s.Lost != 0 {
		t.Errorf("stats %+v, want %d written and none lost", s, len(feed))
	}
	tracks, _ := store.RecordingTracks(context.Background(), rec.ID)
	if want := sent - 20*time.Millisecond; len(tracks) != 1 || !closeTo(tracks[0].Duration, want, time.Millisecond) {
		t.Errorf("catalogue row %+v, want duration %v", tracks, want)
	}
}
