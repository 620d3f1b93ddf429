package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"briefbot/bot/discordtext"
	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/summarize"
	"briefbot/summarize/fetch"
)

// Defaults of Config.
const (
	// DefaultUserRate and DefaultUserBurst let a user ask for five
	// summaries at once and one every ten seconds after that: enough for
	// a conversation, too little to run up an LLM bill.
	DefaultUserRate  = rate.Limit(0.1)
	DefaultUserBurst = 5
	DefaultMaxActive = 4
	DefaultMaxQueued = 32
	// DefaultMaxLinks is how many links of one message are summarized.
	DefaultMaxLinks = 3
)

// reactionMemory is how long a message summarized on a 📰 reaction is
// remembered, so more 📰 reactions on it do not post the summary again.
const reactionMemory = 24 * time.Hour

// maxTopicHits bounds a /topic answer.
const maxTopicHits = 40

// maxChoices is Discord's limit on autocomplete choices, and
// maxChoiceLen on a choice's name and value.
const (
	maxChoices   = 25
	maxChoiceLen = 100
)

// Handler handles chat events independently of the transport. Its methods
// are safe for concurrent use; each recovers (and logs) a panic, answering
// a command with a generic apology and a message event with nothing.
type Handler struct {
	sum    Summarizer
	shares Shares
	stored StoredSummaries // nil: no "More" buttons
	// settings caches the store's settings: see settingsCache.
	settings *settingsCache
	briefer  Briefer // guarded by mu: see SetBriefer
	log      *slog.Logger
	now      func() time.Time
	maxLinks int

	limits  *userLimits
	queue   *workQueue
	reacted *recentSet

	metrics Metrics
	usage   *usageRecorder // nil: usage is not recorded
	budget  Budget
	asker   Asker      // nil: /ask answers offline
	watches WatchStore // nil: no /watch
	feeds   Feeds      // nil: no /feed

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
}

// New returns a Handler. It fails when a required dependency is missing.
func New(cfg Config) (*Handler, error) {
	if cfg.Summarizer == nil || cfg.Shares == nil || cfg.Settings == nil {
		return nil, errors.New("bot: new handler: Summarizer, Shares and Settings are required")
	}
	h := &Handler{
		sum:      cfg.Summarizer,
		shares:   cfg.Shares,
		stored:   cfg.Stored,
		briefer:  cfg.Briefer,
		log:      cfg.Logger,
		now:      cfg.Now,
		maxLinks: cmpOr(cfg.MaxLinks, DefaultMaxLinks),
		metrics:  cfg.Metrics,
		usage:    newUsageRecorder(cfg.Usage),
		budget:   cfg.Budget,
		asker:    cfg.Asker,
		watches:  cfg.Watches,
		feeds:    cfg.Feeds,
	}
	if h.metrics == nil {
		h.metrics = noMetrics{}
	}
	if h.stored == nil {
		h.stored, _ = cfg.Shares.(StoredSummaries)
	}
	if h.watches == nil {
		h.watches, _ = cfg.Shares.(WatchStore)
	}
	if h.log == nil {
		h.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.settings = newSettingsCache(cfg.Settings, h.now)
	limit := cfg.UserRate
	if limit == 0 {
		limit = DefaultUserRate
	}
	h.limits = newUserLimits(limit, cmpOr(cfg.UserBurst, DefaultUserBurst))
	h.queue = newWorkQueue(cmpOr(cfg.MaxActive, DefaultMaxActive), cmpOr(cfg.MaxQueued, DefaultMaxQueued))
	h.reacted = newRecentSet(reactionMemory, maxTrackedUsers)
	return h, nil
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// SetBriefer sets (or, with nil, removes) the Briefer behind /briefing.
// It exists because the Briefer posts through the transport, which is
// built after the Handler; it is safe to call while the Handler serves.
func (h *Handler) SetBriefer(b Briefer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.briefer = b
}

func (h *Handler) getBriefer() Briefer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.briefer
}

// Shutdown stops intake (later events get nothing, commands a short
// notice) and waits for the work in flight, or for ctx. Cancelling the
// contexts given to the handler cancels that work.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bot: shutdown: %w", ctx.Err())
	}
}

// enter counts a call in flight; false once Shutdown began.
func (h *Handler) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.inflight.Add(1)
	return true
}

// recoverPanic, deferred by every entry point, logs a panic and replaces
// the answer: an apology for commands, nothing for message events.
func (h *Handler) recoverPanic(op string, replies *[]Reply, command bool) {
	p := recover()
	if p == nil {
		return
	}
	h.log.Error("handler_panic", slog.String("op", op), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
	*replies = nil
	if command {
		*replies = []Reply{notice(msgInternal)}
	}
}

// notice is a short ephemeral answer to a command.
func notice(text string) Reply {
	return Reply{Content: text, Ephemeral: true}
}

// HandleMessage summarizes the links of a chat message when the server's
// autosummarize setting is "on". Bots, messages outside servers, links in
// code and repeated links are ignored; at most Config.MaxLinks links are
// summarized, with a note when more were skipped.
func (h *Handler) HandleMessage(ctx context.Context, m Message) (replies []Reply) {
	defer h.recoverPanic("message", &replies, false)
	if m.AuthorBot || m.GuildID == "" {
		return nil
	}
	urls, skipped := fetch.FindURLs(m.Content, h.maxLinks)
	if len(urls) == 0 {
		return nil
	}
	if !h.enter() {
		return nil
	}
	defer h.inflight.Done()
	set, ok := h.guildSettings(ctx, m.GuildID)
	if !ok || autoMode(set) != AutoOn {
		return nil
	}
	return h.summarizeLinks(ctx, linkJob{
		src: m, requester: m.AuthorID, urls: urls, skipped: skipped, set: set, auto: true,
	})
}

// HandleReaction summarizes the links of the reacted-to message when
// someone adds ReactEmoji and the server's autosummarize setting is
// "react". A message is summarized once however many people react.
func (h *Handler) HandleReaction(ctx context.Context, r Reaction) (replies []Reply) {
	defer h.recoverPanic("reaction", &replies, false)
	if r.UserBot || r.Emoji != ReactEmoji || r.GuildID == "" {
		return nil
	}
	m := r.Message
	m.GuildID, m.ChannelID, m.MessageID = r.GuildID, r.ChannelID, r.MessageID
	urls, skipped := fetch.FindURLs(m.Content, h.maxLinks)
	if len(urls) == 0 {
		return nil
	}
	if !h.enter() {
		return nil
	}
	defer h.inflight.Done()
	set, ok := h.guildSettings(ctx, r.GuildID)
	if !ok || autoMode(set) != AutoReact {
		return nil
	}
	if h.reacted.seen(r.GuildID+"/"+r.MessageID, h.now()) {
		return nil
	}
	return h.summarizeLinks(ctx, linkJob{
		src: m, requester: r.UserID, urls: urls, skipped: skipped, set: set,
	})
}

// SummarizeOptions are the options of /summarize.
type SummarizeOptions struct {
	// Fresh bypasses the cache.
	Fresh bool
	// Detail shows a page of up to maxPagePoints points rather than the
	// first DefaultPoints.
	Detail bool
}

// Summarize answers /summarize: the ledger of rawURL, bypassing the cache
// when fresh. It is SummarizeWith without detail.
func (h *Handler) Summarize(ctx context.Context, inv Invoker, rawURL string, fresh bool) []Reply {
	return h.SummarizeWith(ctx, inv, rawURL, SummarizeOptions{Fresh: fresh})
}

// SummarizeWith answers /summarize with its options. Failures are
// ephemeral notices. In every command answer the public replies come
// first and the ephemeral ones after.
func (h *Handler) SummarizeWith(ctx context.Context, inv Invoker, rawURL string, opt SummarizeOptions) (replies []Reply) {
	defer h.recoverPanic("summarize", &replies, true)
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return []Reply{notice("Give me a link to summarize.")}
	}
	if found, _ := fetch.FindURLs(rawURL, 1); len(found) == 1 {
		rawURL = found[0]
	}
	if !h.enter() {
		return []Reply{notice(msgShuttingDown)}
	}
	defer h.inflight.Done()
	set, ok := h.guildSettings(ctx, inv.GuildID)
	if !ok {
		return []Reply{notice(msgInternal)}
	}
	src := Message{GuildID: inv.GuildID, ChannelID: inv.ChannelID, MessageID: inv.ID, AuthorID: inv.UserID}
	return h.summarizeLinks(ctx, linkJob{
		src: src, requester: inv.UserID, urls: []string{rawURL}, set: set, fresh: opt.Fresh, detail: opt.Detail, command: true,
	})
}

// SummarizeMessage answers the "Summarize links" message command: the
// ledgers of the links in target, recorded as shares of target's author.
func (h *Handler) SummarizeMessage(ctx context.Context, inv Invoker, target Message) (replies []Reply) {
	defer h.recoverPanic("summarize_message", &replies, true)
	urls, skipped := fetch.FindURLs(target.Content, h.maxLinks)
	if len(urls) == 0 {
		return []Reply{notice(msgNoLinks)}
	}
	if !h.enter() {
		return []Reply{notice(msgShuttingDown)}
	}
	defer h.inflight.Done()
	set, ok := h.guildSettings(ctx, inv.GuildID)
	if !ok {
		return []Reply{notice(msgInternal)}
	}
	if target.GuildID == "" {
		target.GuildID = inv.GuildID
	}
	if target.ChannelID == "" {
		target.ChannelID = inv.ChannelID
	}
	return h.summarizeLinks(ctx, linkJob{
		src: target, requester: inv.UserID, urls: urls, skipped: skipped, set: set, command: true,
	})
}

// errPanic stands for a summarization that panicked.
var errPanic = errors.New("bot: summarizer panicked")

// linkJob is one request to summarize the links of a message or command.
type linkJob struct {
	src       Message // where the links were shared: the share's guild, channel, message and user
	requester string  // whose rate limit it counts against
	urls      []string
	skipped   int
	set       guild.Settings
	fresh     bool
	// detail: a longer first page (SummarizeOptions.Detail).
	detail bool
	// auto: summarizing on its own initiative, so links that are not
	// articles pass silently.
	auto bool
	// command: answer the command (TargetRespond, ephemeral notices)
	// rather than reply to src.
	command bool
}

// linkResult is the outcome for one link.
type linkResult struct {
	url     string
	summary *summarize.Summary
	took    time.Duration
	err     error
}

func (h *Handler) summarizeLinks(ctx context.Context, job linkJob) []Reply {
	h.metrics.LinksSeen(len(job.urls))
	if ok, notify := h.limits.allow(job.src.GuildID, job.requester, h.now()); !ok {
		h.log.Info("rate_limited", slog.String("guild_id", job.src.GuildID), slog.String("user_id", job.requester))
		return h.quietNotice(job, msgRateLimited, notify)
	}
	done, ok := h.queue.admit()
	if !ok {
		h.log.Warn("queue_full", slog.String("guild_id", job.src.GuildID), slog.String("user_id", job.requester))
		return h.quietNotice(job, msgBusy, h.limits.notice(job.src.GuildID, job.requester, h.now()))
	}
	defer done()

	results := make([]linkResult, len(job.urls))
	if len(job.urls) == 1 {
		// One link (every /summarize): no goroutine to start and grow a
		// stack for. summarizeOne recovers its own panics either way.
		results[0] = h.summarizeOne(ctx, job, job.urls[0])
	} else {
		var wg sync.WaitGroup
		for i, u := range job.urls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = h.summarizeOne(ctx, job, u)
			}()
		}
		wg.Wait()
	}

	var public, private []Reply
	var failures []string
	title := ""
	for _, r := range results {
		if r.err != nil {
			h.log.Info("summarize_failed", slog.String("guild_id", job.src.GuildID), slog.String("url", r.url), slog.Any("err", r.err))
			if job.auto && quietFailure(r.err) && !forOperator(ctx) {
				continue
			}
			msg := failureMessage(ctx, r.err)
			if len(job.urls) > 1 {
				msg = discordtext.Escape(r.url) + ": " + msg
			}
			failures = append(failures, msg)
			continue
		}
		shared := h.recordShare(ctx, job.src, r.summary)
		if title == "" {
			title = discordtext.Clean(r.summary.Title)
		}
		public = append(public, RenderSummary(r.summary, RenderOptions{
			ShowUngrounded: job.set.ShowUngrounded, Took: r.took, Detail: job.detail,
			// A More button finds the summary through the share and the
			// store: without both it would only fail when pressed.
			MoreID: pick(shared && r.summary.SaveErr == nil, h.moreIDs(job.src.MessageID, r.summary), nil),
		})...)
	}
	if job.skipped > 0 {
		note := fmt.Sprintf("Only the first %s are summarized; %d more skipped.", plural(len(job.urls), "link", "links"), job.skipped)
		if len(public) > 0 {
			public[0].Content = note
		} else {
			failures = append(failures, note)
		}
	}
	if len(failures) > 0 {
		text := discordtext.Truncate(strings.Join(failures, "\n"), LimitContent)
		if job.command {
			private = append(private, notice(text))
		} else {
			public = append(public, Reply{Content: text})
		}
	}
	return h.target(job, append(public, private...), title, true)
}

// summarizeOne summarizes one link within the work queue's bound.
// It runs in its own goroutine, so it recovers its own panics.
func (h *Handler) summarizeOne(ctx context.Context, job linkJob, u string) (res linkResult) {
	res = linkResult{url: u}
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("handler_panic", slog.String("op", "summarize_link"), slog.String("url", u), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			res.summary, res.err = nil, errPanic
		}
	}()
	start := h.now()
	err := h.queue.run(ctx, func() {
		sum, note := h.summarizerFor(ctx, job.src.GuildID)
		res.summary, res.err = sum.Summarize(ctx, summarize.Request{URL: u, Fresh: job.fresh, Language: job.set.Language})
		if res.err == nil && res.summary != nil {
			h.logSaveErr(job.src.GuildID, res.summary)
			h.recordUsage(ctx, job.src.GuildID, res.summary)
			if note != "" {
				res.summary = withNote(res.summary, note)
			}
		}
	})
	if err != nil {
		res.err = err
	}
	if res.err == nil && res.summary == nil {
		res.err = errors.New("bot: summarizer returned no summary")
	}
	res.took = h.now().Sub(start)
	return res
}

// quietFailure reports failures not worth a reply when the bot acted on
// its own: the link was not an article, or not one it may read.
func quietFailure(err error) bool {
	return errors.Is(err, summarize.ErrNotArticle) || errors.Is(err, summarize.ErrBadURL) || errors.Is(err, summarize.ErrBlockedHost)
}

// quietNotice answers a request turned away: an ephemeral notice for a
// command, and for a message at most one reply per user per window.
func (h *Handler) quietNotice(job linkJob, text string, notify bool) []Reply {
	if job.command {
		return []Reply{notice(text)}
	}
	if !notify {
		return nil
	}
	return h.target(job, []Reply{{Content: text}}, "", false)
}

// target addresses replies: answers to a command respond to it; replies to
// a message reply to it or, when thread is set, go to a thread on it per
// the server's setting.
func (h *Handler) target(job linkJob, replies []Reply, title string, thread bool) []Reply {
	for i := range replies {
		r := &replies[i]
		if job.command {
			r.Target = TargetRespond
			continue
		}
		r.ChannelID = job.src.ChannelID
		r.ReplyTo = job.src.MessageID
		r.Target = TargetReply
		if thread && job.set.ReplyMode == ReplyModeThread {
			r.Target = TargetThread
			r.ThreadName = threadName(title)
		}
	}
	return replies
}

func threadName(title string) string {
	if title == "" {
		return "Link summary"
	}
	return discordtext.Truncate("Summary: "+title, maxChoiceLen)
}

// recordShare records that src showed s, and reports whether it could: a
// More button finds its summary through the share.
func (h *Handler) recordShare(ctx context.Context, src Message, s *summarize.Summary) bool {
	err := h.shares.RecordShare(ctx, ledger.Share{
		GuildID:       src.GuildID,
		ChannelID:     src.ChannelID,
		MessageID:     src.MessageID,
		UserID:        src.AuthorID,
		URL:           s.URL,
		Engine:        s.Engine,
		Model:         s.Model,
		PromptVersion: s.PromptVersion,
		At:            h.now(),
	})
	if err != nil {
		h.log.Error("record_share_failed", slog.String("guild_id", src.GuildID), slog.String("url", s.URL), slog.Any("err", err))
		return false
	}
	return true
}

func (h *Handler) guildSettings(ctx context.Context, guildID string) (guild.Settings, bool) {
	set, err := h.settings.GuildSettings(ctx, guildID)
	if err != nil {
		h.log.Error("guild_settings_failed", slog.String("guild_id", guildID), slog.Any("err", err))
		return guild.Settings{}, false
	}
	return set, true
}

// settingsTTL is how long a server's settings are served from memory.
// The Handler saves every change through its cache, so an entry is never
// stale from this process's writes; the TTL only bounds how long a change
// made outside the process (an operator editing the database) goes unseen.
const settingsTTL = time.Minute

// maxCachedGuilds bounds the settings cache: a few hundred bytes a server.
const maxCachedGuilds = 10_000

// settingsCache is the Settings a Handler uses: the store's, with reads
// served from memory. Reading the settings is part of every summary the
// bot answers, and a SQLite read costs as much as the rest of a cached
// answer's bookkeeping. It is safe for concurrent use.
type settingsCache struct {
	store Settings
	now   func() time.Time

	mu sync.Mutex
	// gen counts saves, so a read that raced with a save does not cache
	// what it read before the save.
	gen     uint64
	entries map[string]cachedSettings
}

type cachedSettings struct {
	set guild.Settings
	at  time.Time
}

var _ Settings = (*settingsCache)(nil)

func newSettingsCache(s Settings, now func() time.Time) *settingsCache {
	return &settingsCache{store: s, now: now, entries: map[string]cachedSettings{}}
}

// GuildSettings returns guildID's settings from memory, or from the store
// when they are not cached or older than settingsTTL. Errors are the
// store's, and are not cached.
func (c *settingsCache) GuildSettings(ctx context.Context, guildID string) (guild.Settings, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[guildID]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < settingsTTL && !now.Before(e.at) {
		return e.set, nil
	}
	set, err := c.store.GuildSettings(ctx, guildID)
	if err != nil {
		return set, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if _, ok := c.entries[guildID]; !ok && len(c.entries) >= maxCachedGuilds {
			for k := range c.entries { // an arbitrary one
				delete(c.entries, k)
				break
			}
		}
		c.entries[guildID] = cachedSettings{set: set, at: now}
	}
	return set, nil
}

// SaveGuildSettings saves s in the store and forgets the cached entry,
// whether or not the save succeeded, so the next read sees what the store
// holds.
func (c *settingsCache) SaveGuildSettings(ctx context.Context, s guild.Settings) error {
	err := c.store.SaveGuildSettings(ctx, s)
	c.mu.Lock()
	c.gen++
	delete(c.entries, s.GuildID)
	c.mu.Unlock()
	return err
}

// autoMode returns the effective autosummarize mode.
func autoMode(s guild.Settings) string {
	if s.AutoSummarize == "" {
		return AutoOn
	}
	return s.AutoSummarize
}

// recentSet remembers keys for a while, bounded in size.
type recentSet struct {
	ttl time.Duration
	max int
	mu  sync.Mutex
	at  map[string]time.Time
}

func newRecentSet(ttl time.Duration, max int) *recentSet {
	return &recentSet{ttl: ttl, max: max, at: map[string]time.Time{}}
}

// seen reports whether key was added within the ttl, adding it if not.
func (s *recentSet) seen(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.at[key]; ok && now.Sub(at) < s.ttl {
		return true
	}
	if len(s.at) >= s.max {
		for k, at := range s.at {
			if now.Sub(at) >= s.ttl {
				delete(s.at, k)
			}
		}
		// Still full: forget the oldest.
		for len(s.at) >= s.max {
			oldest, first := "", time.Time{}
			for k, at := range s.at {
				if oldest == "" || at.Before(first) {
					oldest, first = k, at
				}
			}
			delete(s.at, oldest)
		}
	}
	s.at[key] = now
	return false
}
