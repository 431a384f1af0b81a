package gateway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/core/rtpfwd"
	"github.com/reprise-rtc/reprise/schema/extpb"
)

// forwards are the RTP forwarders extensions started, by stream id.
type forwards struct {
	mu   sync.Mutex
	byID map[uint32]*forward
}

type forward struct {
	ext    string
	handle uint64
	mid    string
	fwd    *rtpfwd.Forwarder
}

func sinkID(id uint32) string { return fmt.Sprintf("rtp-forward-%d", id) }

// StartRtpForward sends a received stream of one of the extension's
// handles to a UDP destination (VideoRoom rtp_forward).
func (s *CoreService) StartRtpForward(_ context.Context, req *extpb.RtpForwardRequest) (*extpb.RtpForwarder, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	if req.Data {
		return nil, status.Error(codes.Unimplemented, "forwarding data channels is not supported yet")
	}
	opts := rtpfwd.Options{Host: req.Host, Port: int(req.Port), SSRC: req.Ssrc,
		SRTPSuite: int(req.SrtpSuite), SRTPCrypto: req.SrtpCrypto}
	if req.PayloadType >= 0 && req.PayloadType < 128 {
		opts.PayloadType, opts.OverridePayloadType = uint8(req.PayloadType), true
	}
	f, err := rtpfwd.New(opts)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "rtp forward: %v", err)
	}
	fw := &forward{ext: s.ext, handle: req.HandleId, mid: req.Mid, fwd: f}
	s.g.fwds.mu.Lock()
	var id uint32
	for id == 0 || s.g.fwds.byID[id] != nil {
		var b [4]byte
		_, _ = rand.Read(b[:])
		id = binary.BigEndian.Uint32(b[:]) >> 1
	}
	s.g.fwds.byID[id] = fw
	s.g.fwds.mu.Unlock()
	if err := s.g.media.AddSink(req.HandleId, req.Mid, sinkID(id), f); err != nil {
		s.g.fwds.mu.Lock()
		delete(s.g.fwds.byID, id)
		s.g.fwds.mu.Unlock()
		_ = f.Close()
		return nil, status.Errorf(codes.FailedPrecondition, "attach forwarder: %v", err)
	}
	if req.Substream > 0 {
		s.g.media.SelectSinkLayerFor(req.HandleId, req.Mid, sinkID(id), int(req.Substream))
	}
	s.g.media.RequestKeyframe(req.HandleId, req.Mid)
	return fw.info(id), nil
}

// StopRtpForward stops one of the extension's forwarders.
func (s *CoreService) StopRtpForward(_ context.Context, req *extpb.StopRtpForwardRequest) (*extpb.Empty, error) {
	s.g.fwds.mu.Lock()
	fw := s.g.fwds.byID[req.StreamId]
	if fw != nil && fw.ext == s.ext {
		delete(s.g.fwds.byID, req.StreamId)
	}
	s.g.fwds.mu.Unlock()
	if fw == nil || fw.ext != s.ext {
		return nil, status.Errorf(codes.NotFound, "no rtp forwarder %d", req.StreamId)
	}
	s.g.media.RemoveSink(fw.handle, fw.mid, sinkID(req.StreamId))
	_ = fw.fwd.Close()
	return &extpb.Empty{}, nil
}

// ListRtpForwards lists the extension's forwarders (of one handle, if given).
func (s *CoreService) ListRtpForwards(_ context.Context, req *extpb.ListRtpForwardsRequest) (*extpb.RtpForwarders, error) {
	out := &extpb.RtpForwarders{}
	s.g.fwds.mu.Lock()
	defer s.g.fwds.mu.Unlock()
	for id, fw := range s.g.fwds.byID {
		if fw.ext == s.ext && (req.HandleId == 0 || fw.handle == req.HandleId) {
			out.Forwarders = append(out.Forwarders, fw.info(id))
		}
	}
	return out, nil
}

// dropForwards forgets the forwarders of a handle whose peer is gone; the
// media engine has closed their sinks already.
func (g *Gateway) dropForwards(handle uint64) {
	g.fwds.mu.Lock()
	defer g.fwds.mu.Unlock()
	for id, fw := range g.fwds.byID {
		if fw.handle == handle {
			_ = fw.fwd.Close()
			delete(g.fwds.byID, id)
		}
	}
}

func (fw *forward) info(id uint32) *extpb.RtpForwarder {
	in, st := fw.fwd.Info(), fw.fwd.Stats()
	return &extpb.RtpForwarder{StreamId: id, HandleId: fw.handle, Mid: fw.mid, Host: in.Host, Port: uint32(in.Addr.Port),
		Ssrc: in.SSRC, PayloadType: int32(in.PayloadType), Srtp: in.SRTP, Packets: st.Packets, Bytes: st.Bytes}
}
