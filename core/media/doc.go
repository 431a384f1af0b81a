// Package media is the gateway's media plane: it owns every WebRTC
// PeerConnection (one per Janus handle), the route graph that says which
// incoming stream feeds which outgoing one, and the per-packet forwarding
// path between them.
//
// Extensions run out of process and only describe routes (Route, Unroute,
// SetPaused ...); RTP never leaves this package's process. Each incoming
// track is read by its own goroutine (source.go) which hands every packet to
// the destinations currently routed from it (downtrack.go). A destination
// rewrites sequence numbers and timestamps (munger.go) so the stream it sends
// stays continuous across pauses and source switches. The forwarding path
// takes no global lock and allocates nothing per packet: destinations are an
// atomically swapped, immutable slice rebuilt only when routes change
// (router.go).
//
// Connection-level notifications that Janus sends on the handle (webrtcup,
// media, slowlink, hangup) are reported through the Events interface.
package media
