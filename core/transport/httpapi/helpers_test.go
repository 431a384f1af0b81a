package httpapi_test

import (
	"encoding/json"

	"github.com/reprise-rtc/reprise/core/api/apitest"
	"github.com/reprise-rtc/reprise/core/janus"
)

func jsonEvent(transaction string) janus.Message {
	return janus.Message{
		Janus:       "event",
		Transaction: transaction,
		PluginData:  &janus.PluginData{Plugin: apitest.EchoPlugin, Data: json.RawMessage(`{"x":1}`)},
	}
}
