package recorder

import "errors"

var (
	// ErrUnsupportedCodec reports a codec the recorder has no file format
	// for. Errors returned by Start wrap it; test with errors.Is.
	ErrUnsupportedCodec = errors.New("recorder: unsupported codec")
	// ErrClosed is returned by WriteRTP after Close.
	ErrClosed = errors.New("recorder: track closed")
)
