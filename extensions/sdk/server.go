package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/schema/extplugin"
)

// Serve runs ext as a gateway extension; it returns when the gateway ends
// the process. Logs written with slog go to stderr, where the gateway picks
// them up under the extension's name.
func Serve(ext Extension) {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: extplugin.Handshake,
		Plugins:         extplugin.Map(&server{ext: ext}),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}

// server adapts an Extension to the generated gRPC service.
type server struct {
	extpb.UnimplementedExtensionServer
	ext Extension

	mu     sync.Mutex
	broker *plugin.GRPCBroker
	inited bool
}

// NewServer exposes the adapter for in-process tests of an extension.
func NewServer(ext Extension) extpb.ExtensionServer { return &server{ext: ext} }

func (s *server) SetBroker(b *plugin.GRPCBroker) {
	s.mu.Lock()
	s.broker = b
	s.mu.Unlock()
}

func (s *server) Info(context.Context, *extpb.InfoRequest) (*extpb.InfoResponse, error) {
	info := s.ext.Info()
	resp := &extpb.InfoResponse{
		Name: info.Name, Version: info.Version, ProtocolVersion: extplugin.ProtocolVersion,
		KeepsHandlesOnRestart: info.KeepsHandlesOnRestart,
	}
	for _, p := range info.Packages {
		resp.Packages = append(resp.Packages, &extpb.PluginPackage{
			Package: p.Package, Name: p.Name, Author: p.Author, Description: p.Description,
			VersionString: p.VersionString, Version: int32(p.Version),
		})
	}
	return resp, nil
}

func (s *server) Init(ctx context.Context, req *extpb.InitRequest) (*extpb.Empty, error) {
	s.mu.Lock()
	broker := s.broker
	s.mu.Unlock()
	if broker == nil {
		return nil, status.Error(codes.FailedPrecondition, "no go-plugin broker to reach the core")
	}
	conn, err := broker.Dial(req.CoreBrokerId)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "dial core service: %v", err)
	}
	st := InitState{Config: req.ConfigJson, Restarts: int(req.Restarts)}
	for _, h := range req.Handles {
		st.Handles = append(st.Handles, handleFrom(h))
	}
	if err := s.ext.Init(ctx, NewCore(extpb.NewCoreClient(conn)), st); err != nil {
		return nil, status.Errorf(codes.Internal, "init: %v", err)
	}
	s.mu.Lock()
	s.inited = true
	s.mu.Unlock()
	return &extpb.Empty{}, nil
}

func (s *server) CreateHandle(ctx context.Context, req *extpb.HandleRequest) (*extpb.Empty, error) {
	if err := s.ext.CreateHandle(ctx, handleFrom(req.Handle)); err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "%v", err)
	}
	return &extpb.Empty{}, nil
}

func (s *server) DestroyHandle(ctx context.Context, req *extpb.HandleRequest) (*extpb.Empty, error) {
	s.ext.DestroyHandle(ctx, handleFrom(req.Handle))
	return &extpb.Empty{}, nil
}

func (s *server) HandleMessage(ctx context.Context, req *extpb.MessageRequest) (*extpb.MessageResponse, error) {
	msg := Message{Transaction: req.Transaction, Body: req.BodyJson}
	if len(req.JsepJson) > 0 {
		var j JSEP
		if err := json.Unmarshal(req.JsepJson, &j); err != nil {
			return failure(465, fmt.Sprintf("invalid jsep: %v", err)), nil
		}
		msg.JSEP = &j
	}
	res := s.ext.HandleMessage(ctx, handleFrom(req.Handle), msg)
	switch res.kind {
	case resultSync:
		data, err := json.Marshal(res.data)
		if err != nil {
			return failure(462, fmt.Sprintf("encode plugin data: %v", err)), nil
		}
		out := &extpb.SyncResult{DataJson: data}
		if res.jsep != nil {
			if out.JsepJson, err = json.Marshal(res.jsep); err != nil {
				return failure(462, fmt.Sprintf("encode jsep: %v", err)), nil
			}
		}
		return &extpb.MessageResponse{Result: &extpb.MessageResponse_Sync{Sync: out}}, nil
	case resultFail:
		return failure(res.code, res.reason), nil
	default:
		return &extpb.MessageResponse{Result: &extpb.MessageResponse_Ack{Ack: &extpb.AckResult{Hint: res.hint}}}, nil
	}
}

func (s *server) HandleAdminMessage(ctx context.Context, req *extpb.AdminMessageRequest) (*extpb.AdminMessageResponse, error) {
	am, ok := s.ext.(AdminMessenger)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "this extension takes no admin messages")
	}
	v, err := am.AdminMessage(ctx, req.BodyJson)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%v", err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encode admin answer: %v", err)
	}
	return &extpb.AdminMessageResponse{DataJson: data}, nil
}

func (s *server) MediaEvent(ctx context.Context, req *extpb.MediaEventRequest) (*extpb.Empty, error) {
	ev := MediaEvent{Handle: req.HandleId}
	switch e := req.Event.(type) {
	case *extpb.MediaEventRequest_Webrtcup:
		ev.Kind = WebRTCUp
	case *extpb.MediaEventRequest_Media:
		ev.Kind, ev.MID, ev.Media, ev.Receiving = MediaChange, e.Media.Mid, e.Media.Kind, e.Media.Receiving
	case *extpb.MediaEventRequest_Slowlink:
		ev.Kind, ev.MID, ev.Media, ev.Uplink, ev.Lost = SlowLink, e.Slowlink.Mid, e.Slowlink.Kind, e.Slowlink.Uplink, e.Slowlink.Lost
	case *extpb.MediaEventRequest_Hangup:
		ev.Kind, ev.Reason = HungUp, e.Hangup.Reason
	case *extpb.MediaEventRequest_FeedAdded:
		f := feedOf(e.FeedAdded.Feed)
		ev.Kind, ev.Plugin, ev.RoomID, ev.ReplayID, ev.Feed = FeedAdded, e.FeedAdded.Plugin, e.FeedAdded.RoomId, e.FeedAdded.ReplayId, &f
	case *extpb.MediaEventRequest_FeedRemoved:
		ev.Kind, ev.RoomID, ev.ReplayID = FeedRemoved, e.FeedRemoved.RoomId, e.FeedRemoved.ReplayId
	case *extpb.MediaEventRequest_ReplayEnded:
		ev.Kind, ev.RoomID, ev.ReplayID, ev.Reason = ReplayEnded, e.ReplayEnded.RoomId, e.ReplayEnded.ReplayId, e.ReplayEnded.Reason
	case *extpb.MediaEventRequest_Talking:
		ev.Kind, ev.MID, ev.Media, ev.IsTalking, ev.Level = Talking, e.Talking.Mid, "audio", e.Talking.Talking, e.Talking.Level
	default:
		return nil, status.Error(codes.InvalidArgument, "unknown media event")
	}
	s.ext.MediaEvent(ctx, ev)
	return &extpb.Empty{}, nil
}

func (s *server) QueryHandle(ctx context.Context, req *extpb.HandleRequest) (*extpb.QueryHandleResponse, error) {
	q, ok := s.ext.(HandleQuerier)
	if !ok {
		return &extpb.QueryHandleResponse{}, nil
	}
	data, err := json.Marshal(q.QueryHandle(ctx, handleFrom(req.Handle)))
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encode handle info: %v", err)
	}
	return &extpb.QueryHandleResponse{InfoJson: data}, nil
}

func failure(code int, reason string) *extpb.MessageResponse {
	return &extpb.MessageResponse{Result: &extpb.MessageResponse_Error{Error: &extpb.Failure{Code: int32(code), Reason: reason}}}
}

func handleFrom(h *extpb.HandleState) Handle {
	if h == nil {
		return Handle{}
	}
	return Handle{SessionID: h.SessionId, ID: h.HandleId, Plugin: h.Plugin, OpaqueID: h.OpaqueId, Token: h.Token, HasPeer: h.HasPeer}
}
