package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/schedule"
)

var _ schedule.Poster = (*Discord)(nil)

// maxPage is the most messages Discord lists in one call.
const maxPage = 100

// discordEpochMS is the start of Discord's snowflakes, in unix
// milliseconds.
const discordEpochMS = 1420070400000

// messageSend is a message to create with the nonce fields discordgo
// v0.29.0's MessageSend lacks: Discord answers a message whose nonce the
// same author sent within the last few minutes with the message made then
// (enforce_nonce), instead of making another.
type messageSend struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// PostMessages posts msgs in channelID in order, pinging nobody and
// without link previews (a briefing lists many sources), each with its
// nonce enforced, so a part retried after an answer that never arrived is
// not posted twice. It returns the IDs of the messages posted, and on
// failure those posted before it and the error.
func (d *Discord) PostMessages(ctx context.Context, channelID string, msgs []schedule.Outgoing) ([]string, error) {
	ids := make([]string, 0, len(msgs))
	endpoint := discordgo.EndpointChannelMessages(channelID)
	for _, m := range msgs {
		body := messageSend{
			MessageSend: &discordgo.MessageSend{
				Content:         m.Content,
				AllowedMentions: noMentions(),
				Flags:           discordgo.MessageFlagsSuppressEmbeds,
			},
			Nonce:        m.Nonce,
			EnforceNonce: m.Nonce != "",
		}
		resp, err := d.s.RequestWithBucketID("POST", endpoint, body, endpoint, discordgo.WithContext(ctx))
		if err != nil {
			return ids, fmt.Errorf("bot: discord: post in %s: %w", channelID, err)
		}
		var posted discordgo.Message
		if err := json.Unmarshal(resp, &posted); err != nil {
			return ids, fmt.Errorf("bot: discord: post in %s: %w", channelID, err)
		}
		if posted.ID == "" {
			return ids, fmt.Errorf("bot: discord: post in %s: the answer names no message", channelID)
		}
		ids = append(ids, posted.ID)
	}
	return ids, nil
}

// MessagesAfter returns up to limit (at most 100) of channelID's messages
// after the message afterID, or when afterID is "", posted at or after
// since (by their snowflake), oldest first; FromSelf marks the bot's own.
func (d *Discord) MessagesAfter(ctx context.Context, channelID string, since time.Time, afterID string, limit int) ([]schedule.PostedMessage, error) {
	if limit <= 0 {
		return nil, nil
	}
	if afterID == "" {
		afterID = snowflakeBefore(since)
	}
	msgs, err := d.s.ChannelMessages(channelID, min(limit, maxPage), "", afterID, "", discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("bot: discord: messages of %s: %w", channelID, err)
	}
	self, err := d.selfID(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]schedule.PostedMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, schedule.PostedMessage{
			ID:       m.ID,
			Content:  m.Content,
			FromSelf: m.Author != nil && m.Author.ID == self,
		})
	}
	// Discord lists newest first, whichever way it pages.
	slices.SortFunc(out, func(a, b schedule.PostedMessage) int { return compareSnowflakes(a.ID, b.ID) })
	return out, nil
}

// snowflakeBefore returns the largest snowflake made before t: listing
// messages after it lists those posted at or after t.
func snowflakeBefore(t time.Time) string {
	ms := t.UnixMilli() - discordEpochMS
	if ms <= 0 {
		return "0"
	}
	return strconv.FormatInt(ms<<22-1, 10)
}

// compareSnowflakes orders decimal snowflakes numerically.
func compareSnowflakes(a, b string) int {
	if len(a) != len(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// CanPost returns an error unless the bot may view channelID and send
// messages there. Permissions come from the gateway's state, or from the
// REST API when the state lacks the channel, guild or member.
func (d *Discord) CanPost(ctx context.Context, channelID string) error {
	botID, err := d.selfID(ctx)
	if err != nil {
		return err
	}
	in, ok := d.permissionInputsFromState(botID, channelID)
	if !ok {
		if in, err = d.permissionInputsFromREST(ctx, botID, channelID); err != nil {
			return fmt.Errorf("bot: discord: permissions in %s: %w", channelID, err)
		}
	}
	perms := in.permissions(botID)
	send := int64(discordgo.PermissionSendMessages)
	if in.thread {
		send = discordgo.PermissionSendMessagesInThreads
	}
	for _, p := range []struct {
		bit  int64
		name string
	}{{discordgo.PermissionViewChannel, "View Channel"}, {send, "Send Messages"}} {
		if perms&p.bit == 0 {
			return fmt.Errorf("bot: discord: cannot post in %s: missing the %s permission", channelID, p.name)
		}
	}
	return nil
}

// permissionInputs is what a member's permissions in a channel are
// computed from, copied out of discordgo's structures.
type permissionInputs struct {
	guildID, ownerID string
	roles            map[string]int64 // guild role ID → its permissions
	memberRoles      []string
	overwrites       []discordgo.PermissionOverwrite // of the channel, or a thread's parent
	thread           bool
}

// permissionInputsFromState copies the inputs from the gateway state of
// the shard that has the channel.
func (d *Discord) permissionInputsFromState(userID, channelID string) (permissionInputs, bool) {
	for _, sh := range d.shards {
		if in, ok := permissionInputsFromStateOf(sh.s.State, userID, channelID); ok {
			return in, true
		}
	}
	return permissionInputs{}, false
}

// permissionInputsFromStateOf copies the inputs from a gateway state
// under its read lock. discordgo's own UserChannelPermissions reads the
// shared guild and channel objects without the lock while gateway events
// rewrite them in place: a data race.
func permissionInputsFromStateOf(st *discordgo.State, userID, channelID string) (permissionInputs, bool) {
	var in permissionInputs
	ch, err := st.Channel(channelID)
	if err != nil {
		return in, false
	}
	st.RLock()
	in.guildID, in.thread = ch.GuildID, ch.IsThread()
	parentID := ch.ParentID
	in.overwrites = copyOverwrites(ch.PermissionOverwrites)
	st.RUnlock()
	if in.thread {
		parent, err := st.Channel(parentID)
		if err != nil {
			return in, false
		}
		st.RLock()
		in.overwrites = copyOverwrites(parent.PermissionOverwrites)
		st.RUnlock()
	}
	g, err := st.Guild(in.guildID)
	if err != nil {
		return in, false
	}
	m, err := st.Member(in.guildID, userID)
	if err != nil {
		return in, false
	}
	st.RLock()
	in.ownerID, in.roles = g.OwnerID, rolePermissions(g.Roles)
	in.memberRoles = append([]string(nil), m.Roles...)
	st.RUnlock()
	return in, true
}

// permissionInputsFromREST asks the REST API, whose answers are fresh
// objects no other goroutine touches.
func (d *Discord) permissionInputsFromREST(ctx context.Context, userID, channelID string) (permissionInputs, error) {
	var in permissionInputs
	opt := discordgo.WithContext(ctx)
	ch, err := d.s.Channel(channelID, opt)
	if err != nil {
		return in, err
	}
	in.guildID, in.thread, in.overwrites = ch.GuildID, ch.IsThread(), copyOverwrites(ch.PermissionOverwrites)
	if in.thread {
		parent, err := d.s.Channel(ch.ParentID, opt)
		if err != nil {
			return in, err
		}
		in.overwrites = copyOverwrites(parent.PermissionOverwrites)
	}
	g, err := d.s.Guild(in.guildID, opt)
	if err != nil {
		return in, err
	}
	m, err := d.s.GuildMember(in.guildID, userID, opt)
	if err != nil {
		return in, err
	}
	in.ownerID, in.roles, in.memberRoles = g.OwnerID, rolePermissions(g.Roles), m.Roles
	return in, nil
}

func copyOverwrites(ows []*discordgo.PermissionOverwrite) []discordgo.PermissionOverwrite {
	out := make([]discordgo.PermissionOverwrite, 0, len(ows))
	for _, o := range ows {
		if o != nil {
			out = append(out, *o)
		}
	}
	return out
}

func rolePermissions(roles []*discordgo.Role) map[string]int64 {
	out := make(map[string]int64, len(roles))
	for _, r := range roles {
		if r != nil {
			out[r.ID] = r.Permissions
		}
	}
	return out
}

// permissions computes a member's permissions in the channel the way
// Discord does: the owner and administrators may do everything; otherwise
// @everyone's and the member's roles, then the channel's @everyone, role
// and member overwrites in that order.
func (in permissionInputs) permissions(userID string) int64 {
	if userID == in.ownerID {
		return discordgo.PermissionAll
	}
	perms := in.roles[in.guildID] // the @everyone role has the guild's ID
	for _, id := range in.memberRoles {
		perms |= in.roles[id]
	}
	if perms&discordgo.PermissionAdministrator != 0 {
		return discordgo.PermissionAll
	}
	apply := func(o discordgo.PermissionOverwrite) { perms = perms&^o.Deny | o.Allow }
	for _, o := range in.overwrites {
		if o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == in.guildID {
			apply(o)
		}
	}
	var deny, allow int64
	for _, o := range in.overwrites {
		if o.Type == discordgo.PermissionOverwriteTypeRole && o.ID != in.guildID && slices.Contains(in.memberRoles, o.ID) {
			deny |= o.Deny
			allow |= o.Allow
		}
	}
	perms = perms&^deny | allow
	for _, o := range in.overwrites {
		if o.Type == discordgo.PermissionOverwriteTypeMember && o.ID == userID {
			apply(o)
		}
	}
	return perms
}

// selfID returns the bot's user ID. The scheduler may post (recovering a
// missed briefing) before the gateway's Ready arrives, so when Ready has
// not told it yet it is asked over REST: a briefing recovery that could
// not recognise the bot's own messages would post them again.
func (d *Discord) selfID(ctx context.Context) (string, error) {
	if id, _ := d.identity(); id != "" {
		return id, nil
	}
	u, err := d.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("bot: discord: who am I: %w", err)
	}
	d.mu.Lock()
	if d.botID == "" {
		d.botID = u.ID
	}
	d.mu.Unlock()
	return u.ID, nil
}
