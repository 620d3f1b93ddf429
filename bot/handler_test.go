package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"briefbot/bot/discordtext"
	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/store"
	"briefbot/summarize"
)

// stubSummarizer stands in for *summarize.Service: it answers from a table
// of summaries and errors and, like the real service, saves each summary
// in the store, so shares and topic searches find it.
type stubSummarizer struct {
	db *store.DB

	mu       sync.Mutex
	byURL    map[string]*summarize.Summary
	errs     map[string]error
	requests []summarize.Request
	// gate, when set, holds every call until it is closed; started gets a
	// value as each call begins.
	gate    chan struct{}
	started chan string
	panicOn string
}

func newStub(db *store.DB) *stubSummarizer {
	return &stubSummarizer{db: db, byURL: map[string]*summarize.Summary{}, errs: map[string]error{}}
}

func (s *stubSummarizer) add(sum *summarize.Summary) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byURL[sum.URL] = sum
}

func (s *stubSummarizer) fail(url string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[url] = err
}

func (s *stubSummarizer) calls() []summarize.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]summarize.Request(nil), s.requests...)
}

func (s *stubSummarizer) Summarize(ctx context.Context, req summarize.Request) (*summarize.Summary, error) {
	s.mu.Lock()
	s.requests = append(s.requests, req)
	sum, err, gate, started, panicOn := s.byURL[req.URL], s.errs[req.URL], s.gate, s.started, s.panicOn
	s.mu.Unlock()
	if started != nil {
		started <- req.URL
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if panicOn != "" && req.URL == panicOn {
		panic("stub summarizer exploded")
	}
	if err != nil {
		return nil, fmt.Errorf("summarize: fetch %s: %w", req.URL, err)
	}
	if sum == nil {
		return nil, fmt.Errorf("summarize: fetch %s: %w", req.URL, &summarize.HTTPStatusError{Code: 404})
	}
	out := *sum
	out.Cached = !req.Fresh
	if err := s.db.SaveSummary(ctx, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a Handler over a real SQLite store and a stub summarizer.
type env struct {
	h     *Handler
	db    *store.DB
	sum   *stubSummarizer
	clock *fakeClock
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newEnv(t testing.TB, mod func(*Config)) *env {
	t.Helper()
	db := openDB(t)
	e := &env{db: db, sum: newStub(db), clock: &fakeClock{t: time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	cfg := Config{
		Summarizer: e.sum, Shares: db, Settings: db,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
		Now:    e.clock.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

// article returns a small grounded summary for url.
func article(url, title, topic string, st summarize.Status) *summarize.Summary {
	return &summarize.Summary{
		URL: url, FinalURL: url, Title: title, Site: "Example", Quality: summarize.QualityFull,
		Engine: "extractive", PromptVersion: "x1", CreatedAt: time.Date(2025, 3, 20, 7, 0, 0, 0, time.UTC),
		Topics: []summarize.Topic{{Name: topic, Key: summarize.TopicKey(topic), Points: []summarize.Point{
			{Text: title + " says the " + topic + " stands.", Status: st, Actors: []string{"Both sides"}, Quote: "stands", Grounded: true},
		}}},
	}
}

func (e *env) settings(t testing.TB, guildID string, mod func(*guild.Settings)) {
	t.Helper()
	s := guild.Settings{GuildID: guildID}
	mod(&s)
	// Through the Handler's cache, as /settings saves: the Handler is the
	// only writer of settings.
	if err := e.h.settings.SaveGuildSettings(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func (e *env) shares(t testing.TB, guild string) []ledger.SharedSummary {
	t.Helper()
	got, err := e.db.SharedSummaries(context.Background(), guild, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func titles(replies []Reply) []string {
	var out []string
	for _, r := range replies {
		for _, e := range r.Embeds {
			if e.Title != "" {
				out = append(out, e.Title)
			}
		}
	}
	return out
}

func contents(replies []Reply) string {
	var out []string
	for _, r := range replies {
		if r.Content != "" {
			out = append(out, r.Content)
		}
	}
	return strings.Join(out, "\n")
}

const (
	urlA = "https://a.example/news/ceasefire"
	urlB = "https://b.example/energy"
	urlC = "https://c.example/aid"
	urlD = "https://d.example/talks"
	urlE = "https://e.example/more"
)

func TestHandleMessage(t *testing.T) {
	msg := func(content string) Message {
		return Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: content}
	}
	for _, tc := range []struct {
		name        string
		m           Message
		set         func(*guild.Settings)
		wantTitles  []string
		wantContent string
		wantCalls   int
		wantTarget  Target
	}{
		{name: "one link", m: msg("look " + urlA), wantTitles: []string{"Ceasefire talks"}, wantCalls: 1, wantTarget: TargetReply},
		{name: "bot author", m: Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "b", AuthorBot: true, Content: urlA}},
		{name: "direct message", m: Message{ChannelID: "dm", MessageID: "m1", AuthorID: "u1", Content: urlA}},
		{name: "no links", m: msg("hello there")},
		{name: "link in code span", m: msg("try `" + urlA + "`")},
		{name: "link in code block", m: msg("```\n" + urlA + "\n```")},
		{name: "repeated link", m: msg(urlA + " and again <" + urlA + "> and " + urlA + "?utm_source=x"), wantTitles: []string{"Ceasefire talks"}, wantCalls: 1, wantTarget: TargetReply},
		{
			name: "more than three links", m: msg(strings.Join([]string{urlA, urlB, urlC, urlD, urlE}, " ")),
			wantTitles: []string{"Ceasefire talks", "Energy", "Aid"}, wantCalls: 3, wantTarget: TargetReply,
			wantContent: "Only the first 3 links are summarized; 2 more skipped.",
		},
		{name: "autosummarize off", m: msg(urlA), set: func(s *guild.Settings) { s.AutoSummarize = AutoOff }},
		{name: "autosummarize react", m: msg(urlA), set: func(s *guild.Settings) { s.AutoSummarize = AutoReact }},
		{
			name: "thread mode", m: msg(urlA), set: func(s *guild.Settings) { s.ReplyMode = ReplyModeThread },
			wantTitles: []string{"Ceasefire talks"}, wantCalls: 1, wantTarget: TargetThread,
		},
		{name: "404 is reported", m: msg(urlE), wantCalls: 1, wantContent: "That site answered 404.", wantTarget: TargetReply},
		{name: "PDF passes quietly", m: msg("https://pdf.example/x.pdf"), wantCalls: 1},
		{name: "private address passes quietly", m: msg("http://10.0.0.1/admin"), wantCalls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
			e.sum.add(article(urlB, "Energy", "Energy facility attacks", summarize.StatusAgreed))
			e.sum.add(article(urlC, "Aid", "Military aid", summarize.StatusDisputed))
			e.sum.add(article(urlD, "Talks", "Future talks", summarize.StatusAgreed))
			e.sum.fail("https://pdf.example/x.pdf", &summarize.NotArticleError{ContentType: "application/pdf"})
			e.sum.fail("http://10.0.0.1/admin", summarize.ErrBlockedHost)
			if tc.set != nil {
				e.settings(t, "g1", tc.set)
			}
			replies := e.h.HandleMessage(context.Background(), tc.m)
			if got := titles(replies); strings.Join(got, "|") != strings.Join(tc.wantTitles, "|") {
				t.Errorf("HandleMessage(%q) titles = %q; want %q", tc.m.Content, got, tc.wantTitles)
			}
			if got := contents(replies); got != tc.wantContent {
				t.Errorf("HandleMessage(%q) content = %q; want %q", tc.m.Content, got, tc.wantContent)
			}
			if got := len(e.sum.calls()); got != tc.wantCalls {
				t.Errorf("HandleMessage(%q) made %d summarize calls; want %d", tc.m.Content, got, tc.wantCalls)
			}
			for i, r := range replies {
				if r.Target != tc.wantTarget || r.ChannelID != "c1" || r.ReplyTo != "m1" || r.Ephemeral {
					t.Errorf("reply %d = target %d channel %q reply-to %q ephemeral %t; want target %d in c1 to m1, public",
						i, r.Target, r.ChannelID, r.ReplyTo, r.Ephemeral, tc.wantTarget)
				}
				if r.Target == TargetThread && r.ThreadName != "Summary: Ceasefire talks" {
					t.Errorf("reply %d thread name = %q; want %q", i, r.ThreadName, "Summary: Ceasefire talks")
				}
				if err := CheckLimits(r); err != nil {
					t.Errorf("reply %d: %v", i, err)
				}
			}
			shares := e.shares(t, "g1")
			if len(shares) != len(tc.wantTitles) {
				t.Fatalf("%d shares recorded; want %d", len(shares), len(tc.wantTitles))
			}
			for _, sh := range shares {
				want := ledger.Share{GuildID: "g1", ChannelID: "c1", MessageID: "m1", UserID: "u1", URL: sh.Summary.URL,
					Engine: "extractive", PromptVersion: "x1", At: e.clock.Now()}
				if !sh.Share.At.Equal(want.At) {
					t.Errorf("share at %v; want %v", sh.Share.At, want.At)
				}
				sh.Share.At = want.At
				if sh.Share != want {
					t.Errorf("share = %+v; want %+v", sh.Share, want)
				}
			}
		})
	}
}

func TestHandleMessageLanguage(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	e.settings(t, "g1", func(s *guild.Settings) { s.Language = "de" })
	e.h.HandleMessage(context.Background(), Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: urlA})
	want := summarize.Request{URL: urlA, Language: "de"}
	if got := e.sum.calls(); len(got) != 1 || got[0] != want {
		t.Errorf("summarize requests = %+v; want [%+v]", got, want)
	}
}

func TestHandleReaction(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	ctx := context.Background()
	target := Message{AuthorID: "author", Content: "read " + urlA}
	react := func(user, emoji string, bot bool) []Reply {
		return e.h.HandleReaction(ctx, Reaction{GuildID: "g1", ChannelID: "c1", MessageID: "m9", UserID: user, UserBot: bot, Emoji: emoji, Message: target})
	}
	// Mode "on": the message was summarized already; reactions do nothing.
	if got := react("u1", ReactEmoji, false); got != nil {
		t.Errorf("reaction with autosummarize on = %d replies; want none", len(got))
	}
	e.settings(t, "g1", func(s *guild.Settings) { s.AutoSummarize = AutoReact })
	for _, tc := range []struct {
		name, user, emoji string
		bot               bool
		want              int
	}{
		{"other emoji", "u1", "👍", false, 0},
		{"bot reacts", "botuser", ReactEmoji, true, 0},
		{"first 📰", "u1", ReactEmoji, false, 1},
		{"second 📰", "u2", ReactEmoji, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replies := react(tc.user, tc.emoji, tc.bot)
			if len(titles(replies)) != tc.want {
				t.Errorf("HandleReaction(%s) = %d summaries; want %d", tc.name, len(titles(replies)), tc.want)
			}
			for _, r := range replies {
				if r.Target != TargetReply || r.ReplyTo != "m9" || r.ChannelID != "c1" {
					t.Errorf("reply target %d in %q to %q; want a reply in c1 to m9", r.Target, r.ChannelID, r.ReplyTo)
				}
			}
		})
	}
	shares := e.shares(t, "g1")
	if len(shares) != 1 || shares[0].Share.UserID != "author" || shares[0].Share.MessageID != "m9" {
		t.Errorf("shares = %+v; want one by author of m9", shares)
	}
}

func TestSummarizeCommand(t *testing.T) {
	inv := Invoker{ID: "i1", GuildID: "g1", ChannelID: "c1", UserID: "u1"}
	for _, tc := range []struct {
		name      string
		url       string
		fresh     bool
		err       error
		wantTitle string
		wantText  string
	}{
		{name: "ok", url: urlA, wantTitle: "Ceasefire talks"},
		{name: "fresh", url: urlA, fresh: true, wantTitle: "Ceasefire talks"},
		{name: "link in text", url: "please <" + urlA + ">", wantTitle: "Ceasefire talks"},
		{name: "empty", url: "  ", wantText: "Give me a link to summarize."},
		{name: "private", url: "http://192.168.1.1/", err: summarize.ErrBlockedHost, wantText: "That link points to a private address."},
		{name: "pdf", url: "https://x.example/a.pdf", err: &summarize.NotArticleError{ContentType: "application/pdf; qs=1"}, wantText: "That page is a PDF; I read web articles."},
		{name: "too large", url: "https://x.example/big", err: summarize.ErrTooLarge, wantText: "That page is too large to read."},
		{name: "timeout", url: "https://x.example/slow", err: context.DeadlineExceeded, wantText: "That took too long; try again later."},
		{name: "bad url", url: "ftp://x.example/", err: summarize.ErrBadURL, wantText: "That doesn't look like a web link I can open."},
		{name: "404", url: "https://x.example/gone", wantText: "That site answered 404."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
			if tc.err != nil {
				e.sum.fail(tc.url, tc.err)
			}
			replies := e.h.Summarize(context.Background(), inv, tc.url, tc.fresh)
			if tc.wantTitle != "" {
				if got := titles(replies); len(got) != 1 || got[0] != tc.wantTitle || replies[0].Ephemeral || replies[0].Target != TargetRespond {
					t.Fatalf("Summarize(%q) = %+v; want one public answer titled %q", tc.url, replies, tc.wantTitle)
				}
				footer := replies[0].Embeds[0].Footer.Text
				if want := pick(tc.fresh, "fresh", "cached"); !strings.Contains(footer, want) {
					t.Errorf("footer = %q; want it to say %q", footer, want)
				}
				sh := e.shares(t, "g1")
				if len(sh) != 1 || sh[0].Share.MessageID != "i1" || sh[0].Share.UserID != "u1" {
					t.Errorf("shares = %+v; want one for interaction i1 by u1", sh)
				}
				return
			}
			if len(replies) != 1 || !replies[0].Ephemeral || replies[0].Content != tc.wantText {
				t.Errorf("Summarize(%q) = %+v; want one ephemeral %q", tc.url, replies, tc.wantText)
			}
			if len(e.shares(t, "g1")) != 0 {
				t.Errorf("a failed summary was recorded as a share")
			}
		})
	}
}

func TestSummarizeMessageCommand(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	e.sum.add(article(urlB, "Energy", "Energy facility attacks", summarize.StatusAgreed))
	e.settings(t, "g1", func(s *guild.Settings) { s.AutoSummarize = AutoOff })
	inv := Invoker{ID: "i1", GuildID: "g1", ChannelID: "c1", UserID: "asker"}
	ctx := context.Background()

	got := e.h.SummarizeMessage(ctx, inv, Message{MessageID: "m5", AuthorID: "poster", Content: "no links here"})
	if len(got) != 1 || !got[0].Ephemeral || got[0].Content != msgNoLinks {
		t.Errorf("SummarizeMessage(no links) = %+v; want ephemeral %q", got, msgNoLinks)
	}
	got = e.h.SummarizeMessage(ctx, inv, Message{MessageID: "m5", AuthorID: "poster", Content: urlA + "\n" + urlB + " https://gone.example/"})
	if ts := titles(got); strings.Join(ts, "|") != "Ceasefire talks|Energy" {
		t.Errorf("SummarizeMessage titles = %q; want both articles", ts)
	}
	last := got[len(got)-1]
	if !last.Ephemeral || last.Content != `https\://gone.example/: That site answered 404.` {
		t.Errorf("last reply = %+v; want the failure as an ephemeral notice after the summaries", last)
	}
	for _, r := range got[:len(got)-1] {
		if r.Ephemeral || r.Target != TargetRespond {
			t.Errorf("summary reply ephemeral=%t target=%d; want public response", r.Ephemeral, r.Target)
		}
	}
	sh := e.shares(t, "g1")
	if len(sh) != 2 || sh[0].Share.UserID != "poster" || sh[0].Share.MessageID != "m5" || sh[0].Share.ChannelID != "c1" {
		t.Errorf("shares = %+v; want two by poster of m5 in c1", sh)
	}
}

func TestTopicAndAutocompleteStayInTheirServer(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	e.sum.add(article(urlB, "Energy", "Energy facility attacks", summarize.StatusAgreed))
	e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: urlA})
	e.h.HandleMessage(ctx, Message{GuildID: "g2", ChannelID: "c2", MessageID: "m2", AuthorID: "u2", Content: urlB})

	inv := func(g string) Invoker { return Invoker{ID: "i", GuildID: g, ChannelID: "c", UserID: "u9"} }
	got := e.h.Topic(ctx, inv("g1"), "ceasefire")
	if text := Flatten(got[0]); !strings.Contains(text, "Full ceasefire") || strings.Contains(text, "Energy") {
		t.Errorf("Topic(g1, ceasefire) =\n%s\nwant g1's ceasefire topic only", text)
	}
	got = e.h.Topic(ctx, inv("g2"), "ceasefire")
	if len(got) != 1 || !got[0].Ephemeral || !strings.Contains(got[0].Content, "No topic matching") {
		t.Errorf("Topic(g2, ceasefire) = %+v; want an ephemeral not-found (g1's article must not leak)", got)
	}
	got = e.h.Topic(ctx, inv("g2"), "energy")
	if text := Flatten(got[0]); !strings.Contains(text, "Energy facility attacks") || strings.Contains(text, urlA) {
		t.Errorf("Topic(g2, energy) =\n%s\nwant g2's energy topic only", text)
	}
	if got := e.h.Topic(ctx, inv("g1"), "  "); len(got) != 1 || !got[0].Ephemeral {
		t.Errorf("Topic(empty) = %+v; want an ephemeral hint", got)
	}

	for _, tc := range []struct {
		guild, prefix string
		want          []string
	}{
		{"g1", "", []string{"Full ceasefire"}},
		{"g1", "cease", []string{"Full ceasefire"}},
		{"g1", "ener", nil},
		{"g2", "", []string{"Energy facility attacks"}},
		{"g2", "fac", []string{"Energy facility attacks"}},
		{"g3", "", nil},
	} {
		got := e.h.TopicAutocomplete(ctx, tc.guild, tc.prefix)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("TopicAutocomplete(%q, %q) = %q; want %q", tc.guild, tc.prefix, got, tc.want)
		}
	}
}

func TestAutocompleteLimits(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for i := range 30 {
		u := fmt.Sprintf("https://n%d.example/x", i)
		e.sum.add(article(u, fmt.Sprintf("Article %d", i), fmt.Sprintf("Topic %02d %s", i, strings.Repeat("long ", 40)), summarize.StatusAgreed))
		e.h.Summarize(ctx, Invoker{ID: fmt.Sprint(i), GuildID: "g1", ChannelID: "c", UserID: fmt.Sprint("u", i)}, u, false)
	}
	got := e.h.TopicAutocomplete(ctx, "g1", "topic")
	if len(got) != maxChoices {
		t.Errorf("TopicAutocomplete = %d choices; want %d", len(got), maxChoices)
	}
	for _, n := range got {
		if discordtext.Len(n) > maxChoiceLen {
			t.Errorf("choice %q is %d long; limit %d", n, discordtext.Len(n), maxChoiceLen)
		}
	}
}

func TestSettingsCommand(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	member := Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u1"}
	admin := member
	admin.CanManage = true
	str := func(s string) *string { return &s }
	yes := true

	got := e.h.Settings(ctx, member, SettingsUpdate{})
	if len(got) != 1 || !got[0].Ephemeral || !strings.Contains(got[0].Content, "autosummarize: **on**") {
		t.Errorf("Settings(show) = %+v; want the defaults", got)
	}
	for _, tc := range []struct {
		name string
		inv  Invoker
		u    SettingsUpdate
		want string
	}{
		{"member cannot change", member, SettingsUpdate{AutoSummarize: str("off")}, msgNeedManage},
		{"bad mode", admin, SettingsUpdate{AutoSummarize: str("sometimes")}, "autosummarize is one of: on, react, off."},
		{"bad reply", admin, SettingsUpdate{ReplyMode: str("dm")}, "reply is one of: reply, thread."},
		{"bad language", admin, SettingsUpdate{Language: str("<@1>")}, "language is a language code such as en, de or pt-BR, or auto for the article's own."},
		{"all at once", admin, SettingsUpdate{AutoSummarize: str("React"), ReplyMode: str("thread"), Language: str("pt-BR"), ShowUngrounded: &yes, SkipEmptyBriefing: &yes},
			"Saved.\nSettings for this server:\n• autosummarize: **react**\n• reply: **thread**\n• language: **pt-BR**\n• show_ungrounded: **true**\n• skip_empty_briefing: **true**"},
		{"language auto", admin, SettingsUpdate{Language: str("auto")},
			"Saved.\nSettings for this server:\n• autosummarize: **react**\n• reply: **thread**\n• language: **auto (the article's)**\n• show_ungrounded: **true**\n• skip_empty_briefing: **true**"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.h.Settings(ctx, tc.inv, tc.u)
			if len(got) != 1 || !got[0].Ephemeral || got[0].Content != tc.want {
				t.Errorf("Settings(%s) = %+v; want ephemeral %q", tc.name, got, tc.want)
			}
		})
	}
	set, err := e.db.GuildSettings(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	want := guild.Settings{GuildID: "g1", AutoSummarize: "react", ReplyMode: "thread", ShowUngrounded: true, QuietEmptyBriefing: true}
	if set != want {
		t.Errorf("stored settings = %+v; want %+v", set, want)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.UserRate = rate.Every(10 * time.Second); c.UserBurst = 2 })
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	ctx := context.Background()
	post := func(user string) []Reply {
		return e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m", AuthorID: user, Content: urlA})
	}
	steps := []struct {
		name    string
		user    string
		advance time.Duration
		want    string // "summary", "notice" or "" (nothing)
	}{
		{"first", "u1", 0, "summary"},
		{"second", "u1", 0, "summary"},
		{"over the limit: one notice", "u1", 0, "notice"},
		{"over again in the window: silence", "u1", time.Second, ""},
		{"another user is unaffected", "u2", 0, "summary"},
		{"a token refilled", "u1", 10 * time.Second, "summary"},
		{"limited again, window not over", "u1", 0, ""},
		{"refilled again", "u1", 15 * time.Second, "summary"},
		{"limited after the window: a new notice", "u1", 0, "notice"},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		got := post(s.user)
		kind := ""
		switch {
		case len(titles(got)) == 1:
			kind = "summary"
		case len(got) == 1 && got[0].Content == msgRateLimited && got[0].Target == TargetReply:
			kind = "notice"
		case len(got) > 0:
			kind = fmt.Sprintf("%+v", got)
		}
		if kind != s.want {
			t.Errorf("step %q: got %q; want %q", s.name, kind, s.want)
		}
	}
	// Commands always get their (ephemeral) notice.
	inv := Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u3"}
	for i := range 4 {
		got := e.h.Summarize(ctx, inv, urlA, false)
		limited := len(got) == 1 && got[0].Ephemeral && got[0].Content == msgRateLimited
		if limited != (i >= 2) {
			t.Errorf("command %d: limited=%t; want %t (%+v)", i, limited, i >= 2, got)
		}
	}
	if !strings.Contains(e.logs.String(), "rate_limited") {
		t.Errorf("rate limiting was not logged")
	}
}

func TestWorkQueueBound(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxActive = 1; c.MaxQueued = 1 })
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	e.sum.gate = make(chan struct{})
	e.sum.started = make(chan string, 10)
	ctx := context.Background()

	var wg sync.WaitGroup
	results := make([][]Reply, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.h.Summarize(ctx, Invoker{GuildID: "g1", ChannelID: "c1", UserID: fmt.Sprint("u", i)}, urlA, false)
		}()
	}
	<-e.sum.started // one runs; the other is admitted and waits for it
	waitFor(t, func() bool { return len(e.h.queue.admitted) == 2 })

	got := e.h.Summarize(ctx, Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u9"}, urlA, false)
	if len(got) != 1 || !got[0].Ephemeral || got[0].Content != msgBusy {
		t.Errorf("third request while full = %+v; want ephemeral %q", got, msgBusy)
	}
	msg := e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m", AuthorID: "u8", Content: urlA})
	if len(msg) != 1 || msg[0].Content != msgBusy || msg[0].Ephemeral {
		t.Errorf("message while full = %+v; want one %q reply", msg, msgBusy)
	}
	close(e.sum.gate)
	wg.Wait()
	for i, r := range results {
		if len(titles(r)) != 1 {
			t.Errorf("queued request %d = %+v; want its summary (nothing admitted is dropped)", i, r)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPanicsAreRecovered(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.panicOn = urlA
	ctx := context.Background()
	// The panic happens in a summarizing goroutine: it must not crash the
	// process, and the answer degrades to the generic failure.
	got := e.h.Summarize(ctx, Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u1"}, urlA, false)
	if len(got) != 1 || !got[0].Ephemeral {
		t.Errorf("Summarize after a panic = %+v; want one ephemeral notice", got)
	}
	if m := e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m", AuthorID: "u2", Content: urlA}); len(titles(m)) != 0 {
		t.Errorf("HandleMessage after a panic = %+v; want no summary", m)
	}
	if !strings.Contains(e.logs.String(), "handler_panic") || !strings.Contains(e.logs.String(), "stub summarizer exploded") {
		t.Errorf("panic not logged; log:\n%s", e.logs.String())
	}

	// A panic in the handler's own goroutine (a broken dependency).
	e2 := newEnv(t, func(c *Config) { c.Settings = panicSettings{} })
	if got := e2.h.Settings(ctx, Invoker{GuildID: "g"}, SettingsUpdate{}); len(got) != 1 || got[0].Content != msgInternal {
		t.Errorf("Settings with a panicking store = %+v; want %q", got, msgInternal)
	}
	if got := e2.h.HandleMessage(ctx, Message{GuildID: "g", Content: urlA}); got != nil {
		t.Errorf("HandleMessage with a panicking store = %+v; want nothing", got)
	}
}

type panicSettings struct{}

func (panicSettings) GuildSettings(context.Context, string) (guild.Settings, error) {
	panic("settings exploded")
}

func (panicSettings) SaveGuildSettings(context.Context, guild.Settings) error {
	panic("settings exploded")
}

func TestShutdown(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	e.sum.gate = make(chan struct{})
	e.sum.started = make(chan string, 1)
	ctx := context.Background()
	done := make(chan []Reply)
	go func() { done <- e.h.Summarize(ctx, Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u1"}, urlA, false) }()
	<-e.sum.started

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := e.h.Shutdown(short); err == nil {
		t.Errorf("Shutdown with work in flight and a short deadline = nil; want an error")
	}
	if got := e.h.Summarize(ctx, Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u2"}, urlA, false); len(got) != 1 || got[0].Content != msgShuttingDown {
		t.Errorf("Summarize during shutdown = %+v; want %q", got, msgShuttingDown)
	}
	if got := e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", AuthorID: "u3", Content: urlA}); got != nil {
		t.Errorf("HandleMessage during shutdown = %+v; want nothing", got)
	}
	close(e.sum.gate)
	if got := <-done; len(titles(got)) != 1 {
		t.Errorf("in-flight request = %+v; want it finished", got)
	}
	if err := e.h.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown after the work finished = %v", err)
	}
}

func TestNewRequiresDependencies(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New(Config{}) = nil error; want one")
	}
}

// countingSettings is the store's Settings, counting reads.
type countingSettings struct {
	Settings
	mu    sync.Mutex
	reads int
	// afterRead, when set, runs inside each read after the store
	// answered.
	afterRead func()
}

func (c *countingSettings) GuildSettings(ctx context.Context, guildID string) (guild.Settings, error) {
	c.mu.Lock()
	c.reads++
	after := c.afterRead
	c.afterRead = nil
	c.mu.Unlock()
	set, err := c.Settings.GuildSettings(ctx, guildID)
	if after != nil {
		after()
	}
	return set, err
}

func (c *countingSettings) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// TestSettingsCache: a server's settings are read from the store once,
// then from memory until /settings changes them or settingsTTL passes.
func TestSettingsCache(t *testing.T) {
	var counting *countingSettings
	e := newEnv(t, func(c *Config) {
		counting = &countingSettings{Settings: c.Settings}
		c.Settings = counting
	})
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	ctx := context.Background()
	admin := Invoker{ID: "i", GuildID: "g1", ChannelID: "c1", UserID: "admin", CanManage: true}
	lang := func(guild string) string {
		t.Helper()
		got, ok := e.h.guildSettings(ctx, guild)
		if !ok {
			t.Fatalf("guildSettings(%q) failed", guild)
		}
		return got.Language
	}
	steps := []struct {
		name      string
		do        func()
		guild     string
		wantLang  string
		wantReads int
	}{
		{"first read", func() {}, "g1", "", 1},
		{"cached", func() { e.h.Summarize(ctx, admin, urlA, false) }, "g1", "", 1},
		{"other server", func() {}, "g2", "", 2},
		{"changed by /settings", func() {
			de := "de"
			e.h.Settings(ctx, admin, SettingsUpdate{Language: &de})
		}, "g1", "de", 3}, // /settings reads from memory; the change is read back
		{"cached after the change", func() {}, "g1", "de", 3},
		{"written behind the handler's back", func() {
			if err := e.db.SaveGuildSettings(ctx, guild.Settings{GuildID: "g1", Language: "fr"}); err != nil {
				t.Fatal(err)
			}
		}, "g1", "de", 3},
		{"seen once the TTL passes", func() { e.clock.Advance(settingsTTL) }, "g1", "fr", 4},
	}
	for _, st := range steps {
		st.do()
		if got := lang(st.guild); got != st.wantLang {
			t.Errorf("%s: Language(%q) = %q; want %q", st.name, st.guild, got, st.wantLang)
		}
		if got := counting.count(); got != st.wantReads {
			t.Errorf("%s: store reads = %d; want %d", st.name, got, st.wantReads)
		}
	}
}

// TestSettingsCacheSaveDuringRead: a read that began before a save does
// not leave the old settings in the cache.
func TestSettingsCacheSaveDuringRead(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	counting := &countingSettings{Settings: db}
	c := newSettingsCache(counting, time.Now)
	// The save lands after the first read got its answer from the store
	// and before it could cache it.
	counting.afterRead = func() {
		if err := c.SaveGuildSettings(ctx, guild.Settings{GuildID: "g", ReplyMode: ReplyModeThread}); err != nil {
			t.Error(err)
		}
	}
	if _, err := c.GuildSettings(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	got, err := c.GuildSettings(ctx, "g")
	if err != nil || got.ReplyMode != ReplyModeThread {
		t.Errorf("GuildSettings after a save during a read = %+v, %v; want reply mode %q", got, err, ReplyModeThread)
	}
}

// TestSettingsCacheBound: the cache holds at most maxCachedGuilds servers.
func TestSettingsCacheBound(t *testing.T) {
	c := newSettingsCache(openDB(t), time.Now)
	for i := range maxCachedGuilds + 10 {
		if _, err := c.GuildSettings(context.Background(), fmt.Sprint("g", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.entries); n != maxCachedGuilds {
		t.Errorf("cached servers = %d; want %d", n, maxCachedGuilds)
	}
}
