package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/store"
)

// recordingPoster is a channel stand-in: it keeps what was posted per
// channel and can refuse channels or fail like a crashing process.
type recordingPoster struct {
	mu       sync.Mutex
	next     int
	channels map[string][]schedule.PostedMessage // oldest first
	refuse   map[string]bool
	// failAfter, when ≥ 0, makes PostMessages post that many messages and
	// then fail (as if the process died mid-post).
	failAfter int
	calls     int
	// nonces are the nonces of the messages posted, in order.
	nonces []string
	// pages counts MessagesAfter calls.
	pages int
	// hold, when set, is called (without the lock) before each message
	// is posted: a slow channel.
	hold func(ctx context.Context) error
}

func newPoster() *recordingPoster {
	return &recordingPoster{channels: map[string][]schedule.PostedMessage{}, refuse: map[string]bool{}, failAfter: -1}
}

var errPostFailed = errors.New("post failed")

func (p *recordingPoster) PostMessages(ctx context.Context, channelID string, msgs []schedule.Outgoing) ([]string, error) {
	p.mu.Lock()
	p.calls++
	hold, refused := p.hold, p.refuse[channelID]
	p.mu.Unlock()
	if refused {
		return nil, errors.New("missing access")
	}
	var ids []string
	for i, m := range msgs {
		if hold != nil {
			if err := hold(ctx); err != nil {
				return ids, err
			}
		}
		if err := ctx.Err(); err != nil {
			return ids, err
		}
		p.mu.Lock()
		if p.failAfter >= 0 && i >= p.failAfter {
			p.mu.Unlock()
			return ids, errPostFailed
		}
		p.next++
		id := fmt.Sprintf("m%d", p.next)
		p.channels[channelID] = append(p.channels[channelID], schedule.PostedMessage{ID: id, Content: m.Content, FromSelf: true})
		p.nonces = append(p.nonces, m.Nonce)
		p.mu.Unlock()
		ids = append(ids, id)
	}
	return ids, nil
}

// MessagesAfter pages through the whole channel: the stand-in does not
// know when messages were posted.
func (p *recordingPoster) MessagesAfter(ctx context.Context, channelID string, since time.Time, afterID string, limit int) ([]schedule.PostedMessage, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages++
	msgs := p.channels[channelID]
	from := 0
	if afterID != "" {
		from = len(msgs)
		for i, m := range msgs {
			if m.ID == afterID {
				from = i + 1
			}
		}
	}
	end := min(len(msgs), from+limit)
	return append([]schedule.PostedMessage(nil), msgs[from:end]...), nil
}

func (p *recordingPoster) CanPost(ctx context.Context, channelID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse[channelID] {
		return errors.New("missing access")
	}
	return nil
}

func (p *recordingPoster) messages(channelID string) []schedule.PostedMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]schedule.PostedMessage(nil), p.channels[channelID]...)
}

// say adds a message from someone else.
func (p *recordingPoster) say(channelID, content string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	p.channels[channelID] = append(p.channels[channelID], schedule.PostedMessage{ID: fmt.Sprintf("u%d", p.next), Content: content})
}

// clock is the injected time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newService(t *testing.T, st Store, p schedule.Poster, c *clock) *schedule.Service {
	t.Helper()
	s, err := schedule.New(schedule.Options{Schedules: st, Claims: st, History: st, Shares: st, Settings: st, Poster: p, Render: textRender, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// share stores an article's ledger and records its share in guildID at at.
func share(t *testing.T, db *store.DB, guildID, name string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	s := loadArticle(t, name)
	s.CreatedAt = at
	if err := db.SaveSummary(ctx, s); err != nil {
		t.Fatal(err)
	}
	err := db.RecordShare(ctx, ledger.Share{
		GuildID: guildID, ChannelID: "links", MessageID: fmt.Sprintf("%s-%d", name, at.Unix()), URL: s.URL,
		Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion, At: at,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// briefingMessages returns the bot's messages in channelID grouped by
// slot marker, in order of posting.
func briefingsIn(p *recordingPoster, channelID string) []string {
	var out []string
	for _, m := range p.messages(channelID) {
		if !m.FromSelf {
			continue
		}
		for _, l := range strings.Split(m.Content, "\n") {
			if strings.HasPrefix(l, "-# briefing ") {
				out = append(out, l)
			}
		}
	}
	return out
}

// slotsPosted returns the distinct slot markers of the bot's messages in
// channelID.
func slotsPosted(p *recordingPoster, channelID string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range briefingsIn(p, channelID) {
		// The marker is the footer's trailing zero-width characters.
		id := l[len(strings.TrimRightFunc(l, func(r rune) bool { return slices.Contains(schedule.ZeroWidth[:], r) })):]
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func records(t *testing.T, db *store.DB, guildID string) []schedule.Briefing {
	t.Helper()
	bs, err := db.Briefings(context.Background(), guildID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// TestSchedulerDSTPostsOncePerDay drives the clock minute by minute
// across the four transitions and counts the briefings posted.
func TestSchedulerDSTPostsOncePerDay(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	de := mustLoc(t, "Europe/Berlin")
	tests := []struct {
		name, spec, tz string
		from, to       time.Time
		want           []string // slots posted, UTC
	}{
		{"ny spring 02:30", "30 2 * * *", "America/New_York",
			time.Date(2026, 3, 7, 12, 0, 0, 0, ny), time.Date(2026, 3, 9, 12, 0, 0, 0, ny),
			[]string{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
		{"ny fall 01:30", "30 1 * * *", "America/New_York",
			time.Date(2026, 10, 31, 12, 0, 0, 0, ny), time.Date(2026, 11, 2, 12, 0, 0, 0, ny),
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"berlin spring 02:30", "30 2 * * *", "Europe/Berlin",
			time.Date(2026, 3, 28, 12, 0, 0, 0, de), time.Date(2026, 3, 30, 12, 0, 0, 0, de),
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
		{"berlin fall 02:30", "30 2 * * *", "Europe/Berlin",
			time.Date(2026, 10, 24, 12, 0, 0, 0, de), time.Date(2026, 10, 26, 12, 0, 0, 0, de),
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			p := newPoster()
			c := &clock{t: tt.from}
			s := newService(t, db, p, c)
			if _, err := s.SetSchedule(ctx, "g", "brief", tt.spec, tt.tz); err != nil {
				t.Fatal(err)
			}
			// What the cron runner does, minute by minute; at the fall-back
			// hour robfig would fire the repeated 01:30/02:30 again, which
			// these ticks include (they walk absolute time).
			for at := tt.from; !at.After(tt.to); at = at.Add(time.Minute) {
				c.Set(at)
				s.TickGuild(ctx, "g", at)
			}
			var got []string
			for _, b := range records(t, db, "g") {
				if b.State != schedule.BriefingPosted || b.Late {
					t.Errorf("slot %s: state %s late %v; want posted on time", b.Slot, b.State, b.Late)
				}
				got = append([]string{b.Slot.UTC().Format(time.RFC3339)}, got...)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("posted slots = %v; want %v", got, tt.want)
			}
			if n := len(briefingsIn(p, "brief")); n != len(tt.want) {
				t.Errorf("%d briefing messages posted; want %d", n, len(tt.want))
			}
		})
	}
}

// TestTwoServersInTheirOwnZones: 09:00 in Berlin and 09:00 in New York are
// different instants, and each server's briefing holds only its shares.
func TestTwoServersInTheirOwnZones(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := newPoster()
	start := time.Date(2026, 1, 14, 12, 0, 0, 0, time.UTC)
	c := &clock{t: start}
	s := newService(t, db, p, c)
	if _, err := s.SetSchedule(ctx, "de", "de-brief", "0 9 * * *", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	next, err := s.SetSchedule(ctx, "us", "us-brief", "", "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 1, 14, 14, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Errorf("SetSchedule(us) next = %s; want %s", next, want)
	}
	share(t, db, "de", "2-seed-cgtn", start.Add(time.Hour))
	share(t, db, "us", "1-wire-call", start.Add(time.Hour))

	posts := map[string]string{}
	for at := start; at.Before(start.Add(24 * time.Hour)); at = at.Add(time.Minute) {
		c.Set(at)
		s.Tick(ctx, at)
		for _, ch := range []string{"de-brief", "us-brief"} {
			if msgs := p.messages(ch); len(msgs) > 0 && posts[ch] == "" {
				posts[ch] = at.Format(time.RFC3339)
			}
		}
	}
	if want := "2026-01-14T14:00:00Z"; posts["us-brief"] != want {
		t.Errorf("us briefing posted at %q; want %q", posts["us-brief"], want)
	}
	if want := "2026-01-15T08:00:00Z"; posts["de-brief"] != want {
		t.Errorf("de briefing posted at %q; want %q", posts["de-brief"], want)
	}
	de := strings.Join(contents(p.messages("de-brief")), "\n")
	us := strings.Join(contents(p.messages("us-brief")), "\n")
	if strings.Contains(de, "Wire Daily") || !strings.Contains(de, "CGTN") {
		t.Errorf("de briefing = %q; want only the de server's article (CGTN)", de)
	}
	if strings.Contains(us, "CGTN") || !strings.Contains(us, "Wire Daily") {
		t.Errorf("us briefing = %q; want only the us server's article (Wire Daily)", us)
	}
	if !strings.Contains(de, "-# briefing Thu 15 Jan 09:00 Europe/Berlin") {
		t.Errorf("de briefing = %q; want its footer in Berlin time", de)
	}
	if !strings.Contains(us, "-# briefing Wed 14 Jan 09:00 America/New_York") {
		t.Errorf("us briefing = %q; want its footer in schedule.New York time", us)
	}
}

// TestMissedRuns: a slot missed while the bot was down is posted once,
// late, when the bot starts within the grace window; older misses and
// misses beyond it are recorded as skipped.
func TestMissedRuns(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	setAt := time.Date(2026, 2, 1, 12, 0, 0, 0, berlin)
	slot := time.Date(2026, 2, 4, 9, 0, 0, 0, berlin)
	tests := []struct {
		name    string
		startAt time.Time
		posted  []time.Time // late
		skipped []time.Time
	}{
		{"inside grace", slot.Add(2 * time.Hour), []time.Time{slot}, []time.Time{slot.AddDate(0, 0, -1), slot.AddDate(0, 0, -2)}},
		{"at the edge of grace", slot.Add(3 * time.Hour), []time.Time{slot}, []time.Time{slot.AddDate(0, 0, -1), slot.AddDate(0, 0, -2)}},
		{"outside grace", slot.Add(3*time.Hour + time.Minute), nil, []time.Time{slot, slot.AddDate(0, 0, -1), slot.AddDate(0, 0, -2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			p := newPoster()
			c := &clock{t: setAt}
			s1 := newService(t, db, p, c)
			if _, err := s1.SetSchedule(ctx, "g", "brief", "0 9 * * *", "Europe/Berlin"); err != nil {
				t.Fatal(err)
			}
			share(t, db, "g", "2-seed-cgtn", slot.Add(-2*time.Hour))
			// The bot was down from setAt until startAt.
			c.Set(tt.startAt)
			s2 := newService(t, db, p, c)
			if err := s2.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer s2.Stop(ctx)

			got := map[string][]time.Time{}
			for _, b := range records(t, db, "g") {
				got[b.State] = append(got[b.State], b.Slot)
				if b.State == schedule.BriefingPosted && !b.Late {
					t.Errorf("posted slot %s not marked late", b.Slot)
				}
			}
			if g, w := fmtTimes(got[schedule.BriefingPosted]), fmtTimes(tt.posted); g != w {
				t.Errorf("posted = %s; want %s", g, w)
			}
			if g, w := fmtTimes(got[schedule.BriefingSkipped]), fmtTimes(tt.skipped); g != w {
				t.Errorf("skipped = %s; want %s", g, w)
			}
			msgs := p.messages("brief")
			if n := len(slotsPosted(p, "brief")); n != len(tt.posted) {
				t.Fatalf("%d briefings posted; want %d", n, len(tt.posted))
			}
			if len(msgs) > 0 && !strings.Contains(msgs[0].Content, "_Posted late: it was due at 09:00._") {
				t.Errorf("late briefing = %q; want it marked late", msgs[0].Content)
			}
			// A second start changes nothing.
			s2.Stop(ctx)
			s3 := newService(t, db, p, c)
			if err := s3.Start(ctx); err != nil {
				t.Fatal(err)
			}
			s3.Stop(ctx)
			if n := len(p.messages("brief")); n != len(msgs) {
				t.Errorf("after another restart %d messages; want %d", n, len(msgs))
			}
		})
	}
}

func fmtTimes(ts []time.Time) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.UTC().Format(time.RFC3339))
	}
	return fmt.Sprint(s)
}

// failingStore fails CompleteBriefing: the process "dies" after posting,
// before recording the message IDs.
type failingStore struct {
	Store
}

func (failingStore) CompleteBriefing(context.Context, string, string, time.Time, []string, []byte, time.Time) error {
	return errors.New("crashed")
}

// TestCrashBetweenClaimAndPost: a slot claimed but not recorded as posted
// is resolved at restart by the slot's marker in the channel: a briefing
// already there is not posted again; a missing one (or its missing parts)
// is posted once.
func TestCrashBetweenClaimAndPost(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	setAt := time.Date(2026, 2, 3, 12, 0, 0, 0, berlin)
	slot := time.Date(2026, 2, 4, 9, 0, 0, 0, berlin)
	tests := []struct {
		name string
		// crash makes the first service fail: after posting (store), or
		// while posting after failAfter messages (poster).
		afterPost  bool
		failAfter  int
		articles   []string
		wantPosted int // messages in the channel after the restart
		wantCalls  int // PostMessages calls after the restart
	}{
		{name: "message present: no repost", afterPost: true, failAfter: -1, articles: []string{"1-wire-call"}, wantPosted: 1, wantCalls: 0},
		{name: "message absent: posted once", failAfter: 0, articles: []string{"1-wire-call"}, wantPosted: 1, wantCalls: 1},
		{name: "first of two parts present: second posted", failAfter: 1, articles: []string{"2-seed-cgtn", "2-kyiv-breach", "1-wire-call"}, wantPosted: 2, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			p := newPoster()
			c := &clock{t: setAt}
			for i, a := range tt.articles {
				share(t, db, "g", a, slot.Add(-time.Duration(i+1)*time.Hour))
			}
			var st Store = db
			if tt.afterPost {
				st = failingStore{db}
			}
			p.failAfter = tt.failAfter
			s1 := newService(t, st, p, c)
			if _, err := s1.SetSchedule(ctx, "g", "brief", "0 9 * * *", "Europe/Berlin"); err != nil {
				t.Fatal(err)
			}
			c.Set(slot)
			s1.Tick(ctx, slot) // claims, then "crashes"
			recs := records(t, db, "g")
			if len(recs) != 1 || recs[0].State != schedule.BriefingClaimed {
				t.Fatalf("after the crash: records %+v; want one claimed slot", recs)
			}
			p.say("brief", "-# briefing "+schedule.Marker("g", slot)) // not the bot's

			// Restart 20 minutes later, within grace.
			p.failAfter = -1
			p.mu.Lock()
			p.calls = 0
			p.mu.Unlock()
			restart := slot.Add(20 * time.Minute)
			c.Set(restart)
			s2 := newService(t, db, p, c)
			if err := s2.Start(ctx); err != nil {
				t.Fatal(err)
			}
			s2.Stop(ctx)

			bot := briefingsIn(p, "brief")
			if len(bot) != tt.wantPosted {
				t.Errorf("bot messages after restart = %d %q; want %d", len(bot), bot, tt.wantPosted)
			}
			if p.calls != tt.wantCalls {
				t.Errorf("PostMessages calls after restart = %d; want %d", p.calls, tt.wantCalls)
			}
			recs = records(t, db, "g")
			if len(recs) != 1 || recs[0].State != schedule.BriefingPosted || len(recs[0].MessageIDs) != tt.wantPosted {
				t.Fatalf("after restart: records %+v; want the slot posted with %d message IDs", recs, tt.wantPosted)
			}
			// The recorded IDs are the bot's briefing messages, in order.
			var ids []string
			for _, m := range p.messages("brief") {
				if m.FromSelf {
					ids = append(ids, m.ID)
				}
			}
			if fmt.Sprint(recs[0].MessageIDs) != fmt.Sprint(ids) {
				t.Errorf("recorded IDs = %v; want %v", recs[0].MessageIDs, ids)
			}
			if led, err := ledger.Decode(recs[0].Ledger); err != nil || led == nil {
				t.Errorf("recorded ledger = %v, %v; want the briefing's ledger", led, err)
			}
		})
	}
}

// TestRestartNeverReposts: a posted slot is never posted again, whether
// the runner fires again or the bot restarts.
func TestRestartNeverReposts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := newPoster()
	slot := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	c := &clock{t: slot.Add(-time.Hour)}
	share(t, db, "g", "1-wire-call", slot.Add(-30*time.Minute))
	s1 := newService(t, db, p, c)
	if err := s1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.SetSchedule(ctx, "g", "brief", "0 9 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	c.Set(slot)
	s1.TickGuild(ctx, "g", slot)
	s1.TickGuild(ctx, "g", slot) // a duplicate fire
	s1.Tick(ctx, slot.Add(5*time.Minute))
	if err := s1.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{slot.Add(time.Minute), slot.Add(2 * time.Hour)} {
		c.Set(at)
		s := newService(t, db, p, c)
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		// Even a runner whose cursor is reset must not repost.
		s.SetCursor("g", slot.Add(-time.Minute))
		s.Tick(ctx, at)
		s.Stop(ctx)
	}
	if n := len(p.messages("brief")); n != 1 {
		t.Errorf("%d messages posted; want 1", n)
	}
}

// TestInvalidInputChangesNothing: bad specs, zones, smuggled CRON_TZ
// prefixes and refused channels are *InputError and leave the stored
// schedule as it was.
func TestInvalidInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := newPoster()
	p.refuse["locked"] = true
	c := &clock{t: time.Date(2026, 5, 5, 12, 0, 0, 0, time.UTC)}
	s := newService(t, db, p, c)
	if _, err := s.SetSchedule(ctx, "g", "brief", "15 8 * * 1-5", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	before, err := db.Schedule(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, channel, spec, tz string }{
		{"minute out of range", "brief", "61 9 * * *", "UTC"},
		{"six fields", "brief", "0 0 9 * * *", "UTC"},
		{"four fields", "brief", "0 9 * *", "UTC"},
		{"garbage", "brief", "every day", "UTC"},
		{"descriptor", "brief", "@daily", "UTC"},
		{"shell", "brief", "0 9 * * *; rm -rf /", "UTC"},
		{"never runs", "brief", "0 9 31 2 *", "UTC"},
		{"every minute", "brief", "* * * * *", "UTC"},
		{"twice an hour", "brief", "0,30 9 * * *", "UTC"},
		{"CRON_TZ prefix", "brief", "CRON_TZ=UTC 0 9 * * *", "UTC"},
		{"CRON_TZ without space", "brief", "CRON_TZ=UTC", "UTC"},
		{"TZ prefix", "brief", "TZ=x", "UTC"},
		{"TZ inside", "brief", "0 9 * * TZ=UTC", "UTC"},
		{"unknown zone", "brief", "0 9 * * *", "Mars/Olympus_Mons"},
		{"zone path", "brief", "0 9 * * *", "../../etc/passwd"},
		{"zone Local", "brief", "0 9 * * *", "Local"},
		{"zone with space", "brief", "0 9 * * *", "UTC 0 9"},
		{"refused channel", "locked", "0 9 * * *", "UTC"},
		{"no channel", "", "0 9 * * *", "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SetSchedule(ctx, "g", tt.channel, tt.spec, tt.tz)
			var ie *schedule.InputError
			if !errors.As(err, &ie) || ie.Message == "" {
				t.Fatalf("SetSchedule(%q, %q, %q) = %v; want an *schedule.InputError", tt.channel, tt.spec, tt.tz, err)
			}
			after, err := db.Schedule(ctx, "g")
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("schedule after SetSchedule(%q, %q, %q) = %+v; want unchanged %+v", tt.channel, tt.spec, tt.tz, after, before)
			}
			st, err := s.Status(ctx, "g")
			if err != nil {
				t.Fatal(err)
			}
			if st.Cron != "15 8 * * 1-5" || st.TimeZone != "Europe/Berlin" {
				t.Errorf("Status = %+v; want the old schedule", st)
			}
		})
	}
	if _, err := s.RunNow(ctx, "g", "locked"); !errors.As(err, new(*schedule.InputError)) {
		t.Errorf("RunNow(locked) = %v; want an *schedule.InputError", err)
	}
	if n := len(p.messages("locked")); n != 0 {
		t.Errorf("%d messages in the refused channel; want 0", n)
	}
}

// TestScheduleChangesWithoutRestart: a new schedule replaces the old one
// at once; Disable stops it.
func TestScheduleChangesWithoutRestart(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := newPoster()
	day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{t: day}
	s := newService(t, db, p, c)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	if _, err := s.SetSchedule(ctx, "g", "a", "0 9 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	c.Set(day.Add(8 * time.Hour))
	next, err := s.SetSchedule(ctx, "g", "b", "30 10 * * *", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	if want := day.Add(10*time.Hour + 30*time.Minute); !next.Equal(want) {
		t.Errorf("next = %s; want %s", next, want)
	}
	st, err := s.Status(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Scheduled || st.ChannelID != "b" || st.Cron != "30 10 * * *" || !st.Next.Equal(next) {
		t.Errorf("Status = %+v; want the new schedule", st)
	}
	for at := day.Add(8 * time.Hour); at.Before(day.Add(12 * time.Hour)); at = at.Add(time.Minute) {
		c.Set(at)
		s.RunDue(ctx)
	}
	if n := len(p.messages("a")); n != 0 {
		t.Errorf("old schedule posted %d messages; want 0", n)
	}
	if n := len(p.messages("b")); n != 1 {
		t.Errorf("new schedule posted %d messages; want 1", n)
	}
	if err := s.Disable(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	for at := day.Add(24 * time.Hour); at.Before(day.Add(36 * time.Hour)); at = at.Add(time.Minute) {
		c.Set(at)
		s.RunDue(ctx)
	}
	if n := len(p.messages("b")); n != 1 {
		t.Errorf("after Disable %d messages; want still 1", n)
	}
	st, err = s.Status(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if st.Scheduled || st.Last == nil || st.Ledger == nil {
		t.Errorf("Status after Disable = %+v; want not scheduled, with the last briefing and its ledger", st)
	}
	if err := s.Disable(ctx, "g"); err != nil {
		t.Errorf("Disable again = %v; want nil", err)
	}
}

// TestRunNow: /briefing now covers the shares since the previous
// briefing; an empty window posts one line, or nothing when quiet.
func TestRunNow(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := newPoster()
	t0 := time.Date(2025, 3, 19, 10, 0, 0, 0, time.UTC)
	c := &clock{t: t0}
	s := newService(t, db, p, c)

	share(t, db, "g", "1-wire-call", t0.Add(-2*time.Hour))
	share(t, db, "g", "2-seed-cgtn", t0.Add(-time.Hour))
	share(t, db, "other", "3-us-blacksea", t0.Add(-time.Hour))
	res, err := s.RunNow(ctx, "g", "console")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.MessageIDs) == 0 || res.Empty || res.Late {
		t.Fatalf("RunNow = %+v; want posted, not empty, not late", res)
	}
	first := strings.Join(contents(p.messages("console")), "\n")
	for _, want := range []string{"Briefing · Wed 19 Mar 2025, 10:00 (UTC)", "2 new articles.", ": agreed", ": unresolved", ": disputed", "Putin agrees"} {
		if !strings.Contains(first, want) {
			t.Errorf("first briefing lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "Black Sea deals") {
		t.Errorf("briefing holds another server's article:\n%s", first)
	}

	// Day 2: only the new share, diffed against the first.
	c.Set(t0.Add(24 * time.Hour))
	share(t, db, "g", "3-us-blacksea", t0.Add(23*time.Hour))
	n := len(p.messages("console"))
	if _, err := s.RunNow(ctx, "g", "console"); err != nil {
		t.Fatal(err)
	}
	second := strings.Join(contents(p.messages("console")[n:]), "\n")
	for _, want := range []string{"1 new articles.", "~ resolved Energy strikes: disputed → agreed", "~ resolved Black Sea maritime ceasefire: unresolved → agreed"} {
		if !strings.Contains(second, want) {
			t.Errorf("second briefing lacks %q:\n%s", want, second)
		}
	}
	if strings.Contains(second, "CGTN") {
		t.Errorf("second briefing repeats an earlier article:\n%s", second)
	}

	// Nothing new: one line; then quiet: nothing.
	c.Set(t0.Add(48 * time.Hour))
	res, err = s.RunNow(ctx, "g", "console")
	if err != nil || !res.Empty || len(res.MessageIDs) != 1 {
		t.Fatalf("RunNow(empty) = %+v, %v; want one message, empty", res, err)
	}
	if last := p.messages("console"); !strings.Contains(last[len(last)-1].Content, "No links were shared since the last briefing") {
		t.Errorf("empty briefing = %q", last[len(last)-1].Content)
	}
	if err := db.SaveGuildSettings(ctx, guild.Settings{GuildID: "g", QuietEmptyBriefing: true}); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(72 * time.Hour))
	n = len(p.messages("console"))
	res, err = s.RunNow(ctx, "g", "console")
	if err != nil || !res.Empty || len(res.MessageIDs) != 0 {
		t.Fatalf("RunNow(quiet) = %+v, %v; want nothing posted, empty", res, err)
	}
	if len(p.messages("console")) != n {
		t.Errorf("quiet empty briefing posted a message")
	}
}

func contents(ms []schedule.PostedMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Content)
	}
	return out
}

// TestStartUsesSameSlots: the cron runner is given the same schedule the
// tests drive, so production fires exactly at the computed slots.
func TestStartUsesSameSlots(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	p := newPoster()
	c := &clock{t: time.Now()}
	s := newService(t, db, p, c)
	if _, err := s.SetSchedule(ctx, "g", "brief", "30 2 * * *", "America/New_York"); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err == nil {
		t.Errorf("second Start = nil; want an error")
	}
	if !s.CronUsesSlots("g") {
		t.Errorf("cron entry schedule is not the entry's *slotSchedule")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Stop(stopCtx); err != nil {
		t.Errorf("Stop = %v", err)
	}
	if err := s.Stop(stopCtx); err != nil {
		t.Errorf("second Stop = %v; want nil", err)
	}
}

// TestNewRejectsBadDefaults: the configured defaults are checked like
// user input.
func TestNewRejectsBadDefaults(t *testing.T) {
	db := openDB(t)
	with := func(o schedule.Options) schedule.Options {
		o.Schedules, o.Claims, o.History, o.Shares, o.Settings = db, db, db, db, db
		o.Poster, o.Render = newPoster(), textRender
		return o
	}
	for _, o := range []schedule.Options{
		with(schedule.Options{DefaultCron: "CRON_TZ=UTC"}),
		with(schedule.Options{DefaultTZ: "Nowhere/Land"}),
		with(schedule.Options{DefaultCron: "*/5 * * * *"}),
		{Schedules: db, Claims: db, History: db, Shares: db, Settings: db},
		{Schedules: db, Claims: db, History: db, Shares: db, Settings: db, Poster: newPoster()},
	} {
		if _, err := schedule.New(o); err == nil {
			t.Errorf("New(cron %q, tz %q) = nil error; want an error", o.DefaultCron, o.DefaultTZ)
		}
	}
}
