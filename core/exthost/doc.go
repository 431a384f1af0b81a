// Package exthost launches and supervises extension processes with
// hashicorp/go-plugin (gRPC only, AutoMTLS, checksum-verified binaries),
// serves each one the Core service through the GRPCBroker, and restarts a
// crashed extension with backoff while the gateway and other extensions
// keep working.
package exthost
