package discordtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on message components (buttons in action rows).
const (
	MaxActionRows   = 5
	MaxRowButtons   = 5
	MaxButtonLabel  = 80
	MaxCustomID     = 100
	componentRow    = 1 // discordgo.ActionsRowComponent
	componentButton = 2 // discordgo.ButtonComponent
	linkButtonStyle = 5 // discordgo.LinkButton
)

// Component is a message component as the bot sent it: an action row
// (Type 1) holding buttons (Type 2).
type Component struct {
	Type       int         `json:"type"`
	Style      int         `json:"style,omitempty"`
	Label      string      `json:"label,omitempty"`
	CustomID   string      `json:"custom_id,omitempty"`
	URL        string      `json:"url,omitempty"`
	Disabled   bool        `json:"disabled,omitempty"`
	Components []Component `json:"components,omitempty"`
}

// Buttons returns the buttons of the payload's action rows, in order.
func (p Payload) Buttons() []Component {
	var out []Component
	for _, row := range p.Components {
		for _, c := range row.Components {
			if c.Type == componentButton {
				out = append(out, c)
			}
		}
	}
	return out
}

// ValidateComponents reports the first of Discord's component rules that
// rows break, or nil: at most 5 action rows of at most 5 buttons, each
// button with a label of at most 80 characters and either a custom_id of
// 1 to 100 characters, unique in the message, or (link style) a URL.
func ValidateComponents(rows []Component) error {
	if len(rows) > MaxActionRows {
		return fmt.Errorf("components: %d action rows; at most %d", len(rows), MaxActionRows)
	}
	ids := map[string]bool{}
	for i, row := range rows {
		if row.Type != componentRow {
			return fmt.Errorf("components.%d.type: %d; want an action row (1)", i, row.Type)
		}
		if len(row.Components) == 0 || len(row.Components) > MaxRowButtons {
			return fmt.Errorf("components.%d.components: %d; want 1 to %d", i, len(row.Components), MaxRowButtons)
		}
		for j, b := range row.Components {
			where := fmt.Sprintf("components.%d.components.%d", i, j)
			if b.Type != componentButton {
				return fmt.Errorf("%s.type: %d; want a button (2)", where, b.Type)
			}
			if n := runes(b.Label); n == 0 || n > MaxButtonLabel {
				return fmt.Errorf("%s.label: %d characters; want 1 to %d", where, n, MaxButtonLabel)
			}
			switch {
			case b.Style < 1 || b.Style > linkButtonStyle:
				return fmt.Errorf("%s.style: %d is not a button style", where, b.Style)
			case b.Style == linkButtonStyle:
				if b.CustomID != "" || !wellFormedURL(b.URL) {
					return fmt.Errorf("%s: a link button needs a URL and no custom_id", where)
				}
			default:
				if n := runes(b.CustomID); n == 0 || n > MaxCustomID {
					return fmt.Errorf("%s.custom_id: %d characters; want 1 to %d", where, n, MaxCustomID)
				}
				if ids[b.CustomID] {
					return fmt.Errorf("%s.custom_id: %q is not unique in the message", where, b.CustomID)
				}
				ids[b.CustomID] = true
			}
		}
	}
	return nil
}

// checkComponents checks a message's components; it answers the call and
// returns false when Discord would refuse them.
func (c *call) checkComponents(rows []Component) bool {
	if err := ValidateComponents(rows); err != nil {
		c.invalid(err.Error())
		return false
	}
	return true
}

// Click presses the button with customID on post (something the bot sent)
// as inv: an INTERACTION_CREATE of type message component, as Discord
// sends it. The test fails when the post has no such button or is not in
// a known channel. It returns the interaction sent.
func (s *Server) Click(t testing.TB, inv Invoker, post Post, customID string) *discordgo.Interaction {
	t.Helper()
	found := false
	for _, b := range post.Data.Buttons() {
		if b.CustomID == customID && !b.Disabled {
			found = true
		}
	}
	if !found {
		t.Fatalf("discordtest: post %s (%s) has no button %q", post.MessageID, post.Kind, customID)
	}
	s.WaitReady(t)
	if inv.User == nil {
		inv.User = Alice
	}
	if inv.ChannelID == "" {
		inv.ChannelID = post.ChannelID
	}
	if inv.Permissions == 0 {
		inv.Permissions = memberPermissions
	}
	s.mu.Lock()
	ch := s.channels[inv.ChannelID]
	if ch == nil {
		s.mu.Unlock()
		t.Fatalf("discordtest: click in unknown channel %s", inv.ChannelID)
	}
	botPerms := s.botPermsLocked(ch)
	in := &interaction{id: s.newIDLocked(), token: "itoken-" + s.newIDLocked(), channelID: ch.id, guildID: ch.guildID, at: time.Now()}
	s.inters[in.token] = in
	chJSON := s.channelJSONLocked(ch)
	s.mu.Unlock()

	msg := &discordgo.Message{ID: post.MessageID, ChannelID: post.ChannelID, GuildID: ch.guildID, Author: Bot,
		Content: post.Data.Content, Embeds: post.Data.Embeds, Type: discordgo.MessageTypeDefault}
	if post.Ephemeral {
		msg.Flags = discordgo.MessageFlagsEphemeral
	}
	mem := member(inv.User, in.guildID)
	mem.Permissions = inv.Permissions
	locale := discordgo.EnglishUS
	ev := &discordgo.Interaction{
		ID: in.id, AppID: AppID, Type: discordgo.InteractionMessageComponent,
		Data:    discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
		GuildID: in.guildID, ChannelID: in.channelID, Message: msg,
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
