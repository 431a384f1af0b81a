package gateway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"sync"

	"github.com/pion/webrtc/v4"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/core/replay"
	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

// replays are the recordings being played into rooms, and the virtual
// feed handles they created (which the announced extensions may route).
type replays struct {
	mu      sync.Mutex
	byID    map[string]*replayRun
	virtual map[uint64]*replayRun // feed handle -> its replay
}

type replayRun struct {
	id      string
	caller  string // extension that started it
	target  string // extension serving the room's plugin
	plugin  string
	room    uint64
	session *replay.Session
	cancel  context.CancelFunc
	feeds   []*extpb.VirtualFeed
	stopped bool
}

// visibleTo says whether ext may use the virtual feed handle as a source.
func (r *replayRun) visibleTo(ext string) bool { return ext == r.caller || ext == r.target }

// virtualSource reports whether id is a virtual feed ext may route from.
func (g *Gateway) virtualSource(ext string, id uint64) bool {
	g.reps.mu.Lock()
	defer g.reps.mu.Unlock()
	r := g.reps.virtual[id]
	return r != nil && r.visibleTo(ext)
}

// source accepts the extension's own handles and the virtual feeds
// announced to it.
func (s *CoreService) source(id uint64) error {
	if s.g.virtualSource(s.ext, id) {
		return nil
	}
	_, err := s.handle(id)
	return err
}

// codecFor maps a catalogued codec to what a virtual source offers.
func codecFor(c string) (webrtc.RTPCodecParameters, bool) {
	name := strings.ToLower(c[strings.LastIndexByte(c, '/')+1:])
	p := webrtc.RTPCodecParameters{}
	switch name {
	case "opus":
		p.RTPCodecCapability = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}
		p.PayloadType = 111
	case "vp8":
		p.RTPCodecCapability = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
		p.PayloadType = 96
	case "vp9":
		p.RTPCodecCapability = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"}
		p.PayloadType = 98
	case "h264":
		p.RTPCodecCapability = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}
		p.PayloadType = 106
	case "av1":
		p.RTPCodecCapability = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeAV1, ClockRate: 90000}
		p.PayloadType = 45
	default:
		return p, false
	}
	return p, true
}

// StartReplay plays a recording into a room: every recorded participant
// becomes a virtual feed announced to the extension serving the room.
func (s *CoreService) StartReplay(ctx context.Context, req *extpb.StartReplayRequest) (*extpb.Replay, error) {
	target, ok := s.g.host.ForPackage(req.Plugin)
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no extension serves %q", req.Plugin)
	}
	tracks, err := s.g.store.RecordingTracks(ctx, req.RecordingId)
	if err == nil && len(tracks) == 0 {
		err = storage.ErrNotFound
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no recording %q with tracks", req.RecordingId)
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "recording tracks: %v", err)
	}
	run := &replayRun{id: randomID(), caller: s.ext, target: target.Name(), plugin: req.Plugin, room: req.RoomId}

	// One virtual feed per recorded participant, one source per track.
	byParticipant := map[string]*extpb.VirtualFeed{}
	var players []*replay.Player
	var handles []uint64
	fail := func(err error) (*extpb.Replay, error) {
		for _, h := range handles {
			s.g.media.RemoveVirtualSources(h)
		}
		return nil, err
	}
	for _, t := range tracks {
		codec, ok := codecFor(t.Codec)
		if !ok || t.Path == "" {
			continue
		}
		f := byParticipant[t.ParticipantID]
		if f == nil {
			f = &extpb.VirtualFeed{FeedHandleId: s.g.virtualHandleID(), ParticipantId: t.ParticipantID, Display: t.Display}
			byParticipant[t.ParticipantID] = f
			run.feeds = append(run.feeds, f)
			handles = append(handles, f.FeedHandleId)
		}
		mid := t.Mid
		if mid == "" {
			mid = t.Kind
		}
		vs, err := s.g.media.AddVirtualSource(f.FeedHandleId, mid, codec)
		if err != nil {
			return fail(status.Errorf(codes.Internal, "virtual source for %s: %v", t.Path, err))
		}
		p, err := replay.NewPlayer(replay.Track{Path: t.Path, Codec: t.Codec, Offset: t.StartOffset}, vs,
			replay.Options{Loop: req.Loop, PayloadType: uint8(codec.PayloadType), Logger: s.g.log.With("replay", run.id)})
		if err != nil {
			return fail(status.Errorf(codes.FailedPrecondition, "replay %s: %v", t.Path, err))
		}
		players = append(players, p)
		f.Streams = append(f.Streams, &extpb.StreamInfo{Mid: mid, Kind: t.Kind, Mindex: uint32(len(f.Streams)),
			Codec: strings.ToLower(codec.MimeType[strings.IndexByte(codec.MimeType, '/')+1:]), Fmtp: codec.SDPFmtpLine})
	}
	if len(players) == 0 {
		return fail(status.Errorf(codes.FailedPrecondition, "recording %q has no playable track", req.RecordingId))
	}
	run.session, err = replay.NewSession(players...)
	if err != nil {
		return fail(status.Errorf(codes.Internal, "replay session: %v", err))
	}
	s.g.reps.mu.Lock()
	s.g.reps.byID[run.id] = run
	for _, h := range handles {
		s.g.reps.virtual[h] = run
	}
	s.g.reps.mu.Unlock()

	// Announced before the first packet, so subscribers can be set up.
	for _, f := range run.feeds {
		s.g.toExtensionNamed(run.target, &extpb.MediaEventRequest{HandleId: f.FeedHandleId, Event: &extpb.MediaEventRequest_FeedAdded{
			FeedAdded: &extpb.FeedAdded{Plugin: run.plugin, RoomId: run.room, ReplayId: run.id, Feed: f}}})
	}
	playCtx, cancel := context.WithCancel(context.Background())
	run.cancel = cancel
	if _, err := run.session.Play(playCtx); err != nil {
		cancel()
		s.g.endReplay(run, "error")
		return nil, status.Errorf(codes.Internal, "play: %v", err)
	}
	go func() {
		err := run.session.Wait()
		reason := "ended"
		s.g.reps.mu.Lock()
		if run.stopped {
			reason = "stopped"
		} else if err != nil && !errors.Is(err, context.Canceled) {
			reason = "error"
		}
		s.g.reps.mu.Unlock()
		s.g.endReplay(run, reason)
	}()
	return &extpb.Replay{ReplayId: run.id, Feeds: run.feeds}, nil
}

// endReplay removes a replay's feeds and tells the extensions.
func (g *Gateway) endReplay(run *replayRun, reason string) {
	g.reps.mu.Lock()
	if g.reps.byID[run.id] != run {
		g.reps.mu.Unlock()
		return
	}
	delete(g.reps.byID, run.id)
	for _, f := range run.feeds {
		delete(g.reps.virtual, f.FeedHandleId)
	}
	g.reps.mu.Unlock()
	for _, f := range run.feeds {
		g.media.RemoveVirtualSources(f.FeedHandleId)
		g.toExtensionNamed(run.target, &extpb.MediaEventRequest{HandleId: f.FeedHandleId, Event: &extpb.MediaEventRequest_FeedRemoved{
			FeedRemoved: &extpb.FeedRemoved{RoomId: run.room, ReplayId: run.id}}})
	}
	ended := &extpb.MediaEventRequest{Event: &extpb.MediaEventRequest_ReplayEnded{
		ReplayEnded: &extpb.ReplayEnded{ReplayId: run.id, Reason: reason, RoomId: run.room}}}
	g.toExtensionNamed(run.caller, ended)
	if run.target != run.caller {
		g.toExtensionNamed(run.target, ended)
	}
}

func (s *CoreService) replayRun(id string) (*replayRun, error) {
	s.g.reps.mu.Lock()
	defer s.g.reps.mu.Unlock()
	r := s.g.reps.byID[id]
	if r == nil || !r.visibleTo(s.ext) {
		return nil, status.Errorf(codes.NotFound, "no replay %q", id)
	}
	return r, nil
}

// PauseReplay pauses every track of a replay together.
func (s *CoreService) PauseReplay(_ context.Context, req *extpb.ReplayKey) (*extpb.Empty, error) {
	r, err := s.replayRun(req.ReplayId)
	if err != nil {
		return nil, err
	}
	r.session.Pause()
	return &extpb.Empty{}, nil
}

// ResumeReplay continues a paused replay, in sync.
func (s *CoreService) ResumeReplay(_ context.Context, req *extpb.ReplayKey) (*extpb.Empty, error) {
	r, err := s.replayRun(req.ReplayId)
	if err != nil {
		return nil, err
	}
	r.session.Resume()
	return &extpb.Empty{}, nil
}

// StopReplay ends a replay; FeedRemoved and ReplayEnded follow.
func (s *CoreService) StopReplay(_ context.Context, req *extpb.ReplayKey) (*extpb.Empty, error) {
	r, err := s.replayRun(req.ReplayId)
	if err != nil {
		return nil, err
	}
	s.g.reps.mu.Lock()
	r.stopped = true
	s.g.reps.mu.Unlock()
	r.session.Stop()
	return &extpb.Empty{}, nil
}

// virtualHandleID picks an id no handle or feed uses, in the same
// JavaScript-safe range as handle ids.
func (g *Gateway) virtualHandleID() uint64 {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := binary.BigEndian.Uint64(b[:]) & (1<<53 - 1)
		if id == 0 || g.lookup(id) != nil {
			continue
		}
		g.reps.mu.Lock()
		_, taken := g.reps.virtual[id]
		g.reps.mu.Unlock()
		if !taken {
			return id
		}
	}
}
