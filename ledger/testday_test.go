package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"briefbot/summarize"
)

// The test day: the seed story on day 1; on day 2 the energy pause
// breached, a full ceasefire agreed with a caveat and a third party's
// doubt, Black Sea talks opening, sixteen unrelated articles and a
// re-share of day 1's article; on day 3 only re-shares.
var (
	day1Articles = []string{"d1-seed-call"}
	day2Articles = []string{
		"d2-energy-breached", "x-plague", "d2-ceasefire-agreed", "x-earnings", "x-hockey", "x-strike",
		"d1-seed-call", // a re-share
		"x-rates", "d2-black-sea", "x-election", "x-wildfire", "x-vaccine", "x-merger", "x-space",
		"x-transit", "x-court", "x-football", "x-climate", "x-housing", "x-airline",
	}
	day3Articles = []string{"d2-energy-breached", "x-plague"}
)

// DayArticle reads a test-day article (testdata/day).
func dayArticle(t testing.TB, name string) *summarize.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "day", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summarize.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i := range s.Topics {
		s.Topics[i].Key = summarize.TopicKey(s.Topics[i].Name)
	}
	return &s
}

func dayShares(t testing.TB, at time.Time, names []string) []SharedSummary {
	var out []SharedSummary
	for i, n := range names {
		s := dayArticle(t, n)
		out = append(out, SharedSummary{Share: Share{URL: s.URL, At: at.Add(time.Duration(i) * time.Minute)}, Summary: s})
	}
	return out
}

// daySlots are the test days' briefing times; articles are shared ten
// hours before.
var daySlots = []time.Time{
	time.Date(2025, 3, 19, 8, 0, 0, 0, time.UTC),
	time.Date(2025, 3, 21, 8, 0, 0, 0, time.UTC),
	time.Date(2025, 3, 22, 8, 0, 0, 0, time.UTC),
}

// testDays builds the three days' ledgers as briefings do, each from the
// one before.
func testDays(t testing.TB) (day1, day2, day3 *Ledger) {
	var prev *Ledger
	var out []*Ledger
	for i, names := range [][]string{day1Articles, day2Articles, day3Articles} {
		s, since := daySlots[i], daySlots[i].Add(-24*time.Hour)
		if i > 0 {
			since = daySlots[i-1]
		}
		led, err := Build(context.Background(), Input{
			Shares: dayShares(t, s.Add(-10*time.Hour), names), Previous: prev, Slot: s, Since: since,
		})
		if err != nil {
			t.Fatal(err)
		}
		// Through its stored JSON, as the next briefing reads it.
		b, err := json.Marshal(led)
		if err != nil {
			t.Fatal(err)
		}
		if prev, err = Decode(b); err != nil {
			t.Fatal(err)
		}
		out = append(out, led)
	}
	return out[0], out[1], out[2]
}

// TestTestDay: one story's articles are one story, its status changes are
// what changed with the text that changed them, a re-share is not news,
// unrelated articles are stories of their own.
func TestTestDay(t *testing.T) {
	day1, day2, day3 := testDays(t)

	if len(day1.Stories) != 1 || day1.Stories[0].Articles != 1 {
		t.Errorf("day 1 stories = %+v; want one story of one article", day1.Stories)
	}

	if day2.Articles != 19 || day2.Reshared != 1 {
		t.Errorf("day 2: %d articles, %d re-shared; want 19 and 1", day2.Articles, day2.Reshared)
	}
	if len(day2.Stories) != 17 {
		t.Errorf("day 2: %d stories; want 17 (the ceasefire story and 16 others)", len(day2.Stories))
	}
	top := day2.Stories[0]
	var topics []string
	for _, ti := range top.Topics {
		topics = append(topics, day2.Topics[ti].Name)
	}
	slices.Sort(topics)
	if top.Headline != "Russia and Ukraine agree a full 30-day ceasefire" || top.Articles != 3 || fmt.Sprint(topics) != "[30-day ceasefire Black Sea talks Energy strikes]" {
		t.Errorf("day 2 first story = %q, %d articles, topics %q; want the three ceasefire-story articles", top.Headline, top.Articles, topics)
	}

	want := map[string]struct {
		kind     ChangeKind
		from, to summarize.Status
		quote    string
	}{
		"Energy strikes":   {ChangeStatus, "agreed", "disputed", "Zelenskyy said Russian drones struck power plants"},
		"30-day ceasefire": {ChangeResolved, "unresolved", "agreed", "Russia and Ukraine agreed to a full 30-day ceasefire"},
	}
	got := map[string]Change{}
	for _, c := range day2.Changes {
		got[c.Topic] = c
		if c.Kind == ChangeNew && (c.Topic == "Black Sea talks" || c.Topic == "Prisoner exchange") {
			t.Errorf("day 2 change %+v: a known topic reported as new", c)
		}
	}
	for name, w := range want {
		c, ok := got[name]
		if !ok || c.Kind != w.kind || c.From != w.from || c.To != w.to || !strings.HasPrefix(c.Quote, w.quote) || c.Story != 0 || len(c.Sources) == 0 {
			t.Errorf("day 2 change of %q = %+v; want %s %s → %s in story 0 quoting %q", name, c, w.kind, w.from, w.to, w.quote)
		}
	}
	if c, ok := got["Black Sea talks"]; ok {
		t.Errorf("day 2: Black Sea talks changed (%+v); want it still open, its new fact under What happened", c)
	}
	if c, ok := got["Plague case"]; !ok || c.Kind != ChangeNew || c.To != summarize.StatusReported {
		t.Errorf("day 2 Plague case change = %+v; want new, reported", c)
	}

	if day3.Articles != 0 || day3.Reshared != 2 || len(day3.Stories) != 0 {
		t.Errorf("day 3: %d articles, %d re-shared, %d stories; want 0, 2, 0", day3.Articles, day3.Reshared, len(day3.Stories))
	}
	quiet := 0
	for _, c := range day3.Changes {
		if c.Kind == ChangeQuiet {
			quiet++
		} else {
			t.Errorf("day 3 change %+v; want only stories gone quiet", c)
		}
	}
	if quiet != 17 {
		t.Errorf("day 3: %d stories went quiet; want day 2's 17", quiet)
	}
	for _, tp := range day3.Topics {
		if !tp.Carried {
			t.Errorf("day 3 topic %q not carried", tp.Name)
		}
	}
}

// TestHistoryAgreesWithBriefings: for every topic of the test days, the
// status /topic reads from all its articles at once (History) is the one
// the day-by-day briefings arrive at.
func TestHistoryAgreesWithBriefings(t *testing.T) {
	_, day2, _ := testDays(t)
	all := append(dayShares(t, daySlots[0].Add(-10*time.Hour), day1Articles),
		dayShares(t, daySlots[1].Add(-10*time.Hour), day2Articles)...)
	for _, tp := range day2.Current() {
		// The articles' topics this ledger topic merged, as /topic finds
		// them by name.
		var shares []SharedSummary
		for _, sh := range all {
			var ts []summarize.Topic
			for _, st := range sh.Summary.Topics {
				if slices.Contains(tp.Aliases, strings.Join(contentWords(st.Name), " ")) {
					ts = append(ts, st)
				}
			}
			if len(ts) > 0 {
				s := *sh.Summary
				s.Topics = ts
				shares = append(shares, SharedSummary{Share: sh.Share, Summary: &s})
			}
		}
		h := History(shares, false)
		if len(h) == 0 {
			t.Errorf("History(%q) empty", tp.Name)
			continue
		}
		if got := h[len(h)-1].State; got.Status != tp.Status || got.WasDisputed != tp.State.WasDisputed {
			t.Errorf("History(%q) = %s; briefing says %s", tp.Name, got.Status, tp.Status)
		}
	}
}

// TestStoriesNeedMainParties: a market report that quotes Trump once on
// tariffs and Russia once on oil output names the ceasefire story's two
// parties, yet is not part of it.
func TestStoriesNeedMainParties(t *testing.T) {
	slot := daySlots[1]
	led, err := Build(context.Background(), Input{
		Shares: dayShares(t, slot.Add(-10*time.Hour), []string{"d1-seed-call", "x-oil-market"}),
		Slot:   slot, Since: slot.Add(-24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Stories) != 2 {
		var heads []string
		for _, st := range led.Stories {
			heads = append(heads, fmt.Sprintf("%q (%d articles)", st.Headline, st.Articles))
		}
		t.Errorf("stories = %s; want the ceasefire story and the market report apart", strings.Join(heads, ", "))
	}
}

// TestSourcesViaFeed: an article only a followed feed shared is marked as
// from a feed; one a person shared too is not.
func TestSourcesViaFeed(t *testing.T) {
	slot := daySlots[1]
	shares := dayShares(t, slot.Add(-10*time.Hour), []string{"x-plague", "x-earnings", "x-earnings"})
	shares[0].Share.UserID = FeedUserPrefix + "1"
	shares[1].Share.UserID = FeedUserPrefix + "1"
	shares[2].Share.UserID = "alice"
	led, err := Build(context.Background(), Input{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	via := map[string]bool{}
	for _, s := range led.Sources {
		via[s.URL] = s.ViaFeed
	}
	if len(via) != 2 || !via[shares[0].Summary.URL] || via[shares[1].Summary.URL] {
		t.Errorf("sources via feed = %v; want only %s", via, shares[0].Summary.URL)
	}
}
