// Package e2e runs the real gateway binary with its real extension
// processes and drives it as clients do: Janus API over HTTP and WebSocket,
// and pion PeerConnections for media.
package e2e
