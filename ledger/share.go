package ledger

import (
	"strings"
	"time"

	"briefbot/summarize"
)

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

// FeedUserPrefix starts the UserID of a share that a followed feed made
// rather than a person (feed.FeedUser).
const FeedUserPrefix = "feed:"

// FromFeed reports whether a feed, not a person, made the share.
func (s Share) FromFeed() bool { return strings.HasPrefix(s.UserID, FeedUserPrefix) }

// SharedSummary is a share joined with the summary it showed: what a
// ledger is built from.
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
	// ViaFeed: only followed feeds, no person, shared the article in the
	// server.
	ViaFeed bool
}
