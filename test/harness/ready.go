package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// waitReady polls GET <janusURL>/info until it answers with a Janus
// server_info object. It gives up after timeout, or as soon as exited is
// closed (the process died, so waiting longer cannot help).
func waitReady(janusURL string, timeout time.Duration, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		lastErr = probeInfo(client, janusURL+"/info")
		if lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s/info within %v: %w", janusURL, timeout, lastErr)
		}
		select {
		case <-exited:
			return fmt.Errorf("process exited before %s/info answered: %w", janusURL, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func probeInfo(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %s", url, resp.Status)
	}
	var info struct {
		Janus string `json:"janus"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return fmt.Errorf("GET %s: decode: %w", url, err)
	}
	if info.Janus != "server_info" {
		return errors.New(`GET ` + url + `: answer is not {"janus":"server_info"}`)
	}
	return nil
}
