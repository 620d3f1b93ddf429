package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"briefbot/bot/discordtext"
	"briefbot/guild"
	"briefbot/schedule"
)

// Topic answers /topic: the ledger of this server's topics matching query,
// from its own shares only.
func (h *Handler) Topic(ctx context.Context, inv Invoker, query string) (replies []Reply) {
	defer h.recoverPanic("topic", &replies, true)
	query = discordtext.Clean(query)
	if query == "" {
		return []Reply{notice("Tell me which topic to look up, e.g. `/topic ceasefire`.")}
	}
	set, done, refused := h.beginLookup(ctx, inv)
	if refused != nil {
		return refused
	}
	defer done()
	hits, err := h.shares.SearchTopics(ctx, inv.GuildID, query, maxTopicHits)
	if err != nil {
		h.log.Error("topic_search_failed", slog.String("guild_id", inv.GuildID), slog.String("query", query), slog.Any("err", err))
		return []Reply{notice("I couldn't search the topics just now; try again later.")}
	}
	if len(hits) == 0 {
		return []Reply{notice(fmt.Sprintf("No topic matching “%s” has been shared in this server yet.", discordtext.EscapeTruncate(query, 200)))}
	}
	return RenderTopic(query, hits, TopicOptions{ShowUngrounded: set.ShowUngrounded})
}

// beginLookup admits a lookup command (/topic, /ask, /export): not while
// shutting down, within the user's rate limit in this server, with the
// server's settings. When refused is non-nil it is the answer; otherwise
// the caller calls done when it has answered.
func (h *Handler) beginLookup(ctx context.Context, inv Invoker) (set guild.Settings, done func(), refused []Reply) {
	if !h.enter() {
		return set, nil, []Reply{notice(msgShuttingDown)}
	}
	if ok, _ := h.limits.allow(inv.GuildID, inv.UserID, h.now()); !ok {
		h.inflight.Done()
		return set, nil, []Reply{notice(msgRateLimited)}
	}
	set, ok := h.guildSettings(ctx, inv.GuildID)
	if !ok {
		h.inflight.Done()
		return set, nil, []Reply{notice(msgInternal)}
	}
	return set, h.inflight.Done, nil
}

// TopicAutocomplete returns up to 25 topic names seen in the server that
// match what the user typed so far, each at most 100 characters (Discord's
// limits on choices).
func (h *Handler) TopicAutocomplete(ctx context.Context, guildID, prefix string) (names []string) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("handler_panic", slog.String("op", "topic_autocomplete"), slog.Any("panic", p))
			names = nil
		}
	}()
	got, err := h.shares.TopicNames(ctx, guildID, discordtext.Clean(prefix), maxChoices)
	if err != nil {
		h.log.Error("topic_names_failed", slog.String("guild_id", guildID), slog.Any("err", err))
		return nil
	}
	seen := map[string]bool{}
	for _, n := range got {
		n = discordtext.Truncate(discordtext.Clean(n), maxChoiceLen)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		names = append(names, n)
		if len(names) == maxChoices {
			break
		}
	}
	return names
}

// Settings answers /settings: with no change it shows the server's
// settings; changes need CanManage.
func (h *Handler) Settings(ctx context.Context, inv Invoker, u SettingsUpdate) (replies []Reply) {
	defer h.recoverPanic("settings", &replies, true)
	set, ok := h.guildSettings(ctx, inv.GuildID)
	if !ok {
		return []Reply{notice(msgInternal)}
	}
	set.GuildID = inv.GuildID
	if u == (SettingsUpdate{}) {
		return []Reply{notice(describeSettings(set))}
	}
	if !inv.CanManage {
		return []Reply{notice(msgNeedManage)}
	}
	if u.AutoSummarize != nil {
		v := strings.ToLower(strings.TrimSpace(*u.AutoSummarize))
		if v != AutoOn && v != AutoReact && v != AutoOff {
			return []Reply{notice("autosummarize is one of: on, react, off.")}
		}
		set.AutoSummarize = v
	}
	if u.ReplyMode != nil {
		v := strings.ToLower(strings.TrimSpace(*u.ReplyMode))
		if v != ReplyModeReply && v != ReplyModeThread {
			return []Reply{notice("reply is one of: reply, thread.")}
		}
		set.ReplyMode = v
	}
	if u.Language != nil {
		v, ok := parseLanguage(*u.Language)
		if !ok {
			return []Reply{notice("language is a language code such as en, de or pt-BR, or auto for the article's own.")}
		}
		set.Language = v
	}
	if u.ShowUngrounded != nil {
		set.ShowUngrounded = *u.ShowUngrounded
	}
	if u.SkipEmptyBriefing != nil {
		set.QuietEmptyBriefing = *u.SkipEmptyBriefing
	}
	if err := h.settings.SaveGuildSettings(ctx, set); err != nil {
		h.log.Error("save_settings_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		return []Reply{notice("I couldn't save the settings; try again later.")}
	}
	h.log.Info("settings_changed", slog.String("guild_id", inv.GuildID), slog.String("user_id", inv.UserID))
	return []Reply{notice("Saved.\n" + describeSettings(set))}
}

// parseLanguage accepts a BCP 47-like code ("en", "de", "pt-BR") or
// "auto"/"" for the article's own language.
func parseLanguage(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "auto") {
		return "", true
	}
	if len(s) > 12 {
		return "", false
	}
	for i, part := range strings.Split(s, "-") {
		if part == "" || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return "", false
		}
		for _, c := range part {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
				return "", false
			}
		}
	}
	return s, true
}

func describeSettings(s guild.Settings) string {
	lang := s.Language
	if lang == "" {
		lang = "auto (the article's)"
	}
	reply := s.ReplyMode
	if reply == "" {
		reply = ReplyModeReply
	}
	return fmt.Sprintf("Settings for this server:\n• autosummarize: **%s**\n• reply: **%s**\n• language: **%s**\n• show_ungrounded: **%t**\n• skip_empty_briefing: **%t**",
		autoMode(s), reply, discordtext.Escape(lang), s.ShowUngrounded, s.QuietEmptyBriefing)
}

// Briefing answers /briefing now|schedule|off|status. Schedule and off
// need CanManage.
func (h *Handler) Briefing(ctx context.Context, inv Invoker, cmd BriefingCommand) (replies []Reply) {
	defer h.recoverPanic("briefing", &replies, true)
	briefer := h.getBriefer()
	if briefer == nil {
		return []Reply{notice(msgNoBriefer)}
	}
	if !h.enter() {
		return []Reply{notice(msgShuttingDown)}
	}
	defer h.inflight.Done()
	fail := func(op string, err error) []Reply {
		h.log.Info("briefing_failed", slog.String("op", op), slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		return []Reply{notice(briefingMessage(err))}
	}
	switch cmd.Action {
	case BriefingNow:
		if ok, _ := h.limits.allow(inv.GuildID, inv.UserID, h.now()); !ok {
			return []Reply{notice(msgRateLimited)}
		}
		res, err := briefer.RunNow(ctx, inv.GuildID, inv.ChannelID)
		if err != nil {
			return fail("now", err)
		}
		if res.Empty && len(res.MessageIDs) == 0 {
			return []Reply{notice("Nothing was shared since the last briefing.")}
		}
		return []Reply{notice(fmt.Sprintf("Posted the briefing (%s).", plural(len(res.MessageIDs), "message", "messages")))}
	case BriefingSchedule:
		if !inv.CanManage {
			return []Reply{notice(msgNeedManage)}
		}
		ch := cmd.ChannelID
		if ch == "" {
			ch = inv.ChannelID
		}
		next, err := briefer.SetSchedule(ctx, inv.GuildID, ch, strings.TrimSpace(cmd.Cron), strings.TrimSpace(cmd.TimeZone))
		if err != nil {
			return fail("schedule", err)
		}
		h.log.Info("briefing_scheduled", slog.String("guild_id", inv.GuildID), slog.String("channel_id", ch))
		loc := loadLocation(cmd.TimeZone)
		if st, err := briefer.Status(ctx, inv.GuildID); err == nil && st.Location != nil {
			loc = st.Location // the schedule's zone, defaults applied
		}
		return []Reply{notice(fmt.Sprintf("Daily briefing scheduled in %s. Next: %s.", channelRef(ch), formatWhen(next, loc)))}
	case BriefingOff:
		if !inv.CanManage {
			return []Reply{notice(msgNeedManage)}
		}
		if err := briefer.Disable(ctx, inv.GuildID); err != nil {
			return fail("off", err)
		}
		return []Reply{notice("Daily briefing turned off.")}
	case BriefingStatus:
		st, err := briefer.Status(ctx, inv.GuildID)
		if err != nil {
			return fail("status", err)
		}
		loc := st.Location
		if loc == nil {
			loc = loadLocation(st.TimeZone)
		}
		var b strings.Builder
		if st.Scheduled {
			fmt.Fprintf(&b, "Daily briefing in %s at `%s` (%s). Next: %s.", channelRef(st.ChannelID), discordtext.Clean(st.Cron), discordtext.Clean(st.TimeZone), formatWhen(st.Next, loc))
		} else {
			b.WriteString("No daily briefing is scheduled. An admin can set one with /briefing schedule.")
		}
		if st.Last != nil {
			fmt.Fprintf(&b, "\nLast: %s in %s (%s).", formatWhen(lastTime(st.Last), loc), channelRef(st.Last.ChannelID), st.Last.State)
		}
		return []Reply{notice(b.String())}
	default:
		return []Reply{notice("Use /briefing now, schedule, off or status.")}
	}
}

// lastTime is when a briefing went out, or its slot when it did not.
func lastTime(b *schedule.Briefing) time.Time {
	if !b.PostedAt.IsZero() {
		return b.PostedAt
	}
	return b.Slot
}

// channelRef names a channel: a Discord channel mention for snowflake IDs
// (it links, and never pings), the name otherwise (the console's).
func channelRef(id string) string {
	if id == "" {
		return "this channel"
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return "#" + discordtext.Escape(id)
		}
	}
	return "<#" + id + ">"
}

func loadLocation(tz string) *time.Location {
	if loc, err := time.LoadLocation(strings.TrimSpace(tz)); err == nil && tz != "" {
		return loc
	}
	return time.UTC
}

func formatWhen(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "not planned"
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}
