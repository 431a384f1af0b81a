// Package gateway joins the Janus API layer, the extension host and the
// media engine: it implements the API's Backend (routing handles to the
// extension serving their plugin), the Core service each extension calls,
// and the media events that go back to clients and extensions.
package gateway
