package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtest"
)

// TestDiscordExportAttachesFile drives /export through the Discord
// stand-in: the deferred answer is edited with a multipart body carrying
// the file, and a server never gets another's topics.
func TestDiscordExportAttachesFile(t *testing.T) {
	t.Parallel()
	const otherGuild, otherChannel = "1200000000000000500", "1200000000000000501"
	portArticle := discordArticle("Dock workers strike over wages", discordSections("strike", []string{"Harbour wages", "Container backlog"}, 3))
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle, "/news/port": portArticle}, discordFixtureOptions{
		beforeRun: func(s *discordtest.Server) {
			s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "Other", Channels: []discordtest.Channel{{ID: otherChannel, Name: "news"}}})
		},
	})
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.Say(t, otherChannel, discordtest.Alice, f.url("/news/port"))
	f.srv.WaitPosts(t, 2, discordtest.KindChannelMessage)

	in := f.srv.Command(t, discordtest.Invoker{}, CommandExport, discordtest.StringOption("topic", "energy"), discordtest.StringOption("format", "json"))
	posts := f.srv.WaitInteraction(t, in.ID, 2)
	last := posts[1]
	if last.Kind != discordtest.KindOriginalEdit || len(last.Data.Files) != 1 {
		t.Fatalf("export answer = %+v; want the deferred answer edited with one file", last)
	}
	file := last.Data.Files[0]
	var doc ExportDoc
	if err := json.Unmarshal(file.Data, &doc); err != nil || len(doc.Topics) == 0 {
		t.Fatalf("attached %s does not hold topics (%v):\n%s", file.Name, err, file.Data)
	}
	if s := strings.ToLower(string(file.Data)); !strings.Contains(s, "energy") || strings.Contains(s, "harbour") || strings.Contains(s, "/news/port") {
		t.Errorf("export holds another server's topics or misses its own:\n%s", file.Data)
	}
	msgs := f.srv.ChannelMessages(discordtest.ChannelID)
	if m := msgs[len(msgs)-1]; len(m.Attachments) != 1 || m.Attachments[0].Filename != "export-energy.json" {
		t.Errorf("channel's last message attachments = %+v; want export-energy.json", m.Attachments)
	}

	in = f.srv.Command(t, discordtest.Invoker{ChannelID: otherChannel}, CommandExport, discordtest.StringOption("topic", "energy"))
	posts = f.srv.WaitInteraction(t, in.ID, 2)
	for _, p := range posts {
		if len(p.Data.Files) != 0 {
			t.Errorf("other server's /export energy attached %q; want no file", p.Data.Files[0].Name)
		}
	}
}

// TestDiscordAsk drives /ask through the Discord stand-in: answered from
// the server's own stored quotes, "Not covered" in a server that shared
// nothing on it.
func TestDiscordAsk(t *testing.T) {
	t.Parallel()
	const otherGuild, otherChannel = "1200000000000000600", "1200000000000000601"
	portArticle := discordArticle("Dock workers strike over wages", discordSections("strike", []string{"Harbour wages", "Container backlog"}, 3))
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle, "/news/port": portArticle}, discordFixtureOptions{
		beforeRun: func(s *discordtest.Server) {
			s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "Other", Channels: []discordtest.Channel{{ID: otherChannel, Name: "news"}}})
		},
	})
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.Say(t, otherChannel, discordtest.Alice, f.url("/news/port"))
	f.srv.WaitPosts(t, 2, discordtest.KindChannelMessage)

	in := f.srv.Command(t, discordtest.Invoker{}, CommandAsk, discordtest.StringOption("question", "What about the energy facilities?"))
	posts := f.srv.WaitInteraction(t, in.ID, 2)
	text := posts[1].Data.Text()
	// Each point's text is its verified quote here, shown once.
	if !strings.Contains(text, "The Kremlin agreed to begin a thirty day pause on strikes against energy infrastructure") || !strings.Contains(text, "[1]") || strings.Contains(strings.ToLower(text), "harbour") {
		t.Errorf("/ask answer =\n%s\nwant this server's energy points in the article's words with numbered sources", text)
	}
	in = f.srv.Command(t, discordtest.Invoker{ChannelID: otherChannel}, CommandAsk, discordtest.StringOption("question", "What about the energy facilities?"))
	posts = f.srv.WaitInteraction(t, in.ID, 2)
	if text := posts[1].Data.Text(); !strings.Contains(text, "Not covered by the 1 source so far") {
		t.Errorf("/ask in the other server =\n%s\nwant not covered by its 1 source", text)
	}
}

// TestDiscordWatchCommands drives /watch add|list|remove through the
// Discord stand-in; each server sees only its own watches.
func TestDiscordWatchCommands(t *testing.T) {
	t.Parallel()
	const otherGuild, otherChannel = "1200000000000000700", "1200000000000000701"
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{
		beforeRun: func(s *discordtest.Server) {
			s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "Other", Channels: []discordtest.Channel{{ID: otherChannel, Name: "news"}}})
		},
	})
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)

	answer := func(inv discordtest.Invoker, sub *discordgo.ApplicationCommandInteractionDataOption) string {
		t.Helper()
		in := f.srv.Command(t, inv, CommandWatch, sub)
		return f.srv.WaitInteraction(t, in.ID, 1)[0].Data.Text()
	}
	if got := answer(discordtest.Invoker{}, discordtest.Subcommand(WatchAdd, discordtest.StringOption("topic", "energy"))); !strings.Contains(got, "Watching “energy” (now ") {
		t.Errorf("/watch add = %q; want watching with the status now", got)
	}
	if got := answer(discordtest.Invoker{}, discordtest.Subcommand(WatchList)); !strings.Contains(got, "1. “energy” in <#"+discordtest.ChannelID+">") {
		t.Errorf("/watch list = %q; want the energy watch", got)
	}
	if got := answer(discordtest.Invoker{ChannelID: otherChannel}, discordtest.Subcommand(WatchList)); !strings.Contains(got, "No watches in this server") {
		t.Errorf("/watch list in the other server = %q; want none", got)
	}
	if got := answer(discordtest.Invoker{}, discordtest.Subcommand(WatchRemove, discordtest.StringOption("topic", "energy"))); !strings.Contains(got, "Stopped watching") {
		t.Errorf("/watch remove = %q", got)
	}
}

// TestDiscordFeed drives /feed through the Discord stand-in: add (Manage
// Server), a poll taking a new entry quietly into the server's record
// (in /topic, no message in the channel), list, and another server that
// sees none of it.
func TestDiscordFeed(t *testing.T) {
	t.Parallel()
	const otherGuild, otherChannel = "1200000000000000800", "1200000000000000801"
	var mu sync.Mutex
	items := []string{}
	rssBody := func(base string) string {
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`)
		for _, it := range items {
			fmt.Fprintf(&b, `<item><title>Energy news</title><link>%s%s</link><guid>%s</guid></item>`, base, it, it)
		}
		b.WriteString(`</channel></rss>`)
		return b.String()
	}
	var f *discordFixture
	f = newDiscordFixture(t, nil, discordFixtureOptions{
		feeds: true,
		page: func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/feed.xml":
				w.Header().Set("Content-Type", "application/rss+xml")
				io.WriteString(w, rssBody(f.url("")))
			case "/news/energy":
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, discordEnergyArticle)
			default:
				http.NotFound(w, r)
			}
		},
		beforeRun: func(s *discordtest.Server) {
			s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "Other", Channels: []discordtest.Channel{{ID: otherChannel, Name: "news"}}})
		},
	})
	answer := func(inv discordtest.Invoker, sub *discordgo.ApplicationCommandInteractionDataOption) string {
		t.Helper()
		in := f.srv.Command(t, inv, CommandFeed, sub)
		n := 1
		if sub.Name == FeedAdd {
			n = 2 // deferred while the feed is read
		}
		posts := f.srv.WaitInteraction(t, in.ID, n)
		return posts[len(posts)-1].Data.Text()
	}
	add := discordtest.Subcommand(FeedAdd, discordtest.StringOption("url", f.url("/feed.xml")))
	if got := answer(discordtest.Invoker{}, add); !strings.Contains(got, "manage this server") {
		t.Errorf("/feed add without Manage Server = %q; want refused", got)
	}
	admin := discordtest.Invoker{Permissions: discordgo.PermissionManageGuild}
	if got := answer(admin, add); !strings.Contains(got, "Following <"+f.url("/feed.xml")+">") {
		t.Fatalf("/feed add = %q; want following", got)
	}
	before := len(f.srv.ChannelMessages(discordtest.ChannelID))
	mu.Lock()
	items = append(items, "/news/energy")
	mu.Unlock()
	// Due only after the polling interval.
	if n, _ := f.feeds.PollDue(context.Background()); n != 0 {
		t.Errorf("PollDue right after add = %d; want 0", n)
	}
	feeds, _ := f.db.Feeds(context.Background(), discordtest.GuildID)
	for _, fd := range feeds {
		fd.Next = time.Time{}
		f.db.SaveFeedPoll(context.Background(), fd)
	}
	if n, err := f.feeds.PollDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("PollDue = %d, %v; want the new entry", n, err)
	}
	if after := len(f.srv.ChannelMessages(discordtest.ChannelID)); after != before {
		t.Errorf("the channel got %d messages from the feed; want none (quiet until the briefing)", after-before)
	}
	in := f.srv.Command(t, discordtest.Invoker{}, CommandTopic, discordtest.StringOption("query", "energy"))
	if text := f.srv.WaitInteraction(t, in.ID, 2)[1].Data.Text(); !strings.Contains(strings.ToLower(text), "energy") {
		t.Errorf("/topic energy after the feed =\n%s\nwant the feed's article", text)
	}
	if got := answer(discordtest.Invoker{}, discordtest.Subcommand(FeedList)); !strings.Contains(got, "1. <"+f.url("/feed.xml")+">") || !strings.Contains(got, "ok · 1 new") {
		t.Errorf("/feed list = %q; want the feed with its status", got)
	}
	other := discordtest.Invoker{ChannelID: otherChannel}
	if got := answer(other, discordtest.Subcommand(FeedList)); !strings.Contains(got, "follows no feeds") {
		t.Errorf("/feed list in the other server = %q; want none", got)
	}
	in = f.srv.Command(t, other, CommandTopic, discordtest.StringOption("query", "energy"))
	if text := f.srv.WaitInteraction(t, in.ID, 2)[1].Data.Text(); !strings.Contains(text, "No topic matching") {
		t.Errorf("/topic energy in the other server =\n%s\nwant nothing", text)
	}
	if got := answer(admin, discordtest.Subcommand(FeedRemove, discordtest.StringOption("feed", "1"))); !strings.Contains(got, "Stopped following") {
		t.Errorf("/feed remove = %q", got)
	}
}
