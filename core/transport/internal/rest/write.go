package rest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// WriteJSON sends v as the response body with status 200: Janus reports
// errors inside the JSON, not in the HTTP status.
func WriteJSON(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("writing response: %w", err)
	}
	// Flush now: the request may go on (e.g. tearing handles down) after
	// its answer is complete.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

// ErrBodyTooLarge is returned by ReadBody for bodies over the limit.
var ErrBodyTooLarge = errors.New("request body too large")

// ReadBody reads the whole request body, up to limit bytes.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

const txAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomTransaction makes a transaction for requests that arrive without
// one (GET /info), like Janus's 12-character random strings.
func RandomTransaction() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = txAlphabet[int(b[i])%len(txAlphabet)]
	}
	return string(b)
}
