// Package replay plays recorded track files (as written by core/recorder)
// into media-core virtual sources, so subscribers receive a recording as
// if its publisher were live.
//
// A Player reads one file with pion's container readers (.ogg Opus via
// oggreader, .ivf VP8/VP9/AV1 via ivfreader, .h264 Annex-B via h264reader),
// packetizes each frame with pion's RTP payloaders, and sends the packets
// when the frame is due: at the shared start time, plus the track's offset
// in the recording, plus the frame's position in the file (Ogg granule
// position, IVF presentation time, or frame count over the frame rate for
// H.264, whose elementary stream carries no times). A Session starts the
// players of one recording on one clock, so audio and video stay in sync.
package replay
