// Package adminapi serves the Janus Admin API over HTTP: POST to /admin,
// /admin/{session} and /admin/{session}/{handle}, and GET /admin/info.
package adminapi
