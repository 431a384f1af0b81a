package gateway

import (
	"context"

	"github.com/pion/webrtc/v4"

	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/core/media"
	"github.com/reprise-rtc/reprise/schema/extpb"
)

// mediaEvents receives the media engine's events for the Gateway; it is a
// type of its own because Backend already has a Hangup of another shape.
type mediaEvents struct{ g *Gateway }

var _ media.Events = mediaEvents{}

// MediaEvents is what the media engine reports to.
func (g *Gateway) MediaEvents() media.Events { return mediaEvents{g: g} }

// WebRTCUp tells the client and the extension the peer is connected.
func (m mediaEvents) WebRTCUp(handleID uint64) {
	m.g.notify(handleID, janus.Message{Janus: "webrtcup"})
	m.g.toExtension(handleID, &extpb.MediaEventRequest{HandleId: handleID, Event: &extpb.MediaEventRequest_Webrtcup{Webrtcup: &extpb.WebRTCUp{}}})
}

// Media reports a stream starting or stopping to arrive.
func (m mediaEvents) Media(handleID uint64, mid, kind string, receiving bool) {
	m.g.notify(handleID, janus.Message{Janus: "media", MID: mid, Type: kind, Receiving: &receiving})
	m.g.toExtension(handleID, &extpb.MediaEventRequest{HandleId: handleID, Event: &extpb.MediaEventRequest_Media{
		Media: &extpb.MediaState{Mid: mid, Kind: kind, Receiving: receiving}}})
}

// Slowlink reports packet loss on a stream.
func (m mediaEvents) Slowlink(handleID uint64, mid, kind string, uplink bool, lost uint32) {
	m.g.notify(handleID, janus.Message{Janus: "slowlink", MID: mid, Media: kind, Uplink: &uplink, Lost: &lost})
	m.g.toExtension(handleID, &extpb.MediaEventRequest{HandleId: handleID, Event: &extpb.MediaEventRequest_Slowlink{
		Slowlink: &extpb.SlowLink{Mid: mid, Kind: kind, Uplink: uplink, Lost: lost}}})
}

// Hangup reports the peer gone.
func (m mediaEvents) Hangup(handleID uint64, reason string) {
	if h := m.g.lookup(handleID); h != nil {
		m.g.resetPeer(h)
	}
	m.g.dropForwards(handleID)
	m.g.forgetLayers(handleID)
	m.g.notify(handleID, janus.Message{Janus: "hangup", Reason: reason})
	m.g.toExtension(handleID, &extpb.MediaEventRequest{HandleId: handleID, Event: &extpb.MediaEventRequest_Hangup{
		Hangup: &extpb.Hangup{Reason: reason}}})
}

// LocalCandidate trickles the core's candidates to the client (full-trickle mode).
func (m mediaEvents) LocalCandidate(handleID uint64, c *webrtc.ICECandidateInit) {
	if c == nil {
		m.g.notify(handleID, janus.Message{Janus: "trickle", Candidate: map[string]bool{"completed": true}})
		return
	}
	m.g.notify(handleID, janus.Message{Janus: "trickle", Candidate: c})
}

// toExtension queues a media event for the handle's extension, in order.
func (g *Gateway) toExtension(handleID uint64, ev *extpb.MediaEventRequest) {
	h := g.lookup(handleID)
	if h == nil {
		return
	}
	g.toExtensionNamed(h.ext, ev)
}

// toExtensionNamed queues an event for an extension by name, in order.
func (g *Gateway) toExtensionNamed(ext string, ev *extpb.MediaEventRequest) {
	handleID := ev.HandleId
	g.queue(ext).push(func() {
		p, ok := g.host.Get(ext)
		if !ok {
			return
		}
		c, err := p.Client()
		if err != nil {
			return // down: it learns the state again from Init
		}
		ctx, cancel := callCtx(context.Background())
		defer cancel()
		if _, err := c.MediaEvent(ctx, ev); err != nil {
			g.log.Warn("media event to extension failed", "extension", ext, "handle", handleID, "err", err)
		}
	})
}
