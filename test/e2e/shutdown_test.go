package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/reprise-rtc/reprise/test/harness"
	jc "github.com/reprise-rtc/reprise/test/janusclient"
)

// SIGTERM stops the gateway promptly even while a client holds a long-poll
// open (the default hold is 30 s).
func TestShutdownWithLongPollInFlight(t *testing.T) {
	gw := harness.Start(t, harness.Options{})
	if gw.External {
		t.Skip("needs the gateway process")
	}
	c := jc.NewHTTP(gw.HTTPURL)
	defer c.Close()
	s := must(t, c, 0, 0, "success", jc.Msg{"janus": "create"}).Obj("data").ID("id")
	polling := make(chan struct{})
	go func() {
		close(polling)
		resp, err := http.Get(gw.HTTPURL + "/" + itoa(s))
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-polling
	time.Sleep(300 * time.Millisecond) // the poll is now held by the gateway
	start := time.Now()
	if err := gw.Stop(); err != nil {
		t.Fatalf("stop with a long-poll in flight: %v", err)
	}
	t.Logf("stopped in %v", time.Since(start))
}
