package schedule

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extractive"
)

// storyArticle builds an article's ledger with the offline engine, as the
// bot does for a pasted link.
func storyArticle(t *testing.T, path, url, contentType string) *summarize.Summary {
	t.Helper()
	body, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc, err := summarize.Extract(body, url, contentType)
	if err != nil {
		t.Fatal(err)
	}
	res, err := extractive.New().Summarize(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	summarize.Ground(res.Topics, doc.Text)
	return &summarize.Summary{
		URL: url, Title: doc.Title, Site: doc.Site, Published: doc.Published,
		Engine: "extractive", Topics: res.Topics,
	}
}

// TestComposeStoryExtractive is the console's three-link story, pasted in
// order: the seed (no date), the energy pause fraying (24 March) and the
// Black Sea ceasefire agreed (26 March), summarized offline. The Black Sea
// ceasefire, open on day 2 and agreed on day 3, reads as agreed with the
// day-2 point as history; the opening paragraphs about the energy pause
// join the energy topic; the energy topic shows each article's points,
// the newest first; the sources run from the oldest to the newest.
func TestComposeStoryExtractive(t *testing.T) {
	const e2e = "../bot/testdata/e2e/"
	arts := []*summarize.Summary{
		storyArticle(t, seedPath, "https://news.example/2025/03/19/trump-putin-call", "text/plain; charset=utf-8"),
		storyArticle(t, e2e+"day2-energy-pause-accusations.html", "https://wire.example/2025/03/24/energy-pause-frays", "text/html; charset=utf-8"),
		storyArticle(t, e2e+"day3-black-sea-ceasefire.html", "https://tribune.example/2025/03/26/black-sea-ceasefire", "text/html; charset=utf-8"),
	}
	// Shared a minute apart, long after they were published (as in the
	// console, whose clock is today's).
	at := time.Date(2026, 11, 29, 4, 30, 0, 0, time.UTC)
	var shares []store.SharedSummary
	for i, a := range arts {
		shares = append(shares, store.SharedSummary{Share: store.Share{GuildID: "g1", URL: a.URL, At: at.Add(time.Duration(i) * time.Minute)}, Summary: a})
	}
	slot := at.Add(5 * time.Minute)
	led, err := compose(context.Background(), composeInput{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	msgs := renderAll("g1", led, header{slot: slot, loc: time.UTC, manual: true}, false)
	all := strings.Join(msgs, "\n")
	t.Logf("briefing:\n%s", joinMessages(msgs))
	for i, m := range msgs {
		if n := discordLen(m); n > maxMessageLen {
			t.Errorf("message %d has %d chars; want ≤ %d", i+1, n, maxMessageLen)
		}
	}

	// Sources: the seed, day 2, day 3.
	for i, a := range arts {
		if i >= len(led.Sources) || led.Sources[i].URL != a.URL {
			t.Errorf("sources %+v; want [%d] %s", led.Sources, i+1, a.URL)
		}
	}

	var blackSea, energy *LedgerTopic
	for i, tp := range led.Current() {
		n := strings.ToLower(tp.Name)
		switch {
		case strings.Contains(n, "black sea") && blackSea == nil:
			blackSea = &led.Current()[i]
		case strings.Contains(n, "energy") && energy == nil:
			energy = &led.Current()[i]
		}
	}
	if blackSea == nil || energy == nil {
		t.Fatalf("topics %v; want a Black Sea and an energy topic", names(led))
	}

	// 1. Black Sea: unresolved on day 2, agreed on day 3: agreed.
	if blackSea.Status != agreed {
		t.Errorf("Black Sea topic %q status = %q; want agreed (the newer article agreed)", blackSea.Name, blackSea.Status)
	}
	bs := section(all, "Agreed")
	if !strings.Contains(bs, "**"+blackSea.Name+"**") || !strings.Contains(bs, "_was unresolved:_ No agreement on a maritime ceasefire") {
		t.Errorf("Agreed = %q; want %q with the day-2 point as history", bs, blackSea.Name)
	}

	// 2. The opening paragraphs about the energy pause are energy points,
	// wherever the engine put them.
	_, items := collect(shares, false)
	mt := make([]MergeTopic, len(items))
	for i, it := range items {
		mt[i] = MergeTopic{Name: it.name, Source: it.src}
		for _, p := range it.points {
			mt[i].Points = append(mt[i].Points, p.Text)
		}
	}
	groups, _ := KeywordMerger{}.Merge(context.Background(), mt)
	groupOf := func(prefix string) int {
		for g, grp := range groups {
			for _, m := range grp.Members {
				for _, p := range mt[m].Points {
					if strings.HasPrefix(p, prefix) {
						return g
					}
				}
			}
		}
		t.Errorf("no topic has the point %q", prefix)
		return -1
	}
	seedEnergy := groupOf("During the call Putin agreed to stop attacking Ukrainian energy facilities")
	for _, lead := range []string{
		"Five days after Russia and Ukraine signed up to a limited pause in attacks on energy facilities",
		"After three days of talks in Jeddah, Russia and Ukraine have accepted a ceasefire at sea",
	} {
		if g := groupOf(lead); g != seedEnergy {
			t.Errorf("the point %q is in topic %v; want it with the seed's energy topic %v", lead, describeGroup(mt, groups, g), describeGroup(mt, groups, seedEnergy))
		}
	}

	// 3. The energy topic: disputed, its shown lines cite every article,
	// the newest first.
	if energy.Status != disputed {
		t.Errorf("energy topic %q status = %q; want disputed", energy.Name, energy.Status)
	}
	lines := strings.Split(all[strings.Index(all, "• **"+energy.Name+"**"):], "\n")
	for i, l := range lines[1:] {
		if !strings.HasPrefix(l, "  ◦ ") {
			lines = lines[:i+1]
			break
		}
	}
	block := strings.Join(lines, "\n")
	var refs []string
	for _, l := range lines[1:] {
		if i := strings.LastIndex(l, " ["); i >= 0 && !strings.Contains(l, "more point") {
			refs = append(refs, l[i+1:])
		}
	}
	if got := strings.Join(refs, " "); got != "[3] [1] [2]" {
		t.Errorf("energy topic cites %q; want the newest disputed [3], the agreement [1] and day 2's [2]:\n%s", got, block)
	}
	if len(lines) < 2 || !strings.Contains(lines[1], "_disputed:_") || !strings.Contains(block, "_agreed:_") {
		t.Errorf("energy topic = %q; want the newest accusation first and the agreement it contests", block)
	}
}

// section returns a rendered section's text, up to the next section.
func section(all, title string) string {
	_, rest, _ := strings.Cut(all, "**"+title+"**\n")
	if i := strings.Index(rest, "\n\n**"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func describeGroup(topics []MergeTopic, groups []TopicGroup, g int) []string {
	if g < 0 {
		return nil
	}
	var out []string
	for _, m := range groups[g].Members {
		out = append(out, topics[m].Name)
	}
	return out
}
