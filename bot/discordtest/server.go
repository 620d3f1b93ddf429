// Package discordtest is a local stand-in for Discord, for tests: an
// httptest server that answers the REST API (/api/v9/...) and runs a
// websocket gateway, so a real discordgo session can connect to it and be
// driven by scripted events.
//
// The gateway says Hello, accepts Identify (recording its intents), answers
// heartbeats and sends Ready and one GUILD_CREATE per configured server;
// tests then push MESSAGE_CREATE, INTERACTION_CREATE (commands,
// autocomplete and button presses: Click) and MESSAGE_REACTION_ADD
// dispatches. REST calls are recorded with their raw bodies; everything
// the bot posts (channel messages, edits, interaction callbacks,
// follow-ups) is also kept as a Post, checked against Discord's message
// limits and component rules (a message over a limit is rejected with
// 400, as Discord does). The next N calls on a route can be scripted to
// fail with 429, or to be answered late (a slow Discord).
//
// Like Discord, a message created with a nonce and enforce_nonce is made
// once: the same nonce from the same author within NonceWindow gets the
// message made first. Channel messages are listed newest first and paged
// with before or after a snowflake; IDs are snowflakes of the stand-in's
// clock (Now), so a test can list the messages posted since a moment of
// its own clock.
//
// Like Discord, the gateway routes servers by shard: a session that
// identified as shard [i, n] receives Ready's servers, GUILD_CREATEs and
// dispatches only of the servers with ShardOf(guild, n) == i; a session
// without a shard receives every server. Identifies are recorded with
// their shard and the stand-in's time, so tests can check who connected
// when; GET /gateway/bot answers RecommendedShards and MaxConcurrency.
//
// Point a session at it with URL() as the API base URL: discordgo builds
// every endpoint from https://discord.com, so the transport under test must
// rewrite scheme and host of its requests (Session.Client's transport); the
// gateway URL it discovers through GET /gateway is the stand-in's own.
package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Fixed identities of the stand-in. IDs are snowflakes, as in Discord.
const (
	// Token is the bot token the stand-in accepts; REST calls must carry
	// "Authorization: Bot " + Token.
	Token = "test-token"
	// AppID is the application's ID; BotID the bot user's (the same, as
	// for every bot created in the developer portal).
	AppID = "1200000000000000001"
	BotID = AppID
	// GuildID and ChannelID are the default server and its text channel.
	GuildID   = "1200000000000000100"
	ChannelID = "1200000000000000101"
	// OwnerID owns the default server.
	OwnerID = "1200000000000000200"
	// UserID is Alice, an ordinary member; OtherBotID another bot.
	UserID     = "1200000000000000201"
	OtherBotID = "1200000000000000202"
)

// Users the tests can act as.
var (
	// Bot is the bot user the stand-in reports in Ready and /users/@me.
	Bot = &discordgo.User{ID: BotID, Username: "briefbot", Discriminator: "0", Bot: true}
	// Alice is an ordinary human member of every server.
	Alice = &discordgo.User{ID: UserID, Username: "alice", Discriminator: "0"}
	// Owner owns the default server.
	Owner = &discordgo.User{ID: OwnerID, Username: "owner", Discriminator: "0"}
	// OtherBot is some other bot in the server.
	OtherBot = &discordgo.User{ID: OtherBotID, Username: "otherbot", Discriminator: "0", Bot: true}
)

// DefaultBotPermissions are the permissions the @everyone role grants in
// the servers the stand-in creates: what the bot's invite asks for.
const DefaultBotPermissions = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionSendMessagesInThreads |
	discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionEmbedLinks |
	discordgo.PermissionReadMessageHistory |
	discordgo.PermissionAddReactions

// Guild describes a server for AddGuild.
type Guild struct {
	ID   string
	Name string
	// Channels are text channels; the first is the default one.
	Channels []Channel
	// Permissions is what @everyone (and so the bot) may do; 0 means
	// DefaultBotPermissions.
	Permissions int64
}

// Channel is a text channel of a Guild.
type Channel struct {
	ID   string
	Name string
	// DenyBot are permissions denied to the bot by a member overwrite in
	// this channel.
	DenyBot int64
}

// Request is one REST call the stand-in received.
type Request struct {
	Method string
	// Route is the matched route, as in RouteCreateMessage; "" when none
	// matched.
	Route string
	// Path is the request path without the /api/v9 prefix.
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Files are a multipart request's attachments (Body is then its
	// payload_json part as sent, within the multipart body).
	Files []File
	// Status is the HTTP status answered and Error the reason of a 4xx.
	Status int
	Error  string
	At     time.Time
}

// Kinds of Post.
const (
	KindChannelMessage      = "channel_message"      // POST /channels/{channel}/messages
	KindMessageEdit         = "message_edit"         // PATCH /channels/{channel}/messages/{message}
	KindInteractionResponse = "interaction_response" // POST /interactions/{id}/{token}/callback
	KindFollowup            = "followup"             // POST /webhooks/{app}/{token}
	KindOriginalEdit        = "original_edit"        // PATCH /webhooks/{app}/{token}/messages/@original
	KindFollowupEdit        = "followup_edit"        // PATCH /webhooks/{app}/{token}/messages/{message}
)

// Post is something the bot sent for people to see, accepted by the
// stand-in.
type Post struct {
	Kind      string
	ChannelID string
	// MessageID is the message created or edited ("" for interaction
	// responses that create none).
	MessageID string
	// InteractionID is set for the interaction kinds.
	InteractionID string
	// Nonce is a channel message's nonce, "" when it had none.
	Nonce string
	// ResponseType is the callback type, for KindInteractionResponse.
	ResponseType discordgo.InteractionResponseType
	// Ephemeral reports whether only the invoker sees it.
	Ephemeral bool
	// Data holds the decoded message fields (for callbacks: the "data"
	// object).
	Data Payload
	// Raw is the request body as received.
	Raw []byte
	At  time.Time
}

// Payload is the message part of a Post.
type Payload struct {
	Content          string                                      `json:"content"`
	Embeds           []*discordgo.MessageEmbed                   `json:"embeds"`
	Flags            discordgo.MessageFlags                      `json:"flags"`
	MessageReference *discordgo.MessageReference                 `json:"message_reference"`
	Choices          []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	// Components are the message's action rows of buttons.
	Components []Component `json:"components"`
	// AllowedMentions is the raw allowed_mentions object; nil when absent.
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
	// Files are the attachments of a multipart request.
	Files []File `json:"-"`
}

// Text returns everything a reader sees in the payload: content, then
// each embed's title, description, field names and values, footer and
// author, one per line.
func (p Payload) Text() string {
	var b strings.Builder
	add := func(s string) {
		if s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	add(p.Content)
	for _, e := range p.Embeds {
		add(e.Title)
		add(e.Description)
		for _, f := range e.Fields {
			add(f.Name)
			add(f.Value)
		}
		if e.Footer != nil {
			add(e.Footer.Text)
		}
		if e.Author != nil {
			add(e.Author.Name)
		}
	}
	return b.String()
}

// CheckNoPings returns an error unless the post's allowed mentions are
// none: an allowed_mentions object whose "parse" is an empty array (not
// null, not absent), with no users or roles and replied_user not true.
// Autocomplete results and deferred callbacks without data carry no
// message and pass.
func (p Post) CheckNoPings() error {
	if p.Kind == KindInteractionResponse && (p.ResponseType == discordgo.InteractionApplicationCommandAutocompleteResult ||
		(p.ResponseType == discordgo.InteractionResponseDeferredChannelMessageWithSource && p.Data.Content == "" && len(p.Data.Embeds) == 0)) {
		return nil
	}
	return checkAllowedMentions(p.Data.AllowedMentions)
}

func checkAllowedMentions(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return fmt.Errorf("allowed_mentions is absent")
	}
	var am map[string]json.RawMessage
	if err := json.Unmarshal(raw, &am); err != nil {
		return fmt.Errorf("allowed_mentions %s: %w", raw, err)
	}
	parse, ok := am["parse"]
	if !ok {
		return fmt.Errorf("allowed_mentions %s has no parse", raw)
	}
	if strings.Join(strings.Fields(string(parse)), "") != "[]" {
		return fmt.Errorf("allowed_mentions.parse = %s; want []", parse)
	}
	for _, k := range []string{"users", "roles"} {
		if v, ok := am[k]; ok && string(v) != "null" && strings.Join(strings.Fields(string(v)), "") != "[]" {
			return fmt.Errorf("allowed_mentions.%s = %s; want none", k, v)
		}
	}
	if v, ok := am["replied_user"]; ok && string(v) == "true" {
		return fmt.Errorf("allowed_mentions.replied_user = true; want false")
	}
	return nil
}

// Identify is an Identify (op 2) the gateway received.
type Identify struct {
	Token   string
	Intents discordgo.Intent
	// ShardID and ShardCount are the identify's shard [id, count]: 0
	// and 1 when it carried none.
	ShardID, ShardCount int
	// At is when it arrived, on the stand-in's clock (Now).
	At  time.Time
	Raw []byte
}

// Dispatched is a dispatch the gateway sent to a session.
type Dispatched struct {
	Event   string
	GuildID string // "" for events of no server
	// ShardID is the shard of the session it went to (0 when unsharded).
	ShardID int
}

// ShardOf returns the shard Discord routes guildID's events to when a
// bot runs shardCount shards: (guild_id >> 22) % shard_count.
func ShardOf(guildID string, shardCount int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || shardCount < 2 {
		return 0
	}
	return int((id >> 22) % uint64(shardCount))
}

// GuildIDOnShard returns a snowflake guild ID, distinct for each n, that
// ShardOf puts on shard of shardCount.
func GuildIDOnShard(shard, shardCount, n int) string {
	// The time part of a snowflake made in 2024, rounded to shardCount
	// so adding shard picks the shard.
	base := int64(1200000000000000000>>22) / int64(shardCount) * int64(shardCount)
	return strconv.FormatInt((base+int64(n*shardCount+shard))<<22|1, 10)
}

// defaultTimeout bounds every Wait helper: generous, because the race
// detector on a loaded two-core machine slows everything down.
const defaultTimeout = 15 * time.Second

// Server is the Discord stand-in. All methods are safe for concurrent use.
type Server struct {
	// Timeout bounds the Wait helpers (default 15 s).
	Timeout time.Duration
	// InteractionTimeout is how long after its dispatch an interaction
	// may be answered; later callbacks get 404 Unknown interaction, as
	// in Discord (default 3 s).
	InteractionTimeout time.Duration
	// Now is the clock new snowflakes, message timestamps and nonce ages
	// are read from (default time.Now). Set it before the first request.
	Now func() time.Time
	// NonceWindow is how long a message's enforced nonce is remembered
	// (default 5 minutes: Discord says "the past few minutes").
	NonceWindow time.Duration
	// RecommendedShards and MaxConcurrency are what GET /gateway/bot
	// answers (default 1 each). Set them before the first request.
	RecommendedShards int
	MaxConcurrency    int

	srv *httptest.Server
	mux *http.ServeMux

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every recorded change
	requests   []Request
	posts      []Post
	idents     []Identify
	dispatched []Dispatched
	commands   map[string][]*discordgo.ApplicationCommand // by guild ID; "" = global
	guilds     map[string]*guild
	guildIDs   []string // in creation order
	channels   map[string]*channel
	inters     map[string]*interaction // by token
	reactions  map[string][]string     // by channel/message: emojis the bot has on it
	typing     map[string]int          // by channel
	fail       map[string]*failure     // by route
	delay      map[string]*failure     // by route: calls answered late
	nonces     map[string]nonceEntry   // by author and nonce
	lastID     int64
	conns      []*gatewayConn
	heartbeats int
	nextID     int64
	closed     bool
}

type guild struct {
	id, name    string
	permissions int64
	channelIDs  []string
}

type channel struct {
	id, guildID, parentID, name string
	typ                         discordgo.ChannelType
	denyBot                     int64
	messages                    []*discordgo.Message // oldest first
}

type interaction struct {
	id, token, channelID, guildID string
	at                            time.Time
	acked                         bool
	ephemeral                     bool
	original                      *discordgo.Message
	followups                     map[string]*discordgo.Message
}

type failure struct {
	n          int
	retryAfter time.Duration
}

// nonceEntry is a message created with an enforced nonce.
type nonceEntry struct {
	msg *discordgo.Message
	at  time.Time
}

// NewServer starts a stand-in with the default server (GuildID, with text
// channel ChannelID) and stops it when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		Timeout:            defaultTimeout,
		InteractionTimeout: 3 * time.Second,
		changed:            make(chan struct{}),
		commands:           map[string][]*discordgo.ApplicationCommand{},
		guilds:             map[string]*guild{},
		channels:           map[string]*channel{},
		inters:             map[string]*interaction{},
		reactions:          map[string][]string{},
		typing:             map[string]int{},
		fail:               map[string]*failure{},
		delay:              map[string]*failure{},
		nonces:             map[string]nonceEntry{},
		NonceWindow:        5 * time.Minute,
		RecommendedShards:  1,
		MaxConcurrency:     1,
		nextID:             1,
	}
	s.addGuildLocked(Guild{ID: GuildID, Name: "Test Server", Channels: []Channel{{ID: ChannelID, Name: "general"}}})
	s.mux = http.NewServeMux()
	s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.Close)
	return s
}

// URL returns the stand-in's base URL (http://127.0.0.1:port), usable as
// DISCORD_API_BASE_URL.
func (s *Server) URL() string { return s.srv.URL }

// GatewayURL returns the websocket URL GET /gateway answers.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway"
}

// Close closes the gateway connections and stops the server. NewServer
// registers it with t.Cleanup; calling it again does nothing.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.srv.Close()
}

// DropGateway closes every gateway connection (going away, as Discord
// does when it moves a session) and leaves the server up, so the client
// reconnects. It returns how many connections it closed.
func (s *Server) DropGateway() int {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	return len(conns)
}

// AddGuild adds a server. If a session is connected, it is told with a
// GUILD_CREATE dispatch; otherwise the server comes with the next Ready.
func (s *Server) AddGuild(g Guild) {
	s.mu.Lock()
	s.addGuildLocked(g)
	conns := slices.Clone(s.conns)
	s.mu.Unlock()
	for _, c := range conns {
		if c.isReady() && c.covers(g.ID) {
			c.send("GUILD_CREATE", s.guildCreate(g.ID))
		}
	}
}

func (s *Server) addGuildLocked(g Guild) {
	perms := g.Permissions
	if perms == 0 {
		perms = DefaultBotPermissions
	}
	gd := &guild{id: g.ID, name: g.Name, permissions: perms}
	for _, c := range g.Channels {
		gd.channelIDs = append(gd.channelIDs, c.ID)
		s.channels[c.ID] = &channel{id: c.ID, guildID: g.ID, name: c.Name, typ: discordgo.ChannelTypeGuildText, denyBot: c.DenyBot}
	}
	if _, ok := s.guilds[g.ID]; !ok {
		s.guildIDs = append(s.guildIDs, g.ID)
	}
	s.guilds[g.ID] = gd
}

// newIDLocked returns a fresh snowflake: the clock's time since Discord's
// epoch and a counter, and always larger than the last one, so later
// messages have larger IDs even if the test's clock went back.
func (s *Server) newIDLocked() string {
	ms := max(s.now().UnixMilli()-discordEpochMS, 0)
	id := ms<<22 | (s.nextID & 0x3fffff)
	s.nextID++
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatInt(id, 10)
}

// discordEpochMS is the start of Discord's snowflakes, in unix
// milliseconds.
const discordEpochMS = 1420070400000

// Snowflake returns the smallest snowflake of a message made at t: listing
// the messages after Snowflake(t)-1 lists those made at t or later.
func Snowflake(t time.Time) int64 {
	return max(t.UnixMilli()-discordEpochMS, 0) << 22
}

// now reads the stand-in's clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// RateLimitNext makes the next n calls on route (one of the Route
// constants) fail with 429 Too Many Requests, a retry_after of retryAfter
// and the X-RateLimit headers Discord sends.
func (s *Server) RateLimitNext(route string, n int, retryAfter time.Duration) {
	if !slices.Contains(allRoutes, route) {
		panic("discordtest: unknown route " + route)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[route] = &failure{n: n, retryAfter: retryAfter}
}

// DelayNext makes the next n calls on route wait d before they are
// handled, as a slow Discord does: a client that gives up meanwhile does
// not stop the call from taking effect.
func (s *Server) DelayNext(route string, n int, d time.Duration) {
	if !slices.Contains(allRoutes, route) {
		panic("discordtest: unknown route " + route)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay[route] = &failure{n: n, retryAfter: d}
}

// Requests returns the REST calls received on route ("" for all), oldest
// first.
func (s *Server) Requests(route string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if route == "" || r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// Rejected returns the REST calls answered with a 4xx other than a
// scripted 429: what real Discord would have refused.
func (s *Server) Rejected() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Status >= 400 && r.Status < 500 && r.Status != http.StatusTooManyRequests {
			out = append(out, r)
		}
	}
	return out
}

// Posts returns the accepted posts of the given kinds (all kinds when none
// is given), oldest first.
func (s *Server) Posts(kinds ...string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.postsLocked(kinds)
}

func (s *Server) postsLocked(kinds []string) []Post {
	var out []Post
	for _, p := range s.posts {
		if len(kinds) == 0 || slices.Contains(kinds, p.Kind) {
			out = append(out, p)
		}
	}
	return out
}

// Identifies returns the Identify packets received, oldest first.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.idents)
}

// Dispatches returns the dispatches sent with Dispatch (and so Say, React
// and the interactions), oldest first, with the shard each went to.
func (s *Server) Dispatches() []Dispatched {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dispatched)
}

// Commands returns the commands last registered for guildID ("" for the
// global ones).
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[guildID])
}

// Reactions returns the emojis the bot currently has on a message.
func (s *Server) Reactions(channelID, messageID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactions[channelID+"/"+messageID])
}

// Typing returns how many typing indicators were triggered in channelID.
func (s *Server) Typing(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.typing[channelID]
}

// ChannelMessages returns the messages of a channel (or thread), oldest
// first: those the tests posted as users and those the bot posted.
func (s *Server) ChannelMessages(channelID string) []*discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[channelID]; ok {
		return slices.Clone(c.messages)
	}
	return nil
}

// Threads returns the threads started in channelID.
func (s *Server) Threads(channelID string) []*discordgo.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*discordgo.Channel
	for _, c := range s.channels {
		if c.parentID == channelID {
			out = append(out, s.channelJSONLocked(c))
		}
	}
	slices.SortFunc(out, func(a, b *discordgo.Channel) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Wait polls cond, under no lock, every time the stand-in records
// something and at least every 20 ms, until it holds; it fails the test
// when s.Timeout passes first.
func (s *Server) Wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if err := s.wait(cond); err != nil {
		t.Fatalf("discordtest: waiting for %s: %v", what, err)
	}
}

func (s *Server) wait(cond func() bool) error {
	deadline := time.NewTimer(s.Timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			return fmt.Errorf("timed out after %v", s.Timeout)
		}
	}
}

// WaitPosts waits until at least n posts of the given kinds (all when none
// is given) were accepted and returns them all.
func (s *Server) WaitPosts(t testing.TB, n int, kinds ...string) []Post {
	t.Helper()
	var got []Post
	s.Wait(t, fmt.Sprintf("%d posts of kinds %v", n, kinds), func() bool {
		got = s.Posts(kinds...)
		return len(got) >= n
	})
	return got
}

// WaitInteraction waits until interactionID has n posts (its callback,
// then follow-ups and edits) and returns them in order.
func (s *Server) WaitInteraction(t testing.TB, interactionID string, n int) []Post {
	t.Helper()
	var got []Post
	s.Wait(t, fmt.Sprintf("%d posts for interaction %s", n, interactionID), func() bool {
		got = got[:0]
		for _, p := range s.Posts() {
			if p.InteractionID == interactionID {
				got = append(got, p)
			}
		}
		return len(got) >= n
	})
	return got
}

// WaitRequests waits until route received at least n calls and returns
// them.
func (s *Server) WaitRequests(t testing.TB, route string, n int) []Request {
	t.Helper()
	var got []Request
	s.Wait(t, fmt.Sprintf("%d calls on %s", n, route), func() bool {
		got = s.Requests(route)
		return len(got) >= n
	})
	return got
}

// WaitCommands waits until commands were registered for guildID ("" for
// global) and returns them.
func (s *Server) WaitCommands(t testing.TB, guildID string) []*discordgo.ApplicationCommand {
	t.Helper()
	var got []*discordgo.ApplicationCommand
	s.Wait(t, "command registration", func() bool {
		got = s.Commands(guildID)
		return len(got) > 0
	})
	return got
}

// upgrader accepts the gateway websocket from any origin: the client is a
// bot, not a browser.
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
