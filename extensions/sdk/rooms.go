package sdk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// Room is a room an extension persists in the gateway's catalogue, so
// permanent rooms survive restarts of the extension and of the gateway.
type Room struct {
	Plugin      string // one of the extension's packages
	ID          uint64
	Description string
	Secret      string
	Pin         string
	Permanent   bool
	Settings    json.RawMessage
}

// PutRoom creates or replaces a stored room.
func (c *Core) PutRoom(ctx context.Context, r Room) error {
	_, err := c.c.PutRoom(ctx, &extpb.Room{Plugin: r.Plugin, RoomId: r.ID, Description: r.Description,
		Secret: r.Secret, Pin: r.Pin, Permanent: r.Permanent, SettingsJson: r.Settings})
	if err != nil {
		return fmt.Errorf("put room %d: %w", r.ID, err)
	}
	return nil
}

// DeleteRoom removes a stored room.
func (c *Core) DeleteRoom(ctx context.Context, plugin string, id uint64) error {
	if _, err := c.c.DeleteRoom(ctx, &extpb.RoomKey{Plugin: plugin, RoomId: id}); err != nil {
		return fmt.Errorf("delete room %d: %w", id, err)
	}
	return nil
}

// ListRooms returns the stored rooms of a package.
func (c *Core) ListRooms(ctx context.Context, plugin string) ([]Room, error) {
	r, err := c.c.ListRooms(ctx, &extpb.ListRoomsRequest{Plugin: plugin})
	if err != nil {
		return nil, fmt.Errorf("list rooms: %w", err)
	}
	out := make([]Room, 0, len(r.Rooms))
	for _, x := range r.Rooms {
		out = append(out, Room{Plugin: x.Plugin, ID: x.RoomId, Description: x.Description, Secret: x.Secret,
			Pin: x.Pin, Permanent: x.Permanent, Settings: x.SettingsJson})
	}
	return out, nil
}
