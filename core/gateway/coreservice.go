package gateway

import (
	"context"
	"encoding/json"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/core/media"
	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

// CoreService is the Core gRPC service as one extension sees it: it may
// act on its own handles and its own key-value namespace only.
type CoreService struct {
	extpb.UnimplementedCoreServer
	g   *Gateway
	ext string
}

func (s *CoreService) handle(id uint64) (*handle, error) {
	h := s.g.owned(s.ext, id)
	if h == nil {
		return nil, status.Error(codes.NotFound, notOwned(id).Error())
	}
	return h, nil
}

// PushEvent delivers plugin data (and a jsep) to the handle's client.
func (s *CoreService) PushEvent(_ context.Context, req *extpb.PushEventRequest) (*extpb.Empty, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	if !json.Valid(req.DataJson) {
		return nil, status.Error(codes.InvalidArgument, "event data is not JSON")
	}
	if len(req.JsepJson) > 0 && !json.Valid(req.JsepJson) {
		return nil, status.Error(codes.InvalidArgument, "event jsep is not JSON")
	}
	s.g.notify(h.ref.HandleID, janus.Message{
		Janus: "event", Transaction: req.Transaction,
		PluginData: &janus.PluginData{Plugin: h.ref.Plugin, Data: req.DataJson},
		JSEP:       req.JsepJson,
	})
	return &extpb.Empty{}, nil
}

// AnswerOffer answers a client offer on the handle's peer.
func (s *CoreService) AnswerOffer(_ context.Context, req *extpb.AnswerOfferRequest) (*extpb.Negotiation, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	answer, err := s.g.media.AnswerOffer(req.HandleId, req.Sdp, media.AnswerOptions{
		SendBack: req.SendBack, AudioCodecs: req.AudioCodecs, VideoCodecs: req.VideoCodecs,
	})
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "answer offer: %v", err)
	}
	h.setPeer(true)
	return negotiation("answer", answer)
}

// MakeOffer offers streams to the handle's client.
func (s *CoreService) MakeOffer(_ context.Context, req *extpb.MakeOfferRequest) (*extpb.Negotiation, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	streams := make([]media.OfferStream, 0, len(req.Streams))
	for _, st := range req.Streams {
		if st.SourceHandleId != 0 {
			if err := s.source(st.SourceHandleId); err != nil {
				return nil, err
			}
		}
		streams = append(streams, media.OfferStream{Kind: st.Kind, Codec: st.Codec, MID: st.Mid, Fmtp: st.Fmtp,
			Inactive: st.Inactive, SourceHandle: st.SourceHandleId, SourceMID: st.SourceMid})
	}
	offer, err := s.g.media.MakeOffer(req.HandleId, streams)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "make offer: %v", err)
	}
	h.setPeer(true)
	return negotiation("offer", offer)
}

// ApplyAnswer applies the client's answer to an offer the core made.
func (s *CoreService) ApplyAnswer(_ context.Context, req *extpb.ApplyAnswerRequest) (*extpb.Empty, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	if err := s.g.media.ApplyAnswer(req.HandleId, req.Sdp); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "apply answer: %v", err)
	}
	h.setPeer(true)
	return &extpb.Empty{}, nil
}

// Route forwards a stream between two of the extension's handles.
func (s *CoreService) Route(_ context.Context, req *extpb.RouteRequest) (*extpb.Empty, error) {
	if err := s.bothOwned(req); err != nil {
		return nil, err
	}
	if err := s.g.media.Route(req.SrcHandleId, req.SrcMid, req.DstHandleId, req.DstMid); err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "route: %v", err)
	}
	return &extpb.Empty{}, nil
}

// Unroute removes a route.
func (s *CoreService) Unroute(_ context.Context, req *extpb.RouteRequest) (*extpb.Empty, error) {
	if err := s.bothOwned(req); err != nil {
		return nil, err
	}
	s.g.media.Unroute(req.SrcHandleId, req.SrcMid, req.DstHandleId, req.DstMid)
	return &extpb.Empty{}, nil
}

// RouteData relays data-channel messages between two of the extension's handles.
func (s *CoreService) RouteData(_ context.Context, req *extpb.DataRouteRequest) (*extpb.Empty, error) {
	if err := s.bothOwned(&extpb.RouteRequest{SrcHandleId: req.SrcHandleId, DstHandleId: req.DstHandleId}); err != nil {
		return nil, err
	}
	if err := s.g.media.RouteData(req.SrcHandleId, req.DstHandleId); err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "route data: %v", err)
	}
	return &extpb.Empty{}, nil
}

// UnrouteData removes a data route.
func (s *CoreService) UnrouteData(_ context.Context, req *extpb.DataRouteRequest) (*extpb.Empty, error) {
	if err := s.bothOwned(&extpb.RouteRequest{SrcHandleId: req.SrcHandleId, DstHandleId: req.DstHandleId}); err != nil {
		return nil, err
	}
	s.g.media.UnrouteData(req.SrcHandleId, req.DstHandleId)
	return &extpb.Empty{}, nil
}

func (s *CoreService) bothOwned(req *extpb.RouteRequest) error {
	if err := s.source(req.SrcHandleId); err != nil {
		return err
	}
	_, err := s.handle(req.DstHandleId)
	return err
}

// SetPaused stops or resumes what a handle's mid is sent.
func (s *CoreService) SetPaused(_ context.Context, req *extpb.PauseRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.media.SetPaused(req.HandleId, req.Mid, req.Paused)
	return &extpb.Empty{}, nil
}

// RequestKeyframe sends a PLI to the handle's client.
func (s *CoreService) RequestKeyframe(_ context.Context, req *extpb.KeyframeRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.media.RequestKeyframe(req.HandleId, req.Mid)
	return &extpb.Empty{}, nil
}

// SetBitrate caps the handle's client with REMB.
func (s *CoreService) SetBitrate(_ context.Context, req *extpb.BitrateRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.media.SetBitrateCap(req.HandleId, req.Bitrate)
	return &extpb.Empty{}, nil
}

// Hangup closes the handle's PeerConnection.
func (s *CoreService) Hangup(_ context.Context, req *extpb.HangupRequest) (*extpb.Empty, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	reason := req.Reason
	if reason == "" {
		reason = "Close PC"
	}
	s.g.resetPeer(h)
	s.g.media.Hangup(req.HandleId, reason)
	return &extpb.Empty{}, nil
}

// CloseHandle detaches a handle at the extension's request.
func (s *CoreService) CloseHandle(_ context.Context, req *extpb.CloseHandleRequest) (*extpb.Empty, error) {
	h, err := s.handle(req.HandleId)
	if err != nil {
		return nil, err
	}
	s.g.resetPeer(h)
	s.g.media.Hangup(req.HandleId, "Close handle")
	s.g.remove(req.HandleId)
	s.g.handleGone(req.HandleId)
	return &extpb.Empty{}, nil
}

// KVGet reads the extension's state.
func (s *CoreService) KVGet(ctx context.Context, req *extpb.KVGetRequest) (*extpb.KVGetResponse, error) {
	v, err := s.g.store.KVGet(ctx, s.ext, req.Key)
	if errors.Is(err, storage.ErrNotFound) {
		return &extpb.KVGetResponse{}, nil
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "kv get: %v", err)
	}
	return &extpb.KVGetResponse{Found: true, Value: v}, nil
}

// KVPut writes the extension's state.
func (s *CoreService) KVPut(ctx context.Context, req *extpb.KVPutRequest) (*extpb.Empty, error) {
	if err := s.g.store.KVPut(ctx, s.ext, req.Key, req.Value); err != nil {
		return nil, status.Errorf(codes.Internal, "kv put: %v", err)
	}
	return &extpb.Empty{}, nil
}

// KVDelete removes a key of the extension's state.
func (s *CoreService) KVDelete(ctx context.Context, req *extpb.KVGetRequest) (*extpb.Empty, error) {
	if err := s.g.store.KVDelete(ctx, s.ext, req.Key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, status.Errorf(codes.Internal, "kv delete: %v", err)
	}
	return &extpb.Empty{}, nil
}

// KVList lists the extension's keys with a prefix.
func (s *CoreService) KVList(ctx context.Context, req *extpb.KVListRequest) (*extpb.KVListResponse, error) {
	entries, err := s.g.store.KVList(ctx, s.ext, req.Prefix)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "kv list: %v", err)
	}
	out := &extpb.KVListResponse{}
	for _, e := range entries {
		out.Entries = append(out.Entries, &extpb.KVEntry{Key: e.Key, Value: e.Value})
	}
	return out, nil
}

func negotiation(typ, sdpText string) (*extpb.Negotiation, error) {
	streams, err := StreamsOf(sdpText)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "parse own %s: %v", typ, err)
	}
	n := &extpb.Negotiation{Type: typ, Sdp: sdpText}
	for _, st := range streams {
		n.Streams = append(n.Streams, &extpb.StreamInfo{Mid: st.MID, Kind: st.Kind, Codec: st.Codec, Mindex: uint32(st.MIndex),
			Rids: st.RIDs, Fmtp: st.Fmtp})
	}
	return n, nil
}
