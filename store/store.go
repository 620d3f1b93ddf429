// Package store persists briefbot's records: articles and their summaries,
// link aliases, shares, per-server settings, briefing schedules and posted
// briefings. The default is embedded SQLite (pure Go, no cgo); given a
// postgres:// URL, Open uses PostgreSQL instead (through pgx), so that
// several processes share one database. The SQL is written once for both;
// what differs (full-text search, migration locks, column types) sits
// behind a small dialect (dialect.go, fts.go, postgres.go).
package store

import "briefbot/schedule"

// The records the store keeps are owned by the packages that use them:
// shares and topic hits by package ledger, schedules and briefings by
// package schedule, per-server settings and usage by package guild. The
// store implements its consumers' interfaces. Those of package bot are
// checked in consumers_test.go: importing bot here would bring Discord's
// client into the store.
var (
	_ schedule.Schedules = (*DB)(nil)
	_ schedule.Claims    = (*DB)(nil)
	_ schedule.History   = (*DB)(nil)
	_ schedule.Shares    = (*DB)(nil)
	_ schedule.Settings  = (*DB)(nil)
)
