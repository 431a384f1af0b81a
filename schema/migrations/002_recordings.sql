-- Recordings catalogue: one row per recording session (for example a
-- VideoRoom room being recorded) and one row per media file written for it.
--
-- A row is inserted before any media reaches its file and finished when the
-- file is closed, so a recording cut short by a crash stays listed with
-- complete = 0 and no ended_at. Timestamps are RFC 3339 text in UTC, as in
-- 001_init.sql.

CREATE TABLE recordings (
    id          TEXT    NOT NULL PRIMARY KEY,
    -- Janus package that made the recording, e.g. "janus.plugin.videoroom".
    plugin      TEXT    NOT NULL,
    -- Text because Janus rooms may have string IDs (string_ids = true).
    room_id     TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    started_at  TEXT    NOT NULL,
    ended_at    TEXT,
    -- 1 once the recording was stopped cleanly.
    complete    INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1))
) STRICT;

CREATE INDEX recordings_by_room ON recordings (plugin, room_id, started_at);

CREATE TABLE recording_tracks (
    id              TEXT    NOT NULL PRIMARY KEY,
    recording_id    TEXT    NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    participant_id  TEXT    NOT NULL DEFAULT '',
    display         TEXT    NOT NULL DEFAULT '',
    mid             TEXT    NOT NULL DEFAULT '',
    kind            TEXT    NOT NULL CHECK (kind IN ('audio', 'video', 'data')),
    -- MIME type of the recorded codec, e.g. "audio/opus", "video/VP8".
    codec           TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    -- RTP timestamps of the first and last packet written to the file;
    -- NULL until the first packet is written.
    first_rtp_ts    INTEGER CHECK (first_rtp_ts BETWEEN 0 AND 4294967295),
    last_rtp_ts     INTEGER CHECK (last_rtp_ts BETWEEN 0 AND 4294967295),
    -- Wall-clock time from the recording's started_at to the first packet
    -- written, so tracks can be lined up when mixed; NULL until then.
    start_offset_ms INTEGER,
    packets         INTEGER NOT NULL DEFAULT 0 CHECK (packets >= 0),
    bytes           INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    duration_ms     INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    -- 1 once the file was closed without a write error.
    complete        INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX recording_tracks_by_recording ON recording_tracks (recording_id);
