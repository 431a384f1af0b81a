// Package schema holds the data formats Reprise shares between processes and
// across versions: the SQL migrations of the gateway's catalogue and the
// protocol definitions of the extension interface.
package schema

import "embed"

// Migrations holds the catalogue's SQL migrations as migrations/NNN_name.sql.
// They are embedded so that the gateway and extctl carry the exact schema they
// were built against and can upgrade an older database file on their own.
//
//go:embed migrations/*.sql
var Migrations embed.FS
