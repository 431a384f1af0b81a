package rest

import (
	"strconv"
	"strings"

	"github.com/reprise-rtc/reprise/core/janus"
)

// Path is a request path below the base: /base, /base/{session} or
// /base/{session}/{handle}.
type Path struct {
	SessionID uint64 // 0 when absent or not a number, as Janus reads it
	HandleID  uint64
	Segments  int    // how many segments followed the base (0, 1 or 2)
	First     string // the first segment as sent (e.g. "info")
}

// ParsePath splits urlPath below base. ok is false when the path is not
// under base or has more than two segments.
func ParsePath(base, urlPath string) (p Path, ok bool) {
	rest, found := strings.CutPrefix(urlPath, base)
	if !found || (rest != "" && rest[0] != '/') {
		return Path{}, false
	}
	var segs []string
	for _, s := range strings.Split(rest, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) > 2 {
		return Path{}, false
	}
	p.Segments = len(segs)
	if len(segs) > 0 {
		p.First = segs[0]
		p.SessionID = parseID(segs[0])
	}
	if len(segs) > 1 {
		p.HandleID = parseID(segs[1])
	}
	return p, true
}

// parseID reads an id segment like Janus: anything that is not a number
// counts as 0.
func parseID(s string) uint64 {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// Apply puts the path's ids into req. An id in the body that disagrees
// with the path is an error (457), as in Janus.
func (p Path) Apply(req *janus.Request) *janus.Error {
	if p.SessionID != 0 {
		if req.SessionID != 0 && req.SessionID != p.SessionID {
			return janus.Errorf(janus.ErrInvalidRequestPath, "Conflicting session ID (payload and path)")
		}
		req.SessionID = p.SessionID
	}
	if p.HandleID != 0 {
		if req.HandleSet && req.HandleID != p.HandleID {
			return janus.Errorf(janus.ErrInvalidRequestPath, "Conflicting handle ID (payload and path)")
		}
		req.HandleID = p.HandleID
		req.HandleSet = true
	}
	return nil
}
