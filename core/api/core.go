package api

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reprise-rtc/reprise/core/janus"
)

// Core is the Janus core: sessions, handles, auth, and the dispatch of
// Janus API and Admin API requests. It is safe for concurrent use. No lock
// is held while the Backend is called.
type Core struct {
	cfg   Config
	log   *slog.Logger
	start time.Time

	backend atomic.Pointer[backendRef]
	tokens  tokenStore

	mu         sync.Mutex
	sessions   map[uint64]*session
	handles    map[uint64]*handle // every handle, for the Sink
	byOwner    map[Transport]map[uint64]*session
	transports []TransportInfo

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

type backendRef struct{ b Backend }

var _ Sink = (*Core)(nil)

// New starts a Core. backend may be nil and set later with SetBackend (the
// backend usually needs the Core as its Sink first). logger nil means
// slog.Default(). Close stops the session-timeout watchdog.
func New(cfg Config, backend Backend, logger *slog.Logger) *Core {
	if logger == nil {
		logger = slog.Default()
	}
	c := &Core{
		cfg:      cfg.withDefaults(),
		log:      logger,
		start:    time.Now(),
		sessions: make(map[uint64]*session),
		handles:  make(map[uint64]*handle),
		byOwner:  make(map[Transport]map[uint64]*session),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	c.tokens.init()
	if backend != nil {
		c.SetBackend(backend)
	}
	go c.watchdog()
	return c
}

// SetBackend sets or replaces the Backend.
func (c *Core) SetBackend(b Backend) { c.backend.Store(&backendRef{b: b}) }

// Config returns the configuration in force (defaults applied).
func (c *Core) Config() Config { return c.cfg }

// RegisterTransport lists a transport in server_info. Transports call it
// when they are mounted.
func (c *Core) RegisterTransport(info TransportInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range c.transports {
		if t.Package == info.Package {
			c.transports[i] = info
			return
		}
	}
	c.transports = append(c.transports, info)
}

// Close stops the watchdog and destroys every session (handles are
// detached through the Backend).
func (c *Core) Close() {
	c.stopOnce.Do(func() {
		close(c.stop)
		<-c.done
		c.mu.Lock()
		ids := make([]uint64, 0, len(c.sessions))
		for id := range c.sessions {
			ids = append(ids, id)
		}
		c.mu.Unlock()
		for _, id := range ids {
			c.destroySession(id, nil)
		}
	})
}

// now is the core's monotonic clock in microseconds, the unit of Janus's
// admin timestamps.
func (c *Core) now() int64 { return time.Since(c.start).Microseconds() }

var errNoBackend = janus.Errorf(janus.ErrUnknown, "Backend not ready")

func (c *Core) getBackend() (Backend, *janus.Error) {
	ref := c.backend.Load()
	if ref == nil || ref.b == nil {
		return nil, errNoBackend
	}
	return ref.b, nil
}

// asJanusError maps a Backend error to the Janus error sent to the client:
// a *janus.Error passes through, anything else becomes code with prefix
// and the error's text as the reason.
func asJanusError(err error, code int, prefix string) *janus.Error {
	var je *janus.Error
	if errors.As(err, &je) {
		return je
	}
	return janus.Errorf(code, "%s%v", prefix, err)
}

// backendCtx keeps backend work alive when the client goes away mid-request:
// a half-done attach or detach would otherwise leak state in the backend.
func backendCtx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// touch records activity on a session.
func (c *Core) touch(s *session) { s.lastActivity.Store(c.now()) }

// TouchOwned records activity on sessionID if it exists and is owned by t
// (the HTTP long poll). It reports whether it did.
func (c *Core) TouchOwned(sessionID uint64, t Transport) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[sessionID]
	if s == nil || s.owner != t {
		return false
	}
	c.touch(s)
	return true
}

// setOwnerLocked moves s to owner t, releasing it from its previous owner.
func (c *Core) setOwnerLocked(s *session, t Transport) {
	if s.owner == t {
		return
	}
	if s.owner != nil {
		if set := c.byOwner[s.owner]; set != nil {
			delete(set, s.id)
			if len(set) == 0 {
				delete(c.byOwner, s.owner)
			}
		}
		s.owner.Release(s.id)
	}
	s.owner = t
	if t != nil {
		set := c.byOwner[t]
		if set == nil {
			set = make(map[uint64]*session)
			c.byOwner[t] = set
		}
		set[s.id] = s
	}
}

// removeSessionLocked unlinks s and all its handles and returns the
// handles that the backend must detach.
func (c *Core) removeSessionLocked(s *session) []HandleRef {
	delete(c.sessions, s.id)
	c.setOwnerLocked(s, nil)
	var refs []HandleRef
	for id, h := range s.handles {
		delete(c.handles, id)
		// Attaching handles are detached by the attach path when it sees the
		// handle gone; detaching ones are already on their way out.
		if h.state == handleReady {
			refs = append(refs, h.ref)
		}
	}
	s.handles = nil
	return refs
}

// unlinkSession removes a session and returns the handles the backend must
// detach. guard, when not nil, runs under the lock first and may veto the
// removal (the session was claimed or became active meanwhile) or deliver a
// last event before the owner is released.
func (c *Core) unlinkSession(id uint64, guard func(s *session) bool) ([]HandleRef, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[id]
	if s == nil || (guard != nil && !guard(s)) {
		return nil, false
	}
	return c.removeSessionLocked(s), true
}

// destroySession removes a session and detaches its handles.
func (c *Core) destroySession(id uint64, guard func(s *session) bool) bool {
	refs, ok := c.unlinkSession(id, guard)
	c.detachAll(refs)
	return ok
}

func (c *Core) detachAll(refs []HandleRef) {
	if len(refs) == 0 {
		return
	}
	b, jerr := c.getBackend()
	if jerr != nil {
		return
	}
	for _, ref := range refs {
		if err := b.Detach(context.Background(), ref); err != nil {
			c.log.Warn("detaching handle of a closed session", "session", ref.SessionID, "handle", ref.HandleID, "err", err)
		}
	}
}

// TransportClosed destroys every session owned by t: a WebSocket
// connection went away (Janus with reclaim_session_timeout 0).
func (c *Core) TransportClosed(t Transport) {
	c.mu.Lock()
	set := c.byOwner[t]
	ids := make([]uint64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	for _, id := range ids {
		c.log.Debug("destroying session of closed transport", "session", id, "transport", t.Name())
		c.destroySession(id, func(s *session) bool { return s.owner == t })
	}
}

// SessionCount is the number of live sessions.
func (c *Core) SessionCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sessions)
}

// OwnedBy reports whether sessionID exists and is owned by t, without
// counting as activity.
func (c *Core) OwnedBy(sessionID uint64, t Transport) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[sessionID]
	return s != nil && s.owner == t
}
