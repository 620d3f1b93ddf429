package bot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"briefbot/bot/discordtext"
	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// WatchStore keeps the servers' /watch subscriptions and the alerts they
// posted. *store.DB implements it.
type WatchStore interface {
	// AddWatch saves a watch unless the server watches the query already;
	// created is false then.
	AddWatch(ctx context.Context, w guild.Watch) (saved guild.Watch, created bool, err error)
	// Watches returns guildID's watches ("" for all servers').
	Watches(ctx context.Context, guildID string) ([]guild.Watch, error)
	// RemoveWatch deletes guildID's watch id, reporting whether it existed.
	RemoveWatch(ctx context.Context, guildID string, id int64) (bool, error)
	// SetWatchStatus records the status a watch last saw.
	SetWatchStatus(ctx context.Context, guildID string, id int64, status string) error
	// ClaimWatchAlert claims a change for posting (see guild.AlertClaim).
	ClaimWatchAlert(ctx context.Context, guildID string, watchID int64, key, owner string, now time.Time, lease time.Duration) (guild.AlertClaim, error)
	// FinishWatchAlert marks a claimed change posted.
	FinishWatchAlert(ctx context.Context, guildID string, watchID int64, key, messageID string, now time.Time) error
}

// maxWatches bounds a server's watches: each costs a topic search per
// check.
const maxWatches = 20

// Watch subcommands.
const (
	WatchAdd    = "add"
	WatchList   = "list"
	WatchRemove = "remove"
)

// WatchCommand is one /watch subcommand.
type WatchCommand struct {
	Action string // WatchAdd, WatchList or WatchRemove
	// Topic is the words to watch (WatchAdd) or the watch to remove: its
	// number as /watch list shows it, or its words (WatchRemove).
	Topic string
	// ChannelID is where alerts go ("" means the invoker's channel).
	ChannelID string
}

// Watch answers /watch add|list|remove. A watch posts a short alert in its
// channel when the status of the topic it watches changes (see Watcher).
func (h *Handler) Watch(ctx context.Context, inv Invoker, cmd WatchCommand) (replies []Reply) {
	defer h.recoverPanic("watch", &replies, true)
	ws := h.watches
	if ws == nil {
		return []Reply{notice("Watches are not available here.")}
	}
	fail := func(op string, err error) []Reply {
		h.log.Error("watch_failed", slog.String("op", op), slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		return []Reply{notice("I couldn't update the watches just now; try again later.")}
	}
	topic := discordtext.Clean(strings.TrimSpace(cmd.Topic))
	switch cmd.Action {
	case WatchAdd:
		if topic == "" {
			return []Reply{notice("Tell me which topic to watch, e.g. `/watch add energy strikes`.")}
		}
		if len(topic) > 100 {
			return []Reply{notice("Keep the topic under 100 characters.")}
		}
		have, err := ws.Watches(ctx, inv.GuildID)
		if err != nil {
			return fail("list", err)
		}
		if len(have) >= maxWatches && !slices.ContainsFunc(have, func(w guild.Watch) bool { return strings.EqualFold(w.Query, topic) }) {
			return []Reply{notice(fmt.Sprintf("This server watches %d topics, the most I keep; remove one first.", maxWatches))}
		}
		ch := firstNonEmpty(cmd.ChannelID, inv.ChannelID)
		// The status now is the baseline: only later changes are told.
		status := ""
		if hits, err := h.shares.SearchTopics(ctx, inv.GuildID, topic, maxExportHits); err == nil {
			if v, ok := watchView(hits); ok {
				status = string(v.status)
			}
		}
		w, created, err := ws.AddWatch(ctx, guild.Watch{GuildID: inv.GuildID, ChannelID: ch, Query: strings.ToLower(topic), Status: status, CreatedAt: h.now()})
		if err != nil {
			return fail("add", err)
		}
		h.log.Info("watch_added", slog.String("guild_id", inv.GuildID), slog.Int64("watch_id", w.ID))
		now := "not shared here yet"
		if w.Status != "" {
			now = "now " + w.Status
		}
		verb := "Watching"
		if !created {
			verb = "Already watching"
		}
		return []Reply{notice(fmt.Sprintf("%s “%s” (%s): I'll post in %s when its status changes.", verb, discordtext.EscapeTruncate(w.Query, 100), now, channelRef(w.ChannelID)))}
	case WatchList:
		have, err := ws.Watches(ctx, inv.GuildID)
		if err != nil {
			return fail("list", err)
		}
		if len(have) == 0 {
			return []Reply{notice("No watches in this server. Add one with /watch add.")}
		}
		var b strings.Builder
		b.WriteString("Watches in this server:")
		for i, w := range have {
			fmt.Fprintf(&b, "\n%d. “%s” in %s · %s", i+1, discordtext.EscapeTruncate(w.Query, 100), channelRef(w.ChannelID), firstNonEmpty(w.Status, "not shared yet"))
		}
		return []Reply{notice(b.String())}
	case WatchRemove:
		have, err := ws.Watches(ctx, inv.GuildID)
		if err != nil {
			return fail("list", err)
		}
		idx := slices.IndexFunc(have, func(w guild.Watch) bool { return strings.EqualFold(w.Query, topic) })
		if n, err := strconv.Atoi(topic); err == nil && n >= 1 && n <= len(have) {
			idx = n - 1
		}
		if idx < 0 {
			return []Reply{notice("No such watch: give its number from /watch list, or its words.")}
		}
		if _, err := ws.RemoveWatch(ctx, inv.GuildID, have[idx].ID); err != nil {
			return fail("remove", err)
		}
		return []Reply{notice(fmt.Sprintf("Stopped watching “%s”.", discordtext.EscapeTruncate(have[idx].Query, 100)))}
	default:
		return []Reply{notice("Use /watch add, list or remove.")}
	}
}

// topicView is a watched topic as it stands: its best-matching group of
// topics, its status by the ledger's rule, and the articles of the time
// that set it.
type topicView struct {
	name   string
	status summarize.Status
	// causes are the URLs of the articles whose reports set the status.
	causes []string
	group  topicGroup
	src    sources
}

// watchView reads the best-matching topic of hits.
func watchView(hits []ledger.TopicHit) (topicView, bool) {
	groups := groupTopics(hits)
	if len(groups) == 0 {
		return topicView{}, false
	}
	g := groups[0]
	src := numberSources(g.hits)
	steps := topicMoments(g, src, false)
	if len(steps) == 0 {
		return topicView{}, false
	}
	last := steps[len(steps)-1]
	v := topicView{name: g.name, status: last.Status, group: g, src: src}
	for _, n := range last.Sources {
		if n >= 1 && n <= len(src.order) {
			v.causes = append(v.causes, src.order[n-1])
		}
	}
	slices.Sort(v.causes)
	return v, true
}

// WatcherOptions configure a Watcher.
type WatcherOptions struct {
	Shares Shares
	Store  WatchStore
	Poster schedule.Poster
	Logger *slog.Logger
	Now    func() time.Time
	// Owns reports whether this process checks guildID's watches (with
	// Discord shards: the server is on one of its shards); nil owns all.
	Owns func(guildID string) bool
	// Lease is how long a claimed alert is held before another process
	// (or this one after a restart) may post it (default 2 minutes).
	Lease time.Duration
}

// Watcher posts the alerts of every server's watches: when a watched
// topic's status (by the ledger's rule, as /topic and briefings show it)
// differs from the one it last saw, it posts "Topic: agreed → disputed"
// with the quotes on both sides. Each change is claimed in the store under
// (server, watch, change key) before it is posted and marked after, so it
// is posted at most once across processes and restarts; a change is keyed
// by its statuses and the articles that made it, so a re-share (which
// changes no status) never alerts.
type Watcher struct {
	o     WatcherOptions
	owner string
	mu    sync.Mutex // one check at a time
}

// NewWatcher returns a Watcher; Shares, Store and Poster are required.
func NewWatcher(o WatcherOptions) (*Watcher, error) {
	if o.Shares == nil || o.Store == nil || o.Poster == nil {
		return nil, errors.New("bot: new watcher: Shares, Store and Poster are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	return &Watcher{o: o, owner: rand.Text()[:12]}, nil
}

// Run checks the watches every interval until ctx ends.
func (w *Watcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.CheckAll(ctx); err != nil && ctx.Err() == nil {
			w.o.Logger.Warn("watch_check_failed", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckAll checks every watch once and returns the alerts posted. A
// failing watch is logged and skipped.
func (w *Watcher) CheckAll(ctx context.Context) (posted int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	all, err := w.o.Store.Watches(ctx, "")
	if err != nil {
		return 0, err
	}
	for _, wt := range all {
		if ctx.Err() != nil {
			return posted, ctx.Err()
		}
		if w.o.Owns != nil && !w.o.Owns(wt.GuildID) {
			continue
		}
		ok, err := w.check(ctx, wt)
		if err != nil {
			w.o.Logger.Warn("watch_alert_failed", slog.String("guild_id", wt.GuildID), slog.Int64("watch_id", wt.ID), slog.Any("err", err))
			continue
		}
		if ok {
			posted++
		}
	}
	return posted, nil
}

// check looks at one watch and posts its alert when the status changed.
func (w *Watcher) check(ctx context.Context, wt guild.Watch) (bool, error) {
	hits, err := w.o.Shares.SearchTopics(ctx, wt.GuildID, wt.Query, maxExportHits)
	if err != nil {
		return false, err
	}
	v, ok := watchView(hits)
	if !ok || string(v.status) == wt.Status {
		return false, nil
	}
	if wt.Status == "" { // first seen: the baseline, not a change
		return false, w.o.Store.SetWatchStatus(ctx, wt.GuildID, wt.ID, string(v.status))
	}
	from := summarize.Status(wt.Status)
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%s", wt.GuildID, wt.ID, from, v.status, strings.Join(v.causes, "\x00"))))
	key := hex.EncodeToString(sum[:10])
	now := w.o.Now()
	c, err := w.o.Store.ClaimWatchAlert(ctx, wt.GuildID, wt.ID, key, w.owner, now, w.o.Lease)
	if err != nil {
		return false, err
	}
	if c.Posted {
		return false, w.o.Store.SetWatchStatus(ctx, wt.GuildID, wt.ID, string(v.status))
	}
	if !c.Claimed {
		return false, nil // another process holds it
	}
	marker := "alert " + key[:8]
	if c.Attempts > 1 {
		// An earlier attempt may have posted before it could record it.
		if id := w.findPosted(ctx, wt.ChannelID, marker, c.ClaimedAt); id != "" {
			if err := w.o.Store.FinishWatchAlert(ctx, wt.GuildID, wt.ID, key, id, now); err != nil {
				return false, err
			}
			return false, w.o.Store.SetWatchStatus(ctx, wt.GuildID, wt.ID, string(v.status))
		}
	}
	ids, err := w.o.Poster.PostMessages(ctx, wt.ChannelID, []schedule.Outgoing{{Content: renderAlert(v, from, marker), Nonce: "w" + key[:20]}})
	if err != nil || len(ids) == 0 {
		return false, fmt.Errorf("post alert: %w", err)
	}
	if err := w.o.Store.FinishWatchAlert(ctx, wt.GuildID, wt.ID, key, ids[0], w.o.Now()); err != nil {
		return true, err
	}
	w.o.Logger.Info("watch_alert_posted", slog.String("guild_id", wt.GuildID), slog.Int64("watch_id", wt.ID), slog.String("from", string(from)), slog.String("to", string(v.status)))
	return true, w.o.Store.SetWatchStatus(ctx, wt.GuildID, wt.ID, string(v.status))
}

// findPosted looks for the bot's message carrying marker in channelID
// since the change was first claimed.
func (w *Watcher) findPosted(ctx context.Context, channelID, marker string, since time.Time) string {
	msgs, err := w.o.Poster.MessagesAfter(ctx, channelID, since.Add(-time.Minute), "", 100)
	if err != nil {
		w.o.Logger.Warn("watch_find_posted_failed", slog.String("channel_id", channelID), slog.Any("err", err))
		return ""
	}
	for _, m := range msgs {
		if m.FromSelf && strings.Contains(m.Content, marker) {
			return m.ID
		}
	}
	return ""
}

// renderAlert writes an alert: the change, the latest quote for the old
// status and for the new one, with their sources, in at most Discord's
// 2,000 characters.
func renderAlert(v topicView, from summarize.Status, marker string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "🔔 **%s**: %s %s → %s %s", discordtext.EscapeTruncate(v.name, 100), StatusMark(from), from, StatusMark(v.status), v.status)
	quote := func(st summarize.Status, label string) {
		for i := len(v.group.hits) - 1; i >= 0; i-- {
			h := v.group.hits[i]
			for _, p := range h.Topic.Points {
				if p.Status == st && p.Grounded && p.Quote != "" {
					fmt.Fprintf(&b, "\n%s: “%s” — %s <%s>", label, discordtext.EscapeTruncate(p.Quote, 300),
						discordtext.EscapeTruncate(firstNonEmpty(h.Title, h.Site, h.URL), 120), safeURL(h.URL))
					return
				}
			}
		}
	}
	quote(from, "Before")
	quote(v.status, "Now")
	fmt.Fprintf(&b, "\n-# watching “%s” · %s", discordtext.EscapeTruncate(v.name, 80), marker)
	return discordtext.Truncate(b.String(), LimitContent)
}
