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

// SelectLayer picks the simulcast layer (or VP9 SVC spatial layer) a
// destination mid receives.
func (s *CoreService) SelectLayer(_ context.Context, req *extpb.LayerRequest) (*extpb.Empty, error) {
	if _, err := s.handle(req.HandleId); err != nil {
		return nil, err
	}
	layer := int(req.Substream)
	if layer < 0 && req.Spatial >= 0 {
		layer = int(req.Spatial) // on a VP9 SVC stream the media core's layer is the spatial one
	}
	// -1 leaves a value as it was (Janus's configure changes only what it
	// names); the media core reads -1 differently, so resolve it here.
	key := endpointKey{req.HandleId, req.Mid}
	s.g.layersMu.Lock()
	cur, ok := s.g.layers[key]
	if !ok {
		cur = layerChoice{substream: 2, temporal: -1} // the media core's default: best layer, all temporal
	}
	if layer >= 0 {
		cur.substream = layer
	}
	if req.Temporal >= 0 {
		cur.temporal = int(req.Temporal)
	}
	s.g.layers[key] = cur
	s.g.layersMu.Unlock()
	s.g.media.SelectLayer(req.HandleId, req.Mid, cur.substream, cur.temporal)
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

// layerChoice is what a destination mid last asked to receive.
type layerChoice struct{ substream, temporal int }

// forgetLayers drops the layer choices of a handle whose peer is gone.
func (g *Gateway) forgetLayers(handle uint64) {
	g.layersMu.Lock()
	defer g.layersMu.Unlock()
	for k := range g.layers {
		if k.handle == handle {
			delete(g.layers, k)
		}
	}
}
