// Package console serves the operator's view of a running gateway on the
// admin listener: Prometheus metrics at /metrics and a small status page
// at /console listing extensions, sessions and handles.
package console
