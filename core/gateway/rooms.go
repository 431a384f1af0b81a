package gateway

import (
	"context"
	"errors"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reprise-rtc/reprise/schema/extpb"
	"github.com/reprise-rtc/reprise/storage"
)

// ownsPackage reports whether the calling extension serves plugin.
func (s *CoreService) ownsPackage(plugin string) error {
	if p, ok := s.g.host.Get(s.ext); ok {
		if info := p.Info(); info != nil && slices.ContainsFunc(info.Packages, func(pp *extpb.PluginPackage) bool { return pp.Package == plugin }) {
			return nil
		}
	}
	return status.Errorf(codes.PermissionDenied, "extension %s does not serve %q", s.ext, plugin)
}

// PutRoom stores a room of one of the extension's packages.
func (s *CoreService) PutRoom(ctx context.Context, r *extpb.Room) (*extpb.Empty, error) {
	if err := s.ownsPackage(r.Plugin); err != nil {
		return nil, err
	}
	err := s.g.store.PutRoom(ctx, storage.Room{
		Plugin: r.Plugin, RoomID: r.RoomId, Description: r.Description, Secret: r.Secret,
		Pin: r.Pin, Permanent: r.Permanent, Settings: r.SettingsJson,
	})
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "put room: %v", err)
	}
	return &extpb.Empty{}, nil
}

// DeleteRoom removes a stored room; deleting a missing one is no error.
func (s *CoreService) DeleteRoom(ctx context.Context, k *extpb.RoomKey) (*extpb.Empty, error) {
	if err := s.ownsPackage(k.Plugin); err != nil {
		return nil, err
	}
	if err := s.g.store.DeleteRoom(ctx, k.Plugin, k.RoomId); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, status.Errorf(codes.Internal, "delete room: %v", err)
	}
	return &extpb.Empty{}, nil
}

// ListRooms returns the stored rooms of one of the extension's packages.
func (s *CoreService) ListRooms(ctx context.Context, req *extpb.ListRoomsRequest) (*extpb.Rooms, error) {
	if err := s.ownsPackage(req.Plugin); err != nil {
		return nil, err
	}
	rooms, err := s.g.store.ListRooms(ctx, req.Plugin)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "list rooms: %v", err)
	}
	out := &extpb.Rooms{}
	for _, r := range rooms {
		out.Rooms = append(out.Rooms, &extpb.Room{
			RoomId: r.RoomID, Description: r.Description, Secret: r.Secret, Pin: r.Pin,
			Permanent: r.Permanent, SettingsJson: r.Settings, Plugin: r.Plugin,
		})
	}
	return out, nil
}
