package main

import "github.com/reprise-rtc/reprise/extensions/sdk"

func main() { sdk.Serve(newRecordPlay()) }
