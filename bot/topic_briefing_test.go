package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/store"
	"briefbot/summarize"
)

// TestTopicAgreesWithBriefing: the test day of package ledger (the seed
// story on day 1; the energy pause breached, a full ceasefire agreed with
// a caveat, Black Sea talks and unrelated news on day 2) stored as shares.
// For every topic of day 2's briefing, /topic — the store's search and
// RenderTopic — says "Now:" the status the briefing gives it.
func TestTopicAgreesWithBriefing(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "day.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	days := []struct {
		slot     time.Time
		articles []string
	}{
		{time.Date(2025, 3, 19, 8, 0, 0, 0, time.UTC), []string{"d1-seed-call"}},
		{time.Date(2025, 3, 21, 8, 0, 0, 0, time.UTC), []string{
			"d2-energy-breached", "x-plague", "d2-ceasefire-agreed", "x-earnings", "x-strike", "d1-seed-call",
			"x-rates", "d2-black-sea", "x-election", "x-merger", "x-climate", "x-airline",
		}},
	}
	var prev *ledger.Ledger
	since := days[0].slot.Add(-24 * time.Hour)
	for _, d := range days {
		for i, name := range d.articles {
			b, err := os.ReadFile(filepath.Join("..", "ledger", "testdata", "day", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var s summarize.Summary
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			for k := range s.Topics {
				s.Topics[k].Key = summarize.TopicKey(s.Topics[k].Name)
			}
			at := d.slot.Add(-10*time.Hour + time.Duration(i)*time.Minute)
			s.CreatedAt = at
			if err := db.SaveSummary(ctx, &s); err != nil {
				t.Fatal(err)
			}
			if err := db.RecordShare(ctx, ledger.Share{GuildID: "g", ChannelID: "c", MessageID: fmt.Sprint(name, at.Unix()),
				URL: s.URL, Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		// As a briefing composes: the window's shares, from the
		// previous ledger.
		shared, err := db.SharedSummaries(ctx, "g", since, d.slot)
		if err != nil {
			t.Fatal(err)
		}
		led, err := ledger.Build(ctx, ledger.Input{Shares: shared, Previous: prev, Slot: d.slot, Since: since})
		if err != nil {
			t.Fatal(err)
		}
		prev, since = led, d.slot
	}

	now := regexp.MustCompile(`\*\*Now: \S+ (\w+)\*\*( \(was disputed\))?`)
	checked := 0
	for _, tp := range prev.Current() {
		hits, err := db.SearchTopics(ctx, "g", tp.Name, maxTopicHits)
		if err != nil {
			t.Fatal(err)
		}
		text := Flatten(RenderTopic(tp.Name, hits, TopicOptions{})[0])
		_, field, ok := strings.Cut(text, "### ")
		m := now.FindStringSubmatch(field)
		if !ok || m == nil {
			t.Errorf("/topic %q: no status in\n%s", tp.Name, text)
			continue
		}
		if summarize.Status(m[1]) != tp.Status || (m[2] != "") != tp.State.WasDisputed {
			t.Errorf("/topic %q says %q; the briefing says %s (was disputed %v)\n%s", tp.Name, m[0], tp.Status, tp.State.WasDisputed, text)
		}
		t.Logf("%-18s briefing %-10s /topic %s", tp.Name, tp.Status, m[0])
		checked++
	}
	if checked < 10 {
		t.Errorf("checked %d topics; want every topic of the day", checked)
	}
}
