package main

import (
	"context"
	"log/slog"
	"slices"
)

// What the core does for a publisher's media: REMB caps, keyframe
// requests, talk detection, closing its PeerConnection.

func (v *videoRoom) hangup(ctx context.Context, handle uint64) {
	if v.isVirtual(handle) {
		return
	}
	if err := v.core.Hangup(ctx, handle, "Close PC"); err != nil {
		slog.Debug("hang up", "handle", handle, "err", err)
	}
}

func (v *videoRoom) keyframe(ctx context.Context, pub *publisher, st *pubStream) {
	if pub.Virtual {
		return
	}
	if err := v.core.RequestKeyframe(ctx, pub.Handle, st.MID); err != nil {
		slog.Warn("keyframe request", "handle", pub.Handle, "mid", st.MID, "err", err)
	}
}

// applyBitrate caps the publisher with REMB: its own value or the room's.
func (v *videoRoom) applyBitrate(ctx context.Context, r *room, pub *publisher) {
	if pub.Virtual {
		return // nothing to send REMB to
	}
	b := pub.Bitrate
	if b == 0 {
		b = r.Bitrate
	}
	if err := v.core.SetBitrate(ctx, pub.Handle, b); err != nil {
		slog.Warn("set bitrate", "handle", pub.Handle, "err", err)
	}
}

func (v *videoRoom) currentBitrate(r *room, pub *publisher) uint32 {
	if pub != nil && pub.Bitrate > 0 {
		return pub.Bitrate
	}
	return r.Bitrate
}

// applyKeyframeInterval asks the core for regular keyframe requests (fir_freq).
func (v *videoRoom) applyKeyframeInterval(ctx context.Context, r *room, pub *publisher) {
	if !pub.Published || pub.Virtual {
		return
	}
	for _, st := range pub.Streams {
		if st.Type != "video" || st.Disabled {
			continue
		}
		if err := v.core.SetKeyframeInterval(ctx, pub.Handle, st.MID, r.FirFreq); err != nil {
			if isUnimplemented(err) && r.FirFreq == 0 {
				continue
			}
			slog.Warn("keyframe interval", "handle", pub.Handle, "mid", st.MID, "err", err)
		}
	}
}

// applyTalkDetection turns the core's audio-level detection on for rooms
// that send talking events.
func (v *videoRoom) applyTalkDetection(ctx context.Context, r *room, pub *publisher) {
	if !r.AudioLevelEvent || !pub.AudioLevel || pub.Virtual {
		return
	}
	for _, st := range pub.Streams {
		if st.Type != "audio" || st.Disabled {
			continue
		}
		packets, average := r.AudioActivePackets, r.AudioLevelAverage
		if pub.AudioActivePackets > 0 {
			packets = pub.AudioActivePackets
		}
		if pub.AudioLevelAverage > 0 {
			average = pub.AudioLevelAverage
		}
		if err := v.core.SetTalkDetection(ctx, pub.Handle, st.MID, packets, average); err != nil {
			slog.Warn("talk detection", "handle", pub.Handle, "mid", st.MID, "err", err)
		}
	}
}

func sortedParticipants(r *room) []*publisher {
	out := make([]*publisher, 0, len(r.participants))
	for _, p := range r.participants {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *publisher) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}
