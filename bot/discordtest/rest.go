package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Routes of the REST API the stand-in serves, as method and path below
// /api/v9. Use them with RateLimitNext, Requests and WaitRequests.
const (
	RouteGateway             = "GET /gateway"
	RouteGatewayBot          = "GET /gateway/bot"
	RouteMe                  = "GET /users/@me"
	RouteGlobalCommands      = "PUT /applications/{app}/commands"
	RouteGuildCommands       = "PUT /applications/{app}/guilds/{guild}/commands"
	RouteGetChannel          = "GET /channels/{channel}"
	RouteGetGuild            = "GET /guilds/{guild}"
	RouteGuildChannels       = "GET /guilds/{guild}/channels"
	RouteGuildMember         = "GET /guilds/{guild}/members/{user}"
	RouteCreateMessage       = "POST /channels/{channel}/messages"
	RouteChannelMessages     = "GET /channels/{channel}/messages"
	RouteGetMessage          = "GET /channels/{channel}/messages/{message}"
	RouteEditMessage         = "PATCH /channels/{channel}/messages/{message}"
	RouteDeleteMessage       = "DELETE /channels/{channel}/messages/{message}"
	RouteAddReaction         = "PUT /channels/{channel}/messages/{message}/reactions/{emoji}/@me"
	RouteRemoveOwnReaction   = "DELETE /channels/{channel}/messages/{message}/reactions/{emoji}/@me"
	RouteRemoveUserReaction  = "DELETE /channels/{channel}/messages/{message}/reactions/{emoji}/{user}"
	RouteTyping              = "POST /channels/{channel}/typing"
	RouteStartThread         = "POST /channels/{channel}/messages/{message}/threads"
	RouteInteractionCallback = "POST /interactions/{interaction}/{token}/callback"
	RouteFollowup            = "POST /webhooks/{app}/{token}"
	RouteGetOriginal         = "GET /webhooks/{app}/{token}/messages/@original"
	RouteEditOriginal        = "PATCH /webhooks/{app}/{token}/messages/@original"
	RouteDeleteOriginal      = "DELETE /webhooks/{app}/{token}/messages/@original"
	RouteEditFollowup        = "PATCH /webhooks/{app}/{token}/messages/{message}"
)

var allRoutes = []string{
	RouteGateway, RouteGatewayBot, RouteMe, RouteGlobalCommands, RouteGuildCommands,
	RouteGetChannel, RouteGetGuild, RouteGuildChannels, RouteGuildMember,
	RouteCreateMessage, RouteChannelMessages, RouteGetMessage, RouteEditMessage, RouteDeleteMessage,
	RouteAddReaction, RouteRemoveOwnReaction, RouteRemoveUserReaction, RouteTyping, RouteStartThread,
	RouteInteractionCallback, RouteFollowup, RouteGetOriginal, RouteEditOriginal, RouteDeleteOriginal,
	RouteEditFollowup,
}

// apiPrefix is where Discord's REST API lives; discordgo speaks v9.
const apiPrefix = "/api/v9"

// call is one REST request being answered.
type call struct {
	r      *http.Request
	body   []byte
	files  []File // a multipart request's attachments; body is its payload_json
	status int
	resp   any
	errMsg string
}

func (c *call) ok(v any)            { c.status, c.resp = http.StatusOK, v }
func (c *call) noContent()          { c.status = http.StatusNoContent }
func (c *call) val(k string) string { return c.r.PathValue(k) }

// fail answers with a Discord JSON error: {"message": msg, "code": code}.
func (c *call) fail(status, code int, msg string) {
	c.status = status
	c.errMsg = msg
	c.resp = map[string]any{"message": msg, "code": code}
}

// unknownMessage answers 404 Unknown Message.
func (c *call) unknownMessage() { c.fail(http.StatusNotFound, 10008, "Unknown Message") }

// missingPerms answers 403 Missing Permissions.
func (c *call) missingPerms() { c.fail(http.StatusForbidden, 50013, "Missing Permissions") }

// decode reads the JSON body into v; it answers the call and returns false
// when the body does not decode.
func (c *call) decode(v any) bool {
	if err := json.Unmarshal(c.body, v); err != nil {
		c.invalid("body: " + err.Error())
		return false
	}
	return true
}

// invalid answers 400 Invalid Form Body, as Discord does for a field over
// a limit; detail says which.
func (c *call) invalid(detail string) {
	c.fail(http.StatusBadRequest, 50035, "Invalid Form Body")
	c.errMsg = detail
	c.resp = map[string]any{"message": "Invalid Form Body", "code": 50035, "errors": map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_INVALID", "message": detail}}}}
}

func (s *Server) routes() {
	h := map[string]func(*call){
		RouteGateway:             s.getGateway,
		RouteGatewayBot:          s.getGatewayBot,
		RouteMe:                  func(c *call) { c.ok(Bot) },
		RouteGlobalCommands:      s.putCommands,
		RouteGuildCommands:       s.putCommands,
		RouteGetChannel:          s.getChannel,
		RouteGetGuild:            s.getGuild,
		RouteGuildChannels:       s.getGuildChannels,
		RouteGuildMember:         s.getGuildMember,
		RouteCreateMessage:       s.createMessage,
		RouteChannelMessages:     s.getMessages,
		RouteGetMessage:          s.getMessage,
		RouteEditMessage:         s.editMessage,
		RouteDeleteMessage:       s.deleteMessage,
		RouteAddReaction:         s.addReaction,
		RouteRemoveOwnReaction:   s.removeOwnReaction,
		RouteRemoveUserReaction:  func(c *call) { c.noContent() },
		RouteTyping:              s.triggerTyping,
		RouteStartThread:         s.startThread,
		RouteInteractionCallback: s.interactionCallback,
		RouteFollowup:            s.followup,
		RouteGetOriginal:         s.getOriginal,
		RouteEditOriginal:        s.editOriginal,
		RouteDeleteOriginal:      s.deleteOriginal,
		RouteEditFollowup:        s.editFollowup,
	}
	for _, route := range allRoutes {
		fn := h[route]
		s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) { s.serveRoute(route, fn, w, r) })
	}
}

// serveHTTP routes gateway upgrades and REST calls under /api/v9.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	if _, pattern := s.mux.Handler(r2); !ok || pattern == "" {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body, Status: http.StatusNotFound, Error: "no such route", At: time.Now()})
		s.notifyLocked()
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
		return
	}
	s.mux.ServeHTTP(w, r2)
}

// noAuth lists the routes Discord serves without a bot token: the
// interaction token authorizes them.
var noAuth = []string{RouteInteractionCallback, RouteFollowup, RouteGetOriginal, RouteEditOriginal, RouteDeleteOriginal, RouteEditFollowup}

func (s *Server) serveRoute(route string, fn func(*call), w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := Request{Method: r.Method, Route: route, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body, At: time.Now()}
	c := &call{r: r, body: body}
	if files, payload, isMultipart, err := readMultipart(r.Header.Get("Content-Type"), body); isMultipart {
		if err != nil {
			c.invalid("multipart: " + err.Error())
			rec.Status, rec.Error = c.status, c.errMsg
			s.mu.Lock()
			s.requests = append(s.requests, rec)
			s.notifyLocked()
			s.mu.Unlock()
			writeJSON(w, c.status, c.resp)
			return
		}
		c.body, c.files = payload, files
		rec.Files = files
	}

	s.mu.Lock()
	var wait time.Duration
	if d := s.delay[route]; d != nil && d.n > 0 {
		d.n--
		wait = d.retryAfter
	}
	s.mu.Unlock()
	if wait > 0 {
		// Handled whether or not the client is still waiting for it.
		time.Sleep(wait)
	}

	s.mu.Lock()
	switch f := s.fail[route]; {
	case f != nil && f.n > 0:
		f.n--
		s.rateLimited(w, route, f.retryAfter)
		rec.Status = http.StatusTooManyRequests
		s.requests = append(s.requests, rec)
		s.notifyLocked()
		s.mu.Unlock()
		return
	case !slices.Contains(noAuth, route) && r.Header.Get("Authorization") != "Bot "+Token:
		c.fail(http.StatusUnauthorized, 0, "401: Unauthorized")
	default:
		fn(c)
	}
	rec.Status, rec.Error = c.status, c.errMsg
	s.requests = append(s.requests, rec)
	s.notifyLocked()
	s.mu.Unlock()

	if c.resp == nil {
		w.WriteHeader(c.status)
		return
	}
	writeJSON(w, c.status, c.resp)
}

// rateLimited writes a 429 as Discord does: a JSON body with retry_after in
// seconds and the X-RateLimit headers that discordgo's buckets read.
func (s *Server) rateLimited(w http.ResponseWriter, route string, retryAfter time.Duration) {
	secs := retryAfter.Seconds()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(retryAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", route))
	h.Set("X-RateLimit-Scope", "user")
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) getGateway(c *call) { c.ok(map[string]string{"url": s.GatewayURL()}) }

func (s *Server) getGatewayBot(c *call) {
	c.ok(map[string]any{
		"url":    s.GatewayURL(),
		"shards": max(s.RecommendedShards, 1),
		"session_start_limit": map[string]int{
			"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": max(s.MaxConcurrency, 1),
		},
	})
}

// putCommands bulk-overwrites the global or one guild's commands.
func (s *Server) putCommands(c *call) {
	if c.val("app") != AppID {
		c.fail(http.StatusNotFound, 10002, "Unknown Application")
		return
	}
	guildID := c.val("guild")
	if guildID != "" && s.guilds[guildID] == nil {
		c.fail(http.StatusForbidden, 50001, "Missing Access")
		return
	}
	var cmds []*discordgo.ApplicationCommand
	if !c.decode(&cmds) {
		return
	}
	if err := ValidateCommands(cmds); err != nil {
		c.invalid(err.Error())
		return
	}
	for _, cmd := range cmds {
		cmd.ID = s.newIDLocked()
		cmd.ApplicationID = AppID
		cmd.GuildID = guildID
		cmd.Version = s.newIDLocked()
		if cmd.Type == 0 {
			cmd.Type = discordgo.ChatApplicationCommand
		}
	}
	s.commands[guildID] = cmds
	c.ok(cmds)
}

func (s *Server) channelJSONLocked(ch *channel) *discordgo.Channel {
	out := &discordgo.Channel{ID: ch.id, GuildID: ch.guildID, Name: ch.name, Type: ch.typ, ParentID: ch.parentID,
		PermissionOverwrites: []*discordgo.PermissionOverwrite{}}
	if ch.denyBot != 0 {
		out.PermissionOverwrites = append(out.PermissionOverwrites,
			&discordgo.PermissionOverwrite{ID: BotID, Type: discordgo.PermissionOverwriteTypeMember, Deny: ch.denyBot})
	}
	if n := len(ch.messages); n > 0 {
		out.LastMessageID = ch.messages[n-1].ID
	}
	return out
}

func member(u *discordgo.User, guildID string) *discordgo.Member {
	return &discordgo.Member{GuildID: guildID, User: u, Roles: []string{}, JoinedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (s *Server) guildJSONLocked(g *guild) *discordgo.Guild {
	out := &discordgo.Guild{
		ID: g.id, Name: g.name, OwnerID: OwnerID,
		Roles:       []*discordgo.Role{{ID: g.id, Name: "@everyone", Permissions: g.permissions}},
		Channels:    []*discordgo.Channel{},
		Members:     []*discordgo.Member{member(Bot, g.id), member(Alice, g.id), member(Owner, g.id), member(OtherBot, g.id)},
		MemberCount: 4,
	}
	for _, id := range g.channelIDs {
		out.Channels = append(out.Channels, s.channelJSONLocked(s.channels[id]))
	}
	return out
}

// guildCreate returns the GUILD_CREATE payload of guildID.
func (s *Server) guildCreate(guildID string) *discordgo.Guild {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.guildJSONLocked(s.guilds[guildID])
}

func (s *Server) getChannel(c *call) {
	ch := s.channels[c.val("channel")]
	if ch == nil {
		c.fail(http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	c.ok(s.channelJSONLocked(ch))
}

// guildFor finds the guild of a call; it answers the call and returns nil
// when there is none.
func (s *Server) guildFor(c *call) *guild {
	g := s.guilds[c.val("guild")]
	if g == nil {
		c.fail(http.StatusNotFound, 10004, "Unknown Guild")
	}
	return g
}

func (s *Server) getGuild(c *call) {
	g := s.guildFor(c)
	if g == nil {
		return
	}
	out := s.guildJSONLocked(g)
	out.Channels, out.Members = nil, nil // GET /guilds/{id} carries neither
	c.ok(out)
}

func (s *Server) getGuildChannels(c *call) {
	g := s.guildFor(c)
	if g == nil {
		return
	}
	c.ok(s.guildJSONLocked(g).Channels)
}

func (s *Server) getGuildMember(c *call) {
	g := s.guildFor(c)
	if g == nil {
		return
	}
	for _, u := range []*discordgo.User{Bot, Alice, Owner, OtherBot} {
		if u.ID == c.val("user") {
			c.ok(member(u, g.id))
			return
		}
	}
	c.fail(http.StatusNotFound, 10007, "Unknown Member")
}

// botPermsLocked returns the bot's permissions in ch: @everyone's,
// minus the channel's (or, for a thread, its parent's) member overwrite.
func (s *Server) botPermsLocked(ch *channel) int64 {
	if ch.parentID != "" {
		if p := s.channels[ch.parentID]; p != nil {
			ch = p
		}
	}
	g := s.guilds[ch.guildID]
	if g == nil {
		return 0
	}
	return g.permissions &^ ch.denyBot
}

// channelFor finds the channel of a call and checks the bot holds perms
// there; it answers the call and returns nil when not.
func (s *Server) channelFor(c *call, perms int64) *channel {
	ch := s.channels[c.val("channel")]
	if ch == nil {
		c.fail(http.StatusNotFound, 10003, "Unknown Channel")
		return nil
	}
	if s.botPermsLocked(ch)&perms != perms {
		c.missingPerms()
		return nil
	}
	return ch
}

// sendChannelFor is channelFor with the permission to send messages,
// which a thread grants apart from its parent's.
func (s *Server) sendChannelFor(c *call) *channel {
	ch := s.channelFor(c, 0)
	if ch != nil && s.botPermsLocked(ch)&sendPerm(ch) != sendPerm(ch) {
		c.missingPerms()
		return nil
	}
	return ch
}

func sendPerm(ch *channel) int64 {
	if ch.typ == discordgo.ChannelTypeGuildPublicThread || ch.typ == discordgo.ChannelTypeGuildPrivateThread {
		return discordgo.PermissionViewChannel | discordgo.PermissionSendMessagesInThreads
	}
	return discordgo.PermissionViewChannel | discordgo.PermissionSendMessages
}

func findMessage(ch *channel, id string) (int, *discordgo.Message) {
	for i, m := range ch.messages {
		if m.ID == id {
			return i, m
		}
	}
	return -1, nil
}

// messageFor finds the message of a call in ch; it answers the call and
// returns nil when there is none.
func messageFor(c *call, ch *channel) (int, *discordgo.Message) {
	i, m := findMessage(ch, c.val("message"))
	if m == nil {
		c.unknownMessage()
	}
	return i, m
}

// payload reads a message body; fields reports which top-level keys were
// present (edits change only those). It answers the call and returns false
// when the body does not decode.
func (c *call) payload() (p Payload, fields map[string]json.RawMessage, ok bool) {
	ok = c.decode(&fields) && c.decode(&p)
	p.Files = c.files
	return p, fields, ok
}

// newPayload reads and checks the body of a new message; it answers the
// call and returns false when Discord would refuse it.
func (c *call) newPayload() (Payload, bool) {
	p, _, ok := c.payload()
	return p, ok && c.checkMessage(p.Content, p.Embeds, p.AllowedMentions) && c.checkComponents(p.Components)
}

// editPayload reads the body of an edit of m and checks m as the edit
// would leave it; it answers the call and returns false when Discord would
// refuse it.
func (c *call) editPayload(m *discordgo.Message) (Payload, map[string]json.RawMessage, bool) {
	p, fields, ok := c.payload()
	if !ok {
		return p, fields, false
	}
	content, embeds := m.Content, m.Embeds
	if _, ok := fields["content"]; ok {
		content = p.Content
	}
	if _, ok := fields["embeds"]; ok {
		embeds = p.Embeds
	}
	return p, fields, c.checkMessage(content, embeds, p.AllowedMentions) && c.checkComponents(p.Components)
}

// checkMessage checks a message as it would stand once sent; it answers
// the call and returns false when Discord would refuse it.
func (c *call) checkMessage(content string, embeds []*discordgo.MessageEmbed, allowedMentions json.RawMessage) bool {
	if content == "" && len(embeds) == 0 {
		c.fail(http.StatusBadRequest, 50006, "Cannot send an empty message")
		return false
	}
	if err := ValidateMessage(content, embeds); err != nil {
		c.invalid(err.Error())
		return false
	}
	if err := validAllowedMentions(allowedMentions); err != nil {
		c.invalid(err.Error())
		return false
	}
	return true
}

func (s *Server) newMessageLocked(ch *channel, p Payload) *discordgo.Message {
	m := &discordgo.Message{
		ID: s.newIDLocked(), ChannelID: ch.id, GuildID: ch.guildID, Author: Bot,
		Content: p.Content, Embeds: p.Embeds, Flags: p.Flags, Timestamp: s.now().UTC(),
		MessageReference: p.MessageReference, Type: discordgo.MessageTypeDefault,
		Mentions: []*discordgo.User{}, MentionRoles: []string{}, Attachments: []*discordgo.MessageAttachment{},
	}
	if m.Embeds == nil {
		m.Embeds = []*discordgo.MessageEmbed{}
	}
	m.Attachments = attachments(s, p.Files)
	if p.MessageReference != nil {
		m.Type = discordgo.MessageTypeReply
	}
	return m
}

func (s *Server) recordPostLocked(p Post, body []byte) {
	p.Raw = body
	p.At = time.Now()
	s.posts = append(s.posts, p)
}

// maxNonce is the longest nonce Discord accepts, in characters.
const maxNonce = 25

// messageNonce reads a new message's nonce (a string or an integer, as
// Discord takes it) and enforce_nonce; it answers the call and returns
// false when Discord would refuse them.
func (c *call) messageNonce() (nonce string, enforce, ok bool) {
	var body struct {
		Nonce        json.RawMessage `json:"nonce"`
		EnforceNonce bool            `json:"enforce_nonce"`
	}
	if !c.decode(&body) {
		return "", false, false
	}
	if len(body.Nonce) > 0 && string(body.Nonce) != "null" {
		var str string
		var num json.Number
		switch {
		case json.Unmarshal(body.Nonce, &str) == nil:
			nonce = str
		case json.Unmarshal(body.Nonce, &num) == nil:
			nonce = num.String()
		default:
			c.invalid("nonce: must be a string or an integer")
			return "", false, false
		}
		if n := utf8.RuneCountInString(nonce); n > maxNonce {
			c.invalid(fmt.Sprintf("nonce: %d characters; at most %d", n, maxNonce))
			return "", false, false
		}
	}
	return nonce, body.EnforceNonce, true
}

func (s *Server) createMessage(c *call) {
	ch := s.sendChannelFor(c)
	if ch == nil {
		return
	}
	p, ok := c.newPayload()
	if !ok {
		return
	}
	nonce, enforce, ok := c.messageNonce()
	if !ok {
		return
	}
	key := ""
	if enforce && nonce != "" {
		// The same author's nonce, in any channel, within the window:
		// the message made then, and no new one.
		key = Bot.ID + "/" + nonce
		if e, seen := s.nonces[key]; seen && s.now().Sub(e.at) < s.NonceWindow {
			c.ok(e.msg)
			return
		}
	}
	if ref := p.MessageReference; ref != nil {
		refCh := ch
		if ref.ChannelID != "" && ref.ChannelID != ch.id {
			refCh = s.channels[ref.ChannelID]
		}
		if refCh == nil {
			c.invalid("message_reference: Unknown channel")
			return
		}
		if _, m := findMessage(refCh, ref.MessageID); m == nil {
			c.invalid("message_reference: Unknown message")
			return
		}
	}
	m := s.newMessageLocked(ch, p)
	ch.messages = append(ch.messages, m)
	if key != "" {
		s.nonces[key] = nonceEntry{msg: m, at: s.now()}
	}
	s.recordPostLocked(Post{Kind: KindChannelMessage, ChannelID: ch.id, MessageID: m.ID, Nonce: nonce, Data: p}, c.body)
	c.ok(m)
}

// applyEdit changes the fields of m present in an edit body.
func applyEdit(m *discordgo.Message, p Payload, fields map[string]json.RawMessage) {
	if _, ok := fields["content"]; ok {
		m.Content = p.Content
	}
	if _, ok := fields["embeds"]; ok {
		m.Embeds = p.Embeds
		if m.Embeds == nil {
			m.Embeds = []*discordgo.MessageEmbed{}
		}
	}
	if _, ok := fields["flags"]; ok {
		m.Flags = p.Flags
	}
	if len(p.Files) > 0 {
		m.Attachments = append(m.Attachments, attachments(nil, p.Files)...)
	}
	now := time.Now().UTC()
	m.EditedTimestamp = &now
}

// ownMessageFor finds the message of a call in a channel the bot can view
// and checks the bot wrote it, calling refuse when another user did; it
// answers the call and returns a nil message when not.
func (s *Server) ownMessageFor(c *call, refuse func()) (*channel, int, *discordgo.Message) {
	ch := s.channelFor(c, discordgo.PermissionViewChannel)
	if ch == nil {
		return nil, -1, nil
	}
	i, m := messageFor(c, ch)
	if m != nil && (m.Author == nil || m.Author.ID != BotID) {
		refuse()
		return ch, -1, nil
	}
	return ch, i, m
}

func (s *Server) editMessage(c *call) {
	ch, _, m := s.ownMessageFor(c, func() {
		c.fail(http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
	})
	if m == nil {
		return
	}
	p, fields, ok := c.editPayload(m)
	if !ok {
		return
	}
	applyEdit(m, p, fields)
	s.recordPostLocked(Post{Kind: KindMessageEdit, ChannelID: ch.id, MessageID: m.ID, Data: p}, c.body)
	c.ok(m)
}

func (s *Server) deleteMessage(c *call) {
	ch, i, m := s.ownMessageFor(c, c.missingPerms)
	if m == nil {
		return
	}
	ch.messages = slices.Delete(ch.messages, i, i+1)
	c.noContent()
}

// getMessages answers as Discord does: newest first; limit defaults to
// 50 and is at most 100; at most one of before, after and around; before
// pages back (the newest messages before it), after pages forward (the
// oldest messages after it, still listed newest first).
func (s *Server) getMessages(c *call) {
	ch := s.channelFor(c, discordgo.PermissionViewChannel)
	if ch == nil {
		return
	}
	q := c.r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			c.invalid("limit: must be between 1 and 100")
			return
		}
		limit = n
	}
	out := []*discordgo.Message{}
	if s.botPermsLocked(ch)&discordgo.PermissionReadMessageHistory == 0 {
		c.ok(out) // Discord answers an empty list without Read Message History
		return
	}
	before, after := q.Get("before"), q.Get("after")
	if q.Has("around") || before != "" && after != "" {
		c.invalid("before, after and around are mutually exclusive; around is not served here")
		return
	}
	if after != "" {
		for _, m := range ch.messages {
			if len(out) == limit {
				break
			}
			if snowflakeLess(after, m.ID) {
				out = append(out, m)
			}
		}
		slices.Reverse(out)
		c.ok(out)
		return
	}
	for i := len(ch.messages) - 1; i >= 0 && len(out) < limit; i-- {
		if m := ch.messages[i]; before == "" || snowflakeLess(m.ID, before) {
			out = append(out, m)
		}
	}
	c.ok(out)
}

func snowflakeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func (s *Server) getMessage(c *call) {
	ch := s.channelFor(c, discordgo.PermissionViewChannel|discordgo.PermissionReadMessageHistory)
	if ch == nil {
		return
	}
	if _, m := messageFor(c, ch); m != nil {
		c.ok(m)
	}
}

func (s *Server) addReaction(c *call) {
	ch := s.channelFor(c, discordgo.PermissionViewChannel|discordgo.PermissionReadMessageHistory|discordgo.PermissionAddReactions)
	if ch == nil {
		return
	}
	if _, m := messageFor(c, ch); m == nil {
		return
	}
	emoji := c.val("emoji")
	if emoji == "" || !utf8.ValidString(emoji) {
		c.fail(http.StatusBadRequest, 10014, "Unknown Emoji")
		return
	}
	key := ch.id + "/" + c.val("message")
	if !slices.Contains(s.reactions[key], emoji) {
		s.reactions[key] = append(s.reactions[key], emoji)
	}
	c.noContent()
}

func (s *Server) removeOwnReaction(c *call) {
	ch := s.channelFor(c, discordgo.PermissionViewChannel)
	if ch == nil {
		return
	}
	key := ch.id + "/" + c.val("message")
	s.reactions[key] = slices.DeleteFunc(s.reactions[key], func(e string) bool { return e == c.val("emoji") })
	c.noContent()
}

func (s *Server) triggerTyping(c *call) {
	ch := s.sendChannelFor(c)
	if ch == nil {
		return
	}
	s.typing[ch.id]++
	c.noContent()
}

// startThread starts a public thread on a message; as in Discord the
// thread's ID is the message's.
func (s *Server) startThread(c *call) {
	ch := s.channelFor(c, discordgo.PermissionViewChannel|discordgo.PermissionCreatePublicThreads)
	if ch == nil {
		return
	}
	if ch.typ != discordgo.ChannelTypeGuildText {
		c.invalid("channel: threads start only in text channels")
		return
	}
	_, m := messageFor(c, ch)
	if m == nil {
		return
	}
	if s.channels[m.ID] != nil {
		c.fail(http.StatusBadRequest, 160004, "A thread has already been created for this message")
		return
	}
	var ts struct {
		Name                string `json:"name"`
		AutoArchiveDuration int    `json:"auto_archive_duration"`
	}
	if !c.decode(&ts) {
		return
	}
	if n := utf8.RuneCountInString(ts.Name); n < 1 || n > 100 {
		c.invalid(fmt.Sprintf("name: must be 1 to 100 characters, got %d", n))
		return
	}
	switch ts.AutoArchiveDuration {
	case 0, 60, 1440, 4320, 10080:
	default:
		c.invalid(fmt.Sprintf("auto_archive_duration: %d is not one of 60, 1440, 4320, 10080", ts.AutoArchiveDuration))
		return
	}
	th := &channel{id: m.ID, guildID: ch.guildID, parentID: ch.id, name: ts.Name, typ: discordgo.ChannelTypeGuildPublicThread}
	s.channels[th.id] = th
	c.status, c.resp = http.StatusCreated, s.channelJSONLocked(th)
}

// interactionFor finds the interaction a webhook call names; it answers
// the call and returns nil when there is none or it was not answered yet.
func (s *Server) interactionFor(c *call) *interaction {
	in := s.inters[c.val("token")]
	if c.val("app") != AppID || in == nil || !in.acked {
		c.fail(http.StatusNotFound, 10015, "Unknown Webhook")
		return nil
	}
	return in
}

// originalFor is interactionFor when the interaction has an original
// response; it answers the call and returns nil when not.
func (s *Server) originalFor(c *call) *interaction {
	in := s.interactionFor(c)
	if in != nil && in.original == nil {
		c.unknownMessage()
		return nil
	}
	return in
}

// ephemeralFlag is Discord's EPHEMERAL message flag.
const ephemeralFlag = discordgo.MessageFlagsEphemeral

func (s *Server) interactionCallback(c *call) {
	in := s.inters[c.val("token")]
	if in == nil || in.id != c.val("interaction") || time.Since(in.at) > s.InteractionTimeout {
		c.fail(http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	if in.acked {
		c.fail(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	var body struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	if !c.decode(&body) {
		return
	}
	var p Payload
	if len(body.Data) > 0 && string(body.Data) != "null" {
		if err := json.Unmarshal(body.Data, &p); err != nil {
			c.invalid("data: " + err.Error())
			return
		}
	}
	p.Files = c.files
	ch := s.channels[in.channelID]
	switch body.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		if !c.checkMessage(p.Content, p.Embeds, p.AllowedMentions) || !c.checkComponents(p.Components) {
			return
		}
		in.ephemeral = p.Flags&ephemeralFlag != 0
		in.original = s.newMessageLocked(ch, p)
		if !in.ephemeral {
			ch.messages = append(ch.messages, in.original)
		}
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		in.ephemeral = p.Flags&ephemeralFlag != 0
		in.original = s.newMessageLocked(ch, Payload{Flags: p.Flags | discordgo.MessageFlagsLoading})
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if err := validChoices(p.Choices); err != nil {
			c.invalid(err.Error())
			return
		}
	case discordgo.InteractionResponsePong, discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage, discordgo.InteractionResponseModal:
	default:
		c.invalid(fmt.Sprintf("type: unknown interaction response type %d", body.Type))
		return
	}
	in.acked = true
	post := Post{Kind: KindInteractionResponse, ChannelID: in.channelID, InteractionID: in.id, ResponseType: body.Type, Ephemeral: in.ephemeral, Data: p}
	if in.original != nil {
		post.MessageID = in.original.ID
	}
	s.recordPostLocked(post, c.body)
	c.noContent()
}

func (s *Server) followup(c *call) {
	in := s.interactionFor(c)
	if in == nil {
		return
	}
	p, ok := c.newPayload()
	if !ok {
		return
	}
	ch := s.channels[in.channelID]
	m := s.newMessageLocked(ch, p)
	eph := p.Flags&ephemeralFlag != 0
	if !eph {
		ch.messages = append(ch.messages, m)
	}
	if in.followups == nil {
		in.followups = map[string]*discordgo.Message{}
	}
	in.followups[m.ID] = m
	s.recordPostLocked(Post{Kind: KindFollowup, ChannelID: in.channelID, MessageID: m.ID, InteractionID: in.id, Ephemeral: eph, Data: p}, c.body)
	if c.r.URL.Query().Get("wait") == "true" {
		c.ok(m)
		return
	}
	c.noContent()
}

func (s *Server) getOriginal(c *call) {
	in := s.originalFor(c)
	if in == nil {
		return
	}
	c.ok(in.original)
}

func (s *Server) editOriginal(c *call) {
	in := s.originalFor(c)
	if in == nil {
		return
	}
	p, fields, ok := c.editPayload(in.original)
	if !ok {
		return
	}
	wasLoading := in.original.Flags&discordgo.MessageFlagsLoading != 0
	applyEdit(in.original, p, fields)
	in.original.Flags &^= discordgo.MessageFlagsLoading
	if wasLoading && !in.ephemeral {
		ch := s.channels[in.channelID]
		ch.messages = append(ch.messages, in.original)
	}
	s.recordPostLocked(Post{Kind: KindOriginalEdit, ChannelID: in.channelID, MessageID: in.original.ID, InteractionID: in.id, Ephemeral: in.ephemeral, Data: p}, c.body)
	c.ok(in.original)
}

func (s *Server) deleteOriginal(c *call) {
	in := s.originalFor(c)
	if in == nil {
		return
	}
	if ch := s.channels[in.channelID]; ch != nil {
		if i, _ := findMessage(ch, in.original.ID); i >= 0 {
			ch.messages = slices.Delete(ch.messages, i, i+1)
		}
	}
	in.original = nil
	c.noContent()
}

func (s *Server) editFollowup(c *call) {
	in := s.interactionFor(c)
	if in == nil {
		return
	}
	m := in.followups[c.val("message")]
	if m == nil {
		c.unknownMessage()
		return
	}
	p, fields, ok := c.editPayload(m)
	if !ok {
		return
	}
	applyEdit(m, p, fields)
	s.recordPostLocked(Post{Kind: KindFollowupEdit, ChannelID: in.channelID, MessageID: m.ID, InteractionID: in.id, Ephemeral: m.Flags&ephemeralFlag != 0, Data: p}, c.body)
	c.ok(m)
}
