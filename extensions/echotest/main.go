// Command echotest is the janus.plugin.echotest extension: whatever a client
// sends comes straight back to it. The media never passes through this
// process: the extension asks the core to route each received stream back
// to the same handle, and only toggles, caps and tears those routes down.
package main

import "github.com/reprise-rtc/reprise/extensions/sdk"

func main() { sdk.Serve(newEchoTest()) }
