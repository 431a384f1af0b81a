package sdk

import (
	"context"
	"fmt"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// VirtualFeed is a recorded participant played back into a room: a
// publisher without a client. Offer its streams to subscribers with
// OfferStream.SourceHandle = Handle and SourceMID = the stream's MID, and
// Route them like any publisher's.
type VirtualFeed struct {
	Handle        uint64
	ParticipantID string
	Display       string
	Streams       []Stream
}

// Replay is a running replay of a recording.
type Replay struct {
	ID    string
	Feeds []VirtualFeed
}

// StartReplay plays a recording into a room of plugin; the extension
// serving that plugin gets FeedAdded events for the feeds (and FeedRemoved
// as they end), the caller a ReplayEnded event when it is over.
func (c *Core) StartReplay(ctx context.Context, recordingID, plugin string, roomID uint64, loop bool) (*Replay, error) {
	r, err := c.c.StartReplay(ctx, &extpb.StartReplayRequest{RecordingId: recordingID, Plugin: plugin, RoomId: roomID, Loop: loop})
	if err != nil {
		return nil, fmt.Errorf("start replay of %q: %w", recordingID, err)
	}
	out := &Replay{ID: r.ReplayId}
	for _, f := range r.Feeds {
		out.Feeds = append(out.Feeds, feedOf(f))
	}
	return out, nil
}

// PauseReplay pauses a replay; ResumeReplay continues it in sync.
func (c *Core) PauseReplay(ctx context.Context, id string) error {
	if _, err := c.c.PauseReplay(ctx, &extpb.ReplayKey{ReplayId: id}); err != nil {
		return fmt.Errorf("pause replay %q: %w", id, err)
	}
	return nil
}

// ResumeReplay continues a paused replay.
func (c *Core) ResumeReplay(ctx context.Context, id string) error {
	if _, err := c.c.ResumeReplay(ctx, &extpb.ReplayKey{ReplayId: id}); err != nil {
		return fmt.Errorf("resume replay %q: %w", id, err)
	}
	return nil
}

// StopReplay ends a replay; its feeds are removed.
func (c *Core) StopReplay(ctx context.Context, id string) error {
	if _, err := c.c.StopReplay(ctx, &extpb.ReplayKey{ReplayId: id}); err != nil {
		return fmt.Errorf("stop replay %q: %w", id, err)
	}
	return nil
}

func feedOf(f *extpb.VirtualFeed) VirtualFeed {
	if f == nil {
		return VirtualFeed{}
	}
	out := VirtualFeed{Handle: f.FeedHandleId, ParticipantID: f.ParticipantId, Display: f.Display}
	for _, s := range f.Streams {
		out.Streams = append(out.Streams, Stream{MID: s.Mid, Kind: s.Kind, Codec: s.Codec, MIndex: int(s.Mindex), Fmtp: s.Fmtp})
	}
	return out
}
