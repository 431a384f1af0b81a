// Command recordplay is the janus.plugin.recordplay extension: the Janus
// Record&Play API on top of the gateway's recording catalogue. A "record"
// session answers a client's offer receive-only and has the core record
// each audio and video stream once its media flows; a "play" session
// replays a catalogued recording into a room that is the handle itself, so
// the core announces the replayed feed to this extension, which offers its
// streams to the client and routes them once the client answers.
//
// Janus numbers its recordings; the catalogue ids this extension creates
// are those numbers in decimal, and the pretty name of each recording is
// kept in the extension's KV namespace.
package main
