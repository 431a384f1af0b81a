// Package conformance is the Janus API conformance suite run against
// every transport: the same requests and expectations (taken from Janus
// 1.1.2's answers) whether they travel over HTTP or a WebSocket.
package conformance
