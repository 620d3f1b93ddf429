package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/schedule"
	"briefbot/store"
)

// Tests of exactly-once posting by several processes on one database:
// each "process" is a Service with its own store handle on one SQLite
// file, all posting to one channel (the shared recordingPoster).

// openProcesses opens n handles on one database file.
func openProcesses(t *testing.T, n int) []*store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shared.db")
	dbs := make([]*store.DB, n)
	for i := range dbs {
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

// slotRecord returns the stored record of slot.
func slotRecord(t *testing.T, db *store.DB, guildID string, slot time.Time) schedule.Briefing {
	t.Helper()
	for _, b := range records(t, db, guildID) {
		if b.Slot.Equal(slot) {
			return b
		}
	}
	t.Fatalf("slot %v is not recorded", slot)
	return schedule.Briefing{}
}

// brief shows the parts of a record the tests check.
func brief(b schedule.Briefing) string {
	return fmt.Sprintf("{state %s ids %v owner %s lease %s attempts %d claimed %s}", b.State, b.MessageIDs, b.Owner,
		b.LeaseUntil.Format(time.TimeOnly), b.Attempts, b.ClaimedAt.Format(time.TimeOnly))
}

// botMessages returns the bot's messages in channelID carrying slot's
// marker, in order.
func botMessages(p *recordingPoster, channelID, guildID string, slot time.Time) []schedule.PostedMessage {
	var out []schedule.PostedMessage
	for _, m := range p.messages(channelID) {
		if _, _, ok := schedule.MarkerPart(m.Content, schedule.MarkerID(guildID, slot)); ok && m.FromSelf {
			out = append(out, m)
		}
	}
	return out
}

// TestProcessesRaceOnOneSlot: four processes whose runners fire at the
// same moment, day after day, post each day's briefing once between them;
// the losers' retries post nothing either.
func TestProcessesRaceOnOneSlot(t *testing.T) {
	ctx := context.Background()
	const procs, days = 4, 40
	dbs := openProcesses(t, procs)
	p := newPoster()
	first := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &clock{t: first.Add(-time.Hour)}
	for d := range days {
		share(t, dbs[0], "g", "1-wire-call", first.AddDate(0, 0, d).Add(-time.Hour))
	}
	svcs := make([]*schedule.Service, procs)
	for i, db := range dbs {
		svcs[i] = newService(t, db, p, c)
	}
	if _, err := svcs[0].SetSchedule(ctx, "g", "brief", "0 9 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs {
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer s.Stop(ctx)
	}
	fireAll := func() {
		var wg sync.WaitGroup
		for _, s := range svcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.RunDue(ctx)
			}()
		}
		wg.Wait()
	}
	for d := range days {
		slot := first.AddDate(0, 0, d)
		c.Set(slot)
		fireAll()
		// The losers retry a little later: the winner has posted by then.
		c.Set(slot.Add(schedule.RetryEvery))
		fireAll()
		if got := botMessages(p, "brief", "g", slot); len(got) != 1 {
			t.Errorf("day %d: %d messages carry the slot's marker; want 1", d, len(got))
		}
		if rec := slotRecord(t, dbs[d%procs], "g", slot); rec.State != schedule.BriefingPosted || rec.Attempts != 1 {
			t.Errorf("day %d: record %s; want posted at the first attempt", d, brief(rec))
		}
	}
	if n := len(slotsPosted(p, "brief")); n != days {
		t.Errorf("%d slots posted; want %d", n, days)
	}
	if p.calls != days {
		t.Errorf("PostMessages called %d times; want %d (once a day)", p.calls, days)
	}
}

// crashMidPost makes a process claim slot and die after posting the first
// of its two parts, its lease left behind.
func crashMidPost(t *testing.T, db *store.DB, p *recordingPoster, c *clock, slot time.Time) *schedule.Service {
	t.Helper()
	ctx := context.Background()
	for i, a := range []string{"2-seed-cgtn", "2-kyiv-breach", "1-wire-call"} {
		share(t, db, "g", a, slot.Add(-time.Duration(i+1)*time.Hour))
	}
	a := newService(t, db, p, c)
	if _, err := a.SetSchedule(ctx, "g", "brief", "0 9 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	c.Set(slot)
	p.failAfter = 1
	a.TickGuild(ctx, "g", slot)
	p.failAfter = -1
	if got := botMessages(p, "brief", "g", slot); len(got) != 1 {
		t.Fatalf("the crashed process posted %d parts; want 1", len(got))
	}
	return a
}

// TestExpiredLeaseTakenOver: a process that died mid-post holds the slot
// until its lease runs out; then another process takes the claim over,
// finds the part already posted and posts only the missing one.
func TestExpiredLeaseTakenOver(t *testing.T) {
	ctx := context.Background()
	dbs := openProcesses(t, 2)
	p := newPoster()
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	c := &clock{t: slot.Add(-time.Hour)}
	crashMidPost(t, dbs[0], p, c, slot)
	crashed := slotRecord(t, dbs[0], "g", slot)

	b := newService(t, dbs[1], p, c)
	c.Set(slot.Add(time.Minute))
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop(ctx)
	if got := botMessages(p, "brief", "g", slot); len(got) != 1 {
		t.Errorf("within the dead process's lease: %d parts; want still 1", len(got))
	}
	if rec := slotRecord(t, dbs[1], "g", slot); rec.State != schedule.BriefingClaimed || rec.Owner != crashed.Owner {
		t.Errorf("within the lease the record is %s; want still claimed by %s", brief(rec), crashed.Owner)
	}

	// The retry after the lease ran out takes over.
	c.Set(crashed.LeaseUntil.Add(time.Second))
	b.RunDue(ctx)
	got := botMessages(p, "brief", "g", slot)
	if len(got) != 2 || !strings.Contains(got[0].Content, "· 1/2") || !strings.Contains(got[1].Content, "· 2/2") {
		t.Fatalf("after the takeover the slot's messages are %+v; want parts 1/2 and 2/2 once each", got)
	}
	rec := slotRecord(t, dbs[1], "g", slot)
	if rec.State != schedule.BriefingPosted || rec.Attempts != 2 || fmt.Sprint(rec.MessageIDs) != fmt.Sprint([]string{got[0].ID, got[1].ID}) {
		t.Errorf("record after the takeover = %s; want posted at attempt 2 with both parts", brief(rec))
	}
	if !rec.ClaimedAt.Equal(crashed.ClaimedAt) {
		t.Errorf("ClaimedAt after the takeover = %v; want the first claim's %v", rec.ClaimedAt, crashed.ClaimedAt)
	}
	// The part posted again carries the same nonce as the first attempt
	// would have: the crashed attempt's part 1 and the takeover's part 2
	// are the two nonces of one two-part briefing.
	want := []string{schedule.Nonce("g", "brief", slot, 1, 2), schedule.Nonce("g", "brief", slot, 2, 2)}
	if fmt.Sprint(p.nonces) != fmt.Sprint(want) {
		t.Errorf("nonces = %q; want %q", p.nonces, want)
	}
}

// TestLiveLeaseNotTaken: while its owner is still posting (slowly), its
// lease is renewed past the first expiry and no other process takes the
// slot, however often it fires.
func TestLiveLeaseNotTaken(t *testing.T) {
	ctx := context.Background()
	dbs := openProcesses(t, 2)
	p := newPoster()
	slot := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	c := &clock{t: slot.Add(-time.Hour)}
	share(t, dbs[0], "g", "1-wire-call", slot.Add(-time.Hour))
	a := newService(t, dbs[0], p, c)
	a.SetRenewEvery(time.Millisecond)
	if _, err := a.SetSchedule(ctx, "g", "brief", "0 9 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	b := newService(t, dbs[1], p, c)
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop(ctx)

	posting, release := make(chan struct{}), make(chan struct{})
	p.hold = func(ctx context.Context) error {
		close(posting)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	c.Set(slot)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.TickGuild(ctx, "g", slot)
	}()
	<-posting
	p.mu.Lock()
	p.hold = nil
	p.mu.Unlock()

	// Long past the first lease, the owner's renewals keep the slot.
	late := slot.Add(10 * time.Minute)
	c.Set(late)
	deadline := time.Now().Add(10 * time.Second)
	for slotRecord(t, dbs[1], "g", slot).LeaseUntil.Before(late) {
		if time.Now().After(deadline) {
			t.Fatalf("the owner never renewed its lease: %s", brief(slotRecord(t, dbs[1], "g", slot)))
		}
		time.Sleep(time.Millisecond)
	}
	b.RunDue(ctx)
	b.RunDue(ctx)
	if got := botMessages(p, "brief", "g", slot); len(got) != 0 {
		t.Errorf("another process posted %d messages while the owner was posting", len(got))
	}
	close(release)
	<-done
	c.Set(late.Add(schedule.RetryEvery))
	b.RunDue(ctx)
	if got := botMessages(p, "brief", "g", slot); len(got) != 1 {
		t.Errorf("%d messages carry the slot's marker; want 1", len(got))
	}
	if rec := slotRecord(t, dbs[1], "g", slot); rec.State != schedule.BriefingPosted || rec.Attempts != 1 {
		t.Errorf("record = %s; want posted by the first attempt", brief(rec))
	}
}

// gatedStore holds the renewals of a lease until the test opens the gate.
type gatedStore struct {
	Store
	gate chan struct{}
}

func (g gatedStore) RenewBriefingLease(ctx context.Context, guildID, channelID string, slot time.Time, owner string, until time.Time) (bool, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return g.Store.RenewBriefingLease(ctx, guildID, channelID, slot, owner, until)
}

// TestLostLeaseStopsPosting: an owner that stalled past its lease, and
// whose claim was taken over meanwhile, learns so at its next renewal and
// posts nothing more.
func TestLostLeaseStopsPosting(t *testing.T) {
	ctx := context.Background()
	dbs := openProcesses(t, 1)
	db := dbs[0]
	p := newPoster()
	slot := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)
	c := &clock{t: slot}
	share(t, db, "g", "1-wire-call", slot.Add(-time.Hour))
	gate := make(chan struct{})
	a := newService(t, gatedStore{db, gate}, p, c)
	a.SetRenewEvery(time.Millisecond)

	posting := make(chan struct{})
	p.hold = func(ctx context.Context) error {
		close(posting)
		<-ctx.Done()
		return ctx.Err()
	}
	errc := make(chan error, 1)
	go func() {
		_, err := a.Post(ctx, "g", "brief", slot, time.UTC, false, false)
		errc <- err
	}()
	<-posting
	// The owner stalls; its lease runs out and another process claims.
	c.Set(slot.Add(a.LeaseFor() + time.Second))
	ok, rec, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "g", ChannelID: "brief", Slot: slot, ClaimedAt: c.Now(), Owner: "other", LeaseUntil: c.Now().Add(time.Minute)})
	if err != nil || !ok {
		t.Fatalf("takeover = %v, %s, %v; want claimed", ok, brief(rec), err)
	}
	close(gate)
	select {
	case err := <-errc:
		if !errors.Is(err, schedule.ErrLeaseLost) {
			t.Errorf("post() = %v; want it stopped by the lost lease", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the owner kept posting after losing its claim")
	}
	if got := botMessages(p, "brief", "g", slot); len(got) != 0 {
		t.Errorf("the owner posted %d messages after losing its claim", len(got))
	}
	if rec := slotRecord(t, db, "g", slot); rec.Owner != "other" || rec.State != schedule.BriefingClaimed {
		t.Errorf("record = %s; want still the other process's claim", brief(rec))
	}
}

// TestMarkerSearchPages: with more of the channel's messages to read
// than one page holds, before and after a mid-post crash, the takeover
// still finds the posted part.
func TestMarkerSearchPages(t *testing.T) {
	ctx := context.Background()
	dbs := openProcesses(t, 2)
	p := newPoster()
	slot := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	c := &clock{t: slot.Add(-time.Hour)}
	// This stand-in cannot tell when a message was posted, so the search
	// reads from the channel's start: 250 messages before the crash.
	for i := range 5 * schedule.SearchPage / 2 {
		p.say("brief", fmt.Sprintf("earlier chatter %d", i))
	}
	crashMidPost(t, dbs[0], p, c, slot)
	for i := range 60 {
		p.say("brief", fmt.Sprintf("chatter %d", i))
	}
	crashed := slotRecord(t, dbs[0], "g", slot)
	c.Set(crashed.LeaseUntil.Add(time.Minute))
	b := newService(t, dbs[1], p, c)
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop(ctx)
	got := botMessages(p, "brief", "g", slot)
	if len(got) != 2 || !strings.Contains(got[0].Content, "· 1/2") || !strings.Contains(got[1].Content, "· 2/2") {
		t.Fatalf("after the takeover the slot's messages are %d; want parts 1/2 and 2/2 once each", len(got))
	}
	if p.pages < 3 {
		t.Errorf("the search read %d pages; want at least 3 to reach the part", p.pages)
	}
}

// TestProcessesRaceToTakeOver: after a process died mid-post, three
// others fire at once once its lease ran out; one of them takes the claim
// over and posts the missing part, the others post nothing.
func TestProcessesRaceToTakeOver(t *testing.T) {
	ctx := context.Background()
	dbs := openProcesses(t, 4)
	p := newPoster()
	slot := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	c := &clock{t: slot.Add(-time.Hour)}
	crashMidPost(t, dbs[0], p, c, slot)
	crashed := slotRecord(t, dbs[0], "g", slot)
	c.Set(crashed.LeaseUntil.Add(time.Second))
	var wg sync.WaitGroup
	for _, db := range dbs[1:] {
		s := newService(t, db, p, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Start(ctx); err != nil {
				t.Error(err)
				return
			}
			s.Stop(ctx)
		}()
	}
	wg.Wait()
	got := botMessages(p, "brief", "g", slot)
	if len(got) != 2 || !strings.Contains(got[0].Content, "· 1/2") || !strings.Contains(got[1].Content, "· 2/2") {
		t.Fatalf("after the race the slot's messages are %+v; want parts 1/2 and 2/2 once each", got)
	}
	if rec := slotRecord(t, dbs[0], "g", slot); rec.State != schedule.BriefingPosted || rec.Attempts != 2 || rec.Owner == crashed.Owner {
		t.Errorf("record = %s; want posted by one takeover (attempt 2)", brief(rec))
	}
}
