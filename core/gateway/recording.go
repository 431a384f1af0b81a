package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/core/recorder"
	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

// recordingSinkID names the recorder sink of a stream; one per stream.
const recordingSinkID = "recording"

// recordings tracks the files being written, so a stop (or the source's
// end) closes the catalogue entries too.
type recordings struct {
	mu     sync.Mutex
	tracks map[endpointKey]*recordingSink
	open   map[string]int // tracks still open per recording
}

type endpointKey struct {
	handle uint64
	mid    string
}

// recordingSink closes the file and its catalogue rows however the stream
// ends: StopRecording, hangup of the publisher, or gateway shutdown.
type recordingSink struct {
	*recorder.Track
	g           *Gateway
	key         endpointKey
	recordingID string
	codec       string
	once        sync.Once
	closeErr    error
}

func (s *recordingSink) Close() error {
	s.once.Do(func() {
		s.closeErr = s.Track.Close()
		s.g.recs.mu.Lock()
		if s.g.recs.tracks[s.key] == s {
			delete(s.g.recs.tracks, s.key)
		}
		s.g.recs.open[s.recordingID]--
		last := s.g.recs.open[s.recordingID] <= 0
		if last {
			delete(s.g.recs.open, s.recordingID)
		}
		s.g.recs.mu.Unlock()
		if last {
			if err := s.g.store.FinishRecording(context.Background(), s.recordingID, time.Now()); err != nil {
				s.g.log.Warn("finish recording", "recording", s.recordingID, "err", err)
			}
		}
	})
	return s.closeErr
}

func (s *recordingSink) info() *extpb.RecordingTrack {
	st := s.Stats()
	out := &extpb.RecordingTrack{Id: s.ID(), Path: s.Path(), Codec: s.codec, Packets: st.Written, Bytes: uint64(st.FileBytes)}
	return out
}

// SetRecordingsDir sets where recordings go when an extension names no dir.
func (g *Gateway) SetRecordingsDir(dir string) { g.recDir = dir }

// StartRecording records a received stream of one of the extension's
// handles to a file, with its catalogue rows.
func (s *CoreService) StartRecording(ctx context.Context, req *extpb.StartRecordingRequest) (*extpb.RecordingTrack, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	si, ok := s.g.media.SourceInfo(req.HandleId, req.Mid)
	if !ok {
		return nil, status.Errorf(codes.Unavailable, "handle %d receives no media on mid %q yet", req.HandleId, req.Mid)
	}
	key := endpointKey{req.HandleId, req.Mid}
	s.g.recs.mu.Lock()
	_, busy := s.g.recs.tracks[key]
	s.g.recs.mu.Unlock()
	if busy {
		return nil, status.Errorf(codes.AlreadyExists, "mid %q of handle %d is already being recorded", req.Mid, req.HandleId)
	}
	recID := req.RecordingId
	if recID == "" {
		recID = randomID()
	}
	rec, err := s.g.store.Recording(ctx, recID)
	if errors.Is(err, storage.ErrNotFound) {
		rec = storage.Recording{ID: recID, Plugin: h.ref.Plugin, RoomID: strconv.FormatUint(req.RoomId, 10), StartedAt: time.Now()}
		if err = s.g.store.CreateRecording(ctx, rec); err != nil {
			// Another track of the same recording may have created it first.
			rec, err = s.g.store.Recording(ctx, recID)
		}
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "recording %s: %v", recID, err)
	}
	dir := req.Dir
	if dir == "" {
		dir = s.g.recDir
	}
	kind := si.Kind.String()
	base := req.Filename
	if base == "" {
		base = fmt.Sprintf("%s-%d-user-%s-%d-%s", shortPlugin(h.ref.Plugin), req.RoomId, req.ParticipantId, time.Now().UnixMicro(), kind)
	} else if !strings.HasSuffix(base, "-"+kind) {
		base += "-" + kind
	}
	handle, mid := req.HandleId, req.Mid
	track, err := recorder.Start(ctx, s.g.store, recorder.Options{
		Dir: dir, BaseName: filepath.Base(base), Codec: si.Codec, RecordingID: recID,
		ParticipantID: req.ParticipantId, Display: req.Display, Mid: mid, RecordingStart: rec.StartedAt,
		OnKeyframeNeeded: func() { s.g.media.RequestKeyframe(handle, mid) },
		Logger:           s.g.log.With("recording", recID, "mid", mid),
	})
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "start recording: %v", err)
	}
	sink := &recordingSink{Track: track, g: s.g, key: key, recordingID: recID, codec: strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(si.Codec.MimeType, "audio/"), "video/"))}
	s.g.recs.mu.Lock()
	s.g.recs.tracks[key] = sink
	s.g.recs.open[recID]++
	s.g.recs.mu.Unlock()
	if err := s.g.media.AddSink(handle, mid, recordingSinkID, sink); err != nil {
		_ = sink.Close()
		return nil, status.Errorf(codes.FailedPrecondition, "attach recorder: %v", err)
	}
	s.g.media.RequestKeyframe(handle, mid)
	return sink.info(), nil
}

// StopRecording closes a stream's recording and returns what was written.
func (s *CoreService) StopRecording(_ context.Context, req *extpb.StopRecordingRequest) (*extpb.RecordingTrack, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.recs.mu.Lock()
	sink := s.g.recs.tracks[endpointKey{req.HandleId, req.Mid}]
	s.g.recs.mu.Unlock()
	if sink == nil {
		return nil, status.Errorf(codes.NotFound, "mid %q of handle %d is not being recorded", req.Mid, req.HandleId)
	}
	s.g.media.RemoveSink(req.HandleId, req.Mid, recordingSinkID)
	_ = sink.Close() // idempotent; RemoveSink has normally closed it already
	return sink.info(), nil
}

func shortPlugin(pkg string) string { return pkg[strings.LastIndexByte(pkg, '.')+1:] }

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
