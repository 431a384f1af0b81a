package media

import (
	"errors"
	"fmt"
)

// AddSink attaches s to the incoming stream (srcHandle, srcMid) under id.
// The stream need not exist yet: the sink is attached when it arrives.
// The sink then gets every packet of the stream as received (original
// SSRC, sequence number and timestamp, padding included), of the layer
// chosen by SelectSinkLayer for simulcast (the highest by default). A sink
// already registered under the same id on that stream is replaced and
// closed. Sinks are closed by RemoveSink, by Hangup of the source handle,
// when the stream ends, and by Engine.Close.
func (e *Engine) AddSink(srcHandle uint64, srcMid, id string, s Sink) error {
	if s == nil {
		return errors.New("add sink: nil sink")
	}
	if srcMid == "" {
		return fmt.Errorf("add sink %q: %w: empty mid", id, ErrBadRoute)
	}
	if e.isClosed() {
		return ErrClosed
	}
	if old := e.router.addSink(endpoint{srcHandle, srcMid}, id, s); old != nil {
		if err := old.close(); err != nil {
			e.log.Warn("close replaced sink", "handle", srcHandle, "mid", srcMid, "sink", id, "err", err)
		}
	}
	return nil
}

// RemoveSink detaches the sink id from (srcHandle, srcMid) and closes it.
// Once it returns, the sink gets no more packets. Unknown ids are ignored.
func (e *Engine) RemoveSink(srcHandle uint64, srcMid, id string) {
	k := e.router.removeSink(endpoint{srcHandle, srcMid}, id)
	if k == nil {
		return
	}
	if err := k.close(); err != nil {
		e.log.Warn("close sink", "handle", srcHandle, "mid", srcMid, "sink", id, "err", err)
	}
}

// SourceInfo describes the incoming stream (srcHandle, srcMid): its kind
// and negotiated codec (MIME type, clock rate, channels, fmtp, payload
// type). ok is false while the stream has not arrived.
func (e *Engine) SourceInfo(srcHandle uint64, srcMid string) (StreamInfo, bool) {
	s := e.findSource(endpoint{srcHandle, srcMid})
	if s == nil {
		return StreamInfo{}, false
	}
	return s.info(), true
}

// SelectSinkLayerFor gives the sink id on (srcHandle, srcMid) a simulcast
// layer of its own (0 = lowest; clamped to what the publisher sends),
// regardless of the stream's default set by SelectSinkLayer; substream -1
// makes it follow that default again. Janus RTP forwarders pick their
// substream this way, each on its own. It reports whether the sink exists.
func (e *Engine) SelectSinkLayerFor(srcHandle uint64, srcMid, id string, substream int) bool {
	k := e.router.findSink(endpoint{srcHandle, srcMid}, id)
	if k == nil {
		return false
	}
	if substream < 0 {
		substream = sinkFollowsStream
	}
	k.layer.Store(int32(substream))
	return true
}
