package sdk

import "context"

// Extension is implemented by every extension. Calls for one handle may
// arrive concurrently with calls for others; the core serialises media
// events but not messages.
type Extension interface {
	Info() Info
	// Init is called once per process start, before any handle call.
	Init(ctx context.Context, core *Core, st InitState) error
	CreateHandle(ctx context.Context, h Handle) error
	DestroyHandle(ctx context.Context, h Handle)
	HandleMessage(ctx context.Context, h Handle, msg Message) Result
	MediaEvent(ctx context.Context, ev MediaEvent)
}

// AdminMessenger is implemented by extensions that answer the admin API's
// "message_plugin" request.
type AdminMessenger interface {
	AdminMessage(ctx context.Context, body []byte) (any, error)
}

// HandleQuerier is implemented by extensions that add plugin-specific state
// to the admin API's handle_info ("plugin_specific").
type HandleQuerier interface {
	QueryHandle(ctx context.Context, h Handle) any
}
