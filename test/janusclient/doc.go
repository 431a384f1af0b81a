// Package janusclient is a minimal Janus API client for the end-to-end
// tests: the same calls over HTTP (with long-poll) or WebSocket, so every
// test can run on both transports against the real gateway binary.
package janusclient
