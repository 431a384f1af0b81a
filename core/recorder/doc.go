// Package recorder writes one RTP stream to a standard media file while it
// is being received, and keeps the recordings catalogue (package storage) in
// step with the file.
//
// A Track is a media-core sink: the source's reading goroutine hands it every
// packet through WriteRTP, which copies the packet into a pooled buffer and
// queues it for the track's own writer goroutine, dropping (and counting)
// rather than waiting when the queue is full. The writer goroutine puts the
// packets back in sequence order, assembles video frames, and passes only
// complete, well-formed frames to pion's container writers:
//
//	audio/opus           → .ogg  (pkg/media/oggwriter)
//	video/VP8, VP9, AV1  → .ivf  (pkg/media/ivfwriter)
//	video/H264           → .h264 Annex-B elementary stream (pkg/media/h264writer)
//
// A video file always starts on a keyframe. Until one arrives, and again
// after packet loss breaks the chain of frames, the track drops frames and
// NeedsKeyframe reports true so the caller can ask the publisher for one
// (PLI); Options.OnKeyframeNeeded is also called.
package recorder
