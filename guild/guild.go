// Package guild holds the records of one Discord server (a guild) that
// the bot reads and writes and the store keeps: its settings and what its
// summaries cost. It is a leaf of its own so that store can use these
// types without importing bot (and with it discordgo).
package guild

// Settings are a server's preferences. The zero value is the default.
type Settings struct {
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

// UsageRecord is answered summaries as /usage and the token caps count
// them: in which server, on which UTC day, for which article, how many
// and how many of them from the cache, and what the language model cost
// (nothing for a cached or offline summary).
type UsageRecord struct {
	GuildID string
	// Day is the UTC day, YYYY-MM-DD.
	Day   string
	URL   string
	Title string
	// Answers is the number of summaries answered (0 counts as 1), and
	// CacheHits how many of them came from the cache.
	Answers          int
	CacheHits        int
	Calls            int
	PromptTokens     int
	CompletionTokens int
}

// UsageTotals sums usage records.
type UsageTotals struct {
	Answers          int64
	CacheHits        int64
	Calls            int64
	PromptTokens     int64
	CompletionTokens int64
}

// Tokens is prompt and completion tokens together: what the caps count.
func (t UsageTotals) Tokens() int64 { return t.PromptTokens + t.CompletionTokens }

// ArticleUsage is what one article cost a server over a period.
type ArticleUsage struct {
	URL    string
	Title  string
	Calls  int64
	Tokens int64
}

// UsageReport is a server's usage over the days [From, To].
type UsageReport struct {
	From, To string
	Totals   UsageTotals
	// Costliest are the articles that took the most tokens, most first;
	// articles that took none are left out.
	Costliest []ArticleUsage
}
