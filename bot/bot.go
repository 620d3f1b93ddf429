// Package bot puts the summarizing pipeline in front of people.
//
// It holds the transport-neutral handling of chat events (a pasted link, a
// 📰 reaction, the /summarize, /topic, /settings and /briefing commands and
// the "Summarize links" message command): each comes in as a plain value and
// the answer goes out as a list of Reply values, so tests drive the Handler
// without any network. Rendering (render.go) turns summaries and topic
// ledgers into Discord embeds that respect every Discord limit, with all
// model and article text escaped. Two transports deliver the replies: Discord
// through discordgo (discord.go) and a local console (console.go).
package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/time/rate"

	"briefbot/ask"
	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// Summarizer returns the summary of one link. *summarize.Service implements
// it: cached, one flight per URL.
type Summarizer interface {
	// Summarize returns the ledger of req.URL. Its errors wrap the
	// sentinels of package summarize (ErrBadURL, ErrBlockedHost,
	// ErrTooLarge, ErrNotArticle, ErrTooManyRedirects,
	// *summarize.HTTPStatusError) or the context's error; UserMessage maps
	// them to text safe to show.
	Summarize(ctx context.Context, req summarize.Request) (*summarize.Summary, error)
}

// Shares records who shared which link and answers topic lookups from a
// server's own shares. *store.DB implements it.
type Shares interface {
	// RecordShare records one share.
	RecordShare(ctx context.Context, s ledger.Share) error
	// SearchTopics finds topics of articles shared in guildID matching
	// query (full-text), best first.
	SearchTopics(ctx context.Context, guildID, query string, limit int) ([]ledger.TopicHit, error)
	// TopicNames lists up to limit topic names seen in guildID, most
	// recently shared first, with a word starting with prefix ("" for
	// all).
	TopicNames(ctx context.Context, guildID, prefix string, limit int) ([]string, error)
}

// StoredSummaries finds again the summaries a server was shown, for a
// reply's "More" button. *store.DB implements it.
type StoredSummaries interface {
	// MessageSummaries returns the summaries shared in guildID by the
	// message (or command, by its interaction ID) messageID, in share
	// order; none is an empty answer. Errors are the store's.
	MessageSummaries(ctx context.Context, guildID, messageID string) ([]ledger.SharedSummary, error)
}

// Settings loads and saves per-server preferences. *store.DB implements it.
type Settings interface {
	// GuildSettings returns guildID's settings; the zero value (with
	// GuildID set) when none were saved.
	GuildSettings(ctx context.Context, guildID string) (guild.Settings, error)
	// SaveGuildSettings replaces a server's settings.
	SaveGuildSettings(ctx context.Context, s guild.Settings) error
}

// Briefer runs and schedules daily briefings. *schedule.Service implements
// it. Errors caused by bad user input are *schedule.InputError, whose
// Message is safe to show.
type Briefer interface {
	// RunNow composes and posts a briefing to channelID now.
	RunNow(ctx context.Context, guildID, channelID string) (schedule.Result, error)
	// SetSchedule sets guildID's daily briefing: a 5-field cron spec in the
	// IANA time zone tz, posted to channelID. It returns the next run.
	SetSchedule(ctx context.Context, guildID, channelID, spec, tz string) (next time.Time, err error)
	// Disable removes guildID's schedule.
	Disable(ctx context.Context, guildID string) error
	// Status reports guildID's schedule and its last and next runs.
	Status(ctx context.Context, guildID string) (schedule.Status, error)
}

// These implementations live in packages bot imports, so their
// compile-time checks live here (beside them they would be import cycles);
// package store checks its own.
var (
	_ Summarizer      = (*summarize.Service)(nil)
	_ Briefer         = (*schedule.Service)(nil)
	_ Asker           = (*ask.Model)(nil)
	_ schedule.Poster = (*Console)(nil)
)

// ReactEmoji is the reaction that asks for a summary when a server's
// autosummarize setting is "react". Transports need fetch the reacted-to
// message only for this emoji.
const ReactEmoji = "📰"

// Autosummarize and reply-mode values of guild.Settings.
const (
	AutoOn    = "on"
	AutoReact = "react"
	AutoOff   = "off"

	ReplyModeReply  = "reply"
	ReplyModeThread = "thread"
)

// Message is a chat message as the transports see it.
type Message struct {
	GuildID   string
	ChannelID string
	MessageID string
	AuthorID  string
	// AuthorBot is true for bots and webhooks, the bot itself included.
	AuthorBot bool
	Content   string
}

// Reaction is a reaction added to a message.
type Reaction struct {
	GuildID   string
	ChannelID string
	MessageID string
	UserID    string
	// UserBot is true when a bot (the bot itself included) reacted.
	UserBot bool
	// Emoji is the unicode emoji (or custom emoji name) added.
	Emoji string
	// Message is the reacted-to message. Transports fill it only when
	// Emoji is ReactEmoji.
	Message Message
}

// Invoker says who ran a command, and where.
type Invoker struct {
	// ID identifies this invocation (Discord's interaction ID); shares
	// made by a command record it as their message.
	ID        string
	GuildID   string
	ChannelID string
	UserID    string
	// CanManage reports whether the user may manage the server (Discord's
	// Manage Server permission); /settings changes and /briefing
	// schedule|off require it.
	CanManage bool
}

// SettingsUpdate lists the settings a /settings command changes; nil fields
// are left as they are. An update with no field set shows the current
// settings.
type SettingsUpdate struct {
	AutoSummarize  *string // "on", "react" or "off"
	ReplyMode      *string // "reply" or "thread"
	Language       *string // e.g. "en", "de"; "" or "auto" means the article's
	ShowUngrounded *bool
	// SkipEmptyBriefing posts nothing, instead of one short line, when a
	// briefing finds no shared articles.
	SkipEmptyBriefing *bool
}

// Briefing subcommands.
const (
	BriefingNow      = "now"
	BriefingSchedule = "schedule"
	BriefingOff      = "off"
	BriefingStatus   = "status"
)

// BriefingCommand is one /briefing subcommand.
type BriefingCommand struct {
	// Action is BriefingNow, BriefingSchedule, BriefingOff or
	// BriefingStatus.
	Action string
	// Cron (5 fields) and TimeZone (IANA name) are for BriefingSchedule.
	Cron     string
	TimeZone string
	// ChannelID is where scheduled briefings go ("" means the invoker's
	// channel); for BriefingSchedule.
	ChannelID string
}

// Target says where a Reply goes.
type Target int

// Reply targets.
const (
	// TargetRespond answers the command (interaction response or
	// follow-up); for message events it means a plain message in
	// Reply.ChannelID.
	TargetRespond Target = iota
	// TargetReply posts in Reply.ChannelID as a reply to message
	// Reply.ReplyTo.
	TargetReply
	// TargetThread posts in the thread started on message Reply.ReplyTo in
	// Reply.ChannelID, named Reply.ThreadName; the transport starts the
	// thread for the first such reply and reuses it for the next ones.
	TargetThread
)

// Reply is one outgoing message. Content and Embeds fit Discord's limits
// (see CheckLimits). Every transport must send it with allowed mentions
// set to none.
type Reply struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
	// Buttons go under the message, in one row (see Button).
	Buttons []Button
	// Files are attached to the message (an /export); the console prints
	// them.
	Files []File
	// Ephemeral replies are shown only to the invoker (commands only).
	Ephemeral bool

	Target     Target
	ChannelID  string
	ReplyTo    string // message ID, for TargetReply and TargetThread
	ThreadName string // for TargetThread; at most 100 characters
}

// Config configures a Handler. Summarizer, Shares and Settings are
// required; the rest have defaults.
type Config struct {
	Summarizer Summarizer
	Shares     Shares
	Settings   Settings
	// Stored finds shown summaries again for the "More" button. Nil means
	// Shares when it implements StoredSummaries (as *store.DB does);
	// without either, replies carry no button and only say how many
	// points they leave out.
	Stored StoredSummaries
	// Briefer may be nil: /briefing then answers that briefings are not
	// configured.
	Briefer Briefer
	Logger  *slog.Logger // default: discard
	// Now is the clock (default time.Now).
	Now func() time.Time

	// UserRate and UserBurst bound each user's requests: summaries (a
	// message's links count once), /topic and /briefing now. Defaults: one
	// per 10 s, burst 5; rate.Inf disables the limit.
	UserRate  rate.Limit
	UserBurst int
	// MaxActive bounds concurrent summarizations (default 4) and MaxQueued
	// the requests waiting for one (default 32); beyond that a request is
	// turned away with a notice.
	MaxActive int
	MaxQueued int
	// MaxLinks is the most links summarized per message (default 3).
	MaxLinks int

	// Metrics counts links seen and budget fallbacks; nil counts nothing.
	Metrics Metrics
	// Usage records every answered summary per server and UTC day, for
	// /usage and the Budget; nil records nothing.
	Usage Usage
	// Budget caps the language model's daily spend; it needs Usage.
	Budget Budget
	// Asker answers /ask with a model; nil answers from the best-matching
	// stored points.
	Asker Asker
	// Watches keeps /watch subscriptions; nil means Shares when it
	// implements WatchStore (as *store.DB does).
	Watches WatchStore
	// Feeds follows feeds for /feed; nil answers that feeds are not
	// available.
	Feeds Feeds
}

// Asker answers a question from the points it is given. *ask.Model
// implements it.
type Asker interface {
	// Answer returns the model's answer citing only points. Its errors
	// wrap llm.ErrBadAnswer (the answer cited a point not given, or broke
	// the schema), llm.ErrUnavailable, or are the context's.
	Answer(ctx context.Context, question string, points []ask.Point) (ask.Answer, error)
}

// SourceCounter counts the articles shared in a server, for an /ask it
// cannot answer. *store.DB implements it.
type SourceCounter interface {
	SharedArticleCount(ctx context.Context, guildID string) (int, error)
}
