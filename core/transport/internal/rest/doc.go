// Package rest holds what the Janus HTTP API and Admin API handlers share:
// Janus's CORS headers, its /{base}/{session}/{handle} paths, and writing
// JSON responses.
package rest
