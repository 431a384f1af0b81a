package media

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// sourceOptions are per-stream settings an extension may give before the
// stream exists (typically right after answering a publisher's offer, while
// its tracks have not arrived yet). They are kept by endpoint and applied
// when the source appears, and dropped with the handle.
type sourceOptions struct {
	talk          uint64 // packed talk detection config, 0 = off
	keyframeEvery time.Duration
	sinkLayer     int // -1 = highest
}

func defaultSourceOptions() sourceOptions { return sourceOptions{sinkLayer: -1} }

// updateOptions changes the stored options of (handle, mid) and applies
// them to the live source, if any.
func (e *Engine) updateOptions(handleID uint64, mid string, change func(*sourceOptions)) {
	ep := endpoint{handleID, mid}
	e.mu.Lock()
	o, ok := e.opts[ep]
	if !ok {
		o = defaultSourceOptions()
	}
	change(&o)
	e.opts[ep] = o
	e.mu.Unlock()
	if s := e.findSource(ep); s != nil {
		o.applyTo(s)
	}
}

func (o sourceOptions) applyTo(s *source) {
	s.talk.cfg.Store(o.talk)
	s.keyframeEvery.Store(int64(o.keyframeEvery))
	s.sinkLayer.Store(int32(o.sinkLayer))
}

// optionsFor returns the stored options of an endpoint.
func (e *Engine) optionsFor(ep endpoint) sourceOptions {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if o, ok := e.opts[ep]; ok {
		return o
	}
	return defaultSourceOptions()
}

// dropOptions forgets the options of every stream of a handle.
func (e *Engine) dropOptions(handleID uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ep := range e.opts {
		if ep.handle == handleID {
			delete(e.opts, ep)
		}
	}
}

// SetTalkDetection turns on talk detection for the audio stream (srcHandle,
// srcMid) with Janus VideoRoom's audio_active_packets and
// audio_level_average semantics: every activePackets packets carrying the
// ssrc-audio-level extension, their average level (0 loudest .. 127
// silence) below levelAverage means talking. Changes of state are reported
// through TalkEvents.Talking, if the engine's Events implements it.
// activePackets <= 0 disables it; levelAverage 0 with activePackets > 0
// takes the Janus default (25). The stream need not exist yet.
func (e *Engine) SetTalkDetection(srcHandle uint64, srcMid string, activePackets, levelAverage int) {
	if activePackets > 0 && levelAverage == 0 {
		levelAverage = DefaultTalkLevel
	}
	e.updateOptions(srcHandle, srcMid, func(o *sourceOptions) {
		o.talk = packTalk(activePackets, levelAverage)
	})
}

// SetKeyframeInterval makes the engine ask the publisher of (srcHandle,
// mid) for a keyframe (PLI, every simulcast layer) every interval, like
// Janus VideoRoom's fir_freq. 0 turns it off. The stream need not exist yet.
func (e *Engine) SetKeyframeInterval(srcHandle uint64, mid string, interval time.Duration) {
	if interval < 0 {
		interval = 0
	}
	e.updateOptions(srcHandle, mid, func(o *sourceOptions) { o.keyframeEvery = interval })
}

// SelectSinkLayer chooses which simulcast layer of (srcHandle, srcMid) its
// sinks receive, unless a sink has a layer of its own
// (SelectSinkLayerFor): 0 = lowest; -1 (the default) = the highest
// announced. Sinks see that layer's packets unmodified, so a change shows
// up to them as a new SSRC. The stream need not exist yet.
func (e *Engine) SelectSinkLayer(srcHandle uint64, srcMid string, substream int) {
	if substream < -1 {
		substream = -1
	}
	e.updateOptions(srcHandle, srcMid, func(o *sourceOptions) { o.sinkLayer = substream })
}

// SelectLayer chooses what the destination m-line (dstHandle, dstMid)
// receives from a layered source. substream picks the simulcast encoding
// (0 = lowest .. 2 = highest; clamped to what the publisher sends), or the
// spatial layer of a VP9 SVC stream; temporal caps the temporal layer
// (VP8 TID, VP9 TID), -1 meaning all. A new destination gets the highest
// substream and all temporal layers. Substream switches happen on a key
// frame of the new layer (requested with a PLI); temporal ones at the next
// picture where the decoder can follow. The destination's sequence numbers,
// timestamps and VP8 picture IDs stay continuous. If the wanted substream
// stops arriving, the destination falls back to the best one flowing and
// returns when it is back.
func (e *Engine) SelectLayer(dstHandle uint64, dstMid string, substream, temporal int) {
	if d := e.findDown(endpoint{dstHandle, dstMid}); d != nil {
		d.selectLayer(substream, temporal)
	}
}

// periodicKeyframes sends the fir_freq keyframe requests that are due.
// Monitor goroutine only.
func periodicKeyframes(sources []*source, now int64) {
	for _, s := range sources {
		every := s.keyframeEvery.Load()
		if every <= 0 || s.kind != webrtc.RTPCodecTypeVideo {
			continue
		}
		if s.lastPeriodicKF != 0 && now-s.lastPeriodicKF < every {
			continue
		}
		if s.lastPeriodicKF == 0 {
			// The first period starts now, not at the epoch.
			s.lastPeriodicKF = now
			continue
		}
		s.lastPeriodicKF = now
		s.requestKeyframe()
	}
}
