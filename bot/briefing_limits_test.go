package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"briefbot/bot/discordtext"
	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// TestBriefingWithinLimits: random days — up to 60 articles, long and
// multi-byte titles, names and points, every status, a previous day to
// diff against — render as messages within Discord's limit, each with
// its footer, none holding only source lines.
func TestBriefingWithinLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	words := []string{"ceasefire", "Kyiv", "Moscow", "energy", "talks", "Black Sea", "plague", "profit",
		"é", "日本語", "**bold**", "@everyone", "<@123>", "[x](https://e.example)", "||s||", strings.Repeat("long", 30)}
	text := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	day := func(n int, prefix string, at time.Time) []ledger.SharedSummary {
		var out []ledger.SharedSummary
		for i := 0; i < n; i++ {
			u := fmt.Sprintf("https://n%d.example/%s/%d/%s", r.IntN(5), prefix, i, text(r.IntN(3)))
			s := &summarize.Summary{URL: u, Title: text(1 + r.IntN(40)), Site: text(r.IntN(4))}
			for range 1 + r.IntN(6) {
				tp := summarize.Topic{Name: text(1 + r.IntN(12))}
				for range 1 + r.IntN(5) {
					tp.Points = append(tp.Points, summarize.Point{
						Text: text(1 + r.IntN(90)), Status: summarize.Statuses[r.IntN(4)],
						Actors: []string{text(1 + r.IntN(3))}, Grounded: true,
					})
				}
				s.Topics = append(s.Topics, tp)
			}
			out = append(out, ledger.SharedSummary{Share: ledger.Share{URL: u, At: at.Add(time.Duration(i) * time.Minute)}, Summary: s})
		}
		return out
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2025, 3, 20, 9, 0, 0, 0, berlin)
	for k := range 40 {
		prev, err := ledger.Build(context.Background(), ledger.Input{Shares: day(r.IntN(30), "p", slot.Add(-30*time.Hour)), Slot: slot.Add(-24 * time.Hour), Since: slot.Add(-48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		led, err := ledger.Build(context.Background(), ledger.Input{Shares: day(r.IntN(60), "d", slot.Add(-10*time.Hour)), Previous: prev, Slot: slot, Since: slot.Add(-24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		footer := func(i, n int) string {
			return fmt.Sprintf("-# briefing footer %d/%d%s", i, n, strings.Repeat("\u200b", 80))
		}
		msgs := RenderBriefing(led, schedule.Header{Slot: slot, Loc: berlin, Late: k%2 == 0}, footer)
		for i, m := range msgs {
			if n := discordtext.Len(m); n > maxMessageLen {
				t.Fatalf("day %d: message %d of %d has %d characters; want ≤ %d", k, i+1, len(msgs), n, maxMessageLen)
			}
			if !strings.HasSuffix(m, footer(i+1, len(msgs))) {
				t.Fatalf("day %d: message %d lacks its footer:\n%s", k, i+1, m)
			}
			body := strings.TrimSuffix(m, footer(i+1, len(msgs)))
			only := true
			for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
				only = only && strings.HasPrefix(l, "-# [")
			}
			if only {
				t.Fatalf("day %d: message %d holds only source lines:\n%s", k, i+1, m)
			}
		}
	}
}
