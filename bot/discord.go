package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/summarize/fetch"
)

// DiscordIntents are the gateway intents the bot asks for: servers and
// their channels (for permissions), server messages and their content
// (privileged: enable "Message Content Intent" in the developer portal),
// and reactions (the 📰 trigger).
const DiscordIntents = discordgo.IntentsGuilds |
	discordgo.IntentsGuildMessages |
	discordgo.IntentsMessageContent |
	discordgo.IntentsGuildMessageReactions

// DiscordPermissions are the permissions the bot's invite asks for: View
// Channels, Send Messages, Embed Links, Read Message History (for the 📰
// trigger and briefing idempotency), Create Public Threads and Send
// Messages in Threads (reply mode "thread").
const DiscordPermissions = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks |
	discordgo.PermissionReadMessageHistory |
	discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionSendMessagesInThreads

// DiscordInviteURL returns the link that adds the bot, with its slash
// commands and DiscordPermissions, to a server.
func DiscordInviteURL(appID string) string {
	q := url.Values{}
	q.Set("client_id", appID)
	q.Set("scope", "bot applications.commands")
	q.Set("permissions", strconv.FormatInt(DiscordPermissions, 10))
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// Defaults of DiscordOptions and of the transport's timing.
const (
	// DefaultShutdownTimeout bounds how long work in flight may finish
	// after Run's context is done; then it is cancelled.
	DefaultShutdownTimeout = 10 * time.Second
	// restTimeout bounds one REST call, as discordgo's own client does.
	restTimeout = 20 * time.Second
	// deferAfter is how long a quick command may take before it is
	// deferred: Discord drops an interaction not answered within 3 s.
	deferAfter = 1500 * time.Millisecond
	// indicatorDelay is how long link work runs before the typing
	// indicator shows, so cached answers do not flash it.
	indicatorDelay = time.Second
	// typingEvery re-triggers the indicator, which Discord shows for 10 s.
	typingEvery = 8 * time.Second
	// cancelGrace is how long cancelled work gets to return after the
	// shutdown bound.
	cancelGrace = 2 * time.Second
	// threadArchiveMinutes archives summary threads after a day quiet.
	threadArchiveMinutes = 1440
)

// DiscordOptions configures the Discord transport.
type DiscordOptions struct {
	// Token is the bot token, with or without the "Bot " prefix.
	Token string
	// APIBaseURL ("" for Discord's own) replaces the scheme and host (and
	// prefixes the path) of every REST call and of gateway discovery: for
	// a REST proxy that shares rate limits between processes, or a test
	// stand-in. The gateway is whatever GET /gateway answers through it.
	APIBaseURL string
	// GuildID registers the commands in that one server (instant, for
	// development); "" registers them globally with a bulk overwrite.
	GuildID string
	Logger  *slog.Logger
	// ShutdownTimeout bounds the wait for work in flight once Run's
	// context is done (default DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// Metrics counts REST 429s and gateway reconnects; nil counts nothing.
	Metrics DiscordMetrics
}

// Discord is the Discord transport: it feeds gateway events to a Handler
// and delivers its replies, and posts briefings (schedule.Poster).
type Discord struct {
	opts DiscordOptions
	h    *Handler
	s    *discordgo.Session
	log  *slog.Logger

	// Timing, variable so tests can make the indicator and deferral
	// deterministic.
	indicatorDelay time.Duration
	deferAfter     time.Duration

	mu        sync.Mutex
	botID     string
	appID     string
	accepting bool
	ran       bool
	inflight  sync.WaitGroup
	work      context.Context // the context handlers run under
	// connects counts gateway connections; connected is true between
	// a connection (or Ready) and the next disconnect.
	connects  int
	connected bool
}

// NewDiscord returns the Discord transport for h. It does not connect:
// Run does.
func NewDiscord(opts DiscordOptions, h *Handler) (*Discord, error) {
	if h == nil {
		return nil, errors.New("bot: discord: a handler is required")
	}
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	if token == "" {
		return nil, errors.New("bot: discord: a bot token is required")
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("bot: discord: new session: %w", err)
	}
	s.Identify.Intents = DiscordIntents
	s.Client = &http.Client{Timeout: restTimeout}
	if opts.APIBaseURL != "" {
		rt, err := newRewriteTransport(opts.APIBaseURL, http.DefaultTransport)
		if err != nil {
			return nil, err
		}
		s.Client.Transport = rt
	}
	// discordgo waits out a 429 for its retry_after and retries; a 502 is
	// retried up to MaxRestRetries times.
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	// Handlers only take the event and start tracked work, so they run in
	// the gateway's goroutine: intake stops exactly when Run says so.
	s.SyncEvents = true
	s.StateEnabled = true
	s.LogLevel = discordgo.LogError

	d := &Discord{
		opts: opts, h: h, s: s, log: opts.Logger,
		indicatorDelay: indicatorDelay,
		deferAfter:     deferAfter,
		work:           context.Background(),
	}
	s.AddHandler(d.onReady)
	s.AddHandler(d.onMessageCreate)
	s.AddHandler(d.onReactionAdd)
	s.AddHandler(d.onInteraction)
	s.AddHandler(d.onConnect)
	s.AddHandler(d.onDisconnect)
	s.AddHandler(d.onRateLimit)
	return d, nil
}

// Run opens the gateway, registers the commands and serves until ctx is
// done; then it stops taking events, lets work in flight finish within
// ShutdownTimeout (cancelling it after), and closes the gateway. It can be
// called once.
func (d *Discord) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.ran {
		d.mu.Unlock()
		return errors.New("bot: discord: Run called twice")
	}
	d.ran = true
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	d.work = work
	d.accepting = true
	d.mu.Unlock()

	if err := d.s.Open(); err != nil {
		d.stopIntake()
		return fmt.Errorf("bot: discord: open gateway: %w", err)
	}
	if err := d.registerCommands(ctx); err != nil {
		d.stopIntake()
		d.drain(cancelWork)
		d.s.Close()
		if ctx.Err() != nil {
			return nil // asked to stop while starting
		}
		return err
	}
	botID, appID := d.identity()
	d.log.Info("discord_ready", slog.String("bot_id", botID), slog.String("guild_id", d.opts.GuildID),
		slog.String("invite_url", DiscordInviteURL(appID)))

	<-ctx.Done()
	d.stopIntake()
	d.drain(cancelWork)
	if err := d.s.Close(); err != nil {
		d.log.Warn("discord_close_failed", slog.Any("err", err))
	}
	d.log.Info("discord_stopped")
	return nil
}

func (d *Discord) stopIntake() {
	d.mu.Lock()
	d.accepting = false
	d.mu.Unlock()
}

// drain waits for the work in flight, cancelling it after ShutdownTimeout.
func (d *Discord) drain(cancelWork context.CancelFunc) {
	done := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(done)
	}()
	bound := time.NewTimer(d.opts.ShutdownTimeout)
	defer bound.Stop()
	select {
	case <-done:
		return
	case <-bound.C:
	}
	d.log.Warn("discord_shutdown_cancelling_work", slog.Duration("waited", d.opts.ShutdownTimeout))
	cancelWork()
	grace := time.NewTimer(cancelGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		d.log.Error("discord_shutdown_abandoned_work")
	}
}

// spawn runs fn in a tracked goroutine that recovers a panic; it does
// nothing once intake stopped.
func (d *Discord) spawn(op string, fn func(ctx context.Context)) {
	d.mu.Lock()
	if !d.accepting {
		d.mu.Unlock()
		return
	}
	d.inflight.Add(1)
	ctx := d.work
	d.mu.Unlock()
	go func() {
		defer d.inflight.Done()
		defer d.recoverPanic(op)
		fn(ctx)
	}()
}

func (d *Discord) recoverPanic(op string) {
	if p := recover(); p != nil {
		d.log.Error("discord_handler_panic", slog.String("op", op), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
	}
}

func (d *Discord) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.User != nil {
		d.botID = r.User.ID
	}
	d.appID = d.botID
	if r.Application != nil && r.Application.ID != "" {
		d.appID = r.Application.ID
	}
	d.connected = true
}

func (d *Discord) onConnect(_ *discordgo.Session, _ *discordgo.Connect) {
	d.mu.Lock()
	d.connects++
	d.connected = true // a resumed session gets no new Ready
	again := d.connects > 1
	d.mu.Unlock()
	if again && d.opts.Metrics != nil {
		d.opts.Metrics.Reconnected()
	}
}

func (d *Discord) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	d.mu.Lock()
	d.connected = false
	d.mu.Unlock()
}

// onRateLimit sees each 429 discordgo receives (it waits and retries).
func (d *Discord) onRateLimit(_ *discordgo.Session, _ *discordgo.RateLimit) {
	if d.opts.Metrics != nil {
		d.opts.Metrics.RateLimited()
	}
}

// Ready reports whether the gateway is connected: nil when it is. It is the Discord transport's
// readiness check.
func (d *Discord) Ready(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.connected {
		return errors.New("bot: discord: gateway not connected")
	}
	return nil
}

// identity returns the bot's user ID and its application's ID, known once
// Ready arrived.
func (d *Discord) identity() (botID, appID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.botID, d.appID
}

// isSelf reports whether userID is the bot.
func (d *Discord) isSelf(userID string) bool {
	botID, _ := d.identity()
	return userID != "" && userID == botID
}

func (d *Discord) onMessageCreate(_ *discordgo.Session, e *discordgo.MessageCreate) {
	if e.Message == nil || e.Author == nil || e.GuildID == "" {
		return
	}
	if e.Author.Bot || e.WebhookID != "" || d.isSelf(e.Author.ID) {
		return
	}
	if e.Type != discordgo.MessageTypeDefault && e.Type != discordgo.MessageTypeReply {
		return
	}
	m := Message{
		GuildID: e.GuildID, ChannelID: e.ChannelID, MessageID: e.ID,
		AuthorID: e.Author.ID, Content: e.Content,
	}
	d.spawn("message", func(ctx context.Context) {
		stop := d.working(ctx, m.ChannelID, m.Content)
		defer stop()
		d.deliver(ctx, d.h.HandleMessage(ctx, m))
	})
}

func (d *Discord) onReactionAdd(_ *discordgo.Session, e *discordgo.MessageReactionAdd) {
	if e.MessageReaction == nil || e.GuildID == "" || e.Emoji.ID != "" || e.Emoji.Name != ReactEmoji || d.isSelf(e.UserID) {
		return
	}
	if e.Member != nil && e.Member.User != nil && e.Member.User.Bot {
		return
	}
	r := Reaction{GuildID: e.GuildID, ChannelID: e.ChannelID, MessageID: e.MessageID, UserID: e.UserID, Emoji: e.Emoji.Name}
	d.spawn("reaction", func(ctx context.Context) {
		msg, err := d.s.ChannelMessage(r.ChannelID, r.MessageID, discordgo.WithContext(ctx))
		if err != nil {
			d.log.Warn("discord_fetch_message_failed", slog.String("channel_id", r.ChannelID), slog.String("message_id", r.MessageID), slog.Any("err", err))
			return
		}
		r.Message = messageOf(msg, r.GuildID)
		stop := d.working(ctx, r.ChannelID, r.Message.Content)
		defer stop()
		d.deliver(ctx, d.h.HandleReaction(ctx, r))
	})
}

// messageOf converts a discordgo message; guildID fills in what message
// fetches and resolved data leave out.
func messageOf(m *discordgo.Message, guildID string) Message {
	out := Message{GuildID: m.GuildID, ChannelID: m.ChannelID, MessageID: m.ID, Content: m.Content, AuthorBot: m.WebhookID != ""}
	if out.GuildID == "" {
		out.GuildID = guildID
	}
	if m.Author != nil {
		out.AuthorID = m.Author.ID
		out.AuthorBot = out.AuthorBot || m.Author.Bot
	}
	return out
}

// working shows the typing indicator in channelID while link work runs
// longer than indicatorDelay; the returned stop ends it and waits, so no
// indicator starts after the answer. Text without links shows none.
func (d *Discord) working(ctx context.Context, channelID, text string) (stop func()) {
	if urls, _ := fetch.FindURLs(text, 1); len(urls) == 0 {
		return func() {}
	}
	quit := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		wait := time.NewTimer(d.indicatorDelay)
		defer wait.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-wait.C:
			}
			if err := d.s.ChannelTyping(channelID, discordgo.WithContext(ctx)); err != nil {
				d.log.Debug("discord_typing_failed", slog.String("channel_id", channelID), slog.Any("err", err))
			}
			wait.Reset(typingEvery)
		}
	}()
	return func() {
		close(quit)
		<-exited
	}
}

// noMentions returns allowed mentions that ping nobody. The Parse slice
// must be empty and non-nil: discordgo then sends "parse": [], where a nil
// slice would send null and let Discord parse every mention.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// embedsOf returns the reply's embeds, never nil.
func embedsOf(r Reply) []*discordgo.MessageEmbed {
	if r.Embeds == nil {
		return []*discordgo.MessageEmbed{}
	}
	return r.Embeds
}

// componentsOf returns the reply's buttons as one action row, or nil.
func componentsOf(r Reply) []discordgo.MessageComponent {
	if len(r.Buttons) == 0 {
		return nil
	}
	row := discordgo.ActionsRow{}
	for _, b := range r.Buttons {
		row.Components = append(row.Components, discordgo.Button{Label: b.Label, Style: discordgo.SecondaryButton, CustomID: b.CustomID})
	}
	return []discordgo.MessageComponent{row}
}

// deliver posts replies to channels in order: as replies to a message, in
// a thread on it (started once per message; a reply when that fails), or
// as plain messages.
func (d *Discord) deliver(ctx context.Context, replies []Reply) {
	threads := map[string]string{}
	for _, r := range replies {
		switch r.Target {
		case TargetThread:
			th, err := d.thread(ctx, r, threads)
			if err == nil {
				d.send(ctx, th, r, nil)
				continue
			}
			d.log.Warn("discord_thread_failed", slog.String("channel_id", r.ChannelID), slog.String("message_id", r.ReplyTo), slog.Any("err", err))
			fallthrough
		case TargetReply:
			if r.ReplyTo != "" {
				fail := false
				d.send(ctx, r.ChannelID, r, &discordgo.MessageReference{MessageID: r.ReplyTo, ChannelID: r.ChannelID, FailIfNotExists: &fail})
				continue
			}
			d.send(ctx, r.ChannelID, r, nil)
		default:
			d.send(ctx, r.ChannelID, r, nil)
		}
	}
}

// errThreadExists is Discord's code for a message that already has a
// thread; the thread's ID is the message's.
const errThreadExists = 160004

// thread returns the thread on r.ReplyTo, starting it if needed.
func (d *Discord) thread(ctx context.Context, r Reply, threads map[string]string) (string, error) {
	key := r.ChannelID + "/" + r.ReplyTo
	if id, ok := threads[key]; ok {
		return id, nil
	}
	name := r.ThreadName
	if strings.TrimSpace(name) == "" {
		name = "Link summary"
	}
	ch, err := d.s.MessageThreadStartComplex(r.ChannelID, r.ReplyTo, &discordgo.ThreadStart{
		Name: name, AutoArchiveDuration: threadArchiveMinutes, Type: discordgo.ChannelTypeGuildPublicThread,
	}, discordgo.WithContext(ctx))
	var rest *discordgo.RESTError
	switch {
	case err == nil:
		threads[key] = ch.ID
		return ch.ID, nil
	case errors.As(err, &rest) && rest.Message != nil && rest.Message.Code == errThreadExists:
		threads[key] = r.ReplyTo
		return r.ReplyTo, nil
	}
	return "", fmt.Errorf("bot: discord: start thread on %s: %w", r.ReplyTo, err)
}

// send posts one reply in channelID, optionally as a reply to ref.
func (d *Discord) send(ctx context.Context, channelID string, r Reply, ref *discordgo.MessageReference) {
	_, err := d.s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
		Content:         r.Content,
		Embeds:          embedsOf(r),
		Components:      componentsOf(r),
		AllowedMentions: noMentions(),
		Reference:       ref,
	}, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Error("discord_send_failed", slog.String("channel_id", channelID), slog.Any("err", err))
	}
}

// rewriteTransport sends the requests discordgo makes to Discord's API
// host to another base URL instead. discordgo computes its Endpoint*
// variables once at start-up, so this is the one place to redirect them.
type rewriteTransport struct {
	base *url.URL
	host string // the host to rewrite: Discord's
	next http.RoundTripper
}

func newRewriteTransport(base string, next http.RoundTripper) (*rewriteTransport, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("bot: discord: API base URL %q: want http(s)://host[:port][/path]", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	discord, err := url.Parse(discordgo.EndpointDiscord)
	if err != nil {
		return nil, fmt.Errorf("bot: discord: parse %q: %w", discordgo.EndpointDiscord, err)
	}
	return &rewriteTransport{base: u, host: discord.Host, next: next}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != t.host {
		return t.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, ""
	if t.base.Path != "" {
		escaped := t.base.EscapedPath() + r.URL.EscapedPath()
		r.URL.Path = t.base.Path + r.URL.Path
		r.URL.RawPath = ""
		if escaped != r.URL.EscapedPath() {
			r.URL.RawPath = escaped
		}
	}
	return t.next.RoundTrip(r)
}
