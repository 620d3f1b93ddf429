package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"briefbot/guild"
	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// TestConcurrentWriters: 50 goroutines save summaries, record shares, save
// settings and race for one briefing slot at once, while others read. No
// write fails with SQLITE_BUSY, exactly one claim wins, and everything
// written can be read back.
func TestConcurrentWriters(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	const n = 50
	slot := time.Date(2025, 3, 19, 9, 0, 0, 0, time.UTC)
	var (
		wg      sync.WaitGroup
		claims  atomic.Int32
		start   = make(chan struct{})
		errs    = make(chan error, 4*n)
		summary = func(i int) *summarize.Summary {
			return newSummary(fmt.Sprintf("https://news.example/%d", i), "extractive",
				topic(fmt.Sprintf("Topic %d ceasefire", i), point("A truce was discussed.", summarize.StatusUnresolved)))
		}
	)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			s := summary(i)
			if err := db.SaveSummary(ctx, s); err != nil {
				errs <- err
				return
			}
			if err := db.RecordShare(ctx, ledger.Share{GuildID: "A", ChannelID: "c", MessageID: fmt.Sprint(i),
				URL: s.URL, Engine: s.Engine, PromptVersion: s.PromptVersion, At: base.Add(time.Duration(i) * time.Second)}); err != nil {
				errs <- err
			}
			if err := db.SaveGuildSettings(ctx, guild.Settings{GuildID: fmt.Sprint("g", i%5), AutoSummarize: "react"}); err != nil {
				errs <- err
			}
			ok, _, err := db.ClaimBriefing(ctx, schedule.Briefing{GuildID: "A", ChannelID: "c", Slot: slot,
				Owner: fmt.Sprint("p", i), LeaseUntil: time.Now().Add(time.Hour)})
			if err != nil {
				errs <- err
			} else if ok {
				claims.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			if _, _, err := db.Summary(ctx, summary(i).Key()); err != nil {
				errs <- err
			}
			if _, err := db.SearchTopics(ctx, "A", "truce", 10); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	if got := claims.Load(); got != 1 {
		t.Errorf("claims won = %d; want 1", got)
	}
	for i := range n {
		if _, ok, err := db.Summary(ctx, summary(i).Key()); err != nil || !ok {
			t.Errorf("Summary(%d) after the race = %v, %v; want found", i, ok, err)
		}
	}
	shared, err := db.SharedSummaries(ctx, "A", time.Time{}, time.Time{})
	if err != nil || len(shared) != n {
		t.Errorf("SharedSummaries = %d, %v; want %d", len(shared), err, n)
	}
	hits, err := db.SearchTopics(ctx, "A", "ceasefire", 100)
	if err != nil || len(hits) != n {
		t.Errorf("SearchTopics(ceasefire) = %d hits, %v; want %d", len(hits), err, n)
	}
}

// TestConcurrentProcesses: two handles on one file (as the command line
// next to a running bot) write at once without SQLITE_BUSY.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	path := testDSN(t)
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 40 {
		wg.Go(func() {
			s := newSummary(fmt.Sprintf("https://news.example/p%d", i), "extractive",
				topic("Aid", point("Aid resumes.", summarize.StatusAgreed)))
			if err := dbs[i%2].SaveSummary(ctx, s); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("SaveSummary from two handles: %v", err)
	}
	var count int
	if err := dbs[0].r.QueryRowContext(ctx, "SELECT COUNT(*) FROM summaries").Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 40 {
		t.Errorf("summaries = %d; want 40", count)
	}
}
