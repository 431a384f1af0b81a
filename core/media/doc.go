// Package media is the gateway's media plane: it owns every WebRTC
// PeerConnection (one per Janus handle), the route graph that says which
// incoming stream feeds which outgoing one, and the per-packet forwarding
// path between them.
//
// Extensions run out of process and only describe routes (Route, Unroute,
// SetPaused, SelectLayer ...); RTP never leaves this package's process.
// Each incoming track is read by its own goroutine (source.go) which hands
// every packet to the destinations currently routed from it (downtrack.go)
// and to its sinks (recorders, RTP forwarders; sink.go). A simulcast m-line
// is one source with a layer per rid (layer.go); each destination picks
// its layer, switching on key frames. A destination rewrites sequence
// numbers and timestamps (munger.go), and VP8 picture IDs (vp8.go), so the
// stream it sends stays continuous across pauses, layer switches and
// source switches. The forwarding path takes no global lock and allocates
// nothing per packet: what a source feeds is an atomically swapped,
// immutable fanout rebuilt only when routes or sinks change (router.go,
// fanout.go).
//
// Offers the engine makes (MakeOffer, makeoffer.go) may carry many streams
// on one PeerConnection, renegotiated as streams come and go; stopped
// m-lines stay in place and are reused, as Janus does.
//
// Connection-level notifications that Janus sends on the handle (webrtcup,
// media, slowlink, hangup) are reported through the Events interface, and
// talk detection through the optional TalkEvents one (talk.go).
package media
