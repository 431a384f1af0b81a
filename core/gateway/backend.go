package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/exthost"
	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/schema/extpb"
)

var _ api.Backend = (*Gateway)(nil)

// Plugins lists every package of every extension that has started once.
func (g *Gateway) Plugins() []api.PluginInfo {
	var out []api.PluginInfo
	for _, p := range g.host.Processes() {
		info := p.Info()
		if info == nil {
			continue
		}
		for _, pp := range info.Packages {
			out = append(out, api.PluginInfo{
				Package: pp.Package, Name: pp.Name, Author: pp.Author, Description: pp.Description,
				VersionString: pp.VersionString, Version: int(pp.Version),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out
}

func (g *Gateway) extensionClient(p *exthost.Process) (extpb.ExtensionClient, *janus.Error) {
	c, err := p.Client()
	if err != nil {
		return nil, janus.Errorf(janus.ErrPluginMessage, "Extension %s is restarting, try again", p.Name())
	}
	return c, nil
}

// Attach creates the handle in the extension serving its plugin.
func (g *Gateway) Attach(ctx context.Context, ref api.HandleRef) error {
	p, ok := g.host.ForPackage(ref.Plugin)
	if !ok {
		return janus.Errorf(janus.ErrPluginNotFound, "No such plugin '%s'", ref.Plugin)
	}
	c, err := p.Client()
	if err != nil {
		return janus.Errorf(janus.ErrPluginAttach, "Couldn't attach to plugin '%s': extension %s is restarting", ref.Plugin, p.Name())
	}
	h := &handle{ref: ref, ext: p.Name()}
	g.mu.Lock()
	g.handles[ref.HandleID] = h
	g.mu.Unlock()
	cctx, cancel := callCtx(ctx)
	defer cancel()
	if _, err := c.CreateHandle(cctx, &extpb.HandleRequest{Handle: stateOf(h)}); err != nil {
		g.remove(ref.HandleID)
		return janus.Errorf(janus.ErrPluginAttach, "Couldn't attach to plugin '%s': %v", ref.Plugin, err)
	}
	return nil
}

// Message validates the jsep and hands the request to the extension.
func (g *Gateway) Message(ctx context.Context, ref api.HandleRef, transaction string, body, jsep json.RawMessage) (api.PluginResult, error) {
	h := g.lookup(ref.HandleID)
	if h == nil {
		return api.PluginResult{}, janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", ref.HandleID, ref.SessionID)
	}
	if len(jsep) > 0 {
		if _, jerr := ParseJSEP(jsep); jerr != nil {
			return api.PluginResult{}, jerr
		}
	}
	p, ok := g.host.Get(h.ext)
	if !ok {
		return api.PluginResult{}, janus.Errorf(janus.ErrPluginNotFound, "No such plugin '%s'", ref.Plugin)
	}
	c, jerr := g.extensionClient(p)
	if jerr != nil {
		return api.PluginResult{}, jerr
	}
	cctx, cancel := callCtx(ctx)
	defer cancel()
	resp, err := c.HandleMessage(cctx, &extpb.MessageRequest{
		Handle: stateOf(h), Transaction: transaction, BodyJson: body, JsepJson: jsep,
	})
	if err != nil {
		return api.PluginResult{}, janus.Errorf(janus.ErrPluginMessage, "Error processing the message in %s: %v", h.ext, err)
	}
	switch r := resp.Result.(type) {
	case *extpb.MessageResponse_Sync:
		return api.PluginResult{Sync: true, Data: r.Sync.DataJson, JSEP: r.Sync.JsepJson}, nil
	case *extpb.MessageResponse_Error:
		return api.PluginResult{}, &janus.Error{Code: int(r.Error.Code), Reason: r.Error.Reason}
	case *extpb.MessageResponse_Ack:
		return api.PluginResult{Hint: r.Ack.Hint}, nil
	default:
		return api.PluginResult{}, janus.Errorf(janus.ErrPluginMessage, "Extension %s gave no result", h.ext)
	}
}

// Trickle adds remote candidates; the media engine queues those that
// arrive before the offer has been applied, as Janus does.
func (g *Gateway) Trickle(_ context.Context, ref api.HandleRef, cands []api.Candidate) error {
	if g.lookup(ref.HandleID) == nil {
		return janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", ref.HandleID, ref.SessionID)
	}
	for _, c := range cands {
		var err error
		if c.Completed {
			err = g.media.EndOfCandidates(ref.HandleID)
		} else {
			err = g.media.AddRemoteCandidate(ref.HandleID, webrtc.ICECandidateInit{Candidate: c.Candidate, SDPMid: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex})
		}
		if err != nil {
			g.log.Debug("remote candidate refused", "handle", ref.HandleID, "err", err)
		}
	}
	return nil
}

// Hangup closes the handle's PeerConnection.
func (g *Gateway) Hangup(_ context.Context, ref api.HandleRef, reason string) error {
	h := g.lookup(ref.HandleID)
	if h == nil {
		return janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", ref.HandleID, ref.SessionID)
	}
	g.resetPeer(h)
	g.media.Hangup(ref.HandleID, reason)
	return nil
}

func (g *Gateway) resetPeer(h *handle) { h.setPeer(false) }

// Detach hangs the peer up, lets the extension see that, destroys the
// handle in the extension and forgets it.
func (g *Gateway) Detach(ctx context.Context, ref api.HandleRef) error {
	h := g.lookup(ref.HandleID)
	if h == nil {
		return janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", ref.HandleID, ref.SessionID)
	}
	g.resetPeer(h)
	g.media.Hangup(ref.HandleID, "Detach")
	done := make(chan error, 1)
	g.queue(h.ext).push(func() {
		p, ok := g.host.Get(h.ext)
		if !ok {
			done <- nil
			return
		}
		c, err := p.Client()
		if err != nil {
			done <- nil // the extension is gone; nothing to destroy there
			return
		}
		cctx, cancel := callCtx(context.Background())
		defer cancel()
		_, err = c.DestroyHandle(cctx, &extpb.HandleRequest{Handle: stateOf(h)})
		done <- err
	})
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.remove(ref.HandleID)
	if err != nil {
		return janus.Errorf(janus.ErrPluginDetach, "Error detaching from the plugin: %v", err)
	}
	return nil
}

// HandleInfo merges the media state with the extension's own.
func (g *Gateway) HandleInfo(ctx context.Context, ref api.HandleRef) (map[string]any, error) {
	h := g.lookup(ref.HandleID)
	if h == nil {
		return nil, janus.Errorf(janus.ErrHandleNotFound, "No such handle %d in session %d", ref.HandleID, ref.SessionID)
	}
	info := map[string]any{"extension": h.ext}
	if p, ok := g.host.Get(h.ext); ok {
		if c, err := p.Client(); err == nil {
			cctx, cancel := callCtx(ctx)
			defer cancel()
			if r, err := c.QueryHandle(cctx, &extpb.HandleRequest{Handle: stateOf(h)}); err == nil && len(r.InfoJson) > 0 {
				info["plugin_specific"] = json.RawMessage(r.InfoJson)
			}
		}
	}
	for k, v := range g.media.PeerInfo(ref.HandleID) {
		info[k] = v
	}
	return info, nil
}

func stateOf(h *handle) *extpb.HandleState {
	h.mu.Lock()
	hasPeer := h.hasPeer
	h.mu.Unlock()
	return &extpb.HandleState{
		SessionId: h.ref.SessionID, HandleId: h.ref.HandleID, Plugin: h.ref.Plugin,
		OpaqueId: h.ref.OpaqueID, Token: h.ref.Token, HasPeer: hasPeer,
	}
}

var errNotOwned = errors.New("handle not found or not owned by this extension")

func notOwned(id uint64) error { return fmt.Errorf("handle %d: %w", id, errNotOwned) }
