package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefbot/bot/discordtest"
	"briefbot/schedule"
	"briefbot/store"
)

// TestProcessesOnOneDatabasePostABriefingOnce: four whole bots, run() as
// main runs it, start at once on one database file and one Discord; each
// recovers the same missed slot at start-up (an overlapping deploy). The
// briefing is posted once, and every process exits 0.
func TestProcessesOnOneDatabasePostABriefingOnce(t *testing.T) {
	ctx := context.Background()
	srv := discordtest.NewServer(t)
	dbPath := filepath.Join(t.TempDir(), "briefbot.db")
	// A daily slot half an hour ago, scheduled before it: missed while
	// no process ran, within the grace window.
	slot := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Minute)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	err = db.SaveSchedule(ctx, schedule.Schedule{GuildID: discordtest.GuildID, ChannelID: discordtest.ChannelID,
		Cron: fmt.Sprintf("%d %d * * *", slot.Minute(), slot.Hour()), TimeZone: "UTC", UpdatedAt: slot.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	const procs = 4
	env := testEnv(t, map[string]string{
		"DISCORD_TOKEN":        discordtest.Token,
		"DISCORD_API_BASE_URL": srv.URL(),
		"DATABASE_PATH":        dbPath,
		"LOG_LEVEL":            "debug",
	})
	logs := make([]*lockedBuffer, procs)
	done := make(chan int, procs)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range logs {
		logs[i] = &lockedBuffer{}
		go func() { done <- run(runCtx, nil, env, strings.NewReader(""), logs[i], logs[i]) }()
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i, l := range logs {
				t.Logf("process %d log:\n%s", i, l.String())
			}
		}
	})
	// Each process recovers missed slots before it connects to the
	// gateway: once all four identified, all four have tried.
	srv.Wait(t, "four sessions", func() bool { return len(srv.Identifies()) >= procs })

	marker := schedule.Marker(discordtest.GuildID, slot)
	var got []string
	for _, p := range srv.Posts(discordtest.KindChannelMessage) {
		if strings.Contains(p.Data.Content, marker) {
			got = append(got, p.Data.Content)
		}
	}
	if len(got) != 1 {
		t.Errorf("%d messages carry the slot's marker %q; want 1:\n%s", len(got), marker, strings.Join(got, "\n---\n"))
	}
	if len(got) > 0 && !strings.Contains(got[0], "late") {
		t.Errorf("the recovered briefing is not marked late:\n%s", got[0])
	}
	cancel()
	for range procs {
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("run() = %d; want 0", code)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a process did not exit 30 s after its context was cancelled")
		}
	}
	db, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last, err := db.LastBriefing(ctx, discordtest.GuildID)
	if err != nil || !last.Slot.Equal(slot) || last.State != schedule.BriefingPosted || last.Attempts != 1 {
		t.Errorf("LastBriefing() = %+v, %v; want slot %v posted at its first attempt", last, err, slot)
	}
}
