package discordtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtest"
)

// rewrite sends requests for discord.com to the stand-in.
type rewrite struct{ base *url.URL }

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.base.Scheme, rw.base.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

// open connects a real discordgo session to srv; handlers are added
// before the gateway opens.
func open(t *testing.T, srv *discordtest.Server, handlers ...any) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + discordtest.Token)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL())
	s.Client = &http.Client{Transport: rewrite{base}, Timeout: 10 * time.Second}
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent
	s.LogLevel = -1
	for _, h := range handlers {
		s.AddHandler(h)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open() = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	srv.WaitReady(t)
	return s
}

var none = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

func TestGatewayIdentifyReadyAndState(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	s := open(t, srv)

	ids := srv.Identifies()
	if len(ids) != 1 {
		t.Fatalf("Identifies() = %d packets; want 1", len(ids))
	}
	if want := discordgo.IntentsMessageContent | discordgo.IntentsGuildMessages | discordgo.IntentsGuilds; ids[0].Intents != want {
		t.Errorf("Identify intents = %d; want %d", ids[0].Intents, want)
	}
	if s.State.User == nil || s.State.User.ID != discordtest.BotID {
		t.Fatalf("State.User = %+v; want the bot %s", s.State.User, discordtest.BotID)
	}
	srv.Wait(t, "GUILD_CREATE in state", func() bool {
		_, err := s.State.Channel(discordtest.ChannelID)
		return err == nil
	})
	perms, err := s.State.UserChannelPermissions(discordtest.BotID, discordtest.ChannelID)
	if err != nil {
		t.Fatalf("UserChannelPermissions() error = %v", err)
	}
	if perms != discordtest.DefaultBotPermissions {
		t.Errorf("UserChannelPermissions() = %d; want %d", perms, discordtest.DefaultBotPermissions)
	}
	srv.Wait(t, "a heartbeat and its ack", func() bool {
		s.RLock()
		defer s.RUnlock()
		return srv.Heartbeats() > 0 && !s.LastHeartbeatAck.Before(s.LastHeartbeatSent)
	})
	gw, err := s.Gateway()
	if err != nil || !strings.HasPrefix(gw, "ws://127.0.0.1:") {
		t.Errorf("Gateway() = %q, %v; want the stand-in's ws URL", gw, err)
	}
}

func TestBadTokenIsRefused(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	s, _ := discordgo.New("Bot wrong")
	base, _ := url.Parse(srv.URL())
	s.Client = &http.Client{Transport: rewrite{base}}
	s.LogLevel = -1
	if _, err := s.User("@me"); err == nil {
		t.Errorf("User(@me) with a wrong token succeeded; want 401")
	}
	if err := s.Open(); err == nil {
		s.Close()
		t.Errorf("Open() with a wrong token succeeded; want the gateway to refuse it")
	}
}

func TestMessagesAreRecordedAndChecked(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	s := open(t, srv)
	user := srv.Say(t, discordtest.ChannelID, discordtest.Alice, "look at this")

	m, err := s.ChannelMessageSendComplex(discordtest.ChannelID, &discordgo.MessageSend{
		Content:         "hello",
		Embeds:          []*discordgo.MessageEmbed{{Title: "T", URL: "https://example.com/a", Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: "v"}}}},
		AllowedMentions: none,
		Reference:       &discordgo.MessageReference{MessageID: user.ID, ChannelID: discordtest.ChannelID},
	})
	if err != nil {
		t.Fatalf("ChannelMessageSendComplex() error = %v", err)
	}
	posts := srv.Posts(discordtest.KindChannelMessage)
	if len(posts) != 1 {
		t.Fatalf("Posts() = %d; want 1", len(posts))
	}
	p := posts[0]
	if p.MessageID != m.ID || p.Data.Content != "hello" || p.Data.MessageReference.MessageID != user.ID {
		t.Errorf("post = %+v; want message %s replying to %s", p, m.ID, user.ID)
	}
	if err := p.CheckNoPings(); err != nil {
		t.Errorf("CheckNoPings() = %v; want nil", err)
	}
	if got := p.Data.Text(); got != "hello\nT\nn\nv\n" {
		t.Errorf("Text() = %q; want %q", got, "hello\nT\nn\nv\n")
	}

	// Without allowed mentions discordgo sends nothing, or "parse": null.
	if _, err := s.ChannelMessageSendComplex(discordtest.ChannelID, &discordgo.MessageSend{Content: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelMessageSendComplex(discordtest.ChannelID, &discordgo.MessageSend{Content: "b", AllowedMentions: &discordgo.MessageAllowedMentions{}}); err != nil {
		t.Fatal(err)
	}
	posts = srv.Posts(discordtest.KindChannelMessage)
	for _, p := range posts[1:] {
		if err := p.CheckNoPings(); err == nil {
			t.Errorf("CheckNoPings(%s) = nil; want an error", p.Raw)
		}
	}

	// Newest first, as Discord lists them.
	got, err := s.ChannelMessages(discordtest.ChannelID, 2, "", "", "")
	if err != nil || len(got) != 2 || got[0].Content != "b" || got[1].Content != "a" {
		t.Errorf("ChannelMessages(limit 2) = %v, %v; want b, a", got, err)
	}
}

func TestOverLimitMessagesAreRejected(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	s := open(t, srv)
	long := strings.Repeat("x", 1025)
	tests := []struct {
		name string
		send *discordgo.MessageSend
	}{
		{"empty", &discordgo.MessageSend{}},
		{"content", &discordgo.MessageSend{Content: strings.Repeat("é", 2001)}},
		{"field value", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: long}}}}}},
		{"empty field value", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: " "}}}}}},
		{"total", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{
			{Description: strings.Repeat("d", 4000)}, {Description: strings.Repeat("d", 2001)},
		}}},
		{"bad url", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: "t", URL: "javascript:alert(1)"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ChannelMessageSendComplex(discordtest.ChannelID, tt.send)
			var rest *discordgo.RESTError
			if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusBadRequest {
				t.Errorf("ChannelMessageSendComplex(%s) error = %v; want 400", tt.name, err)
			}
		})
	}
	if got := len(srv.Rejected()); got != len(tests) {
		t.Errorf("Rejected() = %d requests; want %d", got, len(tests))
	}
	if got := srv.Posts(); len(got) != 0 {
		t.Errorf("Posts() = %d; want none accepted", len(got))
	}
}

func TestValidateMessage(t *testing.T) {
	fields := func(n int) []*discordgo.MessageEmbedField {
		var f []*discordgo.MessageEmbedField
		for range n {
			f = append(f, &discordgo.MessageEmbedField{Name: "n", Value: "v"})
		}
		return f
	}
	tests := []struct {
		name    string
		content string
		embeds  []*discordgo.MessageEmbed
		wantErr bool
	}{
		{"at limits", strings.Repeat("a", 2000), []*discordgo.MessageEmbed{{Title: strings.Repeat("t", 256), Description: strings.Repeat("d", 4096), Fields: fields(25)}}, false},
		{"11 embeds", "", make([]*discordgo.MessageEmbed, 11), true},
		{"26 fields", "", []*discordgo.MessageEmbed{{Fields: fields(26)}}, true},
		{"title 257", "", []*discordgo.MessageEmbed{{Title: strings.Repeat("t", 257)}}, true},
		{"description 4097", "", []*discordgo.MessageEmbed{{Description: strings.Repeat("d", 4097)}}, true},
		{"footer 2049", "", []*discordgo.MessageEmbed{{Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 2049)}}}, true},
		{"field name 257", "", []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: strings.Repeat("n", 257), Value: "v"}}}}, true},
		{"6000 total", "", []*discordgo.MessageEmbed{{Description: strings.Repeat("d", 4000)}, {Description: strings.Repeat("d", 2000)}}, false},
		{"https url", "", []*discordgo.MessageEmbed{{Title: "t", URL: "https://example.com/x?y=1"}}, false},
		{"relative url", "", []*discordgo.MessageEmbed{{Title: "t", URL: "/x"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.embeds {
				if tt.embeds[i] == nil {
					tt.embeds[i] = &discordgo.MessageEmbed{Title: "t"}
				}
			}
			err := discordtest.ValidateMessage(tt.content, tt.embeds)
			if (err != nil) != tt.wantErr {
				t.Errorf("ValidateMessage(%s) = %v; want error %v", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	s := open(t, srv)
	const wait = 300 * time.Millisecond
	srv.RateLimitNext(discordtest.RouteCreateMessage, 1, wait)
	start := time.Now()
	if _, err := s.ChannelMessageSendComplex(discordtest.ChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: none}); err != nil {
		t.Fatalf("ChannelMessageSendComplex() error = %v; want success after the 429", err)
	}
	if took := time.Since(start); took < wait {
		t.Errorf("send took %v; want at least the retry_after %v", took, wait)
	}
	reqs := srv.Requests(discordtest.RouteCreateMessage)
	if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
		t.Fatalf("requests = %d; want a 429 then a 200", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < wait {
		t.Errorf("retry came %v after the 429; want at least %v", gap, wait)
	}
}

func TestInteractionsFlow(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	var mu sync.Mutex
	var got []*discordgo.Interaction
	s := open(t, srv, func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		mu.Lock()
		got = append(got, i.Interaction)
		mu.Unlock()
	})
	perm := int64(discordgo.PermissionManageGuild)
	_, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, discordtest.GuildID, []*discordgo.ApplicationCommand{
		{Name: "summarize", Description: "Summarize a link", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The link", Required: true},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "fresh", Description: "Skip the cache"},
		}},
		{Name: "settings", Description: "Settings", DefaultMemberPermissions: &perm},
		{Name: "Summarize links", Type: discordgo.MessageApplicationCommand},
	})
	if err != nil {
		t.Fatalf("ApplicationCommandBulkOverwrite() error = %v", err)
	}
	if cmds := srv.Commands(discordtest.GuildID); len(cmds) != 3 || *cmds[1].DefaultMemberPermissions != perm {
		t.Fatalf("Commands() = %v; want 3 with settings limited to managers", cmds)
	}

	sent := srv.Command(t, discordtest.Invoker{Permissions: perm}, "summarize", discordtest.StringOption("url", "https://example.com/a"))
	srv.Wait(t, "the interaction", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 })
	mu.Lock()
	in := got[0]
	mu.Unlock()
	data := in.ApplicationCommandData()
	if in.ID != sent.ID || data.Name != "summarize" || data.Options[0].StringValue() != "https://example.com/a" || in.Member.Permissions != perm {
		t.Fatalf("received %+v %+v; want the summarize command as sent", in, data)
	}

	if err := s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatalf("InteractionRespond(deferred) error = %v", err)
	}
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "x"}})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Message == nil || rest.Message.Code != 40060 {
		t.Errorf("second InteractionRespond() error = %v; want 40060 already acknowledged", err)
	}
	content := "done"
	if _, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content, AllowedMentions: none}); err != nil {
		t.Fatalf("InteractionResponseEdit() error = %v", err)
	}
	if _, err := s.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "more", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: none}); err != nil {
		t.Fatalf("FollowupMessageCreate() error = %v", err)
	}
	posts := srv.WaitInteraction(t, in.ID, 3)
	kinds := []string{posts[0].Kind, posts[1].Kind, posts[2].Kind}
	if kinds[0] != discordtest.KindInteractionResponse || posts[0].ResponseType != discordgo.InteractionResponseDeferredChannelMessageWithSource ||
		kinds[1] != discordtest.KindOriginalEdit || kinds[2] != discordtest.KindFollowup || !posts[2].Ephemeral {
		t.Errorf("posts = %v; want deferred callback, original edit, ephemeral follow-up", kinds)
	}
	for _, p := range posts {
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("%s: CheckNoPings() = %v", p.Kind, err)
		}
	}

	// A message command carries its target, resolved.
	target := srv.Say(t, discordtest.ChannelID, discordtest.Alice, "https://example.com/b")
	srv.MessageCommand(t, discordtest.Invoker{}, "Summarize links", target)
	srv.Wait(t, "the message command", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	mu.Lock()
	mc := got[1].ApplicationCommandData()
	mu.Unlock()
	if m := mc.Resolved.Messages[mc.TargetID]; m == nil || m.Content != target.Content {
		t.Errorf("message command target = %+v; want %q", mc.Resolved, target.Content)
	}
}

func TestLateInteractionAnswerIsRefused(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	srv.InteractionTimeout = 50 * time.Millisecond
	ch := make(chan *discordgo.Interaction, 1)
	s := open(t, srv, func(_ *discordgo.Session, i *discordgo.InteractionCreate) { ch <- i.Interaction })
	if _, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, "", []*discordgo.ApplicationCommand{{Name: "topic", Description: "d"}}); err != nil {
		t.Fatal(err)
	}
	srv.Command(t, discordtest.Invoker{}, "topic")
	in := <-ch
	time.Sleep(100 * time.Millisecond) // past the stand-in's answer window
	err := s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Message == nil || rest.Message.Code != 10062 {
		t.Errorf("late InteractionRespond() error = %v; want 10062 Unknown interaction", err)
	}
}

func TestThreadsReactionsTypingPermissions(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	const muted = "1200000000000000301"
	srv.AddGuild(discordtest.Guild{ID: "1200000000000000300", Name: "Other", Channels: []discordtest.Channel{{ID: muted, Name: "muted", DenyBot: discordgo.PermissionSendMessages}}})
	s := open(t, srv)
	m := srv.Say(t, discordtest.ChannelID, discordtest.Alice, "hi")

	th, err := s.MessageThreadStartComplex(discordtest.ChannelID, m.ID, &discordgo.ThreadStart{Name: "Summary", AutoArchiveDuration: 1440})
	if err != nil || th.ID != m.ID || th.ParentID != discordtest.ChannelID {
		t.Fatalf("MessageThreadStartComplex() = %+v, %v; want thread %s in %s", th, err, m.ID, discordtest.ChannelID)
	}
	if _, err := s.ChannelMessageSendComplex(th.ID, &discordgo.MessageSend{Content: "in thread", AllowedMentions: none}); err != nil {
		t.Errorf("send in thread error = %v", err)
	}
	if _, err := s.MessageThreadStartComplex(discordtest.ChannelID, m.ID, &discordgo.ThreadStart{Name: "again"}); err == nil {
		t.Errorf("second thread on one message succeeded; want 160004")
	}
	if err := s.MessageReactionAdd(discordtest.ChannelID, m.ID, "⏳"); err != nil {
		t.Fatalf("MessageReactionAdd() error = %v", err)
	}
	if got := srv.Reactions(discordtest.ChannelID, m.ID); len(got) != 1 || got[0] != "⏳" {
		t.Errorf("Reactions() = %q; want [⏳]", got)
	}
	if err := s.MessageReactionRemove(discordtest.ChannelID, m.ID, "⏳", "@me"); err != nil {
		t.Fatalf("MessageReactionRemove() error = %v", err)
	}
	if got := srv.Reactions(discordtest.ChannelID, m.ID); len(got) != 0 {
		t.Errorf("Reactions() after removal = %q; want none", got)
	}
	if err := s.ChannelTyping(discordtest.ChannelID); err != nil || srv.Typing(discordtest.ChannelID) != 1 {
		t.Errorf("ChannelTyping() = %v, count %d; want 1", err, srv.Typing(discordtest.ChannelID))
	}

	srv.Wait(t, "the other guild in state", func() bool { _, err := s.State.Channel(muted); return err == nil })
	perms, err := s.State.UserChannelPermissions(discordtest.BotID, muted)
	if err != nil || perms&discordgo.PermissionSendMessages != 0 {
		t.Errorf("UserChannelPermissions(muted) = %d, %v; want no Send Messages", perms, err)
	}
	_, err = s.ChannelMessageSendComplex(muted, &discordgo.MessageSend{Content: "x", AllowedMentions: none})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusForbidden {
		t.Errorf("send in muted channel error = %v; want 403", err)
	}
}

func TestValidateCommands(t *testing.T) {
	opt := func(name string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: "d", Required: required}
	}
	tests := []struct {
		name    string
		cmds    []*discordgo.ApplicationCommand
		wantErr bool
	}{
		{"good", []*discordgo.ApplicationCommand{{Name: "topic", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("query", true), opt("more", false)}}, {Name: "Summarize links", Type: discordgo.MessageApplicationCommand}}, false},
		{"upper case", []*discordgo.ApplicationCommand{{Name: "Topic", Description: "d"}}, true},
		{"no description", []*discordgo.ApplicationCommand{{Name: "topic"}}, true},
		{"required after optional", []*discordgo.ApplicationCommand{{Name: "topic", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("a", false), opt("b", true)}}}, true},
		{"duplicate", []*discordgo.ApplicationCommand{{Name: "topic", Description: "d"}, {Name: "topic", Description: "d"}}, true},
		{"mixed subcommands", []*discordgo.ApplicationCommand{{Name: "briefing", Description: "d", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "now", Description: "d"}, opt("x", false),
		}}}, true},
		{"message command with description", []*discordgo.ApplicationCommand{{Name: "Summarize links", Type: discordgo.MessageApplicationCommand, Description: "d"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := discordtest.ValidateCommands(tt.cmds)
			if (err != nil) != tt.wantErr {
				t.Errorf("ValidateCommands(%s) = %v; want error %v", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestAutocompleteChoicesAreChecked(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	ch := make(chan *discordgo.Interaction, 2)
	s := open(t, srv, func(_ *discordgo.Session, i *discordgo.InteractionCreate) { ch <- i.Interaction })
	if _, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, "", []*discordgo.ApplicationCommand{{Name: "topic", Description: "d", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "d", Required: true, Autocomplete: true},
	}}}); err != nil {
		t.Fatal(err)
	}
	srv.Autocomplete(t, discordtest.Invoker{}, "topic", discordtest.Focused(discordtest.StringOption("query", "cea")))
	in := <-ch
	if in.Type != discordgo.InteractionApplicationCommandAutocomplete || !in.ApplicationCommandData().Options[0].Focused {
		t.Fatalf("interaction = %+v; want a focused autocomplete", in)
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	for i := range 26 {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: "c" + strings.Repeat("x", i), Value: "v"})
	}
	err := s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: choices}})
	if err == nil {
		t.Errorf("26 choices accepted; want 400")
	}
	if err := s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: choices[:25]}}); err != nil {
		t.Errorf("25 choices error = %v; want accepted", err)
	}
	post := srv.WaitInteraction(t, in.ID, 1)[0]
	var raw struct {
		Data struct {
			Choices []json.RawMessage `json:"choices"`
		} `json:"data"`
	}
	if err := json.Unmarshal(post.Raw, &raw); err != nil || len(raw.Data.Choices) != 25 || len(post.Data.Choices) != 25 {
		t.Errorf("recorded choices = %d (%v); want 25", len(raw.Data.Choices), err)
	}
}

// TestButtonsAreCheckedAndClicked: buttons over Discord's rules are
// refused; a button the bot sent can be pressed, and the press arrives as
// a component interaction the bot answers.
func TestButtonsAreCheckedAndClicked(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	var mu sync.Mutex
	var got []*discordgo.Interaction
	s := open(t, srv, func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		mu.Lock()
		got = append(got, i.Interaction)
		mu.Unlock()
	})
	row := func(bs ...discordgo.MessageComponent) []discordgo.MessageComponent {
		return []discordgo.MessageComponent{discordgo.ActionsRow{Components: bs}}
	}
	for _, tc := range []struct {
		name string
		rows []discordgo.MessageComponent
	}{
		{"long custom_id", row(discordgo.Button{Label: "More", CustomID: strings.Repeat("x", 101)})},
		{"long label", row(discordgo.Button{Label: strings.Repeat("l", 81), CustomID: "a"})},
		{"no custom_id", row(discordgo.Button{Label: "More", Style: discordgo.PrimaryButton})},
		{"duplicate custom_id", row(discordgo.Button{Label: "A", CustomID: "a"}, discordgo.Button{Label: "B", CustomID: "a"})},
		{"six buttons", row(discordgo.Button{Label: "1", CustomID: "1"}, discordgo.Button{Label: "2", CustomID: "2"}, discordgo.Button{Label: "3", CustomID: "3"},
			discordgo.Button{Label: "4", CustomID: "4"}, discordgo.Button{Label: "5", CustomID: "5"}, discordgo.Button{Label: "6", CustomID: "6"})},
	} {
		if _, err := s.ChannelMessageSendComplex(discordtest.ChannelID, &discordgo.MessageSend{Content: "x", Components: tc.rows, AllowedMentions: none}); err == nil {
			t.Errorf("%s: send succeeded; want 400", tc.name)
		}
	}
	if n := len(srv.Posts()); n != 0 {
		t.Fatalf("%d posts accepted; want none", n)
	}

	m, err := s.ChannelMessageSendComplex(discordtest.ChannelID, &discordgo.MessageSend{Content: "page 1",
		Components: row(discordgo.Button{Label: "More (3 points left)", CustomID: "more:1:2"}), AllowedMentions: none})
	if err != nil {
		t.Fatalf("send with a button: %v", err)
	}
	post := srv.WaitPosts(t, 1)[0]
	if b := post.Data.Buttons(); len(b) != 1 || b[0].CustomID != "more:1:2" || b[0].Label != "More (3 points left)" {
		t.Fatalf("post buttons = %+v; want the More button", b)
	}
	sent := srv.Click(t, discordtest.Invoker{}, post, "more:1:2")
	srv.Wait(t, "the button press", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 })
	mu.Lock()
	in := got[0]
	mu.Unlock()
	if in.Type != discordgo.InteractionMessageComponent || in.ID != sent.ID || in.MessageComponentData().CustomID != "more:1:2" ||
		in.Message == nil || in.Message.ID != m.ID || in.GuildID != discordtest.GuildID || in.Member == nil || in.Member.User.ID != discordtest.UserID {
		t.Fatalf("received %+v; want Alice's press of the More button on %s", in, m.ID)
	}
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "page 2", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: none}})
	if err != nil {
		t.Fatalf("answer the press: %v", err)
	}
	if p := srv.WaitInteraction(t, in.ID, 1)[0]; !p.Ephemeral || p.Data.Content != "page 2" {
		t.Errorf("answer = %+v; want the ephemeral page 2", p)
	}
}
