package bot

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestPermissionInputs(t *testing.T) {
	const (
		guild = "g"
		me    = "bot"
		view  = discordgo.PermissionViewChannel
		send  = discordgo.PermissionSendMessages
	)
	roles := map[string]int64{guild: view | send, "muted": 0, "admin": discordgo.PermissionAdministrator, "helper": send}
	role := func(id string, allow, deny int64) discordgo.PermissionOverwrite {
		return discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeRole, Allow: allow, Deny: deny}
	}
	member := func(id string, allow, deny int64) discordgo.PermissionOverwrite {
		return discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeMember, Allow: allow, Deny: deny}
	}
	tests := []struct {
		name        string
		owner       string
		memberRoles []string
		overwrites  []discordgo.PermissionOverwrite
		want        int64
	}{
		{"everyone role only", "", nil, nil, view | send},
		{"owner may do everything", me, nil, []discordgo.PermissionOverwrite{role(guild, 0, view)}, discordgo.PermissionAll},
		{"administrator ignores overwrites", "", []string{"admin"}, []discordgo.PermissionOverwrite{role(guild, 0, view|send)}, discordgo.PermissionAll},
		{"everyone overwrite denies send", "", nil, []discordgo.PermissionOverwrite{role(guild, 0, send)}, view},
		{"role overwrite allows back", "", []string{"helper"}, []discordgo.PermissionOverwrite{role(guild, 0, send), role("helper", send, 0)}, view | send},
		{"role overwrite of another role ignored", "", nil, []discordgo.PermissionOverwrite{role("helper", 0, view)}, view | send},
		{"member overwrite wins over roles", "", []string{"helper"}, []discordgo.PermissionOverwrite{role("helper", send, 0), member(me, 0, send)}, view},
		{"another member's overwrite ignored", "", nil, []discordgo.PermissionOverwrite{member("someone", 0, view)}, view | send},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := permissionInputs{guildID: guild, ownerID: tt.owner, roles: roles, memberRoles: tt.memberRoles, overwrites: tt.overwrites}
			if got := in.permissions(me); got != tt.want {
				t.Errorf("permissions(%s) = %b; want %b", tt.name, got, tt.want)
			}
		})
	}
}
