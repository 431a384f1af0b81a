package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

const pluginPackage = "janus.plugin.videoroom"

// session is the VideoRoom state of one handle: nothing, a participant
// (publisher role) or a subscription.
type session struct {
	handle uint64
	// queue keeps the handle's asynchronous requests in arrival order.
	queue chan sdk.Message
	pub   *publisher
	sub   *subscriber
	// kicked is set when a moderator kicked the participant: its later
	// requests fail as in Janus, whose participant loses its room.
	kicked bool
}

// outgoing is an event for a handle that is pushed once the request or
// media event that caused it has been answered.
type outgoing struct {
	handle uint64
	data   any
	jsep   *sdk.JSEP
}

// videoRoom is the extension. One mutex guards all of its state: requests
// and media events are short, and serialising them keeps room membership,
// routes and the persisted copy consistent with each other.
type videoRoom struct {
	core *sdk.Core
	cfg  config

	mu       sync.Mutex
	rooms    map[uint64]*room
	sessions map[uint64]*session
	pending  []outgoing
	dirty    dirtySet
	// virtual holds the replayed participants by their virtual handle.
	virtual map[uint64]*publisher
}

func newVideoRoom() *videoRoom {
	return &videoRoom{rooms: map[uint64]*room{}, sessions: map[uint64]*session{}, dirty: newDirtySet(),
		virtual: map[uint64]*publisher{}}
}

func (v *videoRoom) Info() sdk.Info {
	return sdk.Info{
		Name: "videoroom", Version: "0.1.0", KeepsHandlesOnRestart: true,
		Packages: []sdk.Package{{
			Package: pluginPackage, Name: "JANUS VideoRoom plugin", Author: "Reprise",
			Description:   "Video rooms: publishers send their streams once, subscribers receive any of them; media is routed inside the core.",
			VersionString: "0.0.9", Version: 9,
		}},
	}
}

func (v *videoRoom) Init(ctx context.Context, core *sdk.Core, st sdk.InitState) error {
	cfg, err := parseConfig(st.Config)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.core, v.cfg = core, cfg
	if err := v.restore(ctx, st); err != nil {
		return err
	}
	v.flush(ctx)
	slog.Info("videoroom ready", "restarts", st.Restarts, "rooms", len(v.rooms), "handles", len(st.Handles))
	return nil
}

func (v *videoRoom) CreateHandle(_ context.Context, h sdk.Handle) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.addSession(h.ID)
	return nil
}

// addSession registers a handle and starts its request worker.
func (v *videoRoom) addSession(handle uint64) *session {
	if s := v.sessions[handle]; s != nil {
		return s
	}
	s := &session{handle: handle, queue: make(chan sdk.Message, 64)}
	v.sessions[handle] = s
	go func() {
		for msg := range s.queue {
			v.processAsync(s, msg)
		}
	}()
	return s
}

// DestroyHandle is a detach: the participant leaves its room (others are
// told) and a subscription ends.
func (v *videoRoom) DestroyHandle(ctx context.Context, h sdk.Handle) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.sessions[h.ID]
	if s == nil {
		return
	}
	delete(v.sessions, h.ID)
	close(s.queue)
	if s.pub != nil {
		v.removeParticipant(ctx, v.rooms[s.pub.Room], s.pub, leaveDetached)
	}
	if s.sub != nil {
		v.removeSubscriber(ctx, s.sub, false)
	}
	v.flush(ctx)
}

var syncRequests = map[string]func(*videoRoom, context.Context, params) any{
	"create": (*videoRoom).create, "edit": (*videoRoom).edit, "destroy": (*videoRoom).destroy,
	"exists": (*videoRoom).exists, "list": (*videoRoom).list, "allowed": (*videoRoom).allowed,
	"kick": (*videoRoom).kick, "moderate": (*videoRoom).moderate, "enable_recording": (*videoRoom).enableRecording,
	"listparticipants": (*videoRoom).listParticipants, "rtp_forward": (*videoRoom).rtpForward,
	"stop_rtp_forward": (*videoRoom).stopRtpForward, "listforwarders": (*videoRoom).listForwarders,
}

var asyncRequests = map[string]bool{
	"join": true, "joinandconfigure": true, "configure": true, "publish": true, "unpublish": true,
	"start": true, "pause": true, "switch": true, "subscribe": true, "unsubscribe": true, "update": true, "leave": true,
}

// HandleMessage answers the synchronous requests at once and queues the
// asynchronous ones, which are acknowledged and answered by an event.
func (v *videoRoom) HandleMessage(ctx context.Context, h sdk.Handle, msg sdk.Message) sdk.Result {
	p, e := parseParams(msg.Body)
	if e != nil {
		return sdk.Sync(e.data())
	}
	req, e := p.mustStr("request")
	if e != nil {
		return sdk.Sync(e.data())
	}
	if f, ok := unlockedRequests[req]; ok {
		out := f(v, ctx, p)
		if ve, ok := out.(*vrError); ok {
			out = ve.data()
		}
		return sdk.Sync(out)
	}
	if f, ok := syncRequests[req]; ok {
		v.mu.Lock()
		defer v.mu.Unlock()
		out := f(v, ctx, p)
		if ve, ok := out.(*vrError); ok {
			out = ve.data()
		}
		v.flush(ctx)
		return sdk.Sync(out)
	}
	if !asyncRequests[req] {
		return sdk.Sync(fail(errInvalidRequest, "Unknown request '%s'", req).data())
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.sessions[h.ID]
	if s == nil {
		// A handle the extension has not seen (e.g. created while it was
		// restarting): it is the core's, so serve it.
		s = v.addSession(h.ID)
	}
	select {
	case s.queue <- msg:
		return sdk.Ack("")
	default:
		return sdk.Fail(462, "Too many pending requests on this handle")
	}
}

func (v *videoRoom) processAsync(s *session, msg sdk.Message) {
	ctx := context.Background()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.sessions[s.handle] != s {
		return // detached meanwhile
	}
	p, _ := parseParams(msg.Body)
	req, _ := p.mustStr("request")
	data, jsep := v.handleAsync(ctx, s, req, p, msg.JSEP)
	if ve, ok := data.(*vrError); ok {
		data, jsep = ve.data(), nil
	}
	if err := v.core.PushEvent(ctx, s.handle, msg.Transaction, data, jsep); err != nil {
		slog.Warn("push event", "handle", s.handle, "request", req, "err", err)
	}
	v.flush(ctx)
}

func (v *videoRoom) handleAsync(ctx context.Context, s *session, req string, p params, jsep *sdk.JSEP) (any, *sdk.JSEP) {
	if s.kicked {
		// What Janus answers a handle whose participant was kicked.
		if req == "join" || req == "joinandconfigure" {
			return fail(errAlreadyJoined, "Not in a room (create a new handle)"), nil
		}
		return fail(errNoSuchRoom, "No such room"), nil
	}
	switch req {
	case "join", "joinandconfigure":
		return v.join(ctx, s, req, p, jsep)
	}
	switch {
	case s.pub != nil:
		return v.publisherRequest(ctx, s, req, p, jsep)
	case s.sub != nil:
		return v.subscriberRequest(ctx, s, req, p, jsep)
	}
	return fail(errJoinFirst, "Invalid request on unconfigured participant"), nil
}

// queue schedules an unsolicited event for a handle.
func (v *videoRoom) queue(handle uint64, data any, jsep *sdk.JSEP) {
	if v.isVirtual(handle) {
		return // a replayed participant has nobody to tell
	}
	v.pending = append(v.pending, outgoing{handle: handle, data: data, jsep: jsep})
}

// flush sends the queued events and persists what changed.
func (v *videoRoom) flush(ctx context.Context) {
	out := v.pending
	v.pending = nil
	for _, o := range out {
		if err := v.core.PushEvent(ctx, o.handle, "", o.data, o.jsep); err != nil {
			slog.Warn("push event", "handle", o.handle, "err", err)
		}
	}
	v.persist(ctx)
}

// randomID is a JavaScript-safe positive integer, as Janus ids are.
func randomID() uint64 { return rand.Uint64N(1<<53-1) + 1 }
