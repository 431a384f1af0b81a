// Package recordplay tests the janus.plugin.recordplay extension end to end:
// the real gateway binary (make build), a Janus client over WebSocket and
// pion peers on 127.0.0.1 that record ffmpeg-made VP8 and Opus and play the
// recording back.
package recordplay
