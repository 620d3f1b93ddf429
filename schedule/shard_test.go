package schedule_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"briefbot/schedule"
	"briefbot/store"
)

// ownedService is a Service that owns only the given servers, as a
// process running some of the Discord shards does.
func ownedService(t *testing.T, st schedule.Schedules, db Store, p schedule.Poster, c *clock, owned ...string) *schedule.Service {
	t.Helper()
	s, err := schedule.New(schedule.Options{Schedules: st, Claims: db, History: db, Shares: db, Settings: db, Poster: p, Render: textRender, Now: c.Now,
		Owns: func(g string) bool { return slices.Contains(owned, g) }, ReloadEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// entryIDs returns the servers s has schedules in memory for.
func entryIDs(s *schedule.Service) []string { return s.Entries() }

// TestOwnedSchedulesOnly: two processes on one database, each owning one
// of two servers, both due at start-up. Each loads and posts only its own
// server's briefing; a schedule set for a server a process does not own
// is saved but not run there.
func TestOwnedSchedulesOnly(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	slot := time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC)
	for _, g := range []string{"g1", "g2"} {
		err := db.SaveSchedule(ctx, schedule.Schedule{GuildID: g, ChannelID: "brief-" + g, Cron: "0 9 * * *", TimeZone: "UTC", UpdatedAt: slot.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{t: slot.Add(time.Minute / 2)}
	pa, pb := newPoster(), newPoster()
	a := ownedService(t, db, db, pa, c, "g1")
	b := ownedService(t, db, db, pb, c, "g2")
	for _, s := range []*schedule.Service{a, b} {
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer s.Stop(ctx)
	}
	if got := entryIDs(a); !slices.Equal(got, []string{"g1"}) {
		t.Errorf("process a runs %v; want [g1]", got)
	}
	if got := entryIDs(b); !slices.Equal(got, []string{"g2"}) {
		t.Errorf("process b runs %v; want [g2]", got)
	}
	for _, tt := range []struct {
		p       *recordingPoster
		name    string
		own     string
		foreign string
	}{{pa, "a", "brief-g1", "brief-g2"}, {pb, "b", "brief-g2", "brief-g1"}} {
		if n := len(slotsPosted(tt.p, tt.own)); n != 1 {
			t.Errorf("process %s posted %d briefings in %s; want 1", tt.name, n, tt.own)
		}
		if n := len(tt.p.messages(tt.foreign)); n != 0 {
			t.Errorf("process %s posted %d messages in %s, a server it does not own", tt.name, n, tt.foreign)
		}
	}

	// A schedule set through a, for a server it does not own, is b's.
	if _, err := a.SetSchedule(ctx, "g2", "brief-g2b", "0 10 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	if got := entryIDs(a); !slices.Equal(got, []string{"g1"}) {
		t.Errorf("after setting g2's schedule, process a runs %v; want [g1]", got)
	}
	if sc, err := db.Schedule(ctx, "g2"); err != nil || sc.ChannelID != "brief-g2b" {
		t.Errorf("stored g2 schedule = %+v, %v; want saved with channel brief-g2b", sc, err)
	}
}

// TestReloadPicksUpOtherProcesses: schedules another process saves,
// changes or removes reach a running Service at its next reload, for the
// servers it owns only.
func TestReloadPicksUpOtherProcesses(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	day := time.Date(2026, 2, 4, 0, 0, 0, 0, time.UTC)
	c := &clock{t: day.Add(8 * time.Hour)}
	p := newPoster()
	s := ownedService(t, db, db, p, c, "g1", "g2")
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	other := func(g, channel, spec string) {
		t.Helper()
		if err := db.SaveSchedule(ctx, schedule.Schedule{GuildID: g, ChannelID: channel, Cron: spec, TimeZone: "UTC", UpdatedAt: c.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	other("g1", "one", "0 9 * * *")
	other("g3", "three", "0 9 * * *") // not owned
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := entryIDs(s); !slices.Equal(got, []string{"g1"}) {
		t.Fatalf("after reload runs %v; want [g1]", got)
	}
	c.Set(day.Add(9 * time.Hour))
	s.RunDue(ctx)
	if n := len(slotsPosted(p, "one")); n != 1 {
		t.Errorf("%d briefings in g1's channel at 09:00; want 1", n)
	}
	if n := len(p.messages("three")); n != 0 {
		t.Errorf("%d messages in g3's channel; want none: not owned", n)
	}

	// Another process moves g1 to another channel, and schedules g2.
	c.Set(day.Add(10 * time.Hour))
	other("g1", "one-b", "0 11 * * *")
	other("g2", "two", "0 11 * * *")
	unchanged := s.EntryOf("g1")
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if s.EntryOf("g1") == unchanged {
		t.Errorf("g1's changed schedule was not reloaded")
	}
	before := s.EntryOf("g2")
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if s.EntryOf("g2") != before {
		t.Errorf("an unchanged schedule was rebuilt by a reload")
	}
	c.Set(day.Add(11 * time.Hour))
	s.RunDue(ctx)
	if n := len(slotsPosted(p, "one-b")); n != 1 {
		t.Errorf("%d briefings in g1's new channel at 11:00; want 1", n)
	}
	if n := len(slotsPosted(p, "one")); n != 1 {
		t.Errorf("%d briefings in g1's old channel; want still 1", n)
	}
	if n := len(slotsPosted(p, "two")); n != 1 {
		t.Errorf("%d briefings in g2's channel at 11:00; want 1", n)
	}

	// Another process turns g1 off.
	if err := db.DeleteSchedule(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := entryIDs(s); !slices.Equal(got, []string{"g2"}) {
		t.Errorf("after g1 was removed elsewhere runs %v; want [g2]", got)
	}
	c.Set(day.Add(24*time.Hour + 11*time.Hour))
	s.RunDue(ctx)
	if n := len(slotsPosted(p, "one-b")); n != 1 {
		t.Errorf("%d briefings in g1's channel after it was turned off; want still 1", n)
	}
}

// heldSchedules answers Schedules with a list read earlier, once the test
// lets it: a reload whose read raced a change made in this process.
type heldSchedules struct {
	Store
	stale   []schedule.Schedule
	entered chan struct{}
	release chan struct{}
}

func (h *heldSchedules) Schedules(ctx context.Context) ([]schedule.Schedule, error) {
	if h.release == nil {
		return h.Store.Schedules(ctx)
	}
	close(h.entered)
	<-h.release
	return h.stale, nil
}

// TestReloadKeepsLocalChanges: a schedule removed (or set) in this
// process while a reload reads the table is not brought back by the
// reload's older read.
func TestReloadKeepsLocalChanges(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	c := &clock{t: time.Date(2026, 2, 4, 8, 0, 0, 0, time.UTC)}
	st := &heldSchedules{Store: db}
	s := ownedService(t, st, db, newPoster(), c, "g1", "g2")
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	if _, err := s.SetSchedule(ctx, "g1", "one", "0 9 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	stale, err := db.Schedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.stale, st.entered, st.release = stale, make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Reload(ctx) }()
	<-st.entered
	if err := s.Disable(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	close(st.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := entryIDs(s); len(got) != 0 {
		t.Errorf("after a local Disable during a reload, runs %v; want none", got)
	}
}

// BenchmarkReload measures a reload with nothing changed, as every
// minute in a steady bot: 10,000 stored schedules, a quarter of them on
// this process's shards.
func BenchmarkReload(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "briefbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 2, 4, 8, 0, 0, 0, time.UTC)
	const n = 10000
	for i := range n {
		g := fmt.Sprint(i)
		if err := db.SaveSchedule(ctx, schedule.Schedule{GuildID: g, ChannelID: "c" + g, Cron: "0 9 * * *", TimeZone: "Europe/Berlin", UpdatedAt: at}); err != nil {
			b.Fatal(err)
		}
	}
	s, err := schedule.New(schedule.Options{Schedules: db, Claims: db, History: db, Shares: db, Settings: db, Poster: newPoster(), Render: textRender,
		Now: func() time.Time { return at }, ReloadEvery: -1, Owns: func(g string) bool { n, _ := strconv.Atoi(g); return n%4 == 0 }})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.Reload(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(s.Entries())), "owned")
}
