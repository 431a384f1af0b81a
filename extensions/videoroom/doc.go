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
//
// # Recordings and replay (not in Janus)
//
// A room created with "record": true (or switched on with
// "enable_recording") records every publisher into one catalogue entry per
// recording period; "configure" with "record": true records one publisher
// into an entry of its own. Three synchronous requests use the catalogue:
//
//	{"request": "list_recordings", "room": <id>}
//	  -> {"videoroom": "success", "room": <id>, "recordings": [{"recording_id": "...",
//	      "started_at": <unix ms>, "ended_at": <unix ms>, "duration_ms": n, "complete": true,
//	      "tracks": [{"participant_id", "display", "mid", "type", "codec", "offset_ms",
//	                  "duration_ms", "packets", "complete"}]}]}
//	  (the room need not exist any more: recordings outlive rooms)
//	{"request": "replay", "room": <id>, "recording_id": "...", "loop": false, "secret": "<room secret>"}
//	  -> {"videoroom": "success", "room": <id>, "replay_id": "..."}
//	{"request": "stop_replay", "replay_id": "...", "secret": "<secret of the room it plays into>"}
//	  -> {"videoroom": "success", "replay_id": "..."}
//
// Errors are VideoRoom errors: 426 no such room, 433 wrong secret, 429/430
// missing or invalid fields, 438 no such recording (replay) or no such
// replay (stop_replay), and 499 when the gateway fails or lacks the feature
// (its message then says "unimplemented").
//
// A replay makes every recorded participant a virtual feed: a publisher of
// the room with a fresh id, the recorded display name and the recorded
// streams and codecs, announced with "publishers", listed by
// "listparticipants" and subscribed to like any other. It has no client
// handle, so no bitrate cap, talk detection, keyframe interval or
// recording applies to it. When its replay ends or is stopped it leaves as
// a detaching publisher does ("unpublished" and "leaving"; subscribers get
// "updated" without its streams). Destroying the room stops its replays.
// Virtual feeds are kept in the KV state like every participant, so they
// survive a restart of this process.
package main
