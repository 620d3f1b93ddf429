package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/summarize"
	"briefbot/summarize/fetch"
)

// Fetcher reads feeds. *fetch.Fetcher implements it.
type Fetcher interface {
	// FetchFeed returns the feed at url, or NotModified; its errors are
	// Fetch's (summarize.ErrBlockedHost, *summarize.HTTPStatusError, …).
	FetchFeed(ctx context.Context, url string, req fetch.FeedRequest) (*fetch.FeedPage, error)
}

// Store keeps the feeds and the entries they showed. *store.DB
// implements it.
type Store interface {
	AddFeed(ctx context.Context, f guild.Feed) (guild.Feed, bool, error)
	Feeds(ctx context.Context, guildID string) ([]guild.Feed, error)
	RemoveFeed(ctx context.Context, guildID string, id int64) (bool, error)
	SaveFeedPoll(ctx context.Context, f guild.Feed) error
	MarkFeedEntry(ctx context.Context, f guild.Feed, key string, now time.Time, summarized bool) (bool, error)
	FeedEntrySeen(ctx context.Context, feedID int64, key string) (bool, error)
	FeedEntriesSince(ctx context.Context, guildID string, since time.Time) (int, error)
}

// Summarizer summarizes one link for a server (cached, one flight per
// URL), within that server's model budget and counted in its usage.
// *bot.Handler implements it; Unbudgeted adapts a bare Service.
type Summarizer interface {
	SummarizeFor(ctx context.Context, guildID string, req summarize.Request) (*summarize.Summary, error)
}

// Unbudgeted summarizes with Service for every server alike: no budget,
// no usage (tests, and tools without a bot).
type Unbudgeted struct {
	Service interface {
		Summarize(ctx context.Context, req summarize.Request) (*summarize.Summary, error)
	}
}

// SummarizeFor summarizes req with the Service.
func (u Unbudgeted) SummarizeFor(ctx context.Context, _ string, req summarize.Request) (*summarize.Summary, error) {
	return u.Service.Summarize(ctx, req)
}

// Shares records a share. *store.DB implements it.
type Shares interface {
	RecordShare(ctx context.Context, s ledger.Share) error
}

var _ Fetcher = (*fetch.Fetcher)(nil)

// Defaults of Options.
const (
	// DefaultMinInterval is the shortest time between two polls of a feed:
	// news sites publish a few times an hour, and a reader polling more
	// often is impolite.
	DefaultMinInterval = 15 * time.Minute
	// maxInterval caps a feed's TTL and backoff.
	maxInterval = 24 * time.Hour
	// DefaultMaxFeedBytes bounds a feed's body: a busy feed of 100
	// entries with full text is under 1 MiB.
	DefaultMaxFeedBytes = 4 << 20
	// DefaultMaxFeeds bounds a server's feeds.
	DefaultMaxFeeds = 10
	// DefaultMaxEntriesPerDay bounds the entries summarized into a
	// server's record a UTC day, across its feeds: the cost of a model
	// call each, and a briefing people still read.
	DefaultMaxEntriesPerDay = 50
	// DefaultMaxNewPerPoll bounds the entries one poll summarizes; the
	// rest wait for the next poll.
	DefaultMaxNewPerPoll = 10
	// deadAfter is the failures in a row after which a feed is called
	// dead (still polled, once a day).
	deadAfter = 8
)

// Options configure a Poller. Fetcher, Store, Summarizer and Shares are
// required.
type Options struct {
	Fetcher    Fetcher
	Store      Store
	Summarizer Summarizer
	Shares     Shares
	Logger     *slog.Logger
	Now        func() time.Time
	// Jitter returns a number in [0, 1) spreading polls (default
	// math/rand).
	Jitter func() float64

	MinInterval      time.Duration
	MaxFeedBytes     int64
	MaxFeeds         int
	MaxEntriesPerDay int
	MaxNewPerPoll    int
}

// Poller adds feeds and polls them.
type Poller struct {
	o    Options
	mu   sync.Mutex // one poll round at a time; guards owns
	owns func(guildID string) bool
}

// SetOwns limits the polling to the servers owns reports (with Discord
// shards: those on this process's shards); nil polls all. Set it before
// Run.
func (p *Poller) SetOwns(owns func(guildID string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.owns = owns
}

// New returns a Poller.
func New(o Options) (*Poller, error) {
	if o.Fetcher == nil || o.Store == nil || o.Summarizer == nil || o.Shares == nil {
		return nil, errors.New("feed: new poller: Fetcher, Store, Summarizer and Shares are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxFeedBytes <= 0 {
		o.MaxFeedBytes = DefaultMaxFeedBytes
	}
	if o.MaxFeeds <= 0 {
		o.MaxFeeds = DefaultMaxFeeds
	}
	if o.MaxEntriesPerDay <= 0 {
		o.MaxEntriesPerDay = DefaultMaxEntriesPerDay
	}
	if o.MaxNewPerPoll <= 0 {
		o.MaxNewPerPoll = DefaultMaxNewPerPoll
	}
	return &Poller{o: o}, nil
}

// ErrTooManyFeeds is returned by Add when the server has MaxFeeds.
var ErrTooManyFeeds = errors.New("feed: too many feeds")

// MaxFeeds is the most feeds a server may follow.
func (p *Poller) MaxFeeds() int { return p.o.MaxFeeds }

// Add follows the feed at rawURL (or the feed the page at rawURL links)
// in guildID. The entries the feed lists now are its baseline: only
// entries that appear later are summarized. Errors wrap ErrNotFeed,
// ErrTooManyFeeds or the fetcher's errors.
func (p *Poller) Add(ctx context.Context, guildID, channelID, rawURL, filter string) (guild.Feed, bool, error) {
	have, err := p.o.Store.Feeds(ctx, guildID)
	if err != nil {
		return guild.Feed{}, false, err
	}
	if len(have) >= p.o.MaxFeeds {
		return guild.Feed{}, false, ErrTooManyFeeds
	}
	page, err := p.o.Fetcher.FetchFeed(ctx, rawURL, fetch.FeedRequest{MaxBytes: p.o.MaxFeedBytes})
	if err != nil {
		return guild.Feed{}, false, err
	}
	if IsHTML(page.ContentType, page.Body) {
		link := Discover(page.Body, page.URL)
		if link == "" {
			return guild.Feed{}, false, fmt.Errorf("%w: %s links no feed", ErrNotFeed, page.URL)
		}
		if page, err = p.o.Fetcher.FetchFeed(ctx, link, fetch.FeedRequest{MaxBytes: p.o.MaxFeedBytes}); err != nil {
			return guild.Feed{}, false, err
		}
	}
	parsed, err := Parse(page.Body, page.URL)
	if err != nil {
		return guild.Feed{}, false, err
	}
	now := p.o.Now()
	f := guild.Feed{GuildID: guildID, ChannelID: channelID, URL: page.URL, Filter: strings.ToLower(strings.TrimSpace(filter)), CreatedAt: now}
	f, created, err := p.o.Store.AddFeed(ctx, f)
	if err != nil || !created {
		return f, created, err
	}
	for _, e := range parsed.Entries {
		if _, err := p.o.Store.MarkFeedEntry(ctx, f, e.Key, now, false); err != nil {
			return f, true, err
		}
	}
	f.ETag, f.LastModified, f.Polled = page.ETag, page.LastModified, now
	f.Status = fmt.Sprintf("ok · %s listed, following new ones", entries(parsed.Total))
	f.Next = p.next(now, max(parsed.TTL, page.MaxAge))
	if err := p.o.Store.SaveFeedPoll(ctx, f); err != nil {
		return f, true, err
	}
	p.o.Logger.Info("feed_added", slog.String("guild_id", guildID), slog.Int64("feed_id", f.ID), slog.String("url", f.URL))
	return f, true, nil
}

// next is when a feed polled now is due again: its own hint, at least
// MinInterval, at most a day, plus up to 10% jitter.
func (p *Poller) next(now time.Time, hint time.Duration) time.Time {
	d := min(max(hint, p.o.MinInterval), maxInterval)
	return now.Add(d + time.Duration(p.o.Jitter()*0.1*float64(d)))
}

// Run polls the due feeds every interval until ctx ends.
func (p *Poller) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := p.PollDue(ctx); err != nil && ctx.Err() == nil {
			p.o.Logger.Warn("feed_poll_round_failed", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PollDue polls every feed that is due and returns how many entries were
// summarized.
func (p *Poller) PollDue(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	all, err := p.o.Store.Feeds(ctx, "")
	if err != nil {
		return 0, err
	}
	total := 0
	now := p.o.Now()
	for _, f := range all {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		if f.Next.After(now) || (p.owns != nil && !p.owns(f.GuildID)) {
			continue
		}
		total += p.poll(ctx, f)
	}
	return total, nil
}

// poll polls one feed and records the outcome; it returns the entries
// summarized. Every failure is the feed's status, never the caller's.
func (p *Poller) poll(ctx context.Context, f guild.Feed) int {
	now := p.o.Now()
	f.Polled = now
	page, err := p.o.Fetcher.FetchFeed(ctx, f.URL, fetch.FeedRequest{ETag: f.ETag, LastModified: f.LastModified, MaxBytes: p.o.MaxFeedBytes})
	var parsed *Parsed
	if err == nil && !page.NotModified {
		parsed, err = Parse(page.Body, page.URL)
	}
	if err != nil {
		p.fail(ctx, f, err)
		return 0
	}
	f.Failures = 0
	f.ETag, f.LastModified = page.ETag, page.LastModified
	if page.NotModified {
		f.Status = "ok · unchanged"
		f.Next = p.next(now, page.MaxAge)
		p.save(ctx, f)
		return 0
	}
	added, left, limited := p.take(ctx, f, parsed.Entries)
	f.Status = fmt.Sprintf("ok · %d new", added)
	switch {
	case limited:
		f.Status += fmt.Sprintf(" · daily limit of %d entries reached", p.o.MaxEntriesPerDay)
	case left > 0:
		f.Status += fmt.Sprintf(" · %d more next time", left)
	}
	if left > 0 && !limited {
		// The rest are taken at the next poll, not a TTL later.
		f.Next = p.next(now, 0)
		f.ETag, f.LastModified = "", "" // the unchanged feed must be read again
	} else {
		f.Next = p.next(now, max(parsed.TTL, page.MaxAge))
	}
	p.save(ctx, f)
	return added
}

func (p *Poller) save(ctx context.Context, f guild.Feed) {
	if err := p.o.Store.SaveFeedPoll(ctx, f); err != nil {
		p.o.Logger.Error("feed_save_failed", slog.Int64("feed_id", f.ID), slog.Any("err", err))
	}
}

// fail records a failed poll: backoff doubling from MinInterval up to a
// day, and a status saying why.
func (p *Poller) fail(ctx context.Context, f guild.Feed, err error) {
	f.Failures++
	backoff := p.o.MinInterval << min(f.Failures, 10)
	f.Next = p.next(f.Polled, backoff)
	reason := Reason(err)
	if f.Failures >= deadAfter {
		f.Status = fmt.Sprintf("dead · %s · %d failures in a row, retried daily", reason, f.Failures)
	} else {
		f.Status = fmt.Sprintf("failing · %s · %d in a row", reason, f.Failures)
	}
	p.o.Logger.Warn("feed_poll_failed", slog.String("guild_id", f.GuildID), slog.Int64("feed_id", f.ID), slog.Any("err", err))
	p.save(ctx, f)
}

// Reason says in a few words why a feed could not be read.
func Reason(err error) string {
	var status *summarize.HTTPStatusError
	var notArticle *summarize.NotArticleError
	var tooLarge *summarize.TooLargeError
	switch {
	case errors.Is(err, summarize.ErrBlockedHost):
		return "refused: not a public address"
	case errors.Is(err, summarize.ErrTooManyRedirects):
		return "too many redirects"
	case errors.As(err, &status):
		return fmt.Sprintf("the site answered %d", status.Code)
	case errors.As(err, &notArticle):
		return "not a feed (" + notArticle.ContentType + ")"
	case errors.As(err, &tooLarge):
		return "too large"
	case errors.Is(err, ErrNotFeed):
		return "not a readable feed"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, summarize.ErrBadURL):
		return "not a usable link"
	}
	return "could not be read"
}

// take summarizes the feed's new entries that match its filter, at most
// MaxNewPerPoll and within the server's daily limit, recording each as a
// share from the feed. It returns the entries summarized, the new
// matching ones left for later, and whether the daily limit stopped it.
func (p *Poller) take(ctx context.Context, f guild.Feed, entries []Entry) (added, left int, limited bool) {
	now := p.o.Now()
	day := now.UTC().Truncate(24 * time.Hour)
	for _, e := range entries {
		if ctx.Err() != nil {
			return added, left, limited
		}
		seen, err := p.o.Store.FeedEntrySeen(ctx, f.ID, e.Key)
		if err != nil || seen {
			continue
		}
		if !matches(f.Filter, e) || e.Link == "" {
			p.mark(ctx, f, e, false)
			continue
		}
		if added >= p.o.MaxNewPerPoll || limited {
			left++
			continue
		}
		if n, err := p.o.Store.FeedEntriesSince(ctx, f.GuildID, day); err != nil || n >= p.o.MaxEntriesPerDay {
			limited = true
			left++
			continue
		}
		sum, err := p.o.Summarizer.SummarizeFor(ctx, f.GuildID, summarize.Request{URL: e.Link})
		if err != nil {
			// A dead article is not retried at every poll.
			p.o.Logger.Info("feed_entry_failed", slog.String("guild_id", f.GuildID), slog.Int64("feed_id", f.ID), slog.String("url", e.Link), slog.Any("err", err))
			p.mark(ctx, f, e, false)
			continue
		}
		h := sha256.Sum256([]byte(e.Key))
		err = p.o.Shares.RecordShare(ctx, ledger.Share{
			GuildID: f.GuildID, ChannelID: f.ChannelID,
			MessageID: fmt.Sprintf("feed-%d-%s", f.ID, hex.EncodeToString(h[:8])),
			UserID:    FeedUser(f.ID),
			URL:       sum.URL, Engine: sum.Engine, Model: sum.Model, PromptVersion: sum.PromptVersion, At: now,
		})
		if err != nil {
			p.o.Logger.Error("feed_share_failed", slog.Int64("feed_id", f.ID), slog.Any("err", err))
			continue
		}
		p.mark(ctx, f, e, true)
		added++
	}
	return added, left, limited
}

func (p *Poller) mark(ctx context.Context, f guild.Feed, e Entry, summarized bool) {
	if _, err := p.o.Store.MarkFeedEntry(ctx, f, e.Key, p.o.Now(), summarized); err != nil {
		p.o.Logger.Error("feed_mark_failed", slog.Int64("feed_id", f.ID), slog.Any("err", err))
	}
}

// FeedUser is the user a feed's shares are recorded under: it marks them
// as from a feed, not from a person.
func FeedUser(feedID int64) string { return fmt.Sprintf("%s%d", ledger.FeedUserPrefix, feedID) }

// matches reports whether an entry's title or summary holds every word of
// filter (case folded); an empty filter matches all.
func matches(filter string, e Entry) bool {
	text := strings.ToLower(e.Title + " " + e.Summary)
	for _, w := range strings.Fields(filter) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// List returns guildID's feeds.
func (p *Poller) List(ctx context.Context, guildID string) ([]guild.Feed, error) {
	return p.o.Store.Feeds(ctx, guildID)
}

// Remove stops following guildID's feed id.
func (p *Poller) Remove(ctx context.Context, guildID string, id int64) (bool, error) {
	return p.o.Store.RemoveFeed(ctx, guildID, id)
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
