package gateway

import (
	"context"
	"time"

	"github.com/reprise-rtc/reprise/core/media"
	"github.com/reprise-rtc/reprise/schema/extpb"
)

var _ media.TalkEvents = mediaEvents{}

// Talking reports a speaker starting or stopping to the handle's extension
// (the VideoRoom turns it into talking / stopped-talking events); clients
// hear of it only through the plugin, as in Janus.
func (m mediaEvents) Talking(handleID uint64, mid string, talking bool, level float64) {
	m.g.toExtension(handleID, &extpb.MediaEventRequest{HandleId: handleID, Event: &extpb.MediaEventRequest_Talking{
		Talking: &extpb.Talking{Mid: mid, Talking: talking, Level: level}}})
}

// SelectLayer picks the simulcast layer a destination mid receives.
func (s *CoreService) SelectLayer(_ context.Context, req *extpb.LayerRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.media.SelectLayer(req.HandleId, req.Mid, int(req.Substream), int(req.Temporal))
	return &extpb.Empty{}, nil
}

// SetTalkDetection turns audio-level talking detection on or off.
func (s *CoreService) SetTalkDetection(_ context.Context, req *extpb.TalkDetectionRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.media.SetTalkDetection(req.HandleId, req.Mid, int(req.ActivePackets), int(req.LevelAverage))
	return &extpb.Empty{}, nil
}

// SetKeyframeInterval asks a publisher for keyframes regularly (fir_freq).
func (s *CoreService) SetKeyframeInterval(_ context.Context, req *extpb.KeyframeIntervalRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	s.g.media.SetKeyframeInterval(req.HandleId, req.Mid, time.Duration(req.Seconds)*time.Second)
	return &extpb.Empty{}, nil
}
