package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot"
	"briefbot/bot/discordtest"
	"briefbot/store"
)

// Paths of the pages the end-to-end Discord tests share, beside the story
// of newsServer.
const (
	pageHostile = "/2025/03/20/hostile-update"
	pageHarbour = "/2025/03/24/harbour-strike"
	pagePDF     = "/files/ceasefire-text.pdf"
)

// A second server on the stand-in, for the tests that one server never
// sees another's links.
const (
	otherGuildID   = "1200000000000000900"
	otherChannelID = "1200000000000000901"
)

// newsServer serves the story (seed and later days), a hostile page, an
// unrelated article and a PDF, and counts the requests it answers.
func newsServer(t *testing.T, hits *atomic.Int64) *httptest.Server {
	t.Helper()
	needSeed(t)
	pages := map[string]struct{ file, contentType string }{
		storyDay1:   {seedPath, "text/plain; charset=utf-8"},
		storyDay2:   {e2eDir + "day2-energy-pause-accusations.html", "text/html; charset=utf-8"},
		storyDay3:   {e2eDir + "day3-black-sea-ceasefire.html", "text/html; charset=utf-8"},
		pageHostile: {e2eDir + "hostile.html", "text/html; charset=utf-8"},
		pageHarbour: {e2eDir + "harbour-strike.html", "text/html; charset=utf-8"},
	}
	mux := http.NewServeMux()
	for path, p := range pages {
		body, err := os.ReadFile(p.file)
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", p.contentType)
			w.Write(body)
		})
	}
	mux.HandleFunc("GET "+pagePDF, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// discordBot is the whole program, run() as main runs it, connected to a
// Discord stand-in.
type discordBot struct {
	t      *testing.T
	srv    *discordtest.Server
	dbPath string
	logs   lockedBuffer
	cancel context.CancelFunc
	done   chan int
	code   int
	exited bool
}

// startDiscordBot runs run() with DISCORD_TOKEN set against a fresh
// stand-in holding the default server and otherGuildID, and waits until
// the bot has connected and registered its commands.
func startDiscordBot(t *testing.T, extra map[string]string) *discordBot {
	t.Helper()
	b := &discordBot{t: t, srv: discordtest.NewServer(t), done: make(chan int, 1)}
	b.srv.AddGuild(discordtest.Guild{ID: otherGuildID, Name: "Other server", Channels: []discordtest.Channel{{ID: otherChannelID, Name: "news"}}})
	m := map[string]string{
		"DISCORD_TOKEN":        discordtest.Token,
		"DISCORD_API_BASE_URL": b.srv.URL(),
		// Each test acts quickly as one user; the per-user limit has its
		// own tests in package bot.
		"USER_RATE_PER_MINUTE": "10000",
		"LOG_LEVEL":            "debug",
	}
	for k, v := range extra {
		m[k] = v
	}
	env := testEnv(t, m)
	b.dbPath, _ = env.lookup("DATABASE_PATH")
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go func() { b.done <- run(ctx, nil, env, strings.NewReader(""), &b.logs, &b.logs) }()
	t.Cleanup(func() {
		b.stop(30 * time.Second)
		if t.Failed() {
			t.Logf("bot log:\n%s", b.logs.String())
		}
	})
	b.srv.WaitReady(t)
	b.srv.WaitCommands(t, "")
	return b
}

// stop cancels run's context, as SIGTERM does, and waits up to bound for
// run to return; it reports how long that took.
func (b *discordBot) stop(bound time.Duration) time.Duration {
	b.t.Helper()
	if b.exited {
		return 0
	}
	start := time.Now()
	b.cancel()
	select {
	case b.code = <-b.done:
		b.exited = true
	case <-time.After(bound):
		b.t.Fatalf("run() did not return %v after its context was cancelled", bound)
	}
	return time.Since(start)
}

// replyTo waits for the bot's channel messages replying to messageID and
// returns them.
func (b *discordBot) replyTo(messageID string) []discordtest.Post {
	b.t.Helper()
	var got []discordtest.Post
	b.srv.Wait(b.t, "a reply to "+messageID, func() bool {
		got = repliesTo(b.srv, messageID)
		return len(got) > 0
	})
	return got
}

func repliesTo(srv *discordtest.Server, messageID string) []discordtest.Post {
	var out []discordtest.Post
	for _, p := range srv.Posts(discordtest.KindChannelMessage) {
		if p.Data.MessageReference != nil && p.Data.MessageReference.MessageID == messageID {
			out = append(out, p)
		}
	}
	return out
}

// checkNoPings fails for any post that could ping someone and any request
// real Discord would have refused.
func checkNoPings(t *testing.T, srv *discordtest.Server) {
	t.Helper()
	for _, p := range srv.Posts() {
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("%s %s: %v; body %.300s", p.Kind, p.MessageID, err, p.Raw)
		}
	}
	for _, r := range srv.Rejected() {
		t.Errorf("stand-in refused %s %s: %d %s; body %.300s", r.Method, r.Path, r.Status, r.Error, r.Body)
	}
}

// choiceNames returns the names of the autocomplete choices the bot
// offers for /topic in channelID while typed is in the box.
func choiceNames(t *testing.T, srv *discordtest.Server, channelID, typed string) []string {
	t.Helper()
	in := srv.Autocomplete(t, discordtest.Invoker{ChannelID: channelID}, bot.CommandTopic, discordtest.Focused(discordtest.StringOption("query", typed)))
	p := srv.WaitInteraction(t, in.ID, 1)[0]
	if p.ResponseType != discordgo.InteractionApplicationCommandAutocompleteResult {
		t.Fatalf("autocomplete answer type = %d; want %d", p.ResponseType, discordgo.InteractionApplicationCommandAutocompleteResult)
	}
	var names []string
	for _, c := range p.Data.Choices {
		names = append(names, c.Name)
	}
	return names
}

func containsFold(names []string, sub string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.Contains(strings.ToLower(n), strings.ToLower(sub)) })
}

// TestDiscordEndToEnd drives one running bot, wired by run() as main wires
// it, through the Discord stand-in: the subtests run in order and share
// it, since each connection costs discordgo a second to close.
func TestDiscordEndToEnd(t *testing.T) {
	t.Parallel()
	news := newsServer(t, nil)
	b := startDiscordBot(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	srv := b.srv
	seedLink := news.URL + storyDay1
	var pasted *discordgo.Message

	t.Run("pasted link gets one reply", func(t *testing.T) {
		pasted = srv.Say(t, discordtest.ChannelID, discordtest.Alice, "What was agreed? "+seedLink+" (same link again: "+seedLink+")")
		p := b.replyTo(pasted.ID)[0]
		if !bytes.Contains(p.Raw, []byte(`"parse":[]`)) {
			t.Errorf("reply body lacks \"parse\":[]: %.300s", p.Raw)
		}
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("reply: %v", err)
		}
		if len(p.Data.Embeds) == 0 {
			t.Fatalf("reply has no embed: %.300s", p.Raw)
		}
		e := p.Data.Embeds[0]
		const title = "Trump-Putin: What exactly was agreed during phone call?"
		if e.Title != title || e.URL != seedLink {
			t.Errorf("embed title, url = %q, %q; want %q, %q", e.Title, e.URL, title, seedLink)
		}
		var fields []string
		for _, f := range e.Fields {
			fields = append(fields, f.Name)
		}
		if !containsFold(fields, "Energy facility attacks") || !containsFold(fields, "Full temporary ceasefire") {
			t.Errorf("embed fields = %q; want the seed's topics (Energy facility attacks, Full temporary ceasefire)", fields)
		}
	})

	t.Run("summarize is deferred then followed up", func(t *testing.T) {
		link := news.URL + storyDay2
		in := srv.Command(t, discordtest.Invoker{}, bot.CommandSummarize, discordtest.StringOption("url", link))
		posts := srv.WaitInteraction(t, in.ID, 2)
		if p := posts[0]; p.Kind != discordtest.KindInteractionResponse || p.ResponseType != discordgo.InteractionResponseDeferredChannelMessageWithSource || p.Ephemeral {
			t.Errorf("first answer = %s type %d ephemeral %v; want a public deferred callback (type 5)", p.Kind, p.ResponseType, p.Ephemeral)
		}
		p := posts[1]
		if p.Kind != discordtest.KindOriginalEdit && p.Kind != discordtest.KindFollowup {
			t.Errorf("second answer = %s; want the follow-up (an edit of the deferred original or a follow-up message)", p.Kind)
		}
		if len(p.Data.Embeds) == 0 || p.Data.Embeds[0].URL != link || !strings.Contains(p.Data.Embeds[0].Title, "Energy pause frays") {
			t.Errorf("follow-up = %d embeds %.300s; want the day-2 article's summary", len(p.Data.Embeds), p.Raw)
		}
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("follow-up: %v", err)
		}
	})

	t.Run("topic autocomplete shows this server's topics only", func(t *testing.T) {
		m := srv.Say(t, otherChannelID, discordtest.Alice, news.URL+pageHarbour)
		b.replyTo(m.ID)
		there := choiceNames(t, srv, otherChannelID, "")
		if !containsFold(there, "harbour") {
			t.Errorf("choices in the other server = %q; want its harbour topics", there)
		}
		for _, leak := range []string{"energy", "ceasefire", "territory", "black sea"} {
			if containsFold(there, leak) {
				t.Errorf("choices in the other server = %q; include %q from the first server", there, leak)
			}
		}
		if got := choiceNames(t, srv, otherChannelID, "energ"); len(got) != 0 {
			t.Errorf("choices for %q in the other server = %q; want none", "energ", got)
		}
		here := choiceNames(t, srv, discordtest.ChannelID, "")
		if !containsFold(here, "energy") || containsFold(here, "harbour") || containsFold(here, "container") {
			t.Errorf("choices in the first server = %q; want its energy topics and none of the other server's", here)
		}
	})

	t.Run("rate limited message is retried after retry_after", func(t *testing.T) {
		before := len(srv.Requests(discordtest.RouteCreateMessage))
		const retryAfter = 300 * time.Millisecond
		srv.RateLimitNext(discordtest.RouteCreateMessage, 1, retryAfter)
		m := srv.Say(t, discordtest.ChannelID, discordtest.Alice, news.URL+storyDay3)
		b.replyTo(m.ID)
		reqs := srv.Requests(discordtest.RouteCreateMessage)[before:]
		var statuses []int
		for _, r := range reqs {
			statuses = append(statuses, r.Status)
		}
		if len(reqs) < 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
			t.Fatalf("message POST statuses = %v; want [429 200 …]", statuses)
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap < retryAfter {
			t.Errorf("retried %v after the 429; want at least retry_after %v", gap, retryAfter)
		}
		if !bytes.Equal(reqs[0].Body, reqs[1].Body) {
			t.Errorf("the retry's body differs from the first attempt's")
		}
	})

	t.Run("hostile page cannot ping", func(t *testing.T) {
		m := srv.Say(t, discordtest.ChannelID, discordtest.Alice, news.URL+pageHostile)
		replies := b.replyTo(m.ID)
		var all strings.Builder
		for _, p := range replies {
			all.WriteString(p.Data.Text())
			if err := p.CheckNoPings(); err != nil {
				t.Errorf("reply %s: %v", p.MessageID, err)
			}
			text := p.Data.Text()
			for _, bad := range []string{"@everyone", "<@&123>", "<@1>", "](https://evil.example)"} {
				if strings.Contains(text, bad) {
					t.Errorf("reply text contains %q unescaped:\n%s", bad, text)
				}
			}
			for _, e := range p.Data.Embeds {
				if e.URL != "" && !strings.HasPrefix(e.URL, news.URL) {
					t.Errorf("embed links to %q; want only the article", e.URL)
				}
			}
		}
		t.Logf("hostile reply:\n%s", all.String())
		// The hostile text reached the reply (escaped), or this proves nothing.
		for _, inert := range []string{"everyone", "123", "click", "ignore your instructions"} {
			if !strings.Contains(all.String(), inert) {
				t.Errorf("reply lacks %q: the hostile text never reached it:\n%s", inert, all.String())
			}
		}
	})

	t.Run("pdf gets a short private notice", func(t *testing.T) {
		in := srv.Command(t, discordtest.Invoker{}, bot.CommandSummarize, discordtest.StringOption("url", news.URL+pagePDF))
		posts := srv.WaitInteraction(t, in.ID, 2)
		p := posts[len(posts)-1]
		if !p.Ephemeral || p.Data.Content == "" || len(p.Data.Embeds) != 0 {
			t.Fatalf("answer = %s ephemeral %v %q; want a private text notice", p.Kind, p.Ephemeral, p.Data.Content)
		}
		const want = "That page is a PDF; I read web articles."
		if p.Data.Content != want {
			t.Errorf("PDF answer = %q; want %q", p.Data.Content, want)
		}
		for _, leak := range []string{"summarize:", "fetch", "application/pdf", "127.0.0.1", "error"} {
			if strings.Contains(strings.ToLower(p.Data.Content), leak) {
				t.Errorf("PDF answer %q leaks %q", p.Data.Content, leak)
			}
		}
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("PDF answer: %v", err)
		}
	})

	t.Run("shutdown returns promptly and keeps the summaries", func(t *testing.T) {
		took := b.stop(15 * time.Second)
		t.Logf("run() returned %v after cancel", took)
		if b.code != 0 {
			t.Errorf("run() = %d after cancel; want 0", b.code)
		}
		if took > 10*time.Second {
			t.Errorf("run() took %v to return after cancel; want under 10 s", took)
		}
		// Final counts: every piece of work the bot took on has finished.
		if pasted == nil {
			t.Fatal("the link was never pasted")
		}
		if got := repliesTo(srv, pasted.ID); len(got) != 1 {
			t.Errorf("replies to the pasted link (given twice) = %d; want exactly 1", len(got))
		}
		checkNoPings(t, srv)

		ctx := context.Background()
		db, err := store.Open(ctx, b.dbPath)
		if err != nil {
			t.Fatalf("store.Open(%s) error = %v", b.dbPath, err)
		}
		defer db.Close()
		shared := func(guildID string) []string {
			got, err := db.SharedSummaries(ctx, guildID, time.Time{}, time.Time{})
			if err != nil {
				t.Fatalf("SharedSummaries(%s) error = %v", guildID, err)
			}
			var urls []string
			for _, s := range got {
				if len(s.Summary.Topics) == 0 {
					t.Errorf("stored summary of %s has no topics", s.Summary.URL)
				}
				urls = append(urls, s.Summary.URL)
			}
			return urls
		}
		wantA := []string{seedLink, news.URL + storyDay2, news.URL + storyDay3, news.URL + pageHostile}
		if got := shared(discordtest.GuildID); !sameSet(got, wantA) {
			t.Errorf("summaries shared in the first server = %q; want %q", got, wantA)
		}
		if got := shared(otherGuildID); !slices.Equal(got, []string{news.URL + pageHarbour}) {
			t.Errorf("summaries shared in the other server = %q; want only the harbour article", got)
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestDiscordPrivateAddressRefused runs the bot with
// FETCH_ALLOW_PRIVATE_NETWORKS unset: a loopback link is refused before
// any connection, with a short private notice.
func TestDiscordPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	news := newsServer(t, &hits)
	b := startDiscordBot(t, nil)
	srv := b.srv

	in := srv.Command(t, discordtest.Invoker{}, bot.CommandSummarize, discordtest.StringOption("url", news.URL+storyDay2))
	posts := srv.WaitInteraction(t, in.ID, 2)
	p := posts[len(posts)-1]
	if !p.Ephemeral || !strings.Contains(p.Data.Content, "private address") {
		t.Errorf("answer = %s ephemeral %v %q; want a private notice about a private address", p.Kind, p.Ephemeral, p.Data.Content)
	}
	if strings.Contains(p.Data.Content, "127.0.0.1") || strings.Contains(p.Data.Content, "summarize:") {
		t.Errorf("answer %q leaks detail", p.Data.Content)
	}

	// Pasted, the same link is passed over quietly.
	m := srv.Say(t, discordtest.ChannelID, discordtest.Alice, news.URL+storyDay3)
	barrier := srv.Autocomplete(t, discordtest.Invoker{}, bot.CommandTopic, discordtest.Focused(discordtest.StringOption("query", "")))
	srv.WaitInteraction(t, barrier.ID, 1)
	b.stop(15 * time.Second)
	if got := repliesTo(srv, m.ID); len(got) != 0 {
		t.Errorf("replies to a pasted private link = %d (%q); want none", len(got), got[0].Data.Text())
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("article server got %d requests; want none: private addresses are refused before connecting", n)
	}
	checkNoPings(t, srv)
}
