package guild

import "time"

// Watch is a server's /watch on a topic.
type Watch struct {
	ID        int64
	GuildID   string
	ChannelID string
	Query     string
	// Status is the topic's status when the watch last looked ("" before
	// it first found the topic).
	Status    string
	CreatedAt time.Time
}

// AlertClaim is the outcome of the store's ClaimWatchAlert.
type AlertClaim struct {
	// Claimed is true when the caller now holds the change and must post
	// it, then call FinishWatchAlert.
	Claimed bool
	// Posted is true when the change was posted already.
	Posted bool
	// Attempts counts the claims of the change, this one included: above
	// 1 an earlier attempt may have posted it before it could say so.
	Attempts int
	// ClaimedAt is when the first claim was made.
	ClaimedAt time.Time
}

// Feed is a server's /feed subscription and its polling state.
type Feed struct {
	ID           int64
	GuildID      string
	ChannelID    string
	URL          string
	Filter       string
	ETag         string
	LastModified string
	// Next is when the feed is due; Failures counts the polls failed in a
	// row; Status says what the last poll found.
	Next      time.Time
	Failures  int
	Status    string
	Polled    time.Time
	CreatedAt time.Time
}
