-- Initial catalogue: installed extensions, persistent plugin rooms, and a
-- namespaced key/value store for extension state.
--
-- Timestamps are RFC 3339 text in UTC so the file stays readable with the
-- sqlite3 shell. STRICT makes SQLite reject values of the wrong type instead
-- of silently storing them.

CREATE TABLE extensions (
    name         TEXT    NOT NULL PRIMARY KEY,
    version      TEXT    NOT NULL,
    -- JSON array of the Janus plugin packages the extension provides,
    -- e.g. ["janus.plugin.echotest"].
    packages     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(packages) AND json_type(packages) = 'array'),
    path         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    bundled      INTEGER NOT NULL DEFAULT 0 CHECK (bundled IN (0, 1)),
    installed_at TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE rooms (
    plugin      TEXT    NOT NULL,
    room_id     INTEGER NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    secret      TEXT    NOT NULL DEFAULT '',
    pin         TEXT    NOT NULL DEFAULT '',
    permanent   INTEGER NOT NULL DEFAULT 0 CHECK (permanent IN (0, 1)),
    -- Plugin-specific room configuration as a JSON object.
    settings    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (plugin, room_id)
) STRICT;

CREATE TABLE extension_state (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
) STRICT;
