package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// heartbeatInterval is what Hello announces, in milliseconds: Discord's
// usual value. Sessions heartbeat once at once and then rarely, so tests
// see a heartbeat and its ack without waiting.
const heartbeatInterval = 41250

// gatewayConn is one session's websocket.
type gatewayConn struct {
	ws *websocket.Conn

	mu    sync.Mutex // serializes writes and guards seq, ready and the shard
	seq   int64
	ready bool
	// shardID and shardCount are the shard the session identified as
	// (0 of 1 when none).
	shardID, shardCount int
}

// covers reports whether the session receives guildID's events.
func (c *gatewayConn) covers(guildID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return guildID == "" || ShardOf(guildID, c.shardCount) == c.shardID
}

func (c *gatewayConn) shard() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shardID
}

func (c *gatewayConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// send writes a dispatch (op 0) with the next sequence number.
func (c *gatewayConn) send(event string, data any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(map[string]any{"op": 0, "s": c.seq, "t": event, "d": data})
}

func (c *gatewayConn) isReady() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ready
}

func (c *gatewayConn) setReady() {
	c.mu.Lock()
	c.ready = true
	c.mu.Unlock()
}

func (c *gatewayConn) close() {
	c.mu.Lock()
	c.ws.SetWriteDeadline(time.Now().Add(time.Second))
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "stand-in closing"))
	c.mu.Unlock()
	c.ws.Close()
}

// serveGateway runs one gateway session: Hello, then Identify → Ready and
// the GUILD_CREATEs, Resume → RESUMED, and heartbeat acks until the
// client leaves.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	c := &gatewayConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.conns = slices.DeleteFunc(s.conns, func(x *gatewayConn) bool { return x == c })
		s.notifyLocked()
		s.mu.Unlock()
		ws.Close()
	}()

	if err := c.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": heartbeatInterval}}); err != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(msg, &p) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case 1: // heartbeat
			s.mu.Lock()
			s.heartbeats++
			s.notifyLocked()
			s.mu.Unlock()
			if c.write(map[string]any{"op": 11}) != nil {
				return
			}
		case 2: // identify
			var id struct {
				Token   string           `json:"token"`
				Intents discordgo.Intent `json:"intents"`
				Shard   *[2]int          `json:"shard"`
			}
			if json.Unmarshal(p.D, &id) != nil {
				c.closeWith(4002, "Error while decoding payload.")
				return
			}
			shardID, shardCount := 0, 1
			if id.Shard != nil {
				shardID, shardCount = id.Shard[0], id.Shard[1]
			}
			s.mu.Lock()
			s.idents = append(s.idents, Identify{Token: id.Token, Intents: id.Intents, ShardID: shardID, ShardCount: shardCount, At: s.now(), Raw: msg})
			s.notifyLocked()
			s.mu.Unlock()
			if strings.TrimPrefix(id.Token, "Bot ") != Token {
				c.closeWith(4004, "Authentication failed.")
				return
			}
			if shardCount < 1 || shardID < 0 || shardID >= shardCount {
				c.closeWith(4010, "Invalid shard.")
				return
			}
			c.mu.Lock()
			c.shardID, c.shardCount = shardID, shardCount
			c.mu.Unlock()
			if !s.ready(c) {
				return
			}
		case 6: // resume
			if c.send("RESUMED", map[string]any{}) != nil {
				return
			}
			c.setReady()
			s.mu.Lock()
			s.notifyLocked()
			s.mu.Unlock()
		}
	}
}

func (c *gatewayConn) closeWith(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(time.Second))
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
}

// ready sends Ready, with every server of the session's shard unavailable
// as Discord does, then one GUILD_CREATE per server.
func (s *Server) ready(c *gatewayConn) bool {
	s.mu.Lock()
	ids := slices.DeleteFunc(slices.Clone(s.guildIDs), func(id string) bool { return !c.covers(id) })
	session := s.newIDLocked()
	s.mu.Unlock()
	guilds := make([]map[string]any, len(ids))
	for i, id := range ids {
		guilds[i] = map[string]any{"id": id, "unavailable": true}
	}
	ready := map[string]any{
		"v":           9,
		"user":        Bot,
		"session_id":  session,
		"guilds":      guilds,
		"application": map[string]any{"id": AppID, "flags": 0},
		// Clients resume here; the stand-in serves both.
		"resume_gateway_url": s.GatewayURL(),
		"private_channels":   []any{},
	}
	if c.send("READY", ready) != nil {
		return false
	}
	for _, id := range ids {
		if c.send("GUILD_CREATE", s.guildCreate(id)) != nil {
			return false
		}
	}
	c.setReady()
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
	return true
}

// Heartbeats returns how many heartbeats (op 1) the gateway acknowledged.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}

// WaitReady waits until a session has identified and received Ready and
// its servers.
func (s *Server) WaitReady(t testing.TB) {
	t.Helper()
	s.Wait(t, "a ready gateway session", func() bool { return s.readyConn("") != nil })
}

// WaitShards waits until n sessions with distinct shards are ready and
// returns their shard IDs in order.
func (s *Server) WaitShards(t testing.TB, n int) []int {
	t.Helper()
	var got []int
	s.Wait(t, fmt.Sprintf("%d ready shards", n), func() bool {
		got = s.ReadyShards()
		return len(got) >= n
	})
	return got
}

// ReadyShards returns the shard IDs of the ready sessions, in order,
// each once.
func (s *Server) ReadyShards() []int {
	s.mu.Lock()
	conns := slices.Clone(s.conns)
	s.mu.Unlock()
	var out []int
	for _, c := range conns {
		if c.isReady() && !slices.Contains(out, c.shard()) {
			out = append(out, c.shard())
		}
	}
	slices.Sort(out)
	return out
}

// readyConn returns the newest ready session that receives guildID's
// events (any ready session for "").
func (s *Server) readyConn(guildID string) *gatewayConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.conns) - 1; i >= 0; i-- {
		if c := s.conns[i]; c.isReady() && c.covers(guildID) {
			return c
		}
	}
	return nil
}

// Dispatch sends the event (a gateway op 0 with type event and payload
// data) to the newest ready session of the shard of data's guild_id (any
// ready session when it has none), waiting for one.
func (s *Server) Dispatch(t testing.TB, event string, data any) {
	t.Helper()
	var g struct {
		GuildID string `json:"guild_id"`
	}
	if raw, err := json.Marshal(data); err == nil {
		json.Unmarshal(raw, &g)
	}
	var c *gatewayConn
	s.Wait(t, "a ready gateway session for guild "+g.GuildID, func() bool {
		c = s.readyConn(g.GuildID)
		return c != nil
	})
	if err := c.send(event, data); err != nil {
		t.Fatalf("discordtest: dispatch %s: %v", event, err)
	}
	s.mu.Lock()
	s.dispatched = append(s.dispatched, Dispatched{Event: event, GuildID: g.GuildID, ShardID: c.shard()})
	s.notifyLocked()
	s.mu.Unlock()
}

// Say posts content in channelID as author: the message joins the
// channel's history and a MESSAGE_CREATE goes to the session. It returns
// the message.
func (s *Server) Say(t testing.TB, channelID string, author *discordgo.User, content string) *discordgo.Message {
	t.Helper()
	s.mu.Lock()
	ch := s.channels[channelID]
	if ch == nil {
		s.mu.Unlock()
		t.Fatalf("discordtest: Say in unknown channel %s", channelID)
	}
	m := &discordgo.Message{
		ID: s.newIDLocked(), ChannelID: ch.id, GuildID: ch.guildID, Author: author, Content: content,
		Timestamp: s.now().UTC(), Type: discordgo.MessageTypeDefault,
		Embeds: []*discordgo.MessageEmbed{}, Mentions: []*discordgo.User{}, MentionRoles: []string{},
		Attachments: []*discordgo.MessageAttachment{},
	}
	ch.messages = append(ch.messages, m)
	s.notifyLocked()
	s.mu.Unlock()

	ev := *m
	if ev.GuildID != "" {
		mem := member(nil, "")
		mem.GuildID = "" // MESSAGE_CREATE carries a partial member without user or guild
		ev.Member = mem
	}
	s.Dispatch(t, "MESSAGE_CREATE", &ev)
	return m
}

// React adds emoji to a message as user: a MESSAGE_REACTION_ADD dispatch.
func (s *Server) React(t testing.TB, channelID, messageID string, user *discordgo.User, emoji string) {
	t.Helper()
	s.mu.Lock()
	ch := s.channels[channelID]
	s.mu.Unlock()
	if ch == nil {
		t.Fatalf("discordtest: React in unknown channel %s", channelID)
	}
	ev := &discordgo.MessageReactionAdd{
		MessageReaction: &discordgo.MessageReaction{UserID: user.ID, MessageID: messageID, ChannelID: channelID, GuildID: ch.guildID, Emoji: discordgo.Emoji{Name: emoji}},
	}
	if ch.guildID != "" {
		ev.Member = member(user, ch.guildID)
	}
	s.Dispatch(t, "MESSAGE_REACTION_ADD", ev)
}

// Invoker says who invokes an interaction, and where.
type Invoker struct {
	// User defaults to Alice.
	User *discordgo.User
	// ChannelID defaults to ChannelID; the server is the channel's.
	ChannelID string
	// Permissions are the member's permissions in the channel (default:
	// view, send and read history; add discordgo.PermissionManageGuild
	// for a moderator).
	Permissions int64
}

// memberPermissions is what an ordinary member may do by default.
const memberPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory

// Option builds an option of a command invocation.
func Option(name string, typ discordgo.ApplicationCommandOptionType, value any) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: value}
}

// StringOption, BoolOption and ChannelOption build options of those types.
func StringOption(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return Option(name, discordgo.ApplicationCommandOptionString, value)
}

// BoolOption builds a boolean option.
func BoolOption(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return Option(name, discordgo.ApplicationCommandOptionBoolean, value)
}

// ChannelOption builds a channel option; its value is the channel ID.
func ChannelOption(name, channelID string) *discordgo.ApplicationCommandInteractionDataOption {
	return Option(name, discordgo.ApplicationCommandOptionChannel, channelID)
}

// Subcommand builds a subcommand holding opts.
func Subcommand(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

// Focused marks o as the option being typed, for Autocomplete.
func Focused(o *discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	o.Focused = true
	return o
}

// Command invokes the registered slash command name with opts and returns
// the interaction sent. The test fails if the bot has not registered it.
func (s *Server) Command(t testing.TB, inv Invoker, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	t.Helper()
	return s.interact(t, inv, discordgo.InteractionApplicationCommand, discordgo.ChatApplicationCommand, name, opts, nil)
}

// Autocomplete asks the bot for choices while inv types the focused option
// of the slash command name.
func (s *Server) Autocomplete(t testing.TB, inv Invoker, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	t.Helper()
	return s.interact(t, inv, discordgo.InteractionApplicationCommandAutocomplete, discordgo.ChatApplicationCommand, name, opts, nil)
}

// MessageCommand invokes the registered message context-menu command name
// on target.
func (s *Server) MessageCommand(t testing.TB, inv Invoker, name string, target *discordgo.Message) *discordgo.Interaction {
	t.Helper()
	return s.interact(t, inv, discordgo.InteractionApplicationCommand, discordgo.MessageApplicationCommand, name, nil, target)
}

func (s *Server) interact(t testing.TB, inv Invoker, it discordgo.InteractionType, ct discordgo.ApplicationCommandType,
	name string, opts []*discordgo.ApplicationCommandInteractionDataOption, target *discordgo.Message) *discordgo.Interaction {
	t.Helper()
	s.WaitReady(t)
	if inv.User == nil {
		inv.User = Alice
	}
	if inv.ChannelID == "" {
		inv.ChannelID = ChannelID
	}
	if inv.Permissions == 0 {
		inv.Permissions = memberPermissions
	}
	s.mu.Lock()
	ch := s.channels[inv.ChannelID]
	var cmd *discordgo.ApplicationCommand
	if ch != nil {
		for _, c := range append(slices.Clone(s.commands[ch.guildID]), s.commands[""]...) {
			if c.Name == name && c.Type == ct {
				cmd = c
				break
			}
		}
	}
	var botPerms int64
	if ch != nil {
		botPerms = s.botPermsLocked(ch)
	}
	in := &interaction{id: s.newIDLocked(), token: "itoken-" + s.newIDLocked(), channelID: inv.ChannelID, at: time.Now()}
	if ch != nil {
		in.guildID = ch.guildID
		s.inters[in.token] = in
	}
	var chJSON *discordgo.Channel
	if ch != nil {
		chJSON = s.channelJSONLocked(ch)
	}
	s.mu.Unlock()
	if ch == nil {
		t.Fatalf("discordtest: interaction in unknown channel %s", inv.ChannelID)
	}
	if cmd == nil {
		t.Fatalf("discordtest: the bot has not registered command %q (type %d)", name, ct)
	}

	data := discordgo.ApplicationCommandInteractionData{ID: cmd.ID, Name: name, CommandType: ct, Options: opts}
	resolved := &discordgo.ApplicationCommandInteractionDataResolved{}
	var walk func([]*discordgo.ApplicationCommandInteractionDataOption)
	walk = func(os []*discordgo.ApplicationCommandInteractionDataOption) {
		for _, o := range os {
			walk(o.Options)
			if o.Type == discordgo.ApplicationCommandOptionChannel {
				id := fmt.Sprint(o.Value)
				if resolved.Channels == nil {
					resolved.Channels = map[string]*discordgo.Channel{}
				}
				resolved.Channels[id] = s.channelInfo(id)
			}
		}
	}
	walk(opts)
	if target != nil {
		data.TargetID = target.ID
		resolved.Messages = map[string]*discordgo.Message{target.ID: target}
	}
	if resolved.Channels != nil || resolved.Messages != nil {
		data.Resolved = resolved
	}
	mem := member(inv.User, in.guildID)
	mem.Permissions = inv.Permissions
	locale := discordgo.EnglishUS
	ev := &discordgo.Interaction{
		ID: in.id, AppID: AppID, Type: it, Data: data, GuildID: in.guildID, ChannelID: in.channelID,
		AppPermissions: botPerms, Member: mem, Locale: discordgo.EnglishUS, GuildLocale: &locale,
		Context: discordgo.InteractionContextGuild, Token: in.token, Version: 1,
	}
	s.mu.Lock()
	in.at = time.Now() // the answer clock starts at dispatch
	s.mu.Unlock()
	wire := struct {
		*discordgo.Interaction
		Channel *discordgo.Channel `json:"channel"`
	}{ev, chJSON}
	s.Dispatch(t, "INTERACTION_CREATE", wire)
	return ev
}

// channelInfo returns the resolved form of a channel option; a channel
// unknown to the stand-in resolves to its bare ID.
func (s *Server) channelInfo(id string) *discordgo.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channels[id]; ch != nil {
		c := s.channelJSONLocked(ch)
		c.PermissionOverwrites = nil
		return c
	}
	return &discordgo.Channel{ID: id}
}
