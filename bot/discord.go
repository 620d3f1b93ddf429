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
	"slices"
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
	// ShardCount is how many shards the bot runs over all its processes
	// (0 or 1: one unsharded gateway session). ShardIDs are the shards
	// this process runs, one gateway session each (empty: all of them).
	// Only the process running shard 0 registers the commands.
	ShardCount int
	ShardIDs   []int
	// IdentifyGate spaces the shards' identifies per rate-limit bucket;
	// nil spaces those of this process only. Processes sharing a
	// database pass the store's, so they space theirs together.
	IdentifyGate IdentifyGate
}

// MaxShardCount bounds ShardCount: far beyond the largest bots (Discord
// wants one shard per 2,500 servers), small enough to catch a typo.
const MaxShardCount = 65536

// Discord is the Discord transport: it feeds gateway events to a Handler
// and delivers its replies, and posts briefings (schedule.Poster). It runs
// one gateway session per shard of its process; REST calls all go through
// the first shard's session, so they share its rate limiter.
type Discord struct {
	opts   DiscordOptions
	h      *Handler
	s      *discordgo.Session // the first shard's session: REST goes through it
	shards []*shard
	gate   IdentifyGate
	log    *slog.Logger

	// Timing, variable so tests can make the indicator and deferral
	// deterministic.
	indicatorDelay time.Duration
	deferAfter     time.Duration
	// now and waitUntil are the clock the identifies are spaced by,
	// variable so tests do not sleep.
	now       func() time.Time
	waitUntil func(ctx context.Context, t time.Time) error

	mu        sync.Mutex
	botID     string
	appID     string
	accepting bool
	ran       bool
	inflight  sync.WaitGroup
	work      context.Context // the context handlers run under
}

// shard is one gateway session.
type shard struct {
	id int
	s  *discordgo.Session
	// connects counts the session's gateway connections; connected is
	// true between a connection (or Ready) and the next disconnect. Both
	// are guarded by Discord.mu.
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
	ids, err := shardIDs(opts.ShardCount, opts.ShardIDs)
	if err != nil {
		return nil, err
	}
	opts.ShardCount, opts.ShardIDs = max(opts.ShardCount, 1), ids
	client := &http.Client{Timeout: restTimeout}
	if opts.APIBaseURL != "" {
		rt, err := newRewriteTransport(opts.APIBaseURL, http.DefaultTransport)
		if err != nil {
			return nil, err
		}
		client.Transport = rt
	}
	d := &Discord{
		opts: opts, h: h, gate: opts.IdentifyGate, log: opts.Logger,
		indicatorDelay: indicatorDelay,
		deferAfter:     deferAfter,
		now:            time.Now,
		waitUntil:      waitUntil,
		work:           context.Background(),
	}
	if d.gate == nil {
		d.gate = newLocalIdentifyGate()
	}
	for _, id := range ids {
		s, err := discordgo.New("Bot " + token)
		if err != nil {
			return nil, fmt.Errorf("bot: discord: new session: %w", err)
		}
		s.Identify.Intents = DiscordIntents
		// discordgo sends shard [id, count] in its identify when count > 1.
		s.ShardID, s.ShardCount = id, opts.ShardCount
		s.Client = client
		// discordgo waits out a 429 for its retry_after and retries; a 502 is
		// retried up to MaxRestRetries times.
		s.ShouldRetryOnRateLimit = true
		s.MaxRestRetries = 3
		// Handlers only take the event and start tracked work, so they run in
		// the gateway's goroutine: intake stops exactly when Run says so.
		s.SyncEvents = true
		// Each session's state holds its own shard's servers.
		s.StateEnabled = true
		s.LogLevel = discordgo.LogError
		sh := &shard{id: id, s: s}
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { d.onReady(sh, r) })
		s.AddHandler(d.onMessageCreate)
		s.AddHandler(d.onReactionAdd)
		s.AddHandler(d.onInteraction)
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) { d.onConnect(sh) })
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { d.onDisconnect(sh) })
		s.AddHandler(d.onRateLimit)
		d.shards = append(d.shards, sh)
	}
	d.s = d.shards[0].s
	return d, nil
}

// shardIDs checks a process's shards: each in [0, count) and listed once;
// none means all of them.
func shardIDs(count int, ids []int) ([]int, error) {
	if count < 0 || count > MaxShardCount {
		return nil, fmt.Errorf("bot: discord: shard count %d: want 1 to %d", count, MaxShardCount)
	}
	count = max(count, 1)
	if len(ids) == 0 {
		all := make([]int, count)
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	for i, id := range out {
		if id < 0 || id >= count {
			return nil, fmt.Errorf("bot: discord: shard %d: want 0 to %d for %d shards", id, count-1, count)
		}
		if i > 0 && out[i-1] == id {
			return nil, fmt.Errorf("bot: discord: shard %d listed twice", id)
		}
	}
	return out, nil
}

// Run opens a gateway session per shard, registers the commands (when it
// runs shard 0) and serves until ctx is done; then it stops taking events,
// lets work in flight finish within ShutdownTimeout (cancelling it after),
// and closes the sessions. It can be called once.
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

	err := d.open(ctx)
	if err == nil && slices.Contains(d.opts.ShardIDs, 0) {
		err = d.registerCommands(ctx)
	}
	if err != nil {
		d.stopIntake()
		d.drain(cancelWork)
		d.closeShards()
		if ctx.Err() != nil {
			return nil // asked to stop while starting
		}
		return err
	}
	botID, appID := d.identity()
	d.log.Info("discord_ready", slog.String("bot_id", botID), slog.String("guild_id", d.opts.GuildID),
		slog.Int("shard_count", d.opts.ShardCount), slog.Any("shard_ids", d.opts.ShardIDs),
		slog.String("invite_url", DiscordInviteURL(appID)))

	<-ctx.Done()
	d.stopIntake()
	d.drain(cancelWork)
	d.closeShards()
	d.log.Info("discord_stopped")
	return nil
}

// open opens every shard's session. Shards identify one after another
// within a rate-limit bucket (shard_id % max_concurrency), at least
// IdentifySpacing apart as the gate hands out the moments; buckets open
// side by side.
func (d *Discord) open(ctx context.Context) error {
	maxConcurrency := d.maxConcurrency(ctx)
	buckets := map[int][]*shard{}
	for _, sh := range d.shards {
		b := sh.id % maxConcurrency
		buckets[b] = append(buckets[b], sh)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(buckets))
	for bucket, shards := range buckets {
		go func() {
			for _, sh := range shards {
				if err := d.openShard(ctx, bucket, sh); err != nil {
					cancel()
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range buckets {
		if err := <-errs; err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	return first
}

// openShard waits for sh's moment to identify, then opens its session.
func (d *Discord) openShard(ctx context.Context, bucket int, sh *shard) error {
	at, err := d.gate.ReserveIdentify(ctx, bucket, d.now(), identifyEvery)
	if err != nil {
		return fmt.Errorf("bot: discord: shard %d: reserve identify: %w", sh.id, err)
	}
	if err := d.waitUntil(ctx, at); err != nil {
		return fmt.Errorf("bot: discord: shard %d: wait to identify: %w", sh.id, err)
	}
	if err := sh.s.Open(); err != nil {
		return fmt.Errorf("bot: discord: open gateway (shard %d of %d): %w", sh.id, d.opts.ShardCount, err)
	}
	d.log.Info("discord_shard_connected", slog.Int("shard_id", sh.id), slog.Int("shard_count", d.opts.ShardCount),
		slog.Int("bucket", bucket))
	return nil
}

// maxConcurrency asks GET /gateway/bot how many rate-limit buckets the
// bot's identifies have: 1 when unsharded or when the answer is missing.
func (d *Discord) maxConcurrency(ctx context.Context) int {
	if d.opts.ShardCount < 2 {
		return 1
	}
	gb, err := d.s.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		d.log.Warn("discord_gateway_bot_failed", slog.Any("err", err), slog.String("note", "identifying one shard at a time"))
		return 1
	}
	if gb.Shards > d.opts.ShardCount {
		d.log.Warn("discord_more_shards_recommended", slog.Int("shard_count", d.opts.ShardCount), slog.Int("recommended", gb.Shards))
	}
	if lim := gb.SessionStartLimit; lim.Total > 0 && lim.Remaining < len(d.shards) {
		d.log.Warn("discord_session_starts_low", slog.Int("remaining", lim.Remaining), slog.Int("shards", len(d.shards)),
			slog.Duration("reset_after", time.Duration(lim.ResetAfter)*time.Millisecond))
	}
	return max(gb.SessionStartLimit.MaxConcurrency, 1)
}

// closeShards closes every shard's session, side by side: discordgo
// waits a second for the server after sending its close frame.
func (d *Discord) closeShards() {
	var wg sync.WaitGroup
	for _, sh := range d.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sh.s.Close(); err != nil {
				d.log.Warn("discord_close_failed", slog.Int("shard_id", sh.id), slog.Any("err", err))
			}
		}()
	}
	wg.Wait()
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

func (d *Discord) onReady(sh *shard, r *discordgo.Ready) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.User != nil {
		d.botID = r.User.ID
	}
	d.appID = d.botID
	if r.Application != nil && r.Application.ID != "" {
		d.appID = r.Application.ID
	}
	sh.connected = true
}

func (d *Discord) onConnect(sh *shard) {
	d.mu.Lock()
	sh.connects++
	sh.connected = true // a resumed session gets no new Ready
	again := sh.connects > 1
	d.mu.Unlock()
	if again && d.opts.Metrics != nil {
		d.opts.Metrics.Reconnected()
	}
}

func (d *Discord) onDisconnect(sh *shard) {
	d.mu.Lock()
	sh.connected = false
	d.mu.Unlock()
}

// onRateLimit sees each 429 discordgo receives (it waits and retries).
func (d *Discord) onRateLimit(_ *discordgo.Session, _ *discordgo.RateLimit) {
	if d.opts.Metrics != nil {
		d.opts.Metrics.RateLimited()
	}
}

// Ready reports whether every shard's gateway session is connected: nil
// when they are. It is the Discord transport's readiness check.
func (d *Discord) Ready(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var down []string
	for _, sh := range d.shards {
		if !sh.connected {
			down = append(down, strconv.Itoa(sh.id))
		}
	}
	switch {
	case len(down) == 0:
		return nil
	case d.opts.ShardCount < 2:
		return errors.New("bot: discord: gateway not connected")
	}
	return fmt.Errorf("bot: discord: gateway not connected for shards %s of %d", strings.Join(down, ", "), d.opts.ShardCount)
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
