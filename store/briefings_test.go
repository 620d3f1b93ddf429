package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"briefbot/guild"
	"briefbot/schedule"
)

func TestGuildSettings(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	got, err := db.GuildSettings(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	if want := (guild.Settings{GuildID: "A"}); got != want {
		t.Errorf("GuildSettings(A) before saving = %+v; want %+v", got, want)
	}
	saves := []guild.Settings{
		{GuildID: "A", AutoSummarize: "react", ReplyMode: "thread", Language: "de", ShowUngrounded: true, QuietEmptyBriefing: true},
		{GuildID: "A", AutoSummarize: "off", ReplyMode: "reply", Language: "", ShowUngrounded: false, QuietEmptyBriefing: true},
	}
	for _, s := range saves {
		if err := db.SaveGuildSettings(ctx, s); err != nil {
			t.Fatalf("SaveGuildSettings(%+v): %v", s, err)
		}
		got, err := db.GuildSettings(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if got != s {
			t.Errorf("GuildSettings(A) = %+v; want %+v", got, s)
		}
	}
	if got, err := db.GuildSettings(ctx, "B"); err != nil || got != (guild.Settings{GuildID: "B"}) {
		t.Errorf("GuildSettings(B) = %+v, %v; want defaults", got, err)
	}
	for _, bad := range []guild.Settings{
		{GuildID: ""},
		{GuildID: "A", AutoSummarize: "always"},
		{GuildID: "A", ReplyMode: "dm"},
	} {
		if err := db.SaveGuildSettings(ctx, bad); err == nil {
			t.Errorf("SaveGuildSettings(%+v) = nil; want an error", bad)
		}
	}
	if got, _ := db.GuildSettings(ctx, "A"); got != saves[1] {
		t.Errorf("GuildSettings(A) after refused saves = %+v; want %+v", got, saves[1])
	}
}

func TestSchedules(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.Schedule(ctx, "A"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("Schedule(A) = %v; want ErrNotFound", err)
	}
	if got, err := db.Schedules(ctx); err != nil || len(got) != 0 {
		t.Errorf("Schedules() = %v, %v; want none", got, err)
	}
	a := schedule.Schedule{GuildID: "A", ChannelID: "c1", Cron: "0 9 * * *", TimeZone: "Europe/Berlin", UpdatedAt: base}
	b := schedule.Schedule{GuildID: "B", ChannelID: "c9", Cron: "30 7 * * 1-5", TimeZone: "America/New_York", UpdatedAt: base}
	for _, s := range []schedule.Schedule{b, a} {
		if err := db.SaveSchedule(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	a2 := schedule.Schedule{GuildID: "A", ChannelID: "c2", Cron: "0 18 * * *", TimeZone: "UTC", UpdatedAt: base.Add(time.Hour)}
	if err := db.SaveSchedule(ctx, a2); err != nil {
		t.Fatal(err)
	}
	got, err := db.Schedule(ctx, "A")
	if err != nil || got != a2 {
		t.Errorf("Schedule(A) = %+v, %v; want %+v", got, err, a2)
	}
	all, err := db.Schedules(ctx)
	if err != nil || !reflect.DeepEqual(all, []schedule.Schedule{a2, b}) {
		t.Errorf("Schedules() = %+v, %v; want %+v", all, err, []schedule.Schedule{a2, b})
	}
	if err := db.DeleteSchedule(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Schedule(ctx, "A"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("Schedule(A) after delete = %v; want ErrNotFound", err)
	}
	if err := db.DeleteSchedule(ctx, "A"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("DeleteSchedule(A) twice = %v; want ErrNotFound", err)
	}
	if err := db.SaveSchedule(ctx, schedule.Schedule{GuildID: "C", ChannelID: "c"}); err == nil {
		t.Errorf("SaveSchedule without cron = nil; want an error")
	}
	noTime := schedule.Schedule{GuildID: "D", ChannelID: "c", Cron: "0 9 * * *", TimeZone: "UTC"}
	if err := db.SaveSchedule(ctx, noTime); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Schedule(ctx, "D"); got.UpdatedAt.IsZero() {
		t.Errorf("Schedule(D).UpdatedAt = zero; want the save time")
	}
}

func TestBriefingLifecycle(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	slot := time.Date(2025, 3, 19, 8, 0, 0, 0, time.UTC)
	if _, err := db.LastBriefing(ctx, "A"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("LastBriefing(A) = %v; want ErrNotFound", err)
	}

	claimedAt := slot.Add(2 * time.Second)
	lease := claimedAt.Add(2 * time.Minute)
	ok, b, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c1", Slot: slot, Late: true, ClaimedAt: claimedAt, Owner: "p1", LeaseUntil: lease})
	if err != nil || !ok {
		t.Fatalf("ClaimBriefing = %v, %v; want claimed", ok, err)
	}
	want := schedule.Briefing{GuildID: "A", ChannelID: "c1", Slot: slot, State: schedule.BriefingClaimed, Late: true, ClaimedAt: claimedAt,
		Owner: "p1", LeaseUntil: lease, Attempts: 1}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("ClaimBriefing row = %+v; want %+v", b, want)
	}
	// A second claim of the same slot by another process within the
	// lease loses.
	ok, existing, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c1", Slot: slot.In(time.FixedZone("X", 3600)), ClaimedAt: claimedAt.Add(time.Minute),
		Owner: "p2", LeaseUntil: claimedAt.Add(3 * time.Minute)})
	if err != nil || ok || !reflect.DeepEqual(existing, want) {
		t.Errorf("second ClaimBriefing = %v, %+v, %v; want false, %+v, nil", ok, existing, err, want)
	}
	if _, err := db.LastBriefing(ctx, "A"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("LastBriefing(A) with only a claim = %v; want ErrNotFound", err)
	}

	postedAt := slot.Add(5 * time.Second)
	ledger := []byte(`{"topics":[{"name":"Energy strikes","status":"agreed"}]}`)
	if err := db.CompleteBriefing(ctx, "A", "c1", slot, []string{"m1", "m2"}, ledger, postedAt); err != nil {
		t.Fatal(err)
	}
	want.State, want.MessageIDs, want.Ledger, want.PostedAt = schedule.BriefingPosted, []string{"m1", "m2"}, ledger, postedAt
	last, err := db.LastBriefing(ctx, "A")
	if err != nil || !reflect.DeepEqual(last, want) {
		t.Errorf("LastBriefing(A) = %+v, %v; want %+v", last, err, want)
	}
	if ok, existing, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c1", Slot: slot, Owner: "p1", LeaseUntil: time.Now().Add(time.Hour)}); err != nil || ok || existing.State != schedule.BriefingPosted {
		t.Errorf("ClaimBriefing of a posted slot = %v, %q, %v; want false, posted", ok, existing.State, err)
	}
	// A posted slot is never downgraded to skipped.
	if err := db.SkipBriefing(ctx, "A", "c1", slot, postedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if last, _ := db.LastBriefing(ctx, "A"); last.State != schedule.BriefingPosted {
		t.Errorf("state after skipping a posted slot = %q; want posted", last.State)
	}

	// A missed later slot: a claim left behind by a crash, then skipped;
	// and a slot skipped outright. Neither becomes the last briefing.
	slot2, slot3 := slot.Add(24*time.Hour), slot.Add(48*time.Hour)
	if ok, _, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c1", Slot: slot2, ClaimedAt: slot2, Owner: "p1", LeaseUntil: slot2.Add(time.Minute)}); err != nil || !ok {
		t.Fatalf("ClaimBriefing(slot2) = %v, %v", ok, err)
	}
	skipAt := slot3.Add(4 * time.Hour)
	if err := db.SkipBriefing(ctx, "A", "c1", slot2, skipAt); err != nil {
		t.Fatal(err)
	}
	if err := db.SkipBriefing(ctx, "A", "c1", slot3, skipAt); err != nil {
		t.Fatal(err)
	}
	if last, _ := db.LastBriefing(ctx, "A"); !last.Slot.Equal(slot) {
		t.Errorf("LastBriefing(A).Slot = %v; want %v (skips do not count)", last.Slot, slot)
	}
	// A manual briefing in another channel, posted without a claim.
	slot4 := slot3.Add(time.Hour)
	if err := db.CompleteBriefing(ctx, "A", "c2", slot4, []string{"m9"}, nil, slot4); err != nil {
		t.Fatal(err)
	}
	// Server B's briefings are its own.
	if err := db.CompleteBriefing(ctx, "B", "c1", slot4.Add(time.Hour), []string{"b1"}, []byte(`{}`), slot4); err != nil {
		t.Fatal(err)
	}

	list, err := db.Briefings(ctx, "A", 0)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		channel string
		slot    time.Time
		state   string
		claimed time.Time
	}
	var rows []row
	for _, b := range list {
		rows = append(rows, row{b.ChannelID, b.Slot, b.State, b.ClaimedAt})
	}
	wantRows := []row{
		{"c2", slot4, schedule.BriefingPosted, slot4},
		{"c1", slot3, schedule.BriefingSkipped, skipAt},
		{"c1", slot2, schedule.BriefingSkipped, slot2},
		{"c1", slot, schedule.BriefingPosted, claimedAt},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("Briefings(A) = %v; want %v", rows, wantRows)
	}
	if list, _ := db.Briefings(ctx, "A", 2); len(list) != 2 || !list[0].Slot.Equal(slot4) {
		t.Errorf("Briefings(A, 2) = %d rows; want the 2 newest", len(list))
	}
	last, err = db.LastBriefing(ctx, "A")
	if err != nil || !last.Slot.Equal(slot4) || last.Ledger != nil || !reflect.DeepEqual(last.MessageIDs, []string{"m9"}) {
		t.Errorf("LastBriefing(A) = %+v, %v; want the manual briefing at %v", last, err, slot4)
	}
	if lastB, err := db.LastBriefing(ctx, "B"); err != nil || lastB.GuildID != "B" || string(lastB.Ledger) != "{}" {
		t.Errorf("LastBriefing(B) = %+v, %v; want B's own", lastB, err)
	}

	for _, bad := range []schedule.Briefing{{ChannelID: "c", Slot: slot, Owner: "p"}, {GuildID: "A", Slot: slot, Owner: "p"}, {GuildID: "A", ChannelID: "c", Owner: "p"}, {GuildID: "A", ChannelID: "c", Slot: slot}} {
		if _, _, err := db.ClaimBriefing(ctx, bad); err == nil {
			t.Errorf("ClaimBriefing(%+v) = nil error; want one", bad)
		}
	}
}

// TestBriefingSurvivesRestart: a claim made before a restart still blocks
// the slot afterwards.
func TestBriefingSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	slot := time.Date(2025, 3, 30, 7, 0, 0, 0, time.UTC)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot, ClaimedAt: slot, Owner: "p1", LeaseUntil: slot.Add(2 * time.Minute)}); err != nil || !ok {
		t.Fatalf("ClaimBriefing = %v, %v", ok, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ok, existing, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot, ClaimedAt: slot.Add(time.Minute), Owner: "p2", LeaseUntil: slot.Add(3 * time.Minute)})
	if err != nil || ok || existing.State != schedule.BriefingClaimed || !existing.ClaimedAt.Equal(slot) || existing.Owner != "p1" {
		t.Errorf("ClaimBriefing after restart = %v, %+v, %v; want false with the earlier claim", ok, existing, err)
	}
}

// TestBriefingLease: a claim is taken over only once its lease ran out (or
// by its own owner), keeping its first claim time and lateness; renewal
// holds it; only the owner renews; a live lease is never skipped.
func TestBriefingLease(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	slot := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	claim := func(owner string, at time.Time) (bool, schedule.Briefing) {
		t.Helper()
		ok, b, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot, ClaimedAt: at, Owner: owner, LeaseUntil: at.Add(2 * time.Minute)})
		if err != nil {
			t.Fatalf("ClaimBriefing(%s at %v) error = %v", owner, at, err)
		}
		return ok, b
	}
	if ok, b := claim("p1", slot); !ok || b.Attempts != 1 || b.Owner != "p1" {
		t.Fatalf("first claim = %v, %+v; want p1's, attempt 1", ok, b)
	}
	if ok, b := claim("p2", slot.Add(119*time.Second)); ok || b.Owner != "p1" {
		t.Errorf("claim by p2 within p1's lease = %v, %+v; want refused", ok, b)
	}
	// The owner's own retry takes it again at once.
	if ok, b := claim("p1", slot.Add(30*time.Second)); !ok || b.Attempts != 2 || !b.LeaseUntil.Equal(slot.Add(150*time.Second)) {
		t.Errorf("p1 claiming again = %v, %+v; want attempt 2 with a lease to +150s", ok, b)
	}
	// Renewal by the owner holds the slot past the first lease.
	if held, err := db.RenewBriefingLease(ctx, "A", "c", slot, "p1", slot.Add(5*time.Minute)); err != nil || !held {
		t.Fatalf("RenewBriefingLease(p1) = %v, %v; want held", held, err)
	}
	if held, err := db.RenewBriefingLease(ctx, "A", "c", slot, "p2", slot.Add(9*time.Minute)); err != nil || held {
		t.Errorf("RenewBriefingLease(p2) = %v, %v; want not held", held, err)
	}
	if ok, _ := claim("p2", slot.Add(4*time.Minute)); ok {
		t.Errorf("claim by p2 within the renewed lease succeeded")
	}
	// A live lease is not skipped.
	if err := db.SkipBriefing(ctx, "A", "c", slot, slot.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Once it ran out, p2 takes over; p1 has lost it.
	ok, b := claim("p2", slot.Add(5*time.Minute))
	want := schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot, State: schedule.BriefingClaimed, ClaimedAt: slot,
		Owner: "p2", LeaseUntil: slot.Add(7 * time.Minute), Attempts: 3}
	if !ok || !reflect.DeepEqual(b, want) {
		t.Errorf("takeover = %v, %+v; want true, %+v", ok, b, want)
	}
	if held, err := db.RenewBriefingLease(ctx, "A", "c", slot, "p1", slot.Add(9*time.Minute)); err != nil || held {
		t.Errorf("RenewBriefingLease(p1) after the takeover = %v, %v; want not held", held, err)
	}
	// Once posted, nobody claims or renews it.
	if err := db.CompleteBriefing(ctx, "A", "c", slot, []string{"m1"}, nil, slot.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, b := claim("p3", slot.Add(time.Hour)); ok || b.State != schedule.BriefingPosted {
		t.Errorf("claim of a posted slot = %v, %q; want refused, posted", ok, b.State)
	}
	if held, _ := db.RenewBriefingLease(ctx, "A", "c", slot, "p2", slot.Add(time.Hour)); held {
		t.Errorf("RenewBriefingLease of a posted slot = true; want false")
	}
}

// TestBriefingClaimRace: four handles on one file (four processes) race
// to claim one slot many times over; each slot has exactly one winner.
func TestBriefingClaimRace(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	const procs, slots = 4, 20
	dbs := make([]*DB, procs)
	for i := range dbs {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	base := time.Date(2025, 4, 2, 9, 0, 0, 0, time.UTC)
	wins := make([]int, slots)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("p%d", i)
			for k := range slots {
				slot := base.Add(time.Duration(k) * time.Hour)
				ok, _, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot, ClaimedAt: slot, Owner: owner, LeaseUntil: slot.Add(time.Minute)})
				if err != nil {
					t.Errorf("%s ClaimBriefing(%d) error = %v", owner, k, err)
					return
				}
				if ok {
					mu.Lock()
					wins[k]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for k, n := range wins {
		if n != 1 {
			t.Errorf("slot %d claimed %d times; want once", k, n)
		}
	}
}

// TestBriefingLeaseMigration: a claim left by a version before leases
// (no owner, no lease) reads back as expired, so the first claim after
// the upgrade finishes it.
func TestBriefingLeaseMigration(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2025, 4, 3, 9, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`ALTER TABLE briefings DROP COLUMN owner`,
		`ALTER TABLE briefings DROP COLUMN lease_ms`,
		`ALTER TABLE briefings DROP COLUMN attempts`,
		`DELETE FROM schema_migrations WHERE version = 4`,
		fmt.Sprintf(`INSERT INTO briefings (guild_id, channel_id, slot_ms, state, late, claimed_ms, updated_ms)
			VALUES ('A', 'c', %d, 'claimed', 1, %d, %d)`, slot.UnixMilli(), slot.UnixMilli(), slot.UnixMilli()),
	} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(ctx, path); err != nil {
		t.Fatalf("Open after the upgrade: %v", err)
	}
	defer db.Close()
	list, err := db.Briefings(ctx, "A", 1)
	if err != nil || len(list) != 1 || list[0].Owner != "" || !list[0].LeaseUntil.IsZero() || list[0].Attempts != 1 {
		t.Fatalf("old claim after the upgrade = %+v, %v; want no owner, no lease, attempt 1", list, err)
	}
	at := slot.Add(time.Minute)
	ok, b, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot, ClaimedAt: at, Owner: "p1", LeaseUntil: at.Add(2 * time.Minute)})
	if err != nil || !ok || b.Owner != "p1" || b.Attempts != 2 || !b.Late || !b.ClaimedAt.Equal(slot) {
		t.Errorf("claim of the old claim = %v, %+v, %v; want p1's, attempt 2, late and first claimed at %v", ok, b, err, slot)
	}
}
