package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

const pluginPackage = "janus.plugin.echotest"

// Error codes of the Janus EchoTest API.
const (
	errNoMessage      = 411
	errInvalidJSON    = 412
	errInvalidElement = 413
	errInvalidSDP     = 414
)

// request is the single, all-optional EchoTest request.
type request struct {
	Audio      *bool   `json:"audio"`
	Video      *bool   `json:"video"`
	Data       *bool   `json:"data"`
	Bitrate    *uint32 `json:"bitrate"`
	Record     *bool   `json:"record"`
	Filename   *string `json:"filename"`
	AudioCodec *string `json:"audiocodec"`
	VideoCodec *string `json:"videocodec"`
}

// session is the echo state of one handle.
type session struct {
	queue   *sdk.RequestQueue
	streams []sdk.Stream
	audioOn bool
	videoOn bool
	dataOn  bool

	// Recording: wanted since a request said record:true; a mid starts
	// recording once its media flows (the core needs to know its codec).
	record      bool
	recordingID string // one catalogue entry for all tracks of a record:true
	filename    string
	recording   map[string]bool // mids being recorded
}

type echoTest struct {
	core *sdk.Core

	mu       sync.Mutex
	sessions map[uint64]*session
}

func newEchoTest() *echoTest { return &echoTest{sessions: map[uint64]*session{}} }

func (e *echoTest) Info() sdk.Info {
	return sdk.Info{
		Name: "echotest", Version: "0.1.0",
		Packages: []sdk.Package{{
			Package: pluginPackage, Name: "JANUS EchoTest plugin", Author: "Reprise",
			Description:   "A simple Echo Test: media sent to it comes back, routed inside the core.",
			VersionString: "0.0.8", Version: 8,
		}},
	}
}

func (e *echoTest) Init(_ context.Context, core *sdk.Core, st sdk.InitState) error {
	e.core = core
	slog.Info("echotest ready", "restarts", st.Restarts)
	return nil
}

func (e *echoTest) CreateHandle(_ context.Context, h sdk.Handle) error {
	s := &session{queue: sdk.NewRequestQueue(h.ID, e.process), audioOn: true, videoOn: true, dataOn: true}
	e.mu.Lock()
	e.sessions[h.ID] = s
	e.mu.Unlock()
	return nil
}

func (e *echoTest) DestroyHandle(_ context.Context, h sdk.Handle) {
	e.mu.Lock()
	s := e.sessions[h.ID]
	delete(e.sessions, h.ID)
	e.mu.Unlock()
	if s != nil {
		s.queue.Close()
	}
}

func (e *echoTest) MediaEvent(ctx context.Context, ev sdk.MediaEvent) {
	if ev.Kind == sdk.MediaChange && ev.Receiving && ev.Media != "data" {
		e.startRecording(ctx, ev.Handle, ev.MID)
		return
	}
	if ev.Kind != sdk.HungUp {
		return
	}
	e.mu.Lock()
	s := e.sessions[ev.Handle]
	if s != nil {
		s.streams, s.audioOn, s.videoOn, s.dataOn = nil, true, true, true
		s.record, s.recording = false, nil // the core closed the files with the peer
	}
	e.mu.Unlock()
	if s == nil {
		return
	}
	if err := e.core.PushEvent(ctx, ev.Handle, "", result("done"), nil); err != nil {
		slog.Warn("push done event", "handle", ev.Handle, "err", err)
	}
}

// HandleMessage acknowledges at once and answers with an event, as the
// Janus EchoTest does for every request, successful or not.
func (e *echoTest) HandleMessage(_ context.Context, h sdk.Handle, msg sdk.Message) sdk.Result {
	e.mu.Lock()
	s := e.sessions[h.ID]
	e.mu.Unlock()
	if s == nil {
		return sdk.Fail(459, "No such handle in the echotest")
	}
	return s.queue.Enqueue(msg, "I'm taking my time!")
}

func (e *echoTest) process(handle uint64, msg sdk.Message) {
	ctx := context.Background()
	data, jsep := e.apply(ctx, handle, msg)
	if err := e.core.PushEvent(ctx, handle, msg.Transaction, data, jsep); err != nil {
		slog.Warn("push event", "handle", handle, "err", err)
	}
}

func (e *echoTest) apply(ctx context.Context, handle uint64, msg sdk.Message) (any, *sdk.JSEP) {
	req, perr := parseRequest(msg.Body)
	if perr != nil {
		return perr, nil
	}
	e.mu.Lock()
	s := e.sessions[handle]
	e.mu.Unlock()
	if s == nil {
		return failure(errInvalidElement, "No such handle"), nil
	}
	var answer *sdk.JSEP
	if msg.JSEP != nil {
		if msg.JSEP.Type != "offer" {
			return failure(errInvalidSDP, fmt.Sprintf("Unsupported SDP type '%s' (only offers are accepted)", msg.JSEP.Type)), nil
		}
		n, err := e.negotiate(ctx, handle, msg.JSEP.SDP, req)
		if err != nil {
			return failure(errInvalidSDP, fmt.Sprintf("Error negotiating the offer: %v", err)), nil
		}
		e.mu.Lock()
		s.streams = n.Streams
		e.mu.Unlock()
		answer = &n.JSEP
	}
	e.mu.Lock()
	if req.Audio != nil {
		s.audioOn = *req.Audio
	}
	if req.Video != nil {
		s.videoOn = *req.Video
	}
	if req.Filename != nil {
		s.filename = *req.Filename
	}
	var stopRecording []string
	if req.Record != nil {
		if *req.Record && !s.record {
			s.recordingID = fmt.Sprintf("echotest-%d-%d", handle, time.Now().UnixNano())
		}
		s.record = *req.Record
		if !s.record {
			for mid := range s.recording {
				stopRecording = append(stopRecording, mid)
			}
			s.recording = nil
		}
	}
	dataToggled := req.Data != nil && *req.Data != s.dataOn
	if req.Data != nil {
		s.dataOn = *req.Data
	}
	streams, audioOn, videoOn, dataOn := s.streams, s.audioOn, s.videoOn, s.dataOn
	e.mu.Unlock()
	for _, st := range streams {
		on := (st.Kind == "audio" && audioOn) || (st.Kind == "video" && videoOn)
		if st.Kind == "data" {
			if dataToggled {
				e.toggleData(ctx, handle, dataOn)
			}
			continue
		}
		if err := e.core.SetPaused(ctx, handle, st.MID, !on); err != nil {
			slog.Warn("toggle stream", "handle", handle, "mid", st.MID, "err", err)
		}
	}
	for _, mid := range stopRecording {
		if _, err := e.core.StopRecording(ctx, handle, mid); err != nil {
			slog.Warn("stop recording", "handle", handle, "mid", mid, "err", err)
		}
	}
	if req.Record != nil && *req.Record {
		for _, st := range streams {
			if st.Kind != "data" {
				e.startRecording(ctx, handle, st.MID) // fails harmlessly until media flows
			}
		}
	}
	if req.Bitrate != nil {
		if err := e.core.SetBitrate(ctx, handle, *req.Bitrate); err != nil {
			slog.Warn("set bitrate", "handle", handle, "err", err)
		}
	}
	return result("ok"), answer
}

// startRecording records mid if recording is wanted and not yet running.
func (e *echoTest) startRecording(ctx context.Context, handle uint64, mid string) {
	e.mu.Lock()
	s := e.sessions[handle]
	if s == nil || !s.record || s.recording[mid] {
		e.mu.Unlock()
		return
	}
	filename, recordingID := s.filename, s.recordingID
	e.mu.Unlock()
	opts := sdk.RecordingOptions{ParticipantID: fmt.Sprint(handle), RecordingID: recordingID}
	if filename != "" {
		opts.Dir, opts.Filename = filepath.Dir(filename), filepath.Base(filename) // the core appends -audio / -video
	}
	rec, err := e.core.StartRecording(ctx, handle, mid, opts)
	if err != nil {
		slog.Debug("recording not started", "handle", handle, "mid", mid, "err", err)
		return
	}
	e.mu.Lock()
	if s.recording == nil {
		s.recording = map[string]bool{}
	}
	s.recording[mid] = true
	e.mu.Unlock()
	slog.Info("recording", "handle", handle, "mid", mid, "path", rec.Path)
}

func (e *echoTest) toggleData(ctx context.Context, handle uint64, on bool) {
	var err error
	if on {
		err = e.core.RouteData(ctx, handle, handle)
	} else {
		err = e.core.UnrouteData(ctx, handle, handle)
	}
	if err != nil {
		slog.Warn("toggle data", "handle", handle, "err", err)
	}
}

// negotiate answers the offer and routes every received stream back to the
// mid it came from.
func (e *echoTest) negotiate(ctx context.Context, handle uint64, offer string, req *request) (*sdk.Negotiation, error) {
	opts := sdk.AnswerOptions{SendBack: true}
	if req.AudioCodec != nil {
		opts.AudioCodecs = []string{*req.AudioCodec}
	}
	if req.VideoCodec != nil {
		opts.VideoCodecs = []string{*req.VideoCodec}
	}
	n, err := e.core.AnswerOffer(ctx, handle, offer, opts)
	if err != nil {
		return nil, err
	}
	for _, st := range n.Streams {
		var err error
		if st.Kind == "data" {
			if req.Data == nil || *req.Data {
				err = e.core.RouteData(ctx, handle, handle)
			}
		} else {
			err = e.core.Route(ctx, handle, st.MID, handle, st.MID)
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

func parseRequest(body json.RawMessage) (*request, map[string]any) {
	if len(body) == 0 || string(body) == "null" {
		return nil, failure(errNoMessage, "No message??")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, failure(errInvalidJSON, "JSON error: not an object")
	}
	for name, want := range map[string]string{
		"audio": "a boolean", "video": "a boolean", "data": "a boolean", "record": "a boolean",
		"bitrate": "a positive integer", "audiocodec": "a string", "videocodec": "a string",
		"videoprofile": "a string", "filename": "a string", "substream": "a positive integer", "temporal": "a positive integer",
	} {
		raw, ok := fields[name]
		if ok && !hasType(raw, want) {
			return nil, failure(errInvalidElement, fmt.Sprintf("Invalid element type (%s should be %s)", name, want))
		}
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, failure(errInvalidElement, fmt.Sprintf("Invalid element: %v", err))
	}
	return &req, nil
}

func hasType(raw json.RawMessage, want string) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch want {
	case "a boolean":
		_, ok := v.(bool)
		return ok
	case "a string":
		_, ok := v.(string)
		return ok
	default:
		f, ok := v.(float64)
		return ok && f >= 0 && f == float64(uint32(f))
	}
}

func result(r string) map[string]any { return map[string]any{"echotest": "event", "result": r} }

func failure(code int, reason string) map[string]any {
	return map[string]any{"echotest": "event", "error_code": code, "error": reason}
}
