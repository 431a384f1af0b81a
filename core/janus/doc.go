// Package janus holds the wire vocabulary of the Janus API: request and
// message shapes, error codes, and the decoder for incoming requests.
package janus
