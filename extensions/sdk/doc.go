// Package sdk is the only package a Reprise extension imports. An extension
// implements Extension, calls Serve from its main, and drives media through
// the Core client it receives in Init; the gateway starts it as its own
// process over go-plugin gRPC, so a crash of the extension never takes the
// gateway or media already routed by the core down with it.
package sdk
