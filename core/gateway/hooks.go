package gateway

import (
	"context"

	"github.com/reprise-rtc/reprise/core/exthost"
	"github.com/reprise-rtc/reprise/schema/extpb"
)

var _ exthost.Hooks = (*Gateway)(nil)

// Handles lists an extension's live handles for its Init after a restart.
func (g *Gateway) Handles(ext string) []*extpb.HandleState {
	hs := g.handlesOf(ext)
	out := make([]*extpb.HandleState, 0, len(hs))
	for _, h := range hs {
		out = append(out, stateOf(h))
	}
	return out
}

// Down is called when an extension process dies. An extension that does
// not keep handles loses them: their peers are hung up and the clients get
// "hangup" and "detached", as Janus tells clients of a handle that is gone.
func (g *Gateway) Down(ext string, keepsHandles bool) {
	if keepsHandles {
		return
	}
	for _, h := range g.handlesOf(ext) {
		id := h.ref.HandleID
		g.resetPeer(h)
		g.media.Hangup(id, "Extension crashed")
		g.remove(id)
		g.handleGone(id)
	}
}

// Up is called when an extension is running again.
func (g *Gateway) Up(ext string, info *extpb.InfoResponse, pid int) {
	g.log.Info("extension serving", "extension", ext, "pid", pid, "packages", len(info.Packages))
	// The registry shows what the running binary says of itself.
	ctx := context.Background()
	e, err := g.store.Extension(ctx, ext)
	if err != nil {
		return
	}
	e.Version, e.Packages = info.Version, nil
	for _, p := range info.Packages {
		e.Packages = append(e.Packages, p.Package)
	}
	if err := g.store.UpsertExtension(ctx, e); err != nil {
		g.log.Warn("update extension registry", "extension", ext, "err", err)
	}
}
