package store

import (
	"briefbot/guild"

	"context"
	"testing"
	"time"
)

func TestWatches(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	w, created, err := db.AddWatch(ctx, guild.Watch{GuildID: "A", ChannelID: "c1", Query: "energy", CreatedAt: base})
	if err != nil || !created || w.ID == 0 {
		t.Fatalf("AddWatch = %+v, %v, %v; want a new watch", w, created, err)
	}
	again, created, err := db.AddWatch(ctx, guild.Watch{GuildID: "A", ChannelID: "c2", Query: "energy", CreatedAt: base.Add(time.Hour)})
	if err != nil || created || again.ID != w.ID || again.ChannelID != "c2" || !again.CreatedAt.Equal(base) {
		t.Errorf("AddWatch again = %+v, %v, %v; want the same watch moved to c2", again, created, err)
	}
	if _, _, err := db.AddWatch(ctx, guild.Watch{GuildID: "B", ChannelID: "c9", Query: "energy"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetWatchStatus(ctx, "A", w.ID, "agreed"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Watches(ctx, "A")
	if err != nil || len(got) != 1 || got[0].Status != "agreed" || got[0].ChannelID != "c2" {
		t.Errorf("Watches(A) = %+v, %v; want A's one watch, agreed, in c2", got, err)
	}
	if all, _ := db.Watches(ctx, ""); len(all) != 2 {
		t.Errorf("Watches(all) = %d; want 2", len(all))
	}
	if ok, err := db.RemoveWatch(ctx, "B", w.ID); err != nil || ok {
		t.Errorf("RemoveWatch(B, A's id) = %v, %v; want false: a server removes only its own", ok, err)
	}
	if ok, err := db.RemoveWatch(ctx, "A", w.ID); err != nil || !ok {
		t.Errorf("RemoveWatch(A) = %v, %v; want true", ok, err)
	}
}

func TestWatchAlertClaims(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.ClaimWatchAlert(ctx, "A", 1, "k1", "p1", base, time.Minute)
	if err != nil || !c.Claimed || c.Attempts != 1 {
		t.Fatalf("first claim = %+v, %v", c, err)
	}
	if c, _ := db.ClaimWatchAlert(ctx, "A", 1, "k1", "p2", base.Add(30*time.Second), time.Minute); c.Claimed || c.Posted {
		t.Errorf("claim under a live lease = %+v; want refused", c)
	}
	if c, _ := db.ClaimWatchAlert(ctx, "B", 1, "k1", "p2", base, time.Minute); !c.Claimed {
		t.Errorf("another server's claim of the same key = %+v; want its own", c)
	}
	db.Close()
	// After a restart with the lease run out the change is taken over,
	// marked as a second attempt.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err = db.ClaimWatchAlert(ctx, "A", 1, "k1", "p2", base.Add(2*time.Minute), time.Minute)
	if err != nil || !c.Claimed || c.Attempts != 2 || !c.ClaimedAt.Equal(base) {
		t.Fatalf("claim after the lease = %+v, %v; want claimed, attempt 2, first claimed at base", c, err)
	}
	if err := db.FinishWatchAlert(ctx, "A", 1, "k1", "m1", base.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.ClaimWatchAlert(ctx, "A", 1, "k1", "p3", base.Add(time.Hour), time.Minute); c.Claimed || !c.Posted {
		t.Errorf("claim of a posted change = %+v; want posted, not claimed", c)
	}
}
