package bot

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"briefbot/schedule"
)

var _ schedule.Poster = (*Discord)(nil)

// maxRecent is the most messages Discord lists in one call.
const maxRecent = 100

// PostMessages posts contents in channelID in order, pinging nobody and
// without link previews (a briefing lists many sources). It returns the
// IDs of the messages posted, and on failure those posted before it and
// the error.
func (d *Discord) PostMessages(ctx context.Context, channelID string, contents []string) ([]string, error) {
	ids := make([]string, 0, len(contents))
	for _, c := range contents {
		m, err := d.s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content:         c,
			AllowedMentions: noMentions(),
			Flags:           discordgo.MessageFlagsSuppressEmbeds,
		}, discordgo.WithContext(ctx))
		if err != nil {
			return ids, fmt.Errorf("bot: discord: post in %s: %w", channelID, err)
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}

// RecentMessages returns up to limit (at most 100) of the channel's latest
// messages, newest first; FromSelf marks the bot's own.
func (d *Discord) RecentMessages(ctx context.Context, channelID string, limit int) ([]schedule.PostedMessage, error) {
	if limit <= 0 {
		return nil, nil
	}
	limit = min(limit, maxRecent)
	msgs, err := d.s.ChannelMessages(channelID, limit, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("bot: discord: recent messages of %s: %w", channelID, err)
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
	return out, nil
}

// CanPost returns an error unless the bot may view channelID and send
// messages there. Permissions come from the gateway's state, or from the
// REST API for what the state lacks.
func (d *Discord) CanPost(ctx context.Context, channelID string) error {
	botID, err := d.selfID(ctx)
	if err != nil {
		return err
	}
	perms, err := d.s.UserChannelPermissions(botID, channelID, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("bot: discord: permissions in %s: %w", channelID, err)
	}
	send := int64(discordgo.PermissionSendMessages)
	if ch, err := d.s.State.Channel(channelID); err == nil && ch.IsThread() {
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
