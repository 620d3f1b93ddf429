package store

import (
	"context"
	"path/filepath"
	"testing"

	"briefbot/guild"
)

func TestUsageCountsPerServerAndDay(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []guild.UsageRecord{
		{GuildID: "g1", Day: "2026-03-01", URL: "https://a.example/1", Title: "One", Calls: 2, PromptTokens: 900, CompletionTokens: 100},
		{GuildID: "g1", Day: "2026-03-01", URL: "https://a.example/1", CacheHits: 1},
		{GuildID: "g1", Day: "2026-03-01", URL: "https://a.example/2", Title: "Two", Calls: 1, PromptTokens: 200, CompletionTokens: 50},
		{GuildID: "g2", Day: "2026-03-01", URL: "https://a.example/1", Calls: 1, PromptTokens: 10, CompletionTokens: 5},
		{GuildID: "g1", Day: "2026-03-02", URL: "https://a.example/3", Title: "Three", Calls: 1, PromptTokens: 4000, CompletionTokens: 1000},
	} {
		if err := db.RecordUsage(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordUsage(ctx, guild.UsageRecord{GuildID: "g1"}); err == nil {
		t.Errorf("RecordUsage without day and url = nil; want an error")
	}
	// The counts survive closing and opening the store again.
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	g, all, err := db.DayTokens(ctx, "2026-03-01", "g1")
	if err != nil || g != 1250 || all != 1265 {
		t.Errorf("DayTokens(2026-03-01, g1) = %d, %d, %v; want 1250, 1265", g, all, err)
	}
	if g, all, _ := db.DayTokens(ctx, "2026-03-03", "g1"); g != 0 || all != 0 {
		t.Errorf("DayTokens of a day without usage = %d, %d; want 0, 0", g, all)
	}

	rep, err := db.UsageReport(ctx, "g1", "2026-03-01", "2026-03-01", 5)
	if err != nil {
		t.Fatal(err)
	}
	want := guild.UsageTotals{Answers: 3, CacheHits: 1, Calls: 3, PromptTokens: 1100, CompletionTokens: 150}
	if rep.Totals != want {
		t.Errorf("UsageReport(g1, one day).Totals = %+v; want %+v", rep.Totals, want)
	}
	if len(rep.Costliest) != 2 || rep.Costliest[0].Title != "One" || rep.Costliest[0].Tokens != 1000 || rep.Costliest[1].Title != "Two" {
		t.Errorf("Costliest = %+v; want One (1000 tokens) then Two", rep.Costliest)
	}
	rep, _ = db.UsageReport(ctx, "g1", "2026-02-01", "2026-03-02", 1)
	if rep.Totals.Tokens() != 6250 || len(rep.Costliest) != 1 || rep.Costliest[0].Title != "Three" {
		t.Errorf("UsageReport(g1, 30 days, top 1) = %+v; want 6250 tokens, Three costliest", rep)
	}

	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping = %v; want nil", err)
	}
	db.Close()
	if err := db.Ping(ctx); err == nil {
		t.Errorf("Ping after Close = nil; want an error")
	}
}
