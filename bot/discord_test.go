package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtest"
	"briefbot/bot/discordtext"
	"briefbot/feed"
	"briefbot/guild"
	"briefbot/schedule"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
)

// articleSection is one headed part of a generated article.
type articleSection struct {
	heading string
	paras   []string
}

// discordArticle renders a news page the extractor and the extractive engine
// read like a real one.
func discordArticle(title string, sections []articleSection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>", html.EscapeString(title))
	fmt.Fprintf(&b, "<meta property=\"og:site_name\" content=\"Test News\"><meta property=\"article:published_time\" content=\"2025-03-19T10:00:00Z\"></head>")
	fmt.Fprintf(&b, "<body><nav><a href=\"/\">Home</a></nav><article><h1>%s</h1>", html.EscapeString(title))
	for _, s := range sections {
		fmt.Fprintf(&b, "<h2>%s</h2>", html.EscapeString(s.heading))
		for _, p := range s.paras {
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(p))
		}
	}
	b.WriteString("</article><footer>© Test News</footer></body></html>")
	return b.String()
}

// discordSections writes n sections about subject with k long sentences each,
// every one carrying a status cue.
func discordSections(subject string, headings []string, k int) []articleSection {
	cues := []string{
		"agreed to begin a thirty day pause on strikes against %s facilities, according to officials who spoke after the meeting on Tuesday evening in the capital",
		"declined to commit to any timetable for %s talks, saying only that the question would be left open for negotiators to settle at a later round",
		"accused the other side of violating the earlier understanding on %s within hours of its announcement, a claim their counterparts flatly rejected as baseless",
		"agreed that technical teams would meet next week to draft the %s text, with monitors from neutral countries invited to observe every session in person",
		"made no mention of %s guarantees in its statement, leaving diplomats in several capitals unclear about what, if anything, had actually been promised",
	}
	actors := []string{"The Kremlin", "Kyiv", "The White House", "Brussels", "Ankara"}
	var out []articleSection
	for i, h := range headings {
		s := articleSection{heading: h}
		for j := range k {
			s.paras = append(s.paras, fmt.Sprintf("%s %s in round %d.", actors[(i+j)%len(actors)], fmt.Sprintf(cues[j%len(cues)], strings.ToLower(h)+" "+subject), i*k+j+1))
		}
		out = append(out, s)
	}
	return out
}

// discordLogs collects log output from many goroutines.
type discordLogs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *discordLogs) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *discordLogs) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// discordFixture is the bot wired as main wires it — the real summarizing
// pipeline (fetcher allowed onto the loopback article server, extractive
// engine, SQLite in a temp dir) — connected through the Discord transport
// to the stand-in.
type discordFixture struct {
	t        *testing.T
	srv      *discordtest.Server
	articles *httptest.Server
	db       *store.DB
	d        *Discord
	feeds    *feed.Poller // with discordFixtureOptions.feeds

	cancel context.CancelFunc
	errc   chan error
	once   sync.Once
}

type discordFixtureOptions struct {
	guildID  string // DiscordOptions.GuildID
	shutdown time.Duration
	// page, when set, serves every article request (to hold one open).
	page http.HandlerFunc
	// beforeRun runs after the stand-in starts and before the bot
	// connects.
	beforeRun func(*discordtest.Server)
	// briefings wires the real schedule service, posting through the
	// transport.
	briefings bool
	// summarizer, when set, replaces the real pipeline; it gets the
	// fixture's store.
	summarizer func(*store.DB) Summarizer
	// feeds wires /feed to a feed.Poller over the fixture's fetcher and
	// store.
	feeds bool
}

// lateBoundPoster forwards to a Poster set after construction. The
// scheduler needs a Poster (the Discord transport), which needs the
// Handler, which needs the scheduler: this is how the cycle is broken.
type lateBoundPoster struct{ schedule.Poster }

func newDiscordFixture(t *testing.T, pages map[string]string, o discordFixtureOptions) *discordFixture {
	t.Helper()
	f := &discordFixture{t: t, srv: discordtest.NewServer(t), errc: make(chan error, 1)}
	if o.beforeRun != nil {
		o.beforeRun(f.srv)
	}
	mux := http.NewServeMux()
	for path, body := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(body))
		})
	}
	var handler http.Handler = mux
	if o.page != nil {
		handler = o.page
	}
	f.articles = httptest.NewServer(handler)
	t.Cleanup(f.articles.Close)

	var err error
	f.db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatalf("store.Open() error = %v", err)
	}
	t.Cleanup(func() { f.db.Close() })

	logs := &discordLogs{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", logs)
		}
	})
	fetcher := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second})
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     f.db,
		Fetcher:   fetcher,
		Extractor: extract.New(),
		Engine:    extractive.New(),
		Logger:    log,
	})
	if err != nil {
		t.Fatalf("summarize.NewService() error = %v", err)
	}
	cfg := Config{Summarizer: svc, Shares: f.db, Settings: f.db, Logger: log, UserBurst: 100, UserRate: 100}
	if o.summarizer != nil {
		cfg.Summarizer = o.summarizer(f.db)
	}
	if o.feeds {
		f.feeds, err = feed.New(feed.Options{Fetcher: fetcher, Store: f.db, Summarizer: feed.Unbudgeted{Service: cfg.Summarizer}, Shares: f.db, Logger: log})
		if err != nil {
			t.Fatalf("feed.New() error = %v", err)
		}
		cfg.Feeds = f.feeds
	}
	poster := &lateBoundPoster{}
	if o.briefings {
		sched, err := schedule.New(schedule.Options{Schedules: f.db, Claims: f.db, History: f.db, Shares: f.db, Settings: f.db, Poster: poster, Render: RenderBriefing, Logger: log})
		if err != nil {
			t.Fatalf("schedule.New() error = %v", err)
		}
		cfg.Briefer = sched
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	f.d, err = NewDiscord(DiscordOptions{
		Token: discordtest.Token, APIBaseURL: f.srv.URL(), GuildID: o.guildID,
		Logger: log, ShutdownTimeout: o.shutdown,
	}, h)
	if err != nil {
		t.Fatalf("NewDiscord() error = %v", err)
	}
	f.d.indicatorDelay = 0 // show the typing indicator for every link
	poster.Poster = f.d

	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.errc <- f.d.Run(ctx) }()
	t.Cleanup(f.stop)
	f.srv.WaitReady(t)
	f.srv.WaitCommands(t, o.guildID)
	return f
}

// url returns the article server's URL for path.
func (f *discordFixture) url(path string) string { return f.articles.URL + path }

// stop ends Run the way SIGTERM does and waits for it: afterwards every
// piece of work the bot took on is finished, so counts are final.
func (f *discordFixture) stop() {
	f.t.Helper()
	f.once.Do(func() {
		f.cancel()
		select {
		case err := <-f.errc:
			if err != nil {
				f.t.Errorf("Run() = %v; want nil after shutdown", err)
			}
		case <-time.After(30 * time.Second):
			f.t.Fatalf("Run() did not return 30 s after its context was cancelled")
		}
	})
}

// barrier returns once the bot has taken in every event dispatched
// before it: it handles events in order, and answers an autocomplete.
func (f *discordFixture) barrier() {
	f.t.Helper()
	in := f.srv.Autocomplete(f.t, discordtest.Invoker{}, CommandTopic, discordtest.Focused(discordtest.StringOption("query", "")))
	f.srv.WaitInteraction(f.t, in.ID, 1)
}

// checkClean fails the test for any request the stand-in refused and any
// post that could ping someone.
func (f *discordFixture) checkClean() {
	f.t.Helper()
	for _, r := range f.srv.Rejected() {
		f.t.Errorf("stand-in refused %s %s: %d %s; body %s", r.Method, r.Path, r.Status, r.Error, r.Body)
	}
	for _, p := range f.srv.Posts() {
		if err := p.CheckNoPings(); err != nil {
			f.t.Errorf("%s %s: %v; body %.300s", p.Kind, p.MessageID, err, p.Raw)
		}
	}
}

// discordAllowedParse decodes allowed_mentions.parse from a raw message body.
func discordAllowedParse(t *testing.T, raw []byte) []string {
	t.Helper()
	var body struct {
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if body.AllowedMentions == nil {
		t.Fatalf("body %s has no allowed_mentions", raw)
	}
	return body.AllowedMentions.Parse
}

var discordEnergyArticle = discordArticle("Ceasefire talks end with a partial deal", discordSections("ceasefire",
	[]string{"Energy infrastructure", "Prisoner exchange"}, 3))

func TestDiscordPastedLinkYieldsOneReply(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{guildID: discordtest.GuildID})
	link := f.url("/news/energy")
	said := time.Now()
	msg := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, "Worth reading: "+link+" and again "+link)
	t.Logf("reply posted %v after the message", f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)[0].At.Sub(said))
	f.stop()

	posts := f.srv.Posts(discordtest.KindChannelMessage)
	if len(posts) != 1 {
		t.Fatalf("channel message POSTs = %d; want exactly 1", len(posts))
	}
	p := posts[0]
	if got := discordAllowedParse(t, p.Raw); got == nil || len(got) != 0 {
		t.Errorf("allowed_mentions.parse = %#v in %.300s; want []", got, p.Raw)
	}
	if !bytes.Contains(p.Raw, []byte(`"parse":[]`)) {
		t.Errorf("raw body lacks \"parse\":[]: %.300s", p.Raw)
	}
	if p.Data.MessageReference == nil || p.Data.MessageReference.MessageID != msg.ID {
		t.Errorf("message_reference = %+v; want a reply to %s", p.Data.MessageReference, msg.ID)
	}
	if len(p.Data.Embeds) == 0 {
		t.Fatalf("reply has no embed: %s", p.Raw)
	}
	e := p.Data.Embeds[0]
	if e.Title != "Ceasefire talks end with a partial deal" || e.URL != link {
		t.Errorf("embed title, url = %q, %q; want %q, %q", e.Title, e.URL, "Ceasefire talks end with a partial deal", link)
	}
	var fields []string
	for _, fl := range e.Fields {
		fields = append(fields, fl.Name)
	}
	if !slices.ContainsFunc(fields, func(n string) bool { return strings.Contains(n, "Energy infrastructure") }) {
		t.Errorf("embed fields = %q; want a field for Energy infrastructure", fields)
	}
	if f.srv.Typing(discordtest.ChannelID) == 0 {
		t.Errorf("typing indicators = 0; want one while working")
	}
	names, err := f.db.TopicNames(context.Background(), discordtest.GuildID, "", 25)
	if err != nil || len(names) == 0 {
		t.Errorf("TopicNames() = %q, %v; want the shared article's topics", names, err)
	}
	f.checkClean()
}

func TestDiscordIdentifyAndCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		guildID string
	}{
		{"global", ""},
		{"one guild", discordtest.GuildID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newDiscordFixture(t, nil, discordFixtureOptions{guildID: tt.guildID})
			ids := f.srv.Identifies()
			if len(ids) != 1 || ids[0].Intents != DiscordIntents {
				t.Fatalf("Identify = %+v; want one with intents %d", ids, DiscordIntents)
			}
			if ids[0].Intents&discordgo.IntentsMessageContent == 0 {
				t.Errorf("Identify intents %d lack the message-content intent", ids[0].Intents)
			}
			if ids[0].Token != "Bot "+discordtest.Token {
				t.Errorf("Identify token = %q; want the bot token", ids[0].Token)
			}
			cmds := f.srv.Commands(tt.guildID)
			var names []string
			for _, c := range cmds {
				names = append(names, c.Name)
				if (c.Name == CommandSettings || c.Name == CommandUsage) && (c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageGuild) {
					t.Errorf("/%s default_member_permissions = %v; want Manage Server", c.Name, c.DefaultMemberPermissions)
				}
			}
			want := []string{CommandSummarize, CommandTopic, CommandSettings, CommandBriefing, CommandUsage, CommandExport, CommandAsk, CommandWatch, CommandFeed, CommandSummarizeLinks}
			if !slices.Equal(names, want) {
				t.Errorf("registered commands = %q; want %q", names, want)
			}
			other := discordtest.GuildID
			if tt.guildID != "" {
				other = ""
			}
			if got := f.srv.Commands(other); len(got) != 0 {
				t.Errorf("commands registered in %q too: %d", other, len(got))
			}
		})
	}
}

func TestDiscordSummarizeCommandIsDeferred(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{guildID: discordtest.GuildID})
	link := f.url("/news/energy")

	in := f.srv.Command(t, discordtest.Invoker{}, CommandSummarize, discordtest.StringOption("url", link))
	posts := f.srv.WaitInteraction(t, in.ID, 2)
	if p := posts[0]; p.Kind != discordtest.KindInteractionResponse || p.ResponseType != discordgo.InteractionResponseDeferredChannelMessageWithSource || p.Ephemeral {
		t.Errorf("first answer = %s type %d ephemeral %v; want a public deferred callback (5)", p.Kind, p.ResponseType, p.Ephemeral)
	}
	if p := posts[1]; p.Kind != discordtest.KindOriginalEdit || len(p.Data.Embeds) == 0 || p.Data.Embeds[0].URL != link {
		t.Errorf("second answer = %s with %d embeds; want the summary as an edit of the original", p.Kind, len(p.Data.Embeds))
	}

	// A link the bot refuses: the public "thinking" goes, a private
	// notice follows.
	bad := f.srv.Command(t, discordtest.Invoker{}, CommandSummarize, discordtest.StringOption("url", "ftp://example.com/file"))
	f.srv.WaitInteraction(t, bad.ID, 2)
	f.stop()
	posts = f.srv.WaitInteraction(t, bad.ID, 2)
	if p := posts[1]; p.Kind != discordtest.KindFollowup || !p.Ephemeral || p.Data.Content == "" || strings.Contains(p.Data.Content, "summarize:") {
		t.Errorf("error answer = %s ephemeral %v %q; want a short private follow-up", p.Kind, p.Ephemeral, p.Data.Content)
	}
	if got := f.srv.Requests(discordtest.RouteDeleteOriginal); len(got) != 1 {
		t.Errorf("deleted originals = %d; want 1", len(got))
	}
	if got := f.srv.Posts(discordtest.KindChannelMessage); len(got) != 0 {
		t.Errorf("channel messages = %d; want none for commands", len(got))
	}
	f.checkClean()
}

func TestDiscordTopicAutocompleteIsPerServer(t *testing.T) {
	t.Parallel()
	const otherGuild, otherChannel = "1200000000000000400", "1200000000000000401"
	portArticle := discordArticle("Dock workers strike over wages", discordSections("strike", []string{"Harbour wages", "Container backlog"}, 3))
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle, "/news/port": portArticle}, discordFixtureOptions{
		beforeRun: func(s *discordtest.Server) {
			s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "Other", Channels: []discordtest.Channel{{ID: otherChannel, Name: "news"}}})
		},
	})
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.Say(t, otherChannel, discordtest.Alice, f.url("/news/port"))
	f.srv.WaitPosts(t, 2, discordtest.KindChannelMessage)

	choices := func(channelID, typed string) []string {
		t.Helper()
		in := f.srv.Autocomplete(t, discordtest.Invoker{ChannelID: channelID}, CommandTopic, discordtest.Focused(discordtest.StringOption("query", typed)))
		p := f.srv.WaitInteraction(t, in.ID, 1)[0]
		if p.ResponseType != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("autocomplete answer type = %d; want 8", p.ResponseType)
		}
		var names []string
		for _, c := range p.Data.Choices {
			names = append(names, c.Name)
		}
		return names
	}
	has := func(names []string, sub string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return strings.Contains(strings.ToLower(n), sub) })
	}
	here := choices(discordtest.ChannelID, "")
	if !has(here, "energy") || has(here, "harbour") || has(here, "container") {
		t.Errorf("choices in the first server = %q; want its energy topics and none of the other server's", here)
	}
	there := choices(otherChannel, "")
	if !has(there, "harbour") || has(there, "energy") || has(there, "prisoner") {
		t.Errorf("choices in the other server = %q; want its harbour topics only", there)
	}
	if got := choices(discordtest.ChannelID, "harb"); len(got) != 0 {
		t.Errorf("choices for %q in the first server = %q; want none", "harb", got)
	}

	in := f.srv.Command(t, discordtest.Invoker{}, CommandTopic, discordtest.StringOption("query", "energy"))
	posts := f.srv.WaitInteraction(t, in.ID, 2)
	if text := posts[1].Data.Text(); !strings.Contains(strings.ToLower(text), "energy") || strings.Contains(strings.ToLower(text), "harbour") {
		t.Errorf("/topic energy answer = %q; want this server's energy ledger only", text)
	}
	f.stop()
	f.checkClean()
}

func TestDiscordRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{})
	const retryAfter = 250 * time.Millisecond
	f.srv.RateLimitNext(discordtest.RouteCreateMessage, 1, retryAfter)
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	f.stop()

	reqs := f.srv.Requests(discordtest.RouteCreateMessage)
	if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
		var got []int
		for _, r := range reqs {
			got = append(got, r.Status)
		}
		t.Fatalf("message POST statuses = %v; want [429 200]", got)
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < retryAfter {
		t.Errorf("retried %v after the 429; want at least retry_after %v", gap, retryAfter)
	}
	if !bytes.Equal(reqs[0].Body, reqs[1].Body) {
		t.Errorf("retry body differs from the first attempt")
	}
	if got := f.srv.Posts(discordtest.KindChannelMessage); len(got) != 1 {
		t.Errorf("accepted messages = %d; want 1", len(got))
	}
}

func TestDiscordHostilePageCannotPing(t *testing.T) {
	t.Parallel()
	hostile := discordArticle("@everyone <@&123> read [click](https://evil.example) now", []articleSection{
		{heading: "Ceasefire <@&123> terms", paras: []string{
			"@everyone The delegations agreed to begin a full ceasefire at midnight, said <@&123> and <@42> in a joint statement [click](https://evil.example).",
			"@here Moscow declined to commit to any halt of strikes on energy facilities, according to <#999> and people familiar with the talks.",
			"Kyiv accused Moscow of violating the truce within hours, a claim the Kremlin rejected @everyone ||spoiler|| **bold** https://evil.example/x.",
		}},
	})
	f := newDiscordFixture(t, map[string]string{"/news/hostile": hostile}, discordFixtureOptions{})
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/hostile"))
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	f.stop()

	posts := f.srv.Posts()
	if len(posts) == 0 {
		t.Fatal("no reply to the hostile page")
	}
	var all strings.Builder
	for _, p := range posts {
		all.WriteString(p.Data.Text())
	}
	for _, inert := range []string{"everyone", "123", "click", "evil"} {
		if !strings.Contains(all.String(), inert) {
			t.Errorf("reply lacks %q: the hostile text never reached it, so this test proves nothing:\n%s", inert, all.String())
		}
	}
	t.Logf("reply text:\n%s", all.String())
	for _, p := range posts {
		if got := discordAllowedParse(t, p.Raw); got == nil || len(got) != 0 {
			t.Errorf("allowed_mentions.parse = %#v; want []", got)
		}
		var am map[string]json.RawMessage
		var body struct {
			AllowedMentions map[string]json.RawMessage `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(p.Raw, &body); err == nil {
			am = body.AllowedMentions
		}
		for _, k := range []string{"users", "roles"} {
			if v, ok := am[k]; ok && string(v) != "[]" {
				t.Errorf("allowed_mentions.%s = %s; want none", k, v)
			}
		}
		text := p.Data.Text()
		for _, bad := range []string{"@everyone", "@here", "<@&123>", "<@42>", "<#999>", "](https://evil", "||spoiler||", "**bold**"} {
			if strings.Contains(text, bad) {
				t.Errorf("reply text contains %q unescaped:\n%s", bad, text)
			}
		}
		for _, e := range p.Data.Embeds {
			if e.URL != "" && !strings.HasPrefix(e.URL, f.articles.URL) {
				t.Errorf("embed links to %q; want only the article", e.URL)
			}
		}
	}
	f.checkClean()
}

// TestDiscordLongLedgerIsPagedWithinLimits: a long article's reply shows
// its first points within MaxReplyMessages messages; pressing More pages
// through the rest privately until every stored point was shown once, in
// order.
func TestDiscordLongLedgerIsPagedWithinLimits(t *testing.T) {
	t.Parallel()
	headings := []string{"Energy infrastructure", "Prisoner exchange", "Black Sea shipping", "Nuclear plant", "Humanitarian corridors", "Sanctions relief", "Occupied territory", "Future talks"}
	long := discordArticle("Everything the two leaders discussed", discordSections("arrangements", headings, 5))
	f := newDiscordFixture(t, map[string]string{"/news/long": long}, discordFixtureOptions{})
	msg := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/long"))
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)

	stored, err := f.db.MessageSummaries(context.Background(), discordtest.GuildID, msg.ID)
	if err != nil || len(stored) != 1 {
		t.Fatalf("MessageSummaries() = %d, %v; want the shared summary", len(stored), err)
	}
	var want []string
	for _, tp := range stored[0].Summary.Topics {
		for _, p := range tp.Points {
			if p.Grounded {
				want = append(want, p.Text)
			}
		}
	}
	if len(want) <= DefaultPoints {
		t.Fatalf("the long article gave %d points; the test needs more than %d", len(want), DefaultPoints)
	}

	// A page is complete when its last message has a More button, or when
	// every point was shown.
	var got []string
	waitPage := func(what string, posts func() []discordtest.Post) []discordtest.Post {
		t.Helper()
		var page []discordtest.Post
		var lines []string
		f.srv.Wait(t, what, func() bool {
			page, lines = posts(), nil
			for _, p := range page {
				lines = append(lines, pointLines(p.Data)...)
			}
			return len(page) > 0 && (len(page[len(page)-1].Data.Buttons()) > 0 || len(got)+len(lines) >= len(want))
		})
		if n := len(shownMessages(page)); n > MaxReplyMessages {
			t.Fatalf("%s: %d messages; want at most %d", what, n, MaxReplyMessages)
		}
		got = append(got, lines...)
		return page
	}
	page := waitPage("the reply", func() []discordtest.Post { return f.srv.Posts(discordtest.KindChannelMessage) })
	if len(got) != DefaultPoints {
		t.Errorf("the first reply shows %d points; want %d", len(got), DefaultPoints)
	}
	for presses := 0; presses < 20; presses++ {
		last := page[len(page)-1]
		btns := last.Data.Buttons()
		if len(btns) == 0 {
			break
		}
		in := f.srv.Click(t, discordtest.Invoker{}, last, btns[0].CustomID)
		page = waitPage("a More page", func() []discordtest.Post {
			var out []discordtest.Post
			for _, p := range f.srv.Posts() {
				if p.InteractionID == in.ID {
					out = append(out, p)
				}
			}
			return out
		})
		for _, p := range page {
			if !p.Ephemeral {
				t.Errorf("a More page (%s) is public; want it shown to the presser alone", p.Kind)
			}
		}
	}
	f.stop()
	for _, p := range f.srv.Posts() {
		if err := discordtest.ValidateMessage(p.Data.Content, p.Data.Embeds); err != nil {
			t.Errorf("message %s: %v", p.MessageID, err)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("the pages showed %d points; the summary holds %d", len(got), len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], discordtext.EscapeTruncate(want[i], maxPointText)) {
			t.Errorf("point %d = %q; want %q", i, got[i], want[i])
		}
	}
	f.checkClean()
}

// shownMessages drops the deferral callbacks from posts, keeping the
// messages people see: a slow answer is deferred, then edited in.
func shownMessages(posts []discordtest.Post) []discordtest.Post {
	var out []discordtest.Post
	for _, p := range posts {
		if p.Kind == discordtest.KindInteractionResponse && p.ResponseType == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			continue
		}
		out = append(out, p)
	}
	return out
}

// pointLines returns the point lines of a posted message.
func pointLines(p discordtest.Payload) []string {
	var out []string
	for _, e := range p.Embeds {
		for _, fl := range e.Fields {
			for _, line := range strings.Split(fl.Value, "\n") {
				for _, m := range []string{markAgreed, markUnresolved, markDisputed, markReported} {
					if strings.HasPrefix(line, m+" ") {
						out = append(out, line)
					}
				}
			}
		}
	}
	return out
}

// hugeStub answers every link with a hostile model's ledger of 300 topics
// × 100 grounded points, saved as the real service saves it.
type hugeStub struct{ db *store.DB }

func (s hugeStub) Summarize(ctx context.Context, req summarize.Request) (*summarize.Summary, error) {
	sum := hugeSummary(req.URL, 300, 100)
	if err := s.db.SaveSummary(ctx, sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// TestDiscordHugeSummaryPostsAFewMessages: the ledger that once posted 701
// messages now posts at most MaxReplyMessages with a More button, for a
// pasted link and for /summarize detail:true; a press shows the next page,
// bounded the same way.
func TestDiscordHugeSummaryPostsAFewMessages(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, nil, discordFixtureOptions{summarizer: func(db *store.DB) Summarizer { return hugeStub{db} }})
	// Decoding and paging a 30,000-point summary under -race on two busy
	// cores can take longer than the stand-in's default wait.
	f.srv.Timeout = time.Minute
	// withButton waits until posts ends with a message carrying a button.
	withButton := func(what string, posts func() []discordtest.Post) []discordtest.Post {
		t.Helper()
		var got []discordtest.Post
		f.srv.Wait(t, what, func() bool {
			got = posts()
			return len(got) > 0 && len(got[len(got)-1].Data.Buttons()) > 0
		})
		return got
	}
	ofInteraction := func(id string) func() []discordtest.Post {
		return func() []discordtest.Post {
			var out []discordtest.Post
			for _, p := range f.srv.Posts() {
				if p.InteractionID == id {
					out = append(out, p)
				}
			}
			return out
		}
	}

	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, "https://news.example/everything")
	posts := withButton("the reply", func() []discordtest.Post { return f.srv.Posts(discordtest.KindChannelMessage) })
	if len(posts) > MaxReplyMessages {
		t.Fatalf("the pasted link posted %d messages; want at most %d", len(posts), MaxReplyMessages)
	}
	last := posts[len(posts)-1]
	btns := last.Data.Buttons()
	if len(btns) != 1 || btns[0].Label != "More (29992 points left)" {
		t.Fatalf("last message buttons = %+v; want More (29992 points left)", btns)
	}

	in := f.srv.Click(t, discordtest.Invoker{}, last, btns[0].CustomID)
	page := withButton("the next page", ofInteraction(in.ID))
	if n := len(shownMessages(page)); n > MaxReplyMessages || page[0].Kind != discordtest.KindInteractionResponse || !page[0].Ephemeral {
		t.Fatalf("the More press got %d messages, first %s ephemeral=%t; want at most %d, answered privately", n, page[0].Kind, page[0].Ephemeral, MaxReplyMessages)
	}
	var text strings.Builder // answered at once, or deferred then edited when slow
	for _, p := range page {
		text.WriteString(p.Data.Text())
	}
	if got := pointLines(page[len(page)-1].Data); !strings.Contains(text.String(), "Points 9–") || len(got) == 0 {
		t.Errorf("the next page does not start at point 9:\n%.400s", text.String())
	}

	cmd := f.srv.Command(t, discordtest.Invoker{}, CommandSummarize, discordtest.StringOption("url", "https://news.example/everything"), discordtest.BoolOption("detail", true))
	answer := withButton("the detail answer", ofInteraction(cmd.ID))
	if n := len(shownMessages(answer)); n > MaxReplyMessages {
		t.Errorf("/summarize detail:true posted %d messages; want at most %d", n, MaxReplyMessages)
	}
	f.barrier()
	f.stop()
	if n := len(f.srv.Posts(discordtest.KindChannelMessage)); n != len(posts) {
		t.Errorf("%d channel messages after the press and the command; want still %d", n, len(posts))
	}
	if n := len(ofInteraction(in.ID)()); n != len(page) {
		t.Errorf("the More press posted %d messages in the end; want %d", n, len(page))
	}
	f.checkClean()
}

func TestDiscordIgnoresBotsAndItself(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{})
	link := f.url("/news/energy")
	f.srv.Say(t, discordtest.ChannelID, discordtest.OtherBot, link)
	f.srv.Say(t, discordtest.ChannelID, discordtest.Bot, link)
	human := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, "no link here")
	last := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, link)
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	f.stop()

	posts := f.srv.Posts(discordtest.KindChannelMessage)
	if len(posts) != 1 || posts[0].Data.MessageReference == nil || posts[0].Data.MessageReference.MessageID != last.ID {
		t.Fatalf("replies = %d; want exactly one, to the human's link %s (not %s)", len(posts), last.ID, human.ID)
	}
	f.checkClean()
}

func TestDiscordReactMode(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{})

	// Changing settings needs Manage Server.
	denied := f.srv.Command(t, discordtest.Invoker{}, CommandSettings, discordtest.StringOption("autosummarize", AutoReact))
	if p := f.srv.WaitInteraction(t, denied.ID, 1)[0]; p.ResponseType != discordgo.InteractionResponseChannelMessageWithSource || !p.Ephemeral {
		t.Errorf("/settings by a member: type %d ephemeral %v; want an immediate private refusal", p.ResponseType, p.Ephemeral)
	}
	in := f.srv.Command(t, discordtest.Invoker{Permissions: discordgo.PermissionManageGuild}, CommandSettings, discordtest.StringOption("autosummarize", AutoReact))
	if p := f.srv.WaitInteraction(t, in.ID, 1)[0]; p.ResponseType != discordgo.InteractionResponseChannelMessageWithSource || !p.Ephemeral {
		t.Errorf("/settings by a manager: type %d ephemeral %v; want an immediate private answer", p.ResponseType, p.Ephemeral)
	}
	set, err := f.db.GuildSettings(context.Background(), discordtest.GuildID)
	if err != nil || set.AutoSummarize != AutoReact {
		t.Fatalf("GuildSettings() = %+v, %v; want autosummarize react", set, err)
	}

	msg := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.React(t, discordtest.ChannelID, msg.ID, discordtest.Alice, "👍")
	f.srv.React(t, discordtest.ChannelID, msg.ID, discordtest.OtherBot, ReactEmoji)
	f.srv.React(t, discordtest.ChannelID, msg.ID, discordtest.Owner, ReactEmoji)
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	f.srv.React(t, discordtest.ChannelID, msg.ID, discordtest.Alice, ReactEmoji) // a second 📰 posts nothing more
	f.barrier()
	f.stop()

	posts := f.srv.Posts(discordtest.KindChannelMessage)
	if len(posts) != 1 || posts[0].Data.MessageReference == nil || posts[0].Data.MessageReference.MessageID != msg.ID {
		t.Fatalf("replies = %d; want one reply to the reacted message", len(posts))
	}
	if got := f.srv.Requests(discordtest.RouteGetMessage); len(got) < 2 {
		t.Errorf("message fetches = %d; want one per 📰 from a person", len(got))
	}
	f.checkClean()
}

func TestDiscordThreadMode(t *testing.T) {
	t.Parallel()
	const otherGuild, noThreads = "1200000000000000600", "1200000000000000601"
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{beforeRun: func(s *discordtest.Server) {
		s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "No threads", Channels: []discordtest.Channel{{ID: noThreads, Name: "plain", DenyBot: discordgo.PermissionCreatePublicThreads}}})
	}})
	for _, g := range []string{discordtest.GuildID, otherGuild} {
		if err := f.db.SaveGuildSettings(context.Background(), guild.Settings{GuildID: g, ReplyMode: ReplyModeThread}); err != nil {
			t.Fatal(err)
		}
	}
	msg := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	// Where the bot may not start threads it replies instead.
	plain := f.srv.Say(t, noThreads, discordtest.Alice, f.url("/news/energy"))
	f.srv.WaitPosts(t, 2, discordtest.KindChannelMessage)
	f.stop()

	threads := f.srv.Threads(discordtest.ChannelID)
	if len(threads) != 1 || threads[0].ID != msg.ID || !strings.Contains(threads[0].Name, "Ceasefire talks") {
		t.Fatalf("threads = %+v; want one on message %s named after the article", threads, msg.ID)
	}
	var inThread, replies int
	for _, p := range f.srv.Posts(discordtest.KindChannelMessage) {
		switch {
		case p.ChannelID == threads[0].ID && p.Data.MessageReference == nil:
			inThread++
		case p.ChannelID == noThreads && p.Data.MessageReference != nil && p.Data.MessageReference.MessageID == plain.ID:
			replies++
		default:
			t.Errorf("unexpected post in %s (reference %+v)", p.ChannelID, p.Data.MessageReference)
		}
	}
	if inThread != 1 || replies != 1 {
		t.Errorf("posts in the thread, fallback replies = %d, %d; want 1, 1", inThread, replies)
	}
	if got := f.srv.Requests(discordtest.RouteStartThread); len(got) != 2 || got[1].Status != http.StatusForbidden {
		t.Errorf("thread starts = %d; want 2, the second refused", len(got))
	}
}

func TestDiscordRunFailsOnBadToken(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := New(Config{Summarizer: discordRefusingSummarizer{}, Shares: db, Settings: db})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDiscord(DiscordOptions{Token: "not-the-token", APIBaseURL: srv.URL()}, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Run(ctx); err == nil || ctx.Err() != nil {
		t.Errorf("Run() with a wrong token = %v (ctx %v); want an error at once", err, ctx.Err())
	}
}

func TestDiscordSummarizeLinksMessageCommand(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{})
	if err := f.db.SaveGuildSettings(context.Background(), guild.Settings{GuildID: discordtest.GuildID, AutoSummarize: AutoOff}); err != nil {
		t.Fatal(err)
	}
	target := f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, "see "+f.url("/news/energy"))
	in := f.srv.MessageCommand(t, discordtest.Invoker{User: discordtest.Owner}, CommandSummarizeLinks, target)
	posts := f.srv.WaitInteraction(t, in.ID, 2)
	f.stop()
	if posts[0].ResponseType != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("first answer type = %d; want deferred (5)", posts[0].ResponseType)
	}
	if p := posts[1]; p.Kind != discordtest.KindOriginalEdit || len(p.Data.Embeds) == 0 || p.Data.Embeds[0].URL != f.url("/news/energy") {
		t.Errorf("second answer = %s with %d embeds; want the summary", p.Kind, len(p.Data.Embeds))
	}
	if got := f.srv.Posts(discordtest.KindChannelMessage); len(got) != 0 {
		t.Errorf("channel messages = %d; want none with autosummarize off", len(got))
	}
	f.checkClean()
}

func TestDiscordBriefingCommands(t *testing.T) {
	t.Parallel()
	f := newDiscordFixture(t, map[string]string{"/news/energy": discordEnergyArticle}, discordFixtureOptions{briefings: true})
	manager := discordtest.Invoker{Permissions: discordgo.PermissionManageGuild}
	quick := func(inv discordtest.Invoker, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Post {
		t.Helper()
		in := f.srv.Command(t, inv, CommandBriefing, opts...)
		p := f.srv.WaitInteraction(t, in.ID, 1)[0]
		if p.ResponseType != discordgo.InteractionResponseChannelMessageWithSource || !p.Ephemeral {
			t.Errorf("/briefing %s: answer type %d ephemeral %v; want an immediate private answer", opts[0].Name, p.ResponseType, p.Ephemeral)
		}
		return p
	}

	if p := quick(discordtest.Invoker{}, discordtest.Subcommand(BriefingStatus)); !strings.Contains(p.Data.Content, "No daily briefing") {
		t.Errorf("/briefing status = %q; want no schedule yet", p.Data.Content)
	}
	schedule := discordtest.Subcommand(BriefingSchedule,
		discordtest.StringOption("cron", "0 8 * * *"), discordtest.StringOption("timezone", "Europe/Berlin"),
		discordtest.ChannelOption("channel", discordtest.ChannelID))
	quick(discordtest.Invoker{}, schedule)
	if _, err := f.db.Schedule(context.Background(), discordtest.GuildID); err == nil {
		t.Errorf("a member without Manage Server scheduled the briefing")
	}
	quick(manager, schedule)
	sc, err := f.db.Schedule(context.Background(), discordtest.GuildID)
	if err != nil || sc.ChannelID != discordtest.ChannelID || sc.Cron != "0 8 * * *" || sc.TimeZone != "Europe/Berlin" {
		t.Errorf("Schedule() = %+v, %v; want 0 8 * * * Europe/Berlin in %s", sc, err, discordtest.ChannelID)
	}

	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/energy"))
	f.srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	in := f.srv.Command(t, discordtest.Invoker{}, CommandBriefing, discordtest.Subcommand(BriefingNow))
	posts := f.srv.WaitInteraction(t, in.ID, 2)
	if p := posts[0]; p.ResponseType != discordgo.InteractionResponseDeferredChannelMessageWithSource || !p.Ephemeral {
		t.Errorf("/briefing now: first answer type %d ephemeral %v; want a private deferral", p.ResponseType, p.Ephemeral)
	}
	if p := posts[1]; p.Kind != discordtest.KindOriginalEdit || !strings.Contains(p.Data.Content, "Posted the briefing") {
		t.Errorf("/briefing now: second answer %s %q; want the deferral edited to a notice", p.Kind, p.Data.Content)
	}
	f.stop()
	msgs := f.srv.Posts(discordtest.KindChannelMessage)
	if len(msgs) < 2 {
		t.Fatalf("channel messages = %d; want the link reply and the briefing", len(msgs))
	}
	briefing := msgs[len(msgs)-1]
	if briefing.Data.Flags&discordgo.MessageFlagsSuppressEmbeds == 0 || !strings.Contains(briefing.Data.Content, "Energy") {
		t.Errorf("briefing = flags %d %q; want the day's topics without link previews", briefing.Data.Flags, briefing.Data.Content)
	}
	f.checkClean()
}

func TestDiscordPoster(t *testing.T) {
	t.Parallel()
	const otherGuild, muted = "1200000000000000500", "1200000000000000501"
	f := newDiscordFixture(t, nil, discordFixtureOptions{beforeRun: func(s *discordtest.Server) {
		s.AddGuild(discordtest.Guild{ID: otherGuild, Name: "Muted", Channels: []discordtest.Channel{{ID: muted, Name: "muted", DenyBot: discordgo.PermissionSendMessages}}})
	}})
	ctx := context.Background()
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, "good morning")
	ids, err := f.d.PostMessages(ctx, discordtest.ChannelID, []schedule.Outgoing{{Content: "**Agreed** @everyone", Nonce: "n1"}, {Content: "**Unresolved**"}})
	if err != nil || len(ids) != 2 {
		t.Fatalf("PostMessages() = %v, %v; want 2 IDs", ids, err)
	}
	for _, p := range f.srv.Posts(discordtest.KindChannelMessage) {
		if p.Data.Flags&discordgo.MessageFlagsSuppressEmbeds == 0 {
			t.Errorf("briefing message flags = %d; want link previews suppressed", p.Data.Flags)
		}
	}
	// The same nonce again (a retried part) gets the first message back.
	again, err := f.d.PostMessages(ctx, discordtest.ChannelID, []schedule.Outgoing{{Content: "**Agreed** @everyone", Nonce: "n1"}})
	if err != nil || len(again) != 1 || again[0] != ids[0] {
		t.Errorf("PostMessages(same nonce) = %v, %v; want the first message %s", again, err, ids[0])
	}
	if n := len(f.srv.Posts(discordtest.KindChannelMessage)); n != 2 {
		t.Errorf("%d messages posted; want 2 (the retried nonce posts none)", n)
	}
	for _, r := range f.srv.Requests(discordtest.RouteCreateMessage) {
		var body map[string]any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if _, has := body["nonce"]; has != (body["enforce_nonce"] == true) {
			t.Errorf("message body %s: nonce and enforce_nonce must come together", r.Body)
		}
	}
	msgs, err := f.d.MessagesAfter(ctx, discordtest.ChannelID, time.Now().Add(-time.Hour), "", 10)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("MessagesAfter() = %+v, %v; want 3", msgs, err)
	}
	want := []struct {
		id       string
		fromSelf bool
	}{{"", false}, {ids[0], true}, {ids[1], true}}
	for i, w := range want {
		if (w.id != "" && msgs[i].ID != w.id) || msgs[i].FromSelf != w.fromSelf {
			t.Errorf("MessagesAfter()[%d] = %+v; want id %q fromSelf %v (oldest first)", i, msgs[i], w.id, w.fromSelf)
		}
	}
	if got, err := f.d.MessagesAfter(ctx, discordtest.ChannelID, time.Time{}, ids[0], 10); err != nil || len(got) != 1 || got[0].ID != ids[1] {
		t.Errorf("MessagesAfter(after %s) = %+v, %v; want only %s", ids[0], got, err, ids[1])
	}
	if got, err := f.d.MessagesAfter(ctx, discordtest.ChannelID, time.Now().Add(time.Hour), "", 10); err != nil || len(got) != 0 {
		t.Errorf("MessagesAfter(an hour from now) = %+v, %v; want none", got, err)
	}

	tests := []struct {
		name    string
		channel string
		wantErr bool
	}{
		{"default channel", discordtest.ChannelID, false},
		{"no send permission", muted, true},
		{"unknown channel", "1200000000000000999", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.d.CanPost(ctx, tt.channel)
			if (err != nil) != tt.wantErr {
				t.Errorf("CanPost(%q) = %v; want error %v", tt.channel, err, tt.wantErr)
			}
		})
	}
	if _, err := f.d.PostMessages(ctx, muted, []schedule.Outgoing{{Content: "x"}}); err == nil {
		t.Errorf("PostMessages(muted) succeeded; want the 403")
	}
}

func TestDiscordShutdownFinishesWorkInFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	requested := make(chan struct{}, 1)
	f := newDiscordFixture(t, nil, discordFixtureOptions{shutdown: 10 * time.Second, page: func(w http.ResponseWriter, r *http.Request) {
		requested <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(discordEnergyArticle))
	}})
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/slow"))
	select {
	case <-requested:
	case <-time.After(15 * time.Second):
		t.Fatal("the article was never fetched")
	}
	f.cancel() // SIGTERM while the summary is being made
	late := f.srv.Requests("")
	close(release)
	f.stop()
	if got := f.srv.Posts(discordtest.KindChannelMessage); len(got) != 1 {
		t.Errorf("replies after shutdown = %d; want the work in flight finished (1)", len(got))
	}
	if len(late) == 0 {
		t.Errorf("no REST calls before shutdown; the test did not exercise the gateway")
	}
}

func TestDiscordShutdownCancelsAfterBound(t *testing.T) {
	t.Parallel()
	requested := make(chan struct{}, 1)
	testDone := make(chan struct{})
	f := newDiscordFixture(t, nil, discordFixtureOptions{shutdown: 100 * time.Millisecond, page: func(w http.ResponseWriter, r *http.Request) {
		requested <- struct{}{}
		select { // a page that never finishes
		case <-r.Context().Done():
		case <-testDone:
		}
	}})
	t.Cleanup(func() { close(testDone) }) // runs before the article server closes
	f.srv.Say(t, discordtest.ChannelID, discordtest.Alice, f.url("/news/stuck"))
	<-requested
	start := time.Now()
	f.stop()
	if took := time.Since(start); took > 100*time.Millisecond+cancelGrace+3*time.Second {
		t.Errorf("Run took %v to return; want about the shutdown bound plus closing", took)
	}
	if got := f.srv.Posts(); len(got) != 0 {
		t.Errorf("posts after cancelled work = %d; want none", len(got))
	}
}

func TestDiscordRecoversHandlerPanics(t *testing.T) {
	t.Parallel()
	logs := &discordLogs{}
	d := &Discord{log: slog.New(slog.NewTextHandler(logs, nil)), accepting: true, work: context.Background()}
	d.spawn("test", func(context.Context) { panic("boom") })
	d.inflight.Wait()
	if !strings.Contains(logs.String(), "discord_handler_panic") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("log = %q; want the panic logged", logs.String())
	}
}

// discordRefusingSummarizer refuses every link; for tests that never summarize.
type discordRefusingSummarizer struct{}

func (discordRefusingSummarizer) Summarize(context.Context, summarize.Request) (*summarize.Summary, error) {
	return nil, summarize.ErrBadURL
}

func TestNewDiscordOptions(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := New(Config{Summarizer: discordRefusingSummarizer{}, Shares: db, Settings: db})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    DiscordOptions
		h       *Handler
		wantErr bool
	}{
		{"token", DiscordOptions{Token: "abc"}, h, false},
		{"token with prefix", DiscordOptions{Token: "Bot abc"}, h, false},
		{"base URL", DiscordOptions{Token: "abc", APIBaseURL: "http://127.0.0.1:9"}, h, false},
		{"no token", DiscordOptions{Token: " "}, h, true},
		{"no handler", DiscordOptions{Token: "abc"}, nil, true},
		{"bad base URL", DiscordOptions{Token: "abc", APIBaseURL: "discord.internal"}, h, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDiscord(tt.opts, tt.h)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewDiscord(%s) error = %v; want error %v", tt.name, err, tt.wantErr)
			}
			if err == nil && (d.s.Token != "Bot abc" || d.s.Identify.Intents != DiscordIntents) {
				t.Errorf("NewDiscord(%s): token %q intents %d; want %q and %d", tt.name, d.s.Token, d.s.Identify.Intents, "Bot abc", DiscordIntents)
			}
		})
	}
}

func TestRewriteTransport(t *testing.T) {
	var got []string
	next := discordRoundTrip(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.String())
		return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
	})
	tests := []struct {
		name, base, in, want string
	}{
		{"host", "http://127.0.0.1:8080", "https://discord.com/api/v9/gateway", "http://127.0.0.1:8080/api/v9/gateway"},
		{"path prefix", "https://proxy.internal/discord/", "https://discord.com/api/v9/users/@me", "https://proxy.internal/discord/api/v9/users/@me"},
		{"escaped emoji", "http://127.0.0.1:8080/p", "https://discord.com/api/v9/channels/1/messages/2/reactions/%F0%9F%93%B0/@me", "http://127.0.0.1:8080/p/api/v9/channels/1/messages/2/reactions/%F0%9F%93%B0/@me"},
		{"other host untouched", "http://127.0.0.1:8080", "https://cdn.discordapp.com/avatars/1/a.png", "https://cdn.discordapp.com/avatars/1/a.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			rt, err := newRewriteTransport(tt.base, next)
			if err != nil {
				t.Fatalf("newRewriteTransport(%q) error = %v", tt.base, err)
			}
			req, _ := http.NewRequest("GET", tt.in, nil)
			if _, err := rt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("RoundTrip(%q) went to %q; want %q", tt.in, got, tt.want)
			}
			if req.URL.String() != tt.in {
				t.Errorf("RoundTrip changed the caller's request to %q", req.URL)
			}
		})
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://x", "http://", "http://x/?a=b", "http://user:pw@x"} {
		if _, err := newRewriteTransport(bad, next); err == nil {
			t.Errorf("newRewriteTransport(%q) = nil error; want refusal", bad)
		}
	}
}

type discordRoundTrip func(*http.Request) (*http.Response, error)

func (f discordRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
