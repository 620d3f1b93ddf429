package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"briefbot/bot/discordtext"
	"briefbot/feed"
	"briefbot/guild"
)

// Feeds follows news feeds into a server's record. *feed.Poller
// implements it.
type Feeds interface {
	// Add follows the feed at url (or the one the page at url links).
	// Its errors wrap feed.ErrNotFeed, feed.ErrTooManyFeeds or the
	// fetcher's; feed.Reason says them in words.
	Add(ctx context.Context, guildID, channelID, url, filter string) (guild.Feed, bool, error)
	List(ctx context.Context, guildID string) ([]guild.Feed, error)
	Remove(ctx context.Context, guildID string, id int64) (bool, error)
	MaxFeeds() int
}

var _ Feeds = (*feed.Poller)(nil)

// Feed subcommands.
const (
	FeedAdd    = "add"
	FeedList   = "list"
	FeedRemove = "remove"
)

// FeedCommand is one /feed subcommand.
type FeedCommand struct {
	Action string // FeedAdd, FeedList or FeedRemove
	// URL is the feed or site page (FeedAdd), or the feed to remove: its
	// number in /feed list or its URL (FeedRemove).
	URL    string
	Filter string
}

// Feed answers /feed add|list|remove; add and remove need CanManage. New
// entries are summarized quietly into the server's record: they appear in
// /topic and the next briefing, never as messages.
func (h *Handler) Feed(ctx context.Context, inv Invoker, cmd FeedCommand) (replies []Reply) {
	defer h.recoverPanic("feed", &replies, true)
	if h.feeds == nil {
		return []Reply{notice("Feeds are not available here.")}
	}
	fail := func(op string, err error) []Reply {
		h.log.Error("feed_failed", slog.String("op", op), slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		return []Reply{notice("I couldn't update the feeds just now; try again later.")}
	}
	if (cmd.Action == FeedAdd || cmd.Action == FeedRemove) && !inv.CanManage {
		return []Reply{notice(msgNeedManage)}
	}
	switch cmd.Action {
	case FeedAdd:
		u := strings.TrimSpace(cmd.URL)
		if u == "" || len(u) > 2000 {
			return []Reply{notice("Give the feed's link (RSS, Atom or JSON Feed) or a site page that links one.")}
		}
		filter := discordtext.Clean(strings.TrimSpace(cmd.Filter))
		if len(filter) > 200 {
			return []Reply{notice("Keep the filter under 200 characters.")}
		}
		if !h.enter() {
			return []Reply{notice(msgShuttingDown)}
		}
		defer h.inflight.Done()
		if ok, _ := h.limits.allow(inv.GuildID, inv.UserID, h.now()); !ok {
			return []Reply{notice(msgRateLimited)}
		}
		f, created, err := h.feeds.Add(ctx, inv.GuildID, inv.ChannelID, u, filter)
		switch {
		case errors.Is(err, feed.ErrTooManyFeeds):
			return []Reply{notice(fmt.Sprintf("This server follows %d feeds, the most I keep; remove one first.", h.feeds.MaxFeeds()))}
		case err != nil:
			h.log.Info("feed_add_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
			return []Reply{notice("I couldn't follow that feed: " + feed.Reason(err) + ".")}
		case !created:
			return []Reply{notice("This server already follows " + feedLink(f.URL) + ".")}
		}
		text := "Following " + feedLink(f.URL)
		if f.Filter != "" {
			text += " (entries mentioning “" + discordtext.EscapeTruncate(f.Filter, 200) + "”)"
		}
		return []Reply{notice(text + ". New entries go quietly into this server's record: /topic and the next briefing show them.")}
	case FeedList:
		have, err := h.feeds.List(ctx, inv.GuildID)
		if err != nil {
			return fail("list", err)
		}
		if len(have) == 0 {
			return []Reply{notice("This server follows no feeds. An admin can add one with /feed add.")}
		}
		var b strings.Builder
		b.WriteString("Feeds of this server:")
		for i, f := range have {
			fmt.Fprintf(&b, "\n%d. %s", i+1, feedLink(f.URL))
			if f.Filter != "" {
				fmt.Fprintf(&b, " · filter “%s”", discordtext.EscapeTruncate(f.Filter, 100))
			}
			fmt.Fprintf(&b, " · %s", discordtext.EscapeTruncate(firstNonEmpty(f.Status, "not polled yet"), 200))
			if !f.Polled.IsZero() {
				fmt.Fprintf(&b, " · polled %s", f.Polled.UTC().Format("2 Jan 15:04 MST"))
			}
		}
		return []Reply{notice(discordtext.Truncate(b.String(), LimitContent))}
	case FeedRemove:
		have, err := h.feeds.List(ctx, inv.GuildID)
		if err != nil {
			return fail("list", err)
		}
		key := strings.TrimSpace(cmd.URL)
		idx := slices.IndexFunc(have, func(f guild.Feed) bool { return f.URL == key })
		if n, err := strconv.Atoi(key); err == nil && n >= 1 && n <= len(have) {
			idx = n - 1
		}
		if idx < 0 {
			return []Reply{notice("No such feed: give its number from /feed list, or its link.")}
		}
		if _, err := h.feeds.Remove(ctx, inv.GuildID, have[idx].ID); err != nil {
			return fail("remove", err)
		}
		return []Reply{notice("Stopped following " + feedLink(have[idx].URL) + ".")}
	default:
		return []Reply{notice("Use /feed add, list or remove.")}
	}
}

// feedLink shows a feed's URL as a link that does not embed, or escaped
// when it is not a plain web link.
func feedLink(u string) string {
	if s := safeURL(u); s != "" && len(s) <= 300 {
		return "<" + s + ">"
	}
	return discordtext.EscapeTruncate(u, 300)
}
