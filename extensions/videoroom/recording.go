package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"

	"google.golang.org/grpc/codes"

	"github.com/reprise-rtc/reprise/extensions/sdk"
)

// setRecording starts or stops recording every stream of a publisher.
func (v *videoRoom) setRecording(ctx context.Context, r *room, pub *publisher, on bool, base string) *vrError {
	if pub.Virtual {
		return nil // a replay is a recording already
	}
	if !on {
		for _, st := range pub.Streams {
			if st.Type == "data" || st.Disabled {
				continue
			}
			if st.RecordPending {
				st.RecordPending = false
				continue
			}
			if _, err := v.core.StopRecording(ctx, pub.Handle, st.MID); err != nil {
				slog.Warn("stop recording", "handle", pub.Handle, "mid", st.MID, "err", err)
			}
		}
		pub.Recording = false
		v.dirty.pubs[pub.Handle] = true
		return nil
	}
	if base == "" {
		base = fmt.Sprintf("videoroom-%d-user-%d", r.Room, pub.ID)
	}
	pub.RecordBase = base
	pub.RecordingID = v.roomRecordingID(r)
	if pub.RecordingID == "" {
		pub.RecordingID = newRecordingID()
	}
	for _, st := range pub.Streams {
		if st.Type == "data" || st.Disabled {
			continue
		}
		if e := v.recordStream(ctx, r, pub, st); e != nil {
			return e
		}
	}
	pub.Recording = true
	v.dirty.pubs[pub.Handle] = true
	return nil
}

// recordStream starts recording one stream, or leaves it pending when the
// core has no media for it yet (Janus records from the first packet).
func (v *videoRoom) recordStream(ctx context.Context, r *room, pub *publisher, st *pubStream) *vrError {
	_, err := v.core.StartRecording(ctx, pub.Handle, st.MID, sdk.RecordingOptions{
		Dir: r.RecDir, Filename: fmt.Sprintf("%s-%s-%s", pub.RecordBase, st.Type, st.MID), RoomID: r.Room, RecordingID: pub.RecordingID,
		ParticipantID: fmt.Sprint(pub.ID), Display: pub.Display})
	switch {
	case err == nil:
		st.RecordPending = false
	case hasCode(err, codes.Unavailable):
		st.RecordPending = true
	default:
		slog.Warn("start recording", "handle", pub.Handle, "mid", st.MID, "err", err)
		return coreFeatureError("Recording", err)
	}
	v.dirty.pubs[pub.Handle] = true
	return nil
}

// roomRecordingID is the recording the room's publishers are recorded into
// while it records ("record": true), made when first needed; "" otherwise.
func (v *videoRoom) roomRecordingID(r *room) string {
	if !r.Record {
		return ""
	}
	if r.RecordingID == "" {
		r.RecordingID = newRecordingID()
		v.dirty.rooms[r.Room] = true
	}
	return r.RecordingID
}

func newRecordingID() string { return fmt.Sprintf("%016x", rand.Uint64()) }
