package sdk

import (
	"context"
	"fmt"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// SelectLayer picks the simulcast substream / temporal layer (and VP9
// spatial layer) a destination mid receives; -1 leaves a value unchanged.
func (c *Core) SelectLayer(ctx context.Context, handle uint64, mid string, substream, temporal, spatial int) error {
	_, err := c.c.SelectLayer(ctx, &extpb.LayerRequest{HandleId: handle, Mid: mid,
		Substream: int32(substream), Temporal: int32(temporal), Spatial: int32(spatial)})
	if err != nil {
		return fmt.Errorf("select layer %d/%s: %w", handle, mid, err)
	}
	return nil
}

// SetTalkDetection turns talking events on for a received audio mid
// (activePackets 0 turns them off).
func (c *Core) SetTalkDetection(ctx context.Context, handle uint64, mid string, activePackets, levelAverage int) error {
	_, err := c.c.SetTalkDetection(ctx, &extpb.TalkDetectionRequest{HandleId: handle, Mid: mid,
		ActivePackets: uint32(activePackets), LevelAverage: uint32(levelAverage)})
	if err != nil {
		return fmt.Errorf("talk detection %d/%s: %w", handle, mid, err)
	}
	return nil
}

// SetKeyframeInterval asks a publisher for a keyframe every seconds (0: off).
func (c *Core) SetKeyframeInterval(ctx context.Context, handle uint64, mid string, seconds int) error {
	_, err := c.c.SetKeyframeInterval(ctx, &extpb.KeyframeIntervalRequest{HandleId: handle, Mid: mid, Seconds: uint32(seconds)})
	if err != nil {
		return fmt.Errorf("keyframe interval %d/%s: %w", handle, mid, err)
	}
	return nil
}

// RecordingOptions say where and under which catalogue entry a stream is recorded.
type RecordingOptions struct {
	Dir           string
	Filename      string // base name, no extension
	RecordingID   string // groups the tracks of one room recording
	RoomID        uint64
	ParticipantID string
	Display       string
}

// RecordingTrack is a file the core writes or has written.
type RecordingTrack struct {
	ID         string
	Path       string
	Codec      string
	Packets    uint64
	Bytes      uint64
	DurationMS uint64
}

// StartRecording records a handle's received mid to a file.
func (c *Core) StartRecording(ctx context.Context, handle uint64, mid string, o RecordingOptions) (*RecordingTrack, error) {
	r, err := c.c.StartRecording(ctx, &extpb.StartRecordingRequest{HandleId: handle, Mid: mid, Dir: o.Dir,
		Filename: o.Filename, RecordingId: o.RecordingID, RoomId: o.RoomID, ParticipantId: o.ParticipantID, Display: o.Display})
	if err != nil {
		return nil, fmt.Errorf("start recording %d/%s: %w", handle, mid, err)
	}
	return recordingFrom(r), nil
}

// StopRecording closes a recording started by StartRecording.
func (c *Core) StopRecording(ctx context.Context, handle uint64, mid string) (*RecordingTrack, error) {
	r, err := c.c.StopRecording(ctx, &extpb.StopRecordingRequest{HandleId: handle, Mid: mid})
	if err != nil {
		return nil, fmt.Errorf("stop recording %d/%s: %w", handle, mid, err)
	}
	return recordingFrom(r), nil
}

func recordingFrom(r *extpb.RecordingTrack) *RecordingTrack {
	return &RecordingTrack{ID: r.Id, Path: r.Path, Codec: r.Codec, Packets: r.Packets, Bytes: r.Bytes, DurationMS: r.DurationMs}
}

// RtpForward describes a forwarder of a received mid (or the data channel)
// to a UDP host:port, as VideoRoom's rtp_forward does.
type RtpForward struct {
	StreamID    uint32
	Handle      uint64
	MID         string
	Data        bool
	Host        string
	Port        int
	SSRC        uint32
	PayloadType int // -1 keeps the original
	SRTPSuite   int // 0, 32 or 80
	SRTPCrypto  string
	Substream   int
	Packets     uint64
	Bytes       uint64
}

// StartRtpForward starts forwarding; the returned StreamID stops it.
func (c *Core) StartRtpForward(ctx context.Context, f RtpForward) (*RtpForward, error) {
	r, err := c.c.StartRtpForward(ctx, &extpb.RtpForwardRequest{HandleId: f.Handle, Mid: f.MID, Data: f.Data,
		Host: f.Host, Port: uint32(f.Port), Ssrc: f.SSRC, PayloadType: int32(f.PayloadType),
		SrtpSuite: uint32(f.SRTPSuite), SrtpCrypto: f.SRTPCrypto, Substream: uint32(f.Substream)})
	if err != nil {
		return nil, fmt.Errorf("rtp forward %d/%s to %s:%d: %w", f.Handle, f.MID, f.Host, f.Port, err)
	}
	out := forwardFrom(r)
	return &out, nil
}

// StopRtpForward stops a forwarder.
func (c *Core) StopRtpForward(ctx context.Context, streamID uint32) error {
	if _, err := c.c.StopRtpForward(ctx, &extpb.StopRtpForwardRequest{StreamId: streamID}); err != nil {
		return fmt.Errorf("stop rtp forward %d: %w", streamID, err)
	}
	return nil
}

// ListRtpForwards lists the forwarders of a handle (0: all of the extension's).
func (c *Core) ListRtpForwards(ctx context.Context, handle uint64) ([]RtpForward, error) {
	r, err := c.c.ListRtpForwards(ctx, &extpb.ListRtpForwardsRequest{HandleId: handle})
	if err != nil {
		return nil, fmt.Errorf("list rtp forwards: %w", err)
	}
	out := make([]RtpForward, 0, len(r.Forwarders))
	for _, f := range r.Forwarders {
		out = append(out, forwardFrom(f))
	}
	return out, nil
}

func forwardFrom(r *extpb.RtpForwarder) RtpForward {
	return RtpForward{StreamID: r.StreamId, Handle: r.HandleId, MID: r.Mid, Data: r.Data, Host: r.Host, Port: int(r.Port),
		SSRC: r.Ssrc, PayloadType: int(r.PayloadType), Packets: r.Packets, Bytes: r.Bytes}
}
