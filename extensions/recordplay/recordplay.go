package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

const pluginPackage = "janus.plugin.recordplay"

// sessionState is what a handle is doing.
type sessionState int

const (
	idle      sessionState = iota
	recording              // answered a record offer; streams recorded as media flows
	preparing              // offered a paused replay; waiting for start
	playing                // replay routed to the client
)

// session is the Record&Play state of one handle.
type session struct {
	queue *sdk.RequestQueue

	state    sessionState
	id       uint64          // the recording being made or played
	name     string          // recording: its pretty name
	filename string          // recording: base path of its files
	streams  []sdk.Stream    // recording: the negotiated streams
	recorded map[string]bool // recording: mids whose recording started
	replayID string          // preparing/playing
	up       bool            // the PeerConnection is up (WebRTCUp)
	resumed  bool            // playing: the replay runs
	routes   []route         // preparing/playing: feed stream -> handle mid
}

// route is one replayed stream and the mid of the handle it goes to.
type route struct {
	feed    uint64
	feedMID string
	mid     string
}

type recordPlay struct {
	core *sdk.Core

	mu       sync.Mutex
	sessions map[uint64]*session
}

func newRecordPlay() *recordPlay { return &recordPlay{sessions: map[uint64]*session{}} }

func (rp *recordPlay) Info() sdk.Info {
	return sdk.Info{
		Name: "recordplay", Version: "0.1.0",
		Packages: []sdk.Package{{
			Package: pluginPackage, Name: "JANUS Record&Play plugin", Author: "Reprise",
			Description:   "Records WebRTC sessions into the gateway's catalogue and replays them.",
			VersionString: "0.0.4", Version: 4,
		}},
	}
}

func (rp *recordPlay) Init(_ context.Context, core *sdk.Core, st sdk.InitState) error {
	rp.core = core
	slog.Info("recordplay ready", "restarts", st.Restarts)
	return nil
}

func (rp *recordPlay) CreateHandle(_ context.Context, h sdk.Handle) error {
	s := &session{queue: sdk.NewRequestQueue(h.ID, rp.process)}
	rp.mu.Lock()
	rp.sessions[h.ID] = s
	rp.mu.Unlock()
	return nil
}

func (rp *recordPlay) DestroyHandle(ctx context.Context, h sdk.Handle) {
	rp.mu.Lock()
	s := rp.sessions[h.ID]
	delete(rp.sessions, h.ID)
	var replayID string
	if s != nil {
		replayID = s.replayID
		s.queue.Close()
	}
	rp.mu.Unlock()
	if replayID != "" {
		if err := rp.core.StopReplay(ctx, replayID); err != nil {
			slog.Debug("stop replay of a destroyed handle", "handle", h.ID, "err", err)
		}
	}
}

// HandleMessage answers list and update at once and queues the others,
// which Janus answers with an event after an ack.
func (rp *recordPlay) HandleMessage(ctx context.Context, h sdk.Handle, msg sdk.Message) sdk.Result {
	req, e := parseRequest(msg.Body)
	if e != nil {
		return sdk.Sync(e.data())
	}
	switch req.Request {
	case "list":
		entries, err := rp.list(ctx)
		if err != nil {
			slog.Warn("list recordings", "err", err)
			return sdk.Sync(fail(errUnknown, "Error listing recordings").data())
		}
		return sdk.Sync(map[string]any{"recordplay": "list", "list": entries})
	case "update":
		// The catalogue is always current: there is no folder to rescan.
		return sdk.Sync(map[string]any{"recordplay": "ok"})
	case "record", "play", "start", "stop":
	default:
		return sdk.Sync(fail(errInvalidRequest, "Unknown request '%s'", req.Request).data())
	}
	rp.mu.Lock()
	s := rp.sessions[h.ID]
	rp.mu.Unlock()
	if s == nil {
		return sdk.Fail(459, "No such handle in the recordplay")
	}
	return s.queue.Enqueue(msg, "")
}

func (rp *recordPlay) process(handle uint64, msg sdk.Message) {
	ctx := context.Background()
	req, e := parseRequest(msg.Body)
	var data any
	var jsep *sdk.JSEP
	if e == nil {
		switch req.Request {
		case "record":
			data, jsep, e = rp.record(ctx, handle, req, msg.JSEP)
		case "play":
			data, jsep, e = rp.play(ctx, handle, req)
		case "start":
			data, e = rp.start(ctx, handle, msg.JSEP)
		case "stop":
			rp.stop(ctx, handle, msg.Transaction)
			return
		}
	}
	if e != nil {
		data, jsep = e.data(), nil
	}
	if err := rp.core.PushEvent(ctx, handle, msg.Transaction, data, jsep); err != nil {
		slog.Warn("push event", "handle", handle, "err", err)
	}
}

// session returns the handle's session, or nil when it is gone.
func (rp *recordPlay) session(handle uint64) *session {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.sessions[handle]
}

func (rp *recordPlay) MediaEvent(ctx context.Context, ev sdk.MediaEvent) {
	switch ev.Kind {
	case sdk.WebRTCUp:
		rp.peerUp(ctx, ev.Handle)
	case sdk.MediaChange:
		if ev.Receiving && (ev.Media == "audio" || ev.Media == "video") {
			rp.recordStream(ctx, ev.Handle, ev.MID)
		}
	case sdk.HungUp:
		rp.finish(ctx, ev.Handle)
	case sdk.ReplayEnded:
		rp.replayEnded(ctx, ev.ReplayID)
	}
}
