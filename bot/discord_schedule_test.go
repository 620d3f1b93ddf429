package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/time/rate"

	"briefbot/bot/discordtest"
	"briefbot/schedule"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
)

// Tests of scheduled briefings through the Discord stand-in: the schedule
// fires by an injected clock, and every slot is posted exactly once across
// restarts of the whole bot (transport, scheduler, store) on one database
// file, including after a crash between claiming a slot and recording it.

// schedClock is the injected clock: it moves only when the test sets it.
type schedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *schedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *schedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// briefingRig is what outlives a restart: Discord (the stand-in and the
// messages in its channels), the article server, the database file and the
// clock.
type briefingRig struct {
	t        *testing.T
	srv      *discordtest.Server
	articles *httptest.Server
	dbPath   string
	clock    *schedClock
	logs     *discordLogs
	// wrapPoster, when set, wraps the next processes' Discord poster (a
	// process that dies mid-post).
	wrapPoster func(schedule.Poster) schedule.Poster
}

// Paths of the story's later days on the rig's article server.
const (
	rigDay2 = "/2025/03/24/energy-pause-frays"
	rigDay3 = "/2025/03/26/black-sea-ceasefire"
)

func newBriefingRig(t *testing.T, start time.Time) *briefingRig {
	t.Helper()
	r := &briefingRig{t: t, srv: discordtest.NewServer(t), clock: &schedClock{now: start}, logs: &discordLogs{},
		dbPath: filepath.Join(t.TempDir(), "briefbot.db")}
	// Snowflakes follow the test's clock, as Discord's follow real time,
	// so the scheduler can list the messages since a claim.
	r.srv.Now = r.clock.Now
	mux := http.NewServeMux()
	for path, file := range map[string]string{
		rigDay2: "testdata/e2e/day2-energy-pause-accusations.html",
		rigDay3: "testdata/e2e/day3-black-sea-ceasefire.html",
	} {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
	}
	r.articles = httptest.NewServer(mux)
	t.Cleanup(r.articles.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", r.logs)
		}
	})
	return r
}

// briefingProcess is one run of the bot on the rig: its own store handle,
// pipeline, handler, Discord transport and schedule service.
type briefingProcess struct {
	r      *briefingRig
	db     *store.DB
	h      *Handler
	d      *Discord
	sched  *schedule.Service
	cancel context.CancelFunc
	errc   chan error
}

// start starts a process as main does, except that the scheduler starts
// once the transport knows who it is (see the report on main.go: started
// before the gateway is up, recovery cannot tell the bot's own messages).
func (r *briefingRig) start() *briefingProcess {
	t := r.t
	t.Helper()
	ctx := context.Background()
	p := &briefingProcess{r: r, errc: make(chan error, 1)}
	var err error
	if p.db, err = store.Open(ctx, r.dbPath); err != nil {
		t.Fatalf("store.Open() error = %v", err)
	}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     p.db,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second}),
		Extractor: extract.New(),
		Engine:    extractive.New(),
		Logger:    log,
	})
	if err != nil {
		t.Fatalf("summarize.NewService() error = %v", err)
	}
	poster := &lateBoundPoster{}
	p.sched, err = schedule.New(schedule.Options{Schedules: p.db, Claims: p.db, History: p.db, Shares: p.db, Settings: p.db, Poster: poster, Render: RenderBriefing, Now: r.clock.Now, Logger: log})
	if err != nil {
		t.Fatalf("schedule.New() error = %v", err)
	}
	// The clock is frozen, so the per-user limit would never refill.
	p.h, err = New(Config{Summarizer: svc, Shares: p.db, Settings: p.db, Briefer: p.sched, Logger: log, Now: r.clock.Now, UserRate: rate.Inf, UserBurst: 1})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	p.d, err = NewDiscord(DiscordOptions{Token: discordtest.Token, APIBaseURL: r.srv.URL(), Logger: log}, p.h)
	if err != nil {
		t.Fatalf("NewDiscord() error = %v", err)
	}
	poster.Poster = p.d
	if r.wrapPoster != nil {
		poster.Poster = r.wrapPoster(p.d)
	}
	runCtx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	// As in main, the scheduler starts (and recovers missed slots) before
	// the gateway is up: the poster must recognise its own messages
	// without Ready.
	if err := p.sched.Start(ctx); err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	go func() { p.errc <- p.d.Run(runCtx) }()
	r.srv.Wait(t, "the gateway's guild state", func() bool {
		_, err := p.d.s.State.Guild(discordtest.GuildID)
		return err == nil
	})
	t.Cleanup(p.stop)
	return p
}

// stop shuts the process down in main's order: transport, scheduler,
// handler, store. Stopping twice does nothing.
func (p *briefingProcess) stop() {
	t := p.r.t
	t.Helper()
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	select {
	case err := <-p.errc:
		if err != nil {
			t.Errorf("Run() = %v; want nil after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Run() did not return 30 s after its context was cancelled")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.sched.Stop(ctx); err != nil {
		t.Errorf("schedule Stop() = %v", err)
	}
	if err := p.h.Shutdown(ctx); err != nil {
		t.Errorf("handler Shutdown() = %v", err)
	}
	if err := p.db.Close(); err != nil {
		t.Errorf("store Close() = %v", err)
	}
}

// share pastes an article link as Alice and waits for the bot's reply.
func (p *briefingProcess) share(path string) {
	t := p.r.t
	t.Helper()
	m := p.r.srv.Say(t, discordtest.ChannelID, discordtest.Alice, "news: "+p.r.articles.URL+path)
	p.r.srv.Wait(t, "the reply to "+path, func() bool {
		for _, post := range p.r.srv.Posts(discordtest.KindChannelMessage) {
			if post.Data.MessageReference != nil && post.Data.MessageReference.MessageID == m.ID {
				return true
			}
		}
		return false
	})
}

// slotMarker is the marker a slot's messages carry in their footer (see
// schedule/marker.go).
func slotMarker(slot time.Time) string {
	return schedule.Marker(discordtest.GuildID, slot)
}

// briefingPosts returns the channel messages accepted by the stand-in that
// carry slot's marker, in order.
func briefingPosts(srv *discordtest.Server, slot time.Time) []discordtest.Post {
	var out []discordtest.Post
	for _, p := range srv.Posts(discordtest.KindChannelMessage) {
		if strings.Contains(p.Data.Content, slotMarker(slot)) {
			out = append(out, p)
		}
	}
	return out
}

// checkOneSet fails unless slot's messages are one briefing: parts 1/n …
// n/n (or a single message) each posted once, pinging nobody, and
// recorded in the store as posted with exactly those message IDs.
func checkOneSet(t *testing.T, r *briefingRig, db *store.DB, slot time.Time) []discordtest.Post {
	t.Helper()
	posts := briefingPosts(r.srv, slot)
	if len(posts) == 0 {
		t.Fatalf("no briefing message carries %q", slotMarker(slot))
	}
	var ids []string
	for i, p := range posts {
		part := ""
		if len(posts) > 1 {
			part = fmt.Sprintf(" · %d/%d", i+1, len(posts))
		}
		if !strings.Contains(p.Data.Content, part+slotMarker(slot)) {
			t.Errorf("briefing message %d of %d lacks its part %q:\n%s", i+1, len(posts), part, p.Data.Content)
		}
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("briefing message %d: %v", i+1, err)
		}
		if p.Data.Flags&discordgo.MessageFlagsSuppressEmbeds == 0 {
			t.Errorf("briefing message %d flags = %d; want link previews suppressed", i+1, p.Data.Flags)
		}
		ids = append(ids, p.MessageID)
	}
	list, err := db.Briefings(context.Background(), discordtest.GuildID, 10)
	if err != nil {
		t.Fatalf("Briefings() error = %v", err)
	}
	for _, b := range list {
		if b.Slot.Equal(slot) {
			if b.State != schedule.BriefingPosted || strings.Join(b.MessageIDs, ",") != strings.Join(ids, ",") {
				t.Errorf("stored slot %v: state %q ids %q; want posted with %q", slot, b.State, b.MessageIDs, ids)
			}
			return posts
		}
	}
	t.Errorf("slot %v is not in the store: %+v", slot, list)
	return posts
}

// briefingText joins the content of posts.
func briefingText(posts []discordtest.Post) string {
	var b strings.Builder
	for _, p := range posts {
		b.WriteString(p.Data.Content)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDiscordScheduledBriefingOncePerSlotAcrossRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	// 09:00 in Berlin is 08:00 UTC in March before the clocks change.
	slot1 := time.Date(2025, 3, 25, 9, 0, 0, 0, berlin)
	slot2 := slot1.AddDate(0, 0, 1)
	r := newBriefingRig(t, slot1.Add(-30*time.Minute))

	p := r.start()
	next, err := p.sched.SetSchedule(ctx, discordtest.GuildID, discordtest.ChannelID, "0 9 * * *", "Europe/Berlin")
	if err != nil || !next.Equal(slot1) {
		t.Fatalf("SetSchedule() = %v, %v; want next %v", next, err, slot1)
	}
	p.share(rigDay2)

	// Before the slot nothing fires.
	p.sched.RunDue(ctx)
	if got := briefingPosts(r.srv, slot1); len(got) != 0 {
		t.Fatalf("briefing posted %v before its slot", r.clock.Now())
	}

	r.clock.Set(slot1)
	p.sched.RunDue(ctx)
	first := checkOneSet(t, r, p.db, slot1)
	text := briefingText(first)
	for _, want := range []string{"Daily briefing · Tue 25 Mar 2025, 09:00 (Europe/Berlin)", "⚠️ Disputed", "-# [1] Energy pause frays"} {
		if !strings.Contains(text, want) {
			t.Errorf("first briefing lacks %q:\n%s", want, text)
		}
	}
	p.sched.RunDue(ctx) // fired again at the same time
	if got := briefingPosts(r.srv, slot1); len(got) != len(first) {
		t.Errorf("after a second RunDue the slot has %d messages; want %d", len(got), len(first))
	}

	t.Run("restart at the same clock posts nothing", func(t *testing.T) {
		p.stop()
		p = r.start() // Start runs the missed-slot recovery at the same clock
		p.sched.RunDue(ctx)
		if got := briefingPosts(r.srv, slot1); len(got) != len(first) {
			t.Errorf("after a restart the slot has %d messages; want %d", len(got), len(first))
		}
		checkOneSet(t, r, p.db, slot1)
	})

	t.Run("crash between claim and post is posted once", func(t *testing.T) {
		r.clock.Set(slot1.Add(4 * time.Hour))
		p.share(rigDay3)
		p.stop()
		// The process that crashed had claimed the next slot and died
		// before posting anything; its lease has run out.
		db, err := store.Open(ctx, r.dbPath)
		if err != nil {
			t.Fatal(err)
		}
		if claimed, _, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: discordtest.GuildID, ChannelID: discordtest.ChannelID, Slot: slot2, ClaimedAt: slot2,
			Owner: "crashed", LeaseUntil: slot2}); err != nil || !claimed {
			t.Fatalf("ClaimBriefing() = %v, %v; want the slot claimed", claimed, err)
		}
		db.Close()

		looked := len(r.srv.Requests(discordtest.RouteChannelMessages))
		r.clock.Set(slot2.Add(30 * time.Second))
		p = r.start()
		p.sched.RunDue(ctx)
		if got := len(r.srv.Requests(discordtest.RouteChannelMessages)); got == looked {
			t.Errorf("recovery never listed the channel's recent messages")
		}
		posts := checkOneSet(t, r, p.db, slot2)
		text := briefingText(posts)
		for _, want := range []string{"Daily briefing · Wed 26 Mar 2025, 09:00", "1 new article since the last briefing", "🆕 New:", "Black Sea ceasefire agreed as energy strikes resume"} {
			if !strings.Contains(text, want) {
				t.Errorf("recovered briefing lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "late") {
			t.Errorf("a slot recovered 30 s after its time is marked late:\n%s", text)
		}

		p.stop()
		p = r.start()
		p.sched.RunDue(ctx)
		if got := briefingPosts(r.srv, slot2); len(got) != len(posts) {
			t.Errorf("after another restart the recovered slot has %d messages; want %d", len(got), len(posts))
		}
	})

	t.Run("crash after posting is recorded, not posted again", func(t *testing.T) {
		slot3 := slot2.AddDate(0, 0, 1)
		// The process that crashed had claimed the slot, posted its one
		// message, and died before recording it, all at the slot's time;
		// its lease has run out.
		r.clock.Set(slot3)
		if claimed, _, err := p.db.ClaimBriefing(ctx, schedule.Briefing{GuildID: discordtest.GuildID, ChannelID: discordtest.ChannelID, Slot: slot3, ClaimedAt: slot3,
			Owner: "crashed", LeaseUntil: slot3}); err != nil || !claimed {
			t.Fatalf("ClaimBriefing() = %v, %v; want the slot claimed", claimed, err)
		}
		crashed := "**Daily briefing · Thu 27 Mar 2025, 09:00 (Europe/Berlin)**\nNo links were shared since the last briefing.\n" +
			"-# briefing 2025-03-27 09:00 Europe/Berlin " + slotMarker(slot3)
		ids, err := p.d.PostMessages(ctx, discordtest.ChannelID, []schedule.Outgoing{{Content: crashed}})
		if err != nil {
			t.Fatal(err)
		}
		p.stop()

		r.clock.Set(slot3.Add(time.Minute / 2))
		p = r.start()
		p.sched.RunDue(ctx)
		posts := checkOneSet(t, r, p.db, slot3)
		if len(posts) != 1 || posts[0].MessageID != ids[0] {
			t.Errorf("slot messages = %d (first %s); want only the crashed process's %s", len(posts), posts[0].MessageID, ids[0])
		}
	})
	checkCleanPosts(t, r.srv)
}

// checkCleanPosts fails for any post that could ping someone and any
// request the stand-in refused.
func checkCleanPosts(t *testing.T, srv *discordtest.Server) {
	t.Helper()
	for _, p := range srv.Posts() {
		if err := p.CheckNoPings(); err != nil {
			t.Errorf("%s %s: %v", p.Kind, p.MessageID, err)
		}
	}
	for _, q := range srv.Rejected() {
		t.Errorf("stand-in refused %s %s: %d %s", q.Method, q.Path, q.Status, q.Error)
	}
}
