package gateway

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/exthost"
	"github.com/reprise-rtc/reprise/core/janus"
	"github.com/reprise-rtc/reprise/core/media"
	"github.com/reprise-rtc/reprise/storage"
)

// extensionCallTimeout bounds every control call into an extension, so a
// wedged extension shows up as a Janus error instead of a hung request.
const extensionCallTimeout = 15 * time.Second

// Gateway is the backend behind the Janus API.
type Gateway struct {
	log   *slog.Logger
	store *storage.DB
	host  *exthost.Host
	media *media.Engine

	sinkMu sync.RWMutex
	sink   api.Sink

	mu      sync.RWMutex
	handles map[uint64]*handle

	queuesMu sync.Mutex
	queues   map[string]*eventQueue

	layersMu sync.Mutex
	layers   map[endpointKey]layerChoice

	reps replays

	recDir string
	recs   recordings
	fwds   forwards
}

// handle is the core's view of a Janus handle.
type handle struct {
	ref api.HandleRef
	ext string

	mu      sync.Mutex
	hasPeer bool
}

func (h *handle) setPeer(v bool) {
	h.mu.Lock()
	h.hasPeer = v
	h.mu.Unlock()
}

// New makes a Gateway; SetMedia, SetHost and SetSink complete it, because
// those parts need the Gateway themselves (as media.Events, exthost.Hooks,
// api.Backend).
func New(log *slog.Logger, store *storage.DB) *Gateway {
	return &Gateway{
		log: log, store: store,
		handles: map[uint64]*handle{},
		queues:  map[string]*eventQueue{},
		recs:    recordings{tracks: map[endpointKey]*recordingSink{}, open: map[string]int{}},
		fwds:    forwards{byID: map[uint32]*forward{}},
		layers:  map[endpointKey]layerChoice{},
		reps:    replays{byID: map[string]*replayRun{}, virtual: map[uint64]*replayRun{}},
	}
}

// SetMedia attaches the media engine.
func (g *Gateway) SetMedia(e *media.Engine) { g.media = e }

// SetHost attaches the extension host.
func (g *Gateway) SetHost(h *exthost.Host) { g.host = h }

// SetSink attaches the API layer's event sink.
func (g *Gateway) SetSink(s api.Sink) {
	g.sinkMu.Lock()
	g.sink = s
	g.sinkMu.Unlock()
}

// CoreFor builds the Core service an extension reaches (exthost.CoreFactory).
func (g *Gateway) CoreFor(ext string) *CoreService { return &CoreService{g: g, ext: ext} }

func (g *Gateway) notify(handleID uint64, msg janus.Message) {
	g.sinkMu.RLock()
	s := g.sink
	g.sinkMu.RUnlock()
	if s != nil {
		s.Notify(handleID, msg)
	}
}

func (g *Gateway) handleGone(handleID uint64) {
	g.sinkMu.RLock()
	s := g.sink
	g.sinkMu.RUnlock()
	if s != nil {
		s.HandleGone(handleID)
	}
}

func (g *Gateway) lookup(id uint64) *handle {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.handles[id]
}

// owned returns the handle if it belongs to ext.
func (g *Gateway) owned(ext string, id uint64) *handle {
	h := g.lookup(id)
	if h == nil || h.ext != ext {
		return nil
	}
	return h
}

func (g *Gateway) remove(id uint64) {
	g.mu.Lock()
	delete(g.handles, id)
	g.mu.Unlock()
}

func (g *Gateway) handlesOf(ext string) []*handle {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []*handle
	for _, h := range g.handles {
		if h.ext == ext {
			out = append(out, h)
		}
	}
	return out
}

func callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, extensionCallTimeout)
}
