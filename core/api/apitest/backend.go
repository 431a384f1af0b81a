package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/janus"
)

// Plugins served by the fake backend.
const (
	// EchoPlugin answers messages with an ack and an "event" later, like
	// Janus's echotest.
	EchoPlugin = "janus.plugin.echotest"
	// SyncPlugin answers messages synchronously.
	SyncPlugin = "janus.plugin.fakesync"
	// AckHint is the hint of EchoPlugin's acks.
	AckHint = "I'm taking my time!"
)

// Call is one recorded Backend call.
type Call struct {
	Method      string // Attach, Message, Trickle, Hangup, Detach, HandleInfo
	Ref         api.HandleRef
	Transaction string
	Body        json.RawMessage
	JSEP        json.RawMessage
	Candidates  []api.Candidate
	Reason      string
}

// Backend is a fake api.Backend. Message bodies steer it:
//
//	{"error": 123}      -> the call fails with Janus error 123
//	{"sync": true}      -> synchronous answer even on EchoPlugin
//
// EchoPlugin sends its event (and a jsep answer when given an offer) about
// EventDelay after the ack. Detach emits a "done" event before returning,
// as echotest does.
type Backend struct {
	EventDelay time.Duration

	mu        sync.Mutex
	sink      api.Sink
	calls     []Call
	changed   chan struct{}
	attachErr error
}

var _ api.Backend = (*Backend)(nil)

// New returns a fake backend; SetSink must be called before handles exist.
func New() *Backend {
	return &Backend{EventDelay: 20 * time.Millisecond, changed: make(chan struct{})}
}

// SetSink gives the backend its way to reach clients.
func (b *Backend) SetSink(s api.Sink) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sink = s
}

// FailAttach makes every following Attach fail with err (nil to stop).
func (b *Backend) FailAttach(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attachErr = err
}

func (b *Backend) record(c Call) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, c)
	close(b.changed)
	b.changed = make(chan struct{})
}

func (b *Backend) getSink() api.Sink {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sink
}

// Calls returns the recorded calls of method ("" for all).
func (b *Backend) Calls(method string) []Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Call
	for _, c := range b.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method were recorded, and
// returns them; it returns what there is after timeout.
func (b *Backend) WaitCalls(method string, n int, timeout time.Duration) []Call {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		changed := b.changed
		b.mu.Unlock()
		calls := b.Calls(method)
		if len(calls) >= n {
			return calls
		}
		select {
		case <-changed:
		case <-deadline.C:
			return calls
		}
	}
}

// Plugins lists EchoPlugin and SyncPlugin.
func (b *Backend) Plugins() []api.PluginInfo {
	return []api.PluginInfo{
		{Package: EchoPlugin, Name: "Fake EchoTest", Author: "Reprise tests", Description: "Answers asynchronously.", VersionString: "0.0.7", Version: 7},
		{Package: SyncPlugin, Name: "Fake Sync", Author: "Reprise tests", Description: "Answers synchronously.", VersionString: "0.0.1", Version: 1},
	}
}

// Attach records the call.
func (b *Backend) Attach(_ context.Context, h api.HandleRef) error {
	b.record(Call{Method: "Attach", Ref: h})
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.attachErr
}

// Message answers as described on Backend.
func (b *Backend) Message(_ context.Context, h api.HandleRef, transaction string, body, jsep json.RawMessage) (api.PluginResult, error) {
	b.record(Call{Method: "Message", Ref: h, Transaction: transaction, Body: body, JSEP: jsep})
	var steer struct {
		Error int  `json:"error"`
		Sync  bool `json:"sync"`
	}
	_ = json.Unmarshal(body, &steer)
	if steer.Error != 0 {
		return api.PluginResult{}, janus.Errorf(steer.Error, "fake failure %d", steer.Error)
	}
	if steer.Sync || h.Plugin == SyncPlugin {
		data, _ := json.Marshal(map[string]any{"fake": "sync", "echo": body})
		return api.PluginResult{Sync: true, Data: data}, nil
	}
	sink := b.getSink()
	go func() {
		time.Sleep(b.EventDelay)
		msg := janus.Message{
			Janus:       "event",
			Transaction: transaction,
			PluginData:  &janus.PluginData{Plugin: h.Plugin, Data: json.RawMessage(`{"echotest":"event","result":"ok"}`)},
		}
		if jsep != nil {
			msg.JSEP = json.RawMessage(`{"type":"answer","sdp":"v=0\r\n"}`)
		}
		if sink != nil {
			sink.Notify(h.HandleID, msg)
		}
	}()
	return api.PluginResult{Hint: AckHint}, nil
}

// Trickle records the candidates.
func (b *Backend) Trickle(_ context.Context, h api.HandleRef, candidates []api.Candidate) error {
	b.record(Call{Method: "Trickle", Ref: h, Candidates: candidates})
	return nil
}

// Hangup records the reason.
func (b *Backend) Hangup(_ context.Context, h api.HandleRef, reason string) error {
	b.record(Call{Method: "Hangup", Ref: h, Reason: reason})
	return nil
}

// Detach sends a last "done" event, then records the call.
func (b *Backend) Detach(_ context.Context, h api.HandleRef) error {
	if sink := b.getSink(); sink != nil {
		sink.Notify(h.HandleID, janus.Message{
			Janus:      "event",
			PluginData: &janus.PluginData{Plugin: h.Plugin, Data: json.RawMessage(`{"echotest":"event","result":"done"}`)},
		})
	}
	b.record(Call{Method: "Detach", Ref: h})
	return nil
}

// HandleInfo returns a small info object with a plugin-specific part.
func (b *Backend) HandleInfo(_ context.Context, h api.HandleRef) (map[string]any, error) {
	b.record(Call{Method: "HandleInfo", Ref: h})
	return map[string]any{
		"plugin_specific": map[string]any{"fake": true, "plugin": h.Plugin},
		"flags":           map[string]any{"got-offer": false},
		"handle_id":       "must not override the core's",
	}, nil
}

// String helps test failure messages.
func (c Call) String() string { return fmt.Sprintf("%s(%d)", c.Method, c.Ref.HandleID) }
