package e2e

import (
	"io"
	"net/http"
	"strconv"
	"testing"
)

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// get fetches a URL and returns its body, failing the test on any error.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}
