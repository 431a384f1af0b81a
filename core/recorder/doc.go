// Package recorder writes one RTP stream to a standard media file while it
// is being received, and keeps the recordings catalogue (package storage) in
// step with the file.
//
// A Track is a media-core sink: the source's reading goroutine hands it every
// packet through WriteRTP, which copies the packet into a pooled buffer and
// queues it for the track's own writer goroutine, dropping (and counting)
// rather than waiting when the queue is full. The writer goroutine puts the
// packets back in sequence order and groups them into frames with pion's
// samplebuilder (jitter.go says what is done around it), checks the frames,
// and passes only complete, well-formed frames to pion's container writers:
//
//	audio/opus           → .ogg  (pkg/media/oggwriter)
//	video/VP8, VP9, AV1  → .ivf  (pkg/media/ivfwriter)
//	video/H264           → .h264 Annex-B elementary stream (pkg/media/h264writer)
//
// A video file always starts on a keyframe. Until one arrives, and again
// after packet loss breaks the chain of frames, the track drops frames and
// NeedsKeyframe reports true so the caller can ask the publisher for one
// (PLI); Options.OnKeyframeNeeded is also called.
//
// Timestamps written to the file follow the RTP timestamps, so a pause in
// the stream (Opus DTX, a muted microphone) stays in the file as silence
// and audio and video of one recording last equally long.
//
// A killed gateway leaves usable files: every Ogg page and IVF frame is
// handed to the kernel as soon as it is complete, and each track stores its
// progress (packets, bytes, last timestamp, duration) in the catalogue every
// second. Repair, run at start-up, cuts off what a kill left half-written,
// fixes the IVF header's length and records the files' real durations.
package recorder
