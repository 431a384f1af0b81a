package main

import (
	"slices"
	"strconv"
)

// subscriber is a subscription handle: m-lines fed by publishers' streams.
type subscriber struct {
	Handle    uint64       `json:"handle"`
	Room      uint64       `json:"room"`
	PrivateID uint32       `json:"private_id,omitempty"` // the participant it belongs to
	Streams   []*subStream `json:"streams"`
	Paused    bool         `json:"paused,omitempty"`
	Answered  bool         `json:"answered,omitempty"` // the client's answer was applied
}

// subStream is one m-line of a subscription.
type subStream struct {
	MIndex int    `json:"mindex"`
	MID    string `json:"mid"`
	Type   string `json:"type"`
	Active bool   `json:"active"`
	Send   bool   `json:"send"`
	Ready  bool   `json:"ready"`
	// The publisher stream feeding it (media m-lines).
	FeedID     uint64 `json:"feed_id,omitempty"`
	FeedHandle uint64 `json:"feed_handle,omitempty"`
	FeedMID    string `json:"feed_mid,omitempty"`
	Codec      string `json:"codec,omitempty"` // kept when inactive: the m-line keeps it
	Fmtp       string `json:"fmtp,omitempty"`
	// The publishers whose data channels it relays (the data m-line).
	Sources       []uint64 `json:"sources,omitempty"`
	SourceHandles []uint64 `json:"source_handles,omitempty"`
	Routed        bool     `json:"routed,omitempty"`
}

func (s *subscriber) stream(mid string) *subStream {
	for _, st := range s.Streams {
		if st.MID == mid {
			return st
		}
	}
	return nil
}

func (s *subscriber) dataStream() *subStream {
	for _, st := range s.Streams {
		if st.Type == "data" {
			return st
		}
	}
	return nil
}

// slot returns an inactive m-line of the type to reuse, or a new one.
func (s *subscriber) slot(kind string) *subStream {
	for _, st := range s.Streams {
		if !st.Active && st.Type == kind {
			return st
		}
	}
	st := &subStream{MIndex: len(s.Streams), MID: strconv.Itoa(len(s.Streams)), Type: kind}
	s.Streams = append(s.Streams, st)
	return st
}

func (st *subStream) deactivate() {
	st.Active, st.Ready, st.FeedID, st.FeedHandle, st.FeedMID, st.Routed = false, false, 0, 0, "", false
	st.Sources, st.SourceHandles = nil, nil
}

// removeSource drops a publisher from the data m-line; it reports whether
// the m-line has no source left.
func (st *subStream) removeSource(feed uint64) bool {
	if i := slices.Index(st.Sources, feed); i >= 0 {
		st.Sources = slices.Delete(st.Sources, i, i+1)
		st.SourceHandles = slices.Delete(st.SourceHandles, i, i+1)
	}
	return len(st.Sources) == 0
}

// info describes the m-line as "attached", "updated" and "switched" do;
// r gives the current display names and descriptions of the feeds.
func (st *subStream) info(r *room) map[string]any {
	m := map[string]any{"type": st.Type, "active": st.Active, "mindex": st.MIndex, "mid": st.MID, "ready": st.Ready, "send": st.Send}
	if !st.Active {
		m["ready"] = false
		return m
	}
	if st.Type == "data" {
		m["sources"] = len(st.Sources)
		m["source_ids"] = append([]uint64{}, st.Sources...)
		return m
	}
	m["feed_id"] = st.FeedID
	m["feed_mid"] = st.FeedMID
	if st.Codec != "" {
		m["codec"] = st.Codec
	}
	if p := r.participants[st.FeedID]; p != nil {
		if p.Display != "" {
			m["feed_display"] = p.Display
		}
		if d := p.Described[st.FeedMID]; d != "" {
			m["feed_description"] = d
		}
	}
	return m
}

func (s *subscriber) infos(r *room) []map[string]any {
	out := make([]map[string]any, 0, len(s.Streams))
	for _, st := range s.Streams {
		out = append(out, st.info(r))
	}
	return out
}
