// Command videoroom is the janus.plugin.videoroom extension: the Janus 1.1.2
// VideoRoom API (multistream) served out of process. It owns rooms,
// participants and subscriptions and tells the core which publisher mid
// feeds which subscriber mid; RTP and data-channel payloads never pass
// through it, so a crash of this process leaves every call running while
// the state is rebuilt from the core's key-value store.
//
// Room ids are numeric only (Janus's string_ids option is not supported).
//
// Settings come from the gateway's -extension-config under "videoroom":
//
//	{
//	  "admin_key": "only create requests carrying it succeed (optional)",
//	  "lock_rtp_forward": true,   // rtp_forward needs the admin_key too
//	  "rooms": [                  // replaces the sample rooms 1234 and 5678
//	    {"room": 1234, "description": "Demo Room", "secret": "adminpwd",
//	     "publishers": 6, "bitrate": 128000, "fir_freq": 10}
//	  ]
//	}
//
// Each entry of "rooms" takes exactly the fields of a "create" request.
package main
