package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"briefbot/bot/discordtext"
	"briefbot/feed"
	"briefbot/guild"
	"briefbot/summarize"
)

// Metrics counts what the Handler does, for monitoring. *metrics.Metrics
// implements it; nil in Config counts nothing.
type Metrics interface {
	// LinksSeen counts n links the bot was asked to summarize.
	LinksSeen(n int)
	// BudgetOffline counts a summary sent to the offline engine by a
	// daily token cap: limit is "server" or "global".
	BudgetOffline(limit string)
}

// DiscordMetrics counts what the Discord transport sees.
// *metrics.Metrics implements it; nil in DiscordOptions counts nothing.
type DiscordMetrics interface {
	// RateLimited counts a REST answer of 429 Too Many Requests.
	RateLimited()
	// Reconnected counts a gateway connection after the first.
	Reconnected()
}

// Usage keeps what each server's summaries cost, per UTC day.
// *store.DB implements it.
type Usage interface {
	// RecordUsage adds the records, in one write.
	RecordUsage(ctx context.Context, records ...guild.UsageRecord) error
	// DayTokens returns the tokens spent on day (YYYY-MM-DD, UTC) by
	// guildID and by every server together.
	DayTokens(ctx context.Context, day, guildID string) (inGuild, all int64, err error)
	// UsageReport sums guildID's usage over the days [from, to] with its
	// top costliest articles.
	UsageReport(ctx context.Context, guildID, from, to string, top int) (guild.UsageReport, error)
}

// Budget caps what the language model may spend per UTC day. Past a cap,
// summaries come from Offline, with a note saying why; the caps reset at
// midnight UTC. Zero caps mean no cap.
type Budget struct {
	// Offline summarizes without the language model (a Service over the
	// extractive engine); nil disables the caps.
	Offline Summarizer
	// PerServer caps one server's tokens a day, Global all servers'.
	PerServer, Global int64
}

// Notes on a summary sent to the offline engine by a cap.
const (
	noteServerBudget = "This server's daily model budget is used up, so this is the offline summary; the budget resets at midnight UTC."
	noteGlobalBudget = "Today's model budget is used up, so this is the offline summary; it resets at midnight UTC."
)

// usageDays is how far back /usage looks.
const usageDays = 30

// usageTop is how many of the costliest articles /usage lists.
const usageTop = 5

// noMetrics is the Metrics of a Handler given none.
type noMetrics struct{}

func (noMetrics) LinksSeen(int)        {}
func (noMetrics) BudgetOffline(string) {}

// utcDay is t's day in UTC, as the usage table keys it.
func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// summarizerFor returns who summarizes for guildID now: the configured
// Summarizer, or the offline one with the note to show when a cap is
// reached. When the spend cannot be read, the caps are not enforced for
// this summary (logged): a broken usage table must not silence the bot.
func (h *Handler) summarizerFor(ctx context.Context, guildID string) (Summarizer, string) {
	b := h.budget
	if h.usage == nil || b.Offline == nil || b.PerServer <= 0 && b.Global <= 0 {
		return h.sum, ""
	}
	guild, all, err := h.usage.DayTokens(ctx, utcDay(h.now()), guildID)
	if err != nil {
		h.log.Error("usage_read_failed", slog.String("guild_id", guildID), slog.Any("err", err))
		return h.sum, ""
	}
	switch {
	case b.PerServer > 0 && guild >= b.PerServer:
		h.metrics.BudgetOffline("server")
		return b.Offline, noteServerBudget
	case b.Global > 0 && all >= b.Global:
		h.metrics.BudgetOffline("global")
		return b.Offline, noteGlobalBudget
	}
	return h.sum, ""
}

// SummarizeFor summarizes a link on guildID's behalf with no one to reply
// to (a followed feed's entry): within the server's model budget, counted
// in its usage, like a pasted link. It implements feed.Summarizer.
func (h *Handler) SummarizeFor(ctx context.Context, guildID string, req summarize.Request) (*summarize.Summary, error) {
	sum, _ := h.summarizerFor(ctx, guildID) // the budget note has no reply to go in
	s, err := sum.Summarize(ctx, req)
	if err != nil {
		return nil, err
	}
	h.logSaveErr(guildID, s)
	h.recordUsage(ctx, guildID, s)
	return s, nil
}

var _ feed.Summarizer = (*Handler)(nil)

// recordUsage records an answered summary against guildID's day. A
// failure is logged: the reader still gets the summary.
func (h *Handler) recordUsage(ctx context.Context, guildID string, s *summarize.Summary) {
	if h.usage == nil || guildID == "" {
		return
	}
	if err := h.usage.record(ctx, h.now(), guildID, s); err != nil {
		h.log.Error("usage_record_failed", slog.String("guild_id", guildID), slog.Any("err", err))
	}
}

// FlushUsage writes the cache hits counted in memory. main calls it at
// shutdown, after Shutdown.
func (h *Handler) FlushUsage(ctx context.Context) error {
	if h.usage == nil {
		return nil
	}
	return h.usage.flush(ctx)
}

// Cache hits are counted in memory and written together, at most
// usageFlushEvery apart (or once maxPendingUsage articles are pending):
// a write per cached answer would add a third to its cost. A crash loses
// at most that long of cache-hit counts; model spend, on misses, is
// written at once, so the caps never miss it.
const (
	usageFlushEvery = 5 * time.Second
	maxPendingUsage = 10_000
)

// usageRecorder is the Handler's Usage, with cache hits batched.
type usageRecorder struct {
	Usage

	mu      sync.Mutex
	pending map[usageKey]int
	since   time.Time // when the oldest pending hit was counted
}

type usageKey struct{ guild, day, url string }

func newUsageRecorder(u Usage) *usageRecorder {
	if u == nil {
		return nil
	}
	return &usageRecorder{Usage: u, pending: map[usageKey]int{}}
}

// record counts s, answered in guildID at now: a cache hit in memory
// (flushing when due), a fresh summary and its cost at once.
func (u *usageRecorder) record(ctx context.Context, now time.Time, guildID string, s *summarize.Summary) error {
	day := utcDay(now)
	if !s.Cached {
		return u.RecordUsage(ctx, guild.UsageRecord{
			GuildID: guildID, Day: day, URL: s.URL, Title: s.Title,
			Calls: s.Usage.Calls, PromptTokens: s.Usage.PromptTokens, CompletionTokens: s.Usage.CompletionTokens,
		})
	}
	u.mu.Lock()
	if len(u.pending) == 0 {
		u.since = now
	}
	u.pending[usageKey{guildID, day, s.URL}]++
	due := now.Sub(u.since) >= usageFlushEvery || now.Before(u.since) || len(u.pending) >= maxPendingUsage
	u.mu.Unlock()
	if !due {
		return nil
	}
	return u.flush(ctx)
}

// flush writes the pending cache hits in one transaction. They are
// dropped when the write fails (the error says so): counts, not spend.
func (u *usageRecorder) flush(ctx context.Context) error {
	u.mu.Lock()
	pending := u.pending
	u.pending = map[usageKey]int{}
	u.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	records := make([]guild.UsageRecord, 0, len(pending))
	for k, n := range pending {
		records = append(records, guild.UsageRecord{GuildID: k.guild, Day: k.day, URL: k.url, Answers: n, CacheHits: n})
	}
	// The answer that made the flush due may be cancelled; the counts
	// are everyone's.
	if err := u.RecordUsage(context.WithoutCancel(ctx), records...); err != nil {
		return fmt.Errorf("bot: usage: %d cache-hit counts lost: %w", len(records), err)
	}
	return nil
}

// withNote returns a copy of s with note first among its notes.
func withNote(s *summarize.Summary, note string) *summarize.Summary {
	c := *s
	c.Notes = append([]string{note}, s.Notes...)
	return &c
}

// QueueDepth is how many summary requests are admitted and not finished.
func (h *Handler) QueueDepth() int { return len(h.queue.admitted) }

// UsageCommand answers /usage: this server's model calls, tokens, cache
// hit rate and costliest articles, today and over 30 days. It needs
// CanManage.
func (h *Handler) UsageCommand(ctx context.Context, inv Invoker) (replies []Reply) {
	defer h.recoverPanic("usage", &replies, true)
	if !inv.CanManage {
		return []Reply{notice(msgNeedManage)}
	}
	if h.usage == nil {
		return []Reply{notice("Usage is not recorded by this bot.")}
	}
	if err := h.usage.flush(ctx); err != nil {
		h.log.Error("usage_record_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
	}
	now := h.now()
	today := utcDay(now)
	day, err := h.usage.UsageReport(ctx, inv.GuildID, today, today, usageTop)
	if err == nil {
		var month guild.UsageReport
		month, err = h.usage.UsageReport(ctx, inv.GuildID, utcDay(now.AddDate(0, 0, -(usageDays-1))), today, usageTop)
		if err == nil {
			return []Reply{notice(h.describeUsage(day, month))}
		}
	}
	h.log.Error("usage_report_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
	return []Reply{notice("I couldn't read the usage just now; try again later.")}
}

func (h *Handler) describeUsage(day, month guild.UsageReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Usage in this server**\nToday (%s UTC): %s", day.To, describeTotals(day.Totals))
	if h.budget.Offline != nil && h.budget.PerServer > 0 {
		fmt.Fprintf(&b, " Daily cap: %s tokens.", thousands(h.budget.PerServer))
	}
	fmt.Fprintf(&b, "\nLast %d days: %s", usageDays, describeTotals(month.Totals))
	if len(month.Costliest) > 0 {
		fmt.Fprintf(&b, "\n**Costliest articles (%d days)**", usageDays)
		for i, a := range month.Costliest {
			title := a.Title
			if title == "" {
				title = a.URL
			}
			fmt.Fprintf(&b, "\n%d. %s · %s tokens, %s <%s>", i+1, discordtext.EscapeTruncate(title, 120),
				thousands(a.Tokens), plural(int(a.Calls), "call", "calls"), discordtext.Truncate(a.URL, 300))
		}
	}
	return discordtext.Truncate(b.String(), LimitContent)
}

func describeTotals(t guild.UsageTotals) string {
	if t.Answers == 0 {
		return "no summaries."
	}
	rate := 100 * t.CacheHits / t.Answers
	if t.Calls == 0 && t.Tokens() == 0 {
		return fmt.Sprintf("%s (%d%% from the cache), no model calls.", plural(int(t.Answers), "summary", "summaries"), rate)
	}
	return fmt.Sprintf("%s (%d%% from the cache), %s, %s tokens (%s prompt, %s completion).",
		plural(int(t.Answers), "summary", "summaries"), rate, plural(int(t.Calls), "model call", "model calls"),
		thousands(t.Tokens()), thousands(t.PromptTokens), thousands(t.CompletionTokens))
}

// thousands writes n with comma separators: 12,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// logSaveErr logs, once, that a summary answered could not be stored
// (the Service leaves that to the boundary): the reader has it, and the
// next request for the link summarizes it again.
func (h *Handler) logSaveErr(guildID string, s *summarize.Summary) {
	if s.SaveErr != nil {
		h.log.Error("summary_save_failed", slog.String("guild_id", guildID), slog.String("url", s.URL), slog.Any("err", s.SaveErr))
	}
}
