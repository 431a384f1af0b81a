// Package apitest provides a fake api.Backend for tests of the Janus core
// and its transports: an in-memory plugin that answers synchronously or
// asynchronously and records every call.
package apitest
