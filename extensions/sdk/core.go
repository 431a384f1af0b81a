package sdk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// Core is the extension's client of the gateway's Core service. Every call
// acts only on the calling extension's handles and state.
type Core struct {
	c extpb.CoreClient
}

// NewCore wraps a Core gRPC client; extensions get one from Init and only
// tests need this.
func NewCore(c extpb.CoreClient) *Core { return &Core{c: c} }

// Stream is one negotiated m-line of a handle's PeerConnection.
type Stream struct {
	MID    string
	Kind   string // audio | video | data
	Codec  string
	MIndex int
	RIDs   []string // simulcast encodings, if any
	SVC    bool
	Fmtp   string
}

// Negotiation is an SDP the core produced and the streams it describes.
type Negotiation struct {
	JSEP    JSEP
	Streams []Stream
}

// AnswerOptions shape the core's answer to a client offer.
type AnswerOptions struct {
	SendBack    bool     // answer sendrecv with a local track per m-line (echo)
	AudioCodecs []string // allowed audio codecs in preference order; empty: any
	VideoCodecs []string
}

// OfferStream is one m-line of an offer the core makes to a subscriber.
type OfferStream struct {
	Kind     string // audio | video | data
	Codec    string
	MID      string
	Fmtp     string // the publisher's fmtp, to match its profile
	Inactive bool   // a removed stream: its m-line stays, sending nothing
	// SourceHandle/SourceMID name the publisher stream this m-line carries,
	// so the core offers exactly its codec and fmtp.
	SourceHandle uint64
	SourceMID    string
}

// PushEvent sends an event with plugin data (and optionally a jsep) to the
// handle's client; transaction is empty for unsolicited events.
func (c *Core) PushEvent(ctx context.Context, handle uint64, transaction string, data any, jsep *JSEP) error {
	req := &extpb.PushEventRequest{HandleId: handle, Transaction: transaction}
	var err error
	if req.DataJson, err = json.Marshal(data); err != nil {
		return fmt.Errorf("encode event data: %w", err)
	}
	if jsep != nil {
		if req.JsepJson, err = json.Marshal(jsep); err != nil {
			return fmt.Errorf("encode event jsep: %w", err)
		}
	}
	if _, err := c.c.PushEvent(ctx, req); err != nil {
		return fmt.Errorf("push event to handle %d: %w", handle, err)
	}
	return nil
}

// AnswerOffer has the core answer a client's offer on the handle's peer.
func (c *Core) AnswerOffer(ctx context.Context, handle uint64, offerSDP string, opts AnswerOptions) (*Negotiation, error) {
	n, err := c.c.AnswerOffer(ctx, &extpb.AnswerOfferRequest{
		HandleId: handle, Sdp: offerSDP, SendBack: opts.SendBack,
		AudioCodecs: opts.AudioCodecs, VideoCodecs: opts.VideoCodecs,
	})
	if err != nil {
		return nil, fmt.Errorf("answer offer of handle %d: %w", handle, err)
	}
	return fromNegotiation(n), nil
}

// MakeOffer has the core offer the given streams to the handle's client.
func (c *Core) MakeOffer(ctx context.Context, handle uint64, streams []OfferStream) (*Negotiation, error) {
	req := &extpb.MakeOfferRequest{HandleId: handle}
	for _, s := range streams {
		req.Streams = append(req.Streams, &extpb.OfferStream{Kind: s.Kind, Codec: s.Codec, Mid: s.MID, Fmtp: s.Fmtp, Inactive: s.Inactive,
			SourceHandleId: s.SourceHandle, SourceMid: s.SourceMID})
	}
	n, err := c.c.MakeOffer(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("make offer for handle %d: %w", handle, err)
	}
	return fromNegotiation(n), nil
}

// ApplyAnswer applies a client's answer to an offer the core made.
func (c *Core) ApplyAnswer(ctx context.Context, handle uint64, answerSDP string) error {
	if _, err := c.c.ApplyAnswer(ctx, &extpb.ApplyAnswerRequest{HandleId: handle, Sdp: answerSDP}); err != nil {
		return fmt.Errorf("apply answer of handle %d: %w", handle, err)
	}
	return nil
}

// Route forwards the source handle's stream at srcMid to the destination
// handle's mid dstMid, inside the core.
func (c *Core) Route(ctx context.Context, src uint64, srcMid string, dst uint64, dstMid string) error {
	if _, err := c.c.Route(ctx, routeReq(src, srcMid, dst, dstMid)); err != nil {
		return fmt.Errorf("route %d/%s to %d/%s: %w", src, srcMid, dst, dstMid, err)
	}
	return nil
}

// Unroute removes a route made by Route.
func (c *Core) Unroute(ctx context.Context, src uint64, srcMid string, dst uint64, dstMid string) error {
	if _, err := c.c.Unroute(ctx, routeReq(src, srcMid, dst, dstMid)); err != nil {
		return fmt.Errorf("unroute %d/%s from %d/%s: %w", src, srcMid, dst, dstMid, err)
	}
	return nil
}

// RouteData relays the source handle's data-channel messages to the
// destination handle, on the channel with the same label.
func (c *Core) RouteData(ctx context.Context, src, dst uint64) error {
	if _, err := c.c.RouteData(ctx, &extpb.DataRouteRequest{SrcHandleId: src, DstHandleId: dst}); err != nil {
		return fmt.Errorf("route data %d to %d: %w", src, dst, err)
	}
	return nil
}

// UnrouteData removes a data route made by RouteData.
func (c *Core) UnrouteData(ctx context.Context, src, dst uint64) error {
	if _, err := c.c.UnrouteData(ctx, &extpb.DataRouteRequest{SrcHandleId: src, DstHandleId: dst}); err != nil {
		return fmt.Errorf("unroute data %d from %d: %w", src, dst, err)
	}
	return nil
}

// SetPaused stops or resumes what the core sends to the handle's mid; the
// stream stays continuous for the client across the pause.
func (c *Core) SetPaused(ctx context.Context, handle uint64, mid string, paused bool) error {
	if _, err := c.c.SetPaused(ctx, &extpb.PauseRequest{HandleId: handle, Mid: mid, Paused: paused}); err != nil {
		return fmt.Errorf("pause %d/%s: %w", handle, mid, err)
	}
	return nil
}

// RequestKeyframe asks the handle's client for a keyframe on mid (PLI).
func (c *Core) RequestKeyframe(ctx context.Context, handle uint64, mid string) error {
	if _, err := c.c.RequestKeyframe(ctx, &extpb.KeyframeRequest{HandleId: handle, Mid: mid}); err != nil {
		return fmt.Errorf("keyframe request %d/%s: %w", handle, mid, err)
	}
	return nil
}

// SetBitrate caps what the handle's client sends (REMB); 0 removes the cap.
func (c *Core) SetBitrate(ctx context.Context, handle uint64, bps uint32) error {
	if _, err := c.c.SetBitrate(ctx, &extpb.BitrateRequest{HandleId: handle, Bitrate: bps}); err != nil {
		return fmt.Errorf("set bitrate of %d: %w", handle, err)
	}
	return nil
}

// Hangup closes the handle's PeerConnection; the handle stays.
func (c *Core) Hangup(ctx context.Context, handle uint64, reason string) error {
	if _, err := c.c.Hangup(ctx, &extpb.HangupRequest{HandleId: handle, Reason: reason}); err != nil {
		return fmt.Errorf("hang up %d: %w", handle, err)
	}
	return nil
}

// CloseHandle detaches the handle from the extension's side (the client
// gets "detached").
func (c *Core) CloseHandle(ctx context.Context, handle uint64) error {
	if _, err := c.c.CloseHandle(ctx, &extpb.CloseHandleRequest{HandleId: handle}); err != nil {
		return fmt.Errorf("close handle %d: %w", handle, err)
	}
	return nil
}

// KVGet reads a key of the extension's namespace.
func (c *Core) KVGet(ctx context.Context, key string) ([]byte, bool, error) {
	r, err := c.c.KVGet(ctx, &extpb.KVGetRequest{Key: key})
	if err != nil {
		return nil, false, fmt.Errorf("kv get %q: %w", key, err)
	}
	return r.Value, r.Found, nil
}

// KVPut writes a key of the extension's namespace.
func (c *Core) KVPut(ctx context.Context, key string, value []byte) error {
	if _, err := c.c.KVPut(ctx, &extpb.KVPutRequest{Key: key, Value: value}); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// KVDelete removes a key of the extension's namespace.
func (c *Core) KVDelete(ctx context.Context, key string) error {
	if _, err := c.c.KVDelete(ctx, &extpb.KVGetRequest{Key: key}); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// KVList returns the keys (and values) with the given prefix.
func (c *Core) KVList(ctx context.Context, prefix string) (map[string][]byte, error) {
	r, err := c.c.KVList(ctx, &extpb.KVListRequest{Prefix: prefix})
	if err != nil {
		return nil, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	out := make(map[string][]byte, len(r.Entries))
	for _, e := range r.Entries {
		out[e.Key] = e.Value
	}
	return out, nil
}

func routeReq(src uint64, srcMid string, dst uint64, dstMid string) *extpb.RouteRequest {
	return &extpb.RouteRequest{SrcHandleId: src, SrcMid: srcMid, DstHandleId: dst, DstMid: dstMid}
}

func fromNegotiation(n *extpb.Negotiation) *Negotiation {
	out := &Negotiation{JSEP: JSEP{Type: n.Type, SDP: n.Sdp}}
	for _, s := range n.Streams {
		out.Streams = append(out.Streams, Stream{MID: s.Mid, Kind: s.Kind, Codec: s.Codec, MIndex: int(s.Mindex),
			RIDs: s.Rids, SVC: s.Svc, Fmtp: s.Fmtp})
	}
	return out
}
