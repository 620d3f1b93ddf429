// Package store persists briefbot's records: articles and their summaries,
// link aliases, shares, per-server settings, briefing schedules and posted
// briefings. The default is embedded SQLite (pure Go, no cgo); given a
// postgres:// URL, Open uses PostgreSQL instead (through pgx), so that
// several processes share one database. The SQL is written once for both;
// what differs (full-text search, migration locks, column types) sits
// behind a small dialect (dialect.go, fts.go, postgres.go).
package store

import (
	"errors"
	"time"

	"briefbot/summarize"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("store: not found")

// Share records that someone posted (or asked about) a link in a server.
// Topic lookups and briefings read only the asking server's shares.
type Share struct {
	GuildID   string
	ChannelID string
	MessageID string
	UserID    string
	// URL is the canonical URL; with Engine, Model and PromptVersion it
	// names the summary that was shown.
	URL           string
	Engine        string
	Model         string
	PromptVersion string
	At            time.Time
}

// SharedSummary is a share joined with the summary it showed.
type SharedSummary struct {
	Share   Share
	Summary *summarize.Summary
}

// TopicHit is one topic of one article shared in a server, found by a topic
// search.
type TopicHit struct {
	Topic    summarize.Topic
	URL      string
	Title    string
	Site     string
	SharedAt time.Time // first time the article was shared in the server
	// Rank orders hits: lower is better.
	Rank float64
	// Published is the article's date (zero: unknown).
	Published time.Time
}

// GuildSettings are a server's preferences. The zero value is the default.
type GuildSettings struct {
	GuildID string
	// AutoSummarize is "on" (default, ""), "react" or "off".
	AutoSummarize string
	// ReplyMode is "reply" (default, "") or "thread".
	ReplyMode string
	// Language is the summary language ("" means the article's).
	Language string
	// ShowUngrounded shows points whose quote was not found.
	ShowUngrounded bool
	// QuietEmptyBriefing posts nothing (instead of one line) on a day with
	// no shares.
	QuietEmptyBriefing bool
}

// Schedule is a server's daily-briefing schedule.
type Schedule struct {
	GuildID   string
	ChannelID string
	Cron      string // 5-field spec, no CRON_TZ prefix
	TimeZone  string // IANA name, e.g. "Europe/Berlin"
	UpdatedAt time.Time
}

// Briefing states.
const (
	BriefingClaimed = "claimed" // slot taken, not yet posted
	BriefingPosted  = "posted"
	BriefingSkipped = "skipped" // a missed slot outside the grace window
)

// Briefing is one briefing slot: claimed before posting, completed with the
// posted message IDs and the merged ledger, so it is posted exactly once
// and the next briefing can diff against it.
type Briefing struct {
	GuildID    string
	ChannelID  string
	Slot       time.Time // the scheduled time (UTC); manual runs use the request time
	State      string
	MessageIDs []string
	// Ledger is the briefing's merged ledger as JSON, owned by package
	// schedule.
	Ledger []byte
	Late   bool
	// ClaimedAt is when the slot was first claimed; a takeover keeps it.
	ClaimedAt time.Time
	PostedAt  time.Time
	// Owner is the process holding (or last holding) the claim, and
	// LeaseUntil when its hold runs out unless renewed: another process
	// takes the claim over only after that.
	Owner      string
	LeaseUntil time.Time
	// Attempts counts the claims of the slot: more than 1 means an
	// earlier attempt may have posted some of its messages.
	Attempts int
}
