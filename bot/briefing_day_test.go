package bot

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// The test day of package ledger (ledger/testdata/day): day 1 the seed
// story; day 2 the energy pause breached, a full ceasefire agreed with a
// caveat, Black Sea talks, sixteen unrelated articles and a re-share; day
// 3 only re-shares.
var testDayArticles = [][]string{
	{"d1-seed-call"},
	{
		"d2-energy-breached", "x-plague", "d2-ceasefire-agreed", "x-earnings", "x-hockey", "x-strike",
		"d1-seed-call",
		"x-rates", "d2-black-sea", "x-election", "x-wildfire", "x-vaccine", "x-merger", "x-space",
		"x-transit", "x-court", "x-football", "x-climate", "x-housing", "x-airline",
	},
	{"d2-energy-breached", "x-plague"},
}

func testDayShares(t testing.TB, at time.Time, names []string) []ledger.SharedSummary {
	var out []ledger.SharedSummary
	for i, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "ledger", "testdata", "day", n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var s summarize.Summary
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, ledger.SharedSummary{Share: ledger.Share{URL: s.URL, At: at.Add(time.Duration(i) * time.Minute)}, Summary: &s})
	}
	return out
}

// TestBriefingTestDay renders the test days: a one-story day, a mixed day
// of 20 shares and a quiet day, as golden files. Every message is within
// Discord's limits, the mixed day reads in two messages, each story's
// sources are in the story's message, and no internal id shows.
func TestBriefingTestDay(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	slots := []time.Time{
		time.Date(2025, 3, 19, 9, 0, 0, 0, berlin),
		time.Date(2025, 3, 21, 9, 0, 0, 0, berlin),
		time.Date(2025, 3, 22, 9, 0, 0, 0, berlin),
	}
	goldens := []string{"briefing-one-story.golden", "briefing-mixed-day.golden", "briefing-quiet-day.golden"}
	var prev *ledger.Ledger
	for i, names := range testDayArticles {
		since := slots[i].Add(-24 * time.Hour)
		if i > 0 {
			since = slots[i-1]
		}
		led, err := ledger.Build(context.Background(), ledger.Input{
			Shares: testDayShares(t, slots[i].Add(-10*time.Hour), names), Previous: prev, Slot: slots[i], Since: since,
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs := renderAll("g1", led, schedule.Header{Slot: slots[i], Loc: berlin}, false)
		for k, m := range msgs {
			if n := discordLen(m); n > maxMessageLen {
				t.Errorf("day %d message %d has %d chars; want ≤ %d", i+1, k+1, n, maxMessageLen)
			}
			if strings.Contains(m, "b-g1-") || strings.Contains(m, " id ") {
				t.Errorf("day %d message %d shows an internal id:\n%s", i+1, k+1, m)
			}
			// A story's sources are in its message: every [n] cited in a
			// message is listed in it, and no message is only sources.
			body := strings.TrimSpace(strings.Join(nonFooter(m), "\n"))
			if body != "" && !strings.ContainsAny(strings.ReplaceAll(body, "-# ", ""), "•*_") {
				t.Errorf("day %d message %d holds only source lines:\n%s", i+1, k+1, m)
			}
		}
		if i == 1 && len(msgs) > 2 {
			t.Errorf("mixed day: %d messages; want at most two screens", len(msgs))
		}
		checkBriefingGolden(t, goldens[i], joinMessages(msgs))
		b, _ := json.Marshal(led)
		if prev, err = ledger.Decode(b); err != nil {
			t.Fatal(err)
		}
	}
}

// nonFooter returns a message's lines but its briefing footer.
func nonFooter(m string) []string {
	var out []string
	for _, l := range strings.Split(m, "\n") {
		if !strings.HasPrefix(l, "-# briefing ") {
			out = append(out, l)
		}
	}
	return out
}
