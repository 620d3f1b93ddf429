package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Command names, as registered with Discord.
const (
	CommandSummarize      = "summarize"
	CommandTopic          = "topic"
	CommandSettings       = "settings"
	CommandBriefing       = "briefing"
	CommandUsage          = "usage"
	CommandExport         = "export"
	CommandAsk            = "ask"
	CommandWatch          = "watch"
	CommandFeed           = "feed"
	CommandSummarizeLinks = "Summarize links" // message context menu
)

// DiscordCommands returns the application commands the bot registers: the
// slash commands and the "Summarize links" message command, all usable in
// servers only; /settings is shown only to members who can manage the
// server.
func DiscordCommands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	guildOnly := func() *[]discordgo.InteractionContextType {
		return &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	}
	str := func(name, desc string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required}
	}
	choices := func(o *discordgo.ApplicationCommandOption, values ...string) *discordgo.ApplicationCommandOption {
		for _, v := range values {
			o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v})
		}
		return o
	}
	boolean := func(name, desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: name, Description: desc}
	}
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
	}
	query := str("query", "Words of the topic, e.g. ceasefire", true)
	query.Autocomplete = true
	topic := str("topic", "Words of the topic, e.g. ceasefire", true)
	topic.Autocomplete = true
	question := str("question", "Your question, e.g. did Russia agree to stop energy strikes?", true)
	question.MaxLength = maxQuestionRunes
	askTopic := str("topic", "Only points of topics matching these words", false)
	askTopic.Autocomplete = true
	watchTopic := str("topic", "Words of the topic, e.g. energy strikes", true)
	watchTopic.Autocomplete = true
	watchTopic.MaxLength = 100
	language := str("language", "Summary language code (en, de, pt-BR) or auto for the article's own", false)
	language.MaxLength = 35 // the longest BCP 47 tags people type
	return []*discordgo.ApplicationCommand{
		{
			Name: CommandSummarize, Description: "Summarize a news link: what was agreed, what is unresolved",
			Contexts: guildOnly(),
			Options: []*discordgo.ApplicationCommandOption{
				str("url", "The article's link", true),
				boolean("fresh", "Summarize again instead of using the cached summary"),
				boolean("detail", "Show up to 40 points instead of the first 8"),
			},
		},
		{
			Name: CommandTopic, Description: "The ledger of a topic across the links shared in this server",
			Contexts: guildOnly(),
			Options:  []*discordgo.ApplicationCommandOption{query},
		},
		{
			Name: CommandSettings, Description: "Show or change how the bot behaves in this server",
			Contexts: guildOnly(), DefaultMemberPermissions: &manage,
			Options: []*discordgo.ApplicationCommandOption{
				choices(str("autosummarize", "Summarize every link, only on a 📰 reaction, or only on command", false), AutoOn, AutoReact, AutoOff),
				choices(str("reply", "Answer links as a reply or in a thread", false), ReplyModeReply, ReplyModeThread),
				language,
				boolean("show_ungrounded", "Also show points whose quote was not found in the article"),
				boolean("skip_empty_briefing", "Post nothing (instead of one line) when a briefing finds no articles"),
			},
		},
		{
			Name: CommandBriefing, Description: "The daily briefing of what was agreed and what is unresolved",
			Contexts: guildOnly(),
			Options: []*discordgo.ApplicationCommandOption{
				sub(BriefingNow, "Post today's briefing now"),
				sub(BriefingSchedule, "Post the briefing on a schedule (needs Manage Server)",
					str("cron", "When, as a 5-field cron spec, e.g. 0 8 * * * for 08:00 daily", false),
					str("timezone", "Time zone of the schedule, e.g. Europe/Berlin", false),
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where to post (default: here)",
						ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews},
					},
				),
				sub(BriefingOff, "Stop the scheduled briefing (needs Manage Server)"),
				sub(BriefingStatus, "Show the schedule and the last and next briefing"),
			},
		},
		{
			Name: CommandUsage, Description: "This server's model calls, tokens, cache hits and costliest articles",
			Contexts: guildOnly(), DefaultMemberPermissions: &manage,
		},
		{
			Name: CommandExport, Description: "A file of a topic's points, statuses, quotes and sources in this server",
			Contexts: guildOnly(),
			Options: []*discordgo.ApplicationCommandOption{
				topic, choices(str("format", "File format (default md)", false), ExportMarkdown, ExportJSON, ExportCSV),
			},
		},
		{
			Name: CommandAsk, Description: "Ask a question answered only from the articles shared in this server",
			Contexts: guildOnly(),
			Options:  []*discordgo.ApplicationCommandOption{question, askTopic},
		},
		{
			Name: CommandWatch, Description: "Hear when a topic's status changes (agreed, unresolved, disputed)",
			Contexts: guildOnly(),
			Options: []*discordgo.ApplicationCommandOption{
				sub(WatchAdd, "Watch a topic", watchTopic, &discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where to post alerts (default: here)",
					ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews},
				}),
				sub(WatchList, "List this server's watches"),
				sub(WatchRemove, "Stop watching a topic", str("topic", "Its number in /watch list, or its words", true)),
			},
		},
		{
			Name: CommandFeed, Description: "Follow news feeds into this server's record (needs Manage Server to change)",
			Contexts: guildOnly(),
			Options: []*discordgo.ApplicationCommandOption{
				sub(FeedAdd, "Follow a feed (RSS, Atom, JSON Feed) or a site page that links one",
					str("url", "The feed's or the site's link", true),
					str("filter", "Only entries whose title or summary has these words", false)),
				sub(FeedList, "This server's feeds and how they are doing"),
				sub(FeedRemove, "Stop following a feed", str("feed", "Its number in /feed list, or its link", true)),
			},
		},
		{Name: CommandSummarizeLinks, Type: discordgo.MessageApplicationCommand, Contexts: guildOnly()},
	}
}

// registerCommands bulk-overwrites the commands, in opts.GuildID or
// globally.
func (d *Discord) registerCommands(ctx context.Context) error {
	_, appID := d.identity()
	if appID == "" {
		return fmt.Errorf("bot: discord: register commands: no application ID in Ready")
	}
	cmds, err := d.s.ApplicationCommandBulkOverwrite(appID, d.opts.GuildID, DiscordCommands(), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("bot: discord: register commands (guild %q): %w", d.opts.GuildID, err)
	}
	d.log.Info("discord_commands_registered", slog.Int("count", len(cmds)), slog.String("guild_id", d.opts.GuildID))
	return nil
}

func (d *Discord) onInteraction(_ *discordgo.Session, e *discordgo.InteractionCreate) {
	if e.Interaction == nil {
		return
	}
	i := e.Interaction
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		d.spawn("autocomplete", func(ctx context.Context) { d.autocomplete(ctx, i) })
	case discordgo.InteractionApplicationCommand:
		d.spawn("command", func(ctx context.Context) { d.command(ctx, i) })
	case discordgo.InteractionMessageComponent:
		d.spawn("component", func(ctx context.Context) { d.component(ctx, i) })
	}
}

// component answers a press of one of the bot's buttons: "More" shows the
// next page of a summary to the presser alone (answered directly, or
// deferred privately when slow). A button the bot no longer knows gets a
// short private notice.
func (d *Discord) component(ctx context.Context, i *discordgo.Interaction) {
	inv := invokerOf(i)
	id := i.MessageComponentData().CustomID
	switch {
	case i.GuildID == "":
		d.answer(ctx, i, answerQuick, func(context.Context) []Reply { return []Reply{notice("I work in servers, not in direct messages.")} })
	case strings.HasPrefix(id, MoreIDPrefix):
		d.answer(ctx, i, answerQuick, func(ctx context.Context) []Reply { return d.h.More(ctx, inv, id) })
	default:
		d.log.Warn("discord_unknown_component", slog.Int("custom_id_len", len(id)))
		d.answer(ctx, i, answerQuick, func(context.Context) []Reply {
			return []Reply{notice("That button no longer works; it may be from an older version of me.")}
		})
	}
}

// invokerOf says who ran an interaction. CanManage comes from the member's
// permissions in the channel: Manage Server or Administrator.
func invokerOf(i *discordgo.Interaction) Invoker {
	inv := Invoker{ID: i.ID, GuildID: i.GuildID, ChannelID: i.ChannelID}
	switch {
	case i.Member != nil:
		if i.Member.User != nil {
			inv.UserID = i.Member.User.ID
		}
		inv.CanManage = i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0
	case i.User != nil:
		inv.UserID = i.User.ID
	}
	return inv
}

// Option readers that never panic: discordgo's StringValue and BoolValue
// panic on a type mismatch.
func findOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o != nil && o.Name == name {
			return o
		}
	}
	return nil
}

func stringOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (string, bool) {
	if o := findOption(opts, name); o != nil {
		s, ok := o.Value.(string)
		return s, ok
	}
	return "", false
}

func boolOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (bool, bool) {
	if o := findOption(opts, name); o != nil {
		b, ok := o.Value.(bool)
		return b, ok
	}
	return false, false
}

func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			return o
		}
		if f := focusedOption(o.Options); f != nil {
			return f
		}
	}
	return nil
}

// topicOption reports whether f is the option naming a topic of a
// command (what autocomplete completes from the server's topics).
func topicOption(command string, f *discordgo.ApplicationCommandInteractionDataOption) bool {
	if f == nil {
		return false
	}
	switch command {
	case CommandTopic:
		return f.Name == "query"
	case CommandExport, CommandAsk, CommandWatch:
		return f.Name == "topic"
	}
	return false
}

// filesOf returns the reply's files as discordgo sends them (multipart).
func filesOf(r Reply) []*discordgo.File {
	var out []*discordgo.File
	for _, f := range r.Files {
		out = append(out, &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: bytes.NewReader(f.Data)})
	}
	return out
}

// autocomplete answers at once with this server's topics matching what
// the user typed.
func (d *Discord) autocomplete(ctx context.Context, i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if f := focusedOption(data.Options); topicOption(data.Name, f) && i.GuildID != "" {
		prefix, _ := f.Value.(string)
		for _, n := range d.h.TopicAutocomplete(ctx, i.GuildID, prefix) {
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: n, Value: n})
		}
	}
	// discordgo's InteractionResponseData drops an empty choices list
	// (omitempty); Discord wants the key, so the body is written here.
	body := struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data struct {
			Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		} `json:"data"`
	}{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
	body.Data.Choices = choices
	endpoint := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	if _, err := d.s.RequestWithBucketID("POST", endpoint, body, endpoint, discordgo.WithContext(ctx)); err != nil {
		d.log.Warn("discord_autocomplete_failed", slog.String("guild_id", i.GuildID), slog.Any("err", err))
	}
}

// command runs a slash or message command. Commands that may be slow are
// deferred at once; the others answer directly, or are deferred if they
// still run after deferAfter.
func (d *Discord) command(ctx context.Context, i *discordgo.Interaction) {
	inv := invokerOf(i)
	data := i.ApplicationCommandData()
	if i.GuildID == "" {
		d.answer(ctx, i, answerQuick, func(context.Context) []Reply { return []Reply{notice("I work in servers, not in direct messages.")} })
		return
	}
	var run func(ctx context.Context) []Reply
	mode := answerQuick
	switch {
	case data.CommandType == discordgo.MessageApplicationCommand && data.Name == CommandSummarizeLinks:
		var target Message
		if data.Resolved != nil && data.Resolved.Messages[data.TargetID] != nil {
			target = messageOf(data.Resolved.Messages[data.TargetID], i.GuildID)
		}
		if target.ChannelID == "" {
			target.ChannelID = i.ChannelID
		}
		mode = answerDeferPublic
		run = func(ctx context.Context) []Reply { return d.h.SummarizeMessage(ctx, inv, target) }
	case data.Name == CommandSummarize:
		u, _ := stringOption(data.Options, "url")
		var opt SummarizeOptions
		opt.Fresh, _ = boolOption(data.Options, "fresh")
		opt.Detail, _ = boolOption(data.Options, "detail")
		mode = answerDeferPublic
		run = func(ctx context.Context) []Reply { return d.h.SummarizeWith(ctx, inv, u, opt) }
	case data.Name == CommandTopic:
		q, _ := stringOption(data.Options, "query")
		mode = answerDeferPublic
		run = func(ctx context.Context) []Reply { return d.h.Topic(ctx, inv, q) }
	case data.Name == CommandExport:
		q, _ := stringOption(data.Options, "topic")
		format, _ := stringOption(data.Options, "format")
		mode = answerDeferPublic
		run = func(ctx context.Context) []Reply { return d.h.Export(ctx, inv, q, format) }
	case data.Name == CommandAsk:
		q, _ := stringOption(data.Options, "question")
		tp, _ := stringOption(data.Options, "topic")
		mode = answerDeferPublic
		run = func(ctx context.Context) []Reply { return d.h.Ask(ctx, inv, q, tp) }
	case data.Name == CommandWatch && len(data.Options) == 1 && data.Options[0] != nil:
		sub := data.Options[0]
		cmd := WatchCommand{Action: sub.Name}
		cmd.Topic, _ = stringOption(sub.Options, "topic")
		cmd.ChannelID, _ = stringOption(sub.Options, "channel")
		run = func(ctx context.Context) []Reply { return d.h.Watch(ctx, inv, cmd) }
	case data.Name == CommandFeed && len(data.Options) == 1 && data.Options[0] != nil:
		sub := data.Options[0]
		cmd := FeedCommand{Action: sub.Name}
		cmd.URL, _ = stringOption(sub.Options, "url")
		if v, ok := stringOption(sub.Options, "feed"); ok {
			cmd.URL = v
		}
		cmd.Filter, _ = stringOption(sub.Options, "filter")
		if sub.Name == FeedAdd {
			mode = answerDeferPrivate // reading the feed takes a moment
		}
		run = func(ctx context.Context) []Reply { return d.h.Feed(ctx, inv, cmd) }
	case data.Name == CommandSettings:
		var u SettingsUpdate
		if v, ok := stringOption(data.Options, "autosummarize"); ok {
			u.AutoSummarize = &v
		}
		if v, ok := stringOption(data.Options, "reply"); ok {
			u.ReplyMode = &v
		}
		if v, ok := stringOption(data.Options, "language"); ok {
			u.Language = &v
		}
		if v, ok := boolOption(data.Options, "show_ungrounded"); ok {
			u.ShowUngrounded = &v
		}
		if v, ok := boolOption(data.Options, "skip_empty_briefing"); ok {
			u.SkipEmptyBriefing = &v
		}
		run = func(ctx context.Context) []Reply { return d.h.Settings(ctx, inv, u) }
	case data.Name == CommandBriefing && len(data.Options) == 1 && data.Options[0] != nil:
		sub := data.Options[0]
		cmd := BriefingCommand{Action: sub.Name}
		cmd.Cron, _ = stringOption(sub.Options, "cron")
		cmd.TimeZone, _ = stringOption(sub.Options, "timezone")
		cmd.ChannelID, _ = stringOption(sub.Options, "channel")
		if sub.Name == BriefingNow {
			mode = answerDeferPrivate // the briefing goes to the channel; the answer is a notice
		}
		run = func(ctx context.Context) []Reply { return d.h.Briefing(ctx, inv, cmd) }
	case data.Name == CommandUsage:
		run = func(ctx context.Context) []Reply { return d.h.UsageCommand(ctx, inv) }
	default:
		d.log.Warn("discord_unknown_command", slog.String("name", data.Name))
		run = func(context.Context) []Reply {
			return []Reply{notice("I don't know that command; it may be from an older version of me.")}
		}
	}
	d.answer(ctx, i, mode, run)
}

// How a command is answered.
type answerMode int

const (
	// answerQuick: directly, or deferred privately past deferAfter.
	answerQuick answerMode = iota
	// answerDeferPublic: deferred at once, for an answer everyone sees.
	answerDeferPublic
	// answerDeferPrivate: deferred at once, for an answer to the invoker.
	answerDeferPrivate
)

// answer runs a command and delivers its replies. A slow command is
// deferred at once, publicly or privately per mode; a quick one is
// answered directly unless it runs past deferAfter, when it is deferred
// privately. The first reply then edits the deferred answer, the others
// follow up. Replies aimed at a channel (TargetReply, TargetThread) are
// posted there.
func (d *Discord) answer(ctx context.Context, i *discordgo.Interaction, mode answerMode, run func(context.Context) []Reply) {
	done := make(chan []Reply, 1)
	go func() {
		var replies []Reply
		defer func() { done <- replies }()
		defer d.recoverPanic("command_run")
		replies = run(ctx)
	}()

	var replies []Reply
	finished := false
	if mode == answerQuick {
		grace := time.NewTimer(d.deferAfter)
		select {
		case replies = <-done:
			finished = true
		case <-grace.C:
		}
		grace.Stop()
	}
	deferredEphemeral := mode != answerDeferPublic
	if !finished {
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		if deferredEphemeral {
			resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
		}
		if err := d.s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
			d.log.Error("discord_defer_failed", slog.String("guild_id", i.GuildID), slog.Any("err", err))
			<-done // let the work finish; there is no one left to tell
			return
		}
		replies = <-done
	}

	var respond, channel []Reply
	for _, r := range replies {
		if r.Target == TargetRespond {
			respond = append(respond, r)
		} else {
			channel = append(channel, r)
		}
	}
	if len(respond) == 0 { // an interaction must be answered
		respond = []Reply{notice("Done.")}
	}
	if finished {
		d.respondNow(ctx, i, respond)
	} else {
		d.finishDeferred(ctx, i, deferredEphemeral, respond)
	}
	d.deliver(ctx, channel)
}

// respondNow answers an interaction directly with the first reply and
// follows up with the rest.
func (d *Discord) respondNow(ctx context.Context, i *discordgo.Interaction, replies []Reply) {
	if len(replies) == 0 {
		return
	}
	first := replies[0]
	data := &discordgo.InteractionResponseData{Content: first.Content, Embeds: embedsOf(first), Components: componentsOf(first), Files: filesOf(first), AllowedMentions: noMentions()}
	if first.Ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := d.s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Error("discord_respond_failed", slog.String("guild_id", i.GuildID), slog.Any("err", err))
		return
	}
	d.followUp(ctx, i, replies[1:])
}

// finishDeferred completes a deferred interaction. An answer whose
// visibility differs from the deferral's (a private error after a public
// "thinking…") replaces the deferred message by a follow-up.
func (d *Discord) finishDeferred(ctx context.Context, i *discordgo.Interaction, deferredEphemeral bool, replies []Reply) {
	if len(replies) == 0 {
		if err := d.s.InteractionResponseDelete(i, discordgo.WithContext(ctx)); err != nil {
			d.log.Warn("discord_delete_original_failed", slog.Any("err", err))
		}
		return
	}
	first := replies[0]
	if first.Ephemeral && !deferredEphemeral {
		if err := d.s.InteractionResponseDelete(i, discordgo.WithContext(ctx)); err != nil {
			d.log.Warn("discord_delete_original_failed", slog.Any("err", err))
		}
		d.followUp(ctx, i, replies)
		return
	}
	embeds := embedsOf(first)
	edit := &discordgo.WebhookEdit{Content: &first.Content, Embeds: &embeds, Files: filesOf(first), AllowedMentions: noMentions()}
	if c := componentsOf(first); c != nil {
		edit.Components = &c
	}
	_, err := d.s.InteractionResponseEdit(i, edit, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Error("discord_edit_original_failed", slog.String("guild_id", i.GuildID), slog.Any("err", err))
	}
	d.followUp(ctx, i, replies[1:])
}

// followUp sends replies as follow-up messages of an answered interaction.
func (d *Discord) followUp(ctx context.Context, i *discordgo.Interaction, replies []Reply) {
	for _, r := range replies {
		p := &discordgo.WebhookParams{Content: r.Content, Embeds: embedsOf(r), Components: componentsOf(r), Files: filesOf(r), AllowedMentions: noMentions()}
		if r.Ephemeral {
			p.Flags = discordgo.MessageFlagsEphemeral
		}
		if _, err := d.s.FollowupMessageCreate(i, true, p, discordgo.WithContext(ctx)); err != nil {
			d.log.Error("discord_followup_failed", slog.String("guild_id", i.GuildID), slog.Any("err", err))
		}
	}
}
