package schedule

import (
	"errors"
	"time"
)

// ErrNotFound is what a Schedules or History store returns (wrapped) for
// a server with no schedule or no posted briefing.
var ErrNotFound = errors.New("schedule: not found")

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
	// Ledger is the briefing's merged ledger (a ledger.Ledger) as JSON.
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

// BriefingSettings are the preferences of a server that shape its
// briefings.
type BriefingSettings struct {
	// ShowUngrounded keeps points whose quote was not found in the
	// article.
	ShowUngrounded bool
	// QuietEmpty posts nothing (instead of one line) on a day with no
	// shares.
	QuietEmpty bool
}
