package bot

// Tests of briefings as Discord shows them: a briefing's ledger
// (package ledger) rendered by RenderBriefing.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
)

// Names of package ledger these tests use.
type (
	Ledger      = ledger.Ledger
	LedgerTopic = ledger.Topic
	Change      = ledger.Change
)

const (
	ChangeNew      = ledger.ChangeNew
	ChangeStatus   = ledger.ChangeStatus
	ChangeResolved = ledger.ChangeResolved
	LedgerVersion  = ledger.Version
)

// composeInput is what a briefing gives ledger.Build.
type composeInput struct {
	Shares      []ledger.SharedSummary
	Previous    *Ledger
	Slot, Since time.Time
}

func compose(ctx context.Context, in composeInput) (*Ledger, error) {
	return ledger.Build(ctx, ledger.Input{Shares: in.Shares, Previous: in.Previous, Slot: in.Slot, Since: in.Since})
}

// loadArticle reads a ledger written for the tests (ledger/testdata:
// articles, then the test day's).
func loadArticle(t testing.TB, name string) *summarize.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "ledger", "testdata", "articles", name+".json"))
	if errors.Is(err, os.ErrNotExist) {
		b, err = os.ReadFile(filepath.Join("..", "ledger", "testdata", "day", name+".json"))
	}
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

func sharesOf(t testing.TB, at time.Time, names ...string) []ledger.SharedSummary {
	var out []ledger.SharedSummary
	for i, n := range names {
		s := loadArticle(t, n)
		out = append(out, ledger.SharedSummary{
			Share:   ledger.Share{GuildID: "g1", ChannelID: "news", URL: s.URL, At: at.Add(time.Duration(i) * time.Minute)},
			Summary: s,
		})
	}
	return out
}

func checkBriefingGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// renderAll is what a briefing posts, with a stand-in for the footer
// package schedule adds (its marker).
func renderAll(guildID string, led *Ledger, h schedule.Header, quiet bool) []string {
	if led.Articles == 0 && quiet {
		return nil
	}
	return RenderBriefing(led, h, func(i, n int) string {
		f := "-# briefing " + h.Slot.In(h.Loc).Format("Mon 2 Jan 15:04") + " " + h.Loc.String()
		if n > 1 {
			f += fmt.Sprintf(" · %d/%d", i, n)
		}
		return f
	})
}

func joinMessages(msgs []string) string {
	var b strings.Builder
	for i, m := range msgs {
		fmt.Fprintf(&b, "===== message %d/%d (%d chars)\n%s\n", i+1, len(msgs), discordLen(m), m)
	}
	return b.String()
}

func topicByName(led *Ledger, name string) *LedgerTopic {
	for i := range led.Topics {
		if led.Topics[i].Name == name {
			return &led.Topics[i]
		}
	}
	return nil
}

// TestComposeNegotiation follows one story over three briefings: the
// ledgers of the articles shared each day merge by topic, statuses come
// from the points (disputes show both sides), and each briefing diffs
// against the one before.
func TestComposeNegotiation(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	type wantTopic struct {
		name   string
		status summarize.Status
	}
	days := []struct {
		name     string
		slot     time.Time
		articles []string
		topics   []wantTopic
		changes  []Change
	}{
		{
			name:     "day1",
			slot:     time.Date(2025, 3, 19, 9, 0, 0, 0, berlin),
			articles: []string{"1-wire-call"},
			topics: []wantTopic{
				{"30-day truce", summarize.StatusUnresolved},
				{"Energy strikes", summarize.StatusAgreed},
				{"Prisoner exchange", summarize.StatusAgreed},
				{"Black Sea talks", summarize.StatusUnresolved},
			},
		},
		{
			name:     "day2",
			slot:     time.Date(2025, 3, 20, 9, 0, 0, 0, berlin),
			articles: []string{"2-seed-cgtn", "2-kyiv-breach"},
			topics: []wantTopic{
				// "Full temporary ceasefire" (seed) and "Truce" are one topic.
				{"Full temporary ceasefire", summarize.StatusUnresolved},
				// "Energy facility attacks" and "Energy infrastructure
				// ceasefire": agreed, but accused of being broken.
				{"Energy facility attacks", summarize.StatusDisputed},
				{"Territory", summarize.StatusUnresolved},
				{"Aid", summarize.StatusDisputed},
				{"Future talks", summarize.StatusUnresolved},
				{"Jeddah talks", summarize.StatusAgreed},
			},
			changes: []Change{
				{Kind: ChangeStatus, Topic: "Energy facility attacks", From: "agreed", To: "disputed"},
				{Kind: ChangeNew, Topic: "Territory", To: "unresolved"},
				{Kind: ChangeNew, Topic: "Aid", To: "disputed"},
				{Kind: ChangeNew, Topic: "Future talks", To: "unresolved"},
				// The seed's "Ukrainian response" is one point, about
				// strikes hours after Moscow agreed to pause attacks on
				// energy facilities: it joined the energy topic.
				{Kind: ChangeNew, Topic: "International response", To: "unresolved"},
				{Kind: ChangeNew, Topic: "Jeddah talks", To: "agreed"},
			},
		},
		{
			name:     "day3",
			slot:     time.Date(2025, 3, 26, 9, 0, 0, 0, berlin),
			articles: []string{"3-us-blacksea", "3-kremlin-sanctions"},
			topics: []wantTopic{
				{"Black Sea maritime ceasefire", summarize.StatusDisputed},
				{"Energy strikes", summarize.StatusAgreed},
				{"Ceasefire", summarize.StatusUnresolved},
				{"Sanctions relief", summarize.StatusUnresolved},
			},
			changes: []Change{
				{Kind: ChangeResolved, Topic: "Energy strikes", From: "disputed", To: "agreed"},
				{Kind: ChangeStatus, Topic: "Black Sea maritime ceasefire", From: "unresolved", To: "disputed"},
				{Kind: ChangeNew, Topic: "Sanctions relief", To: "unresolved"},
			},
		},
	}
	var prev *Ledger
	var prevSlot time.Time
	for _, d := range days {
		t.Run(d.name, func(t *testing.T) {
			since := d.slot.Add(-24 * time.Hour)
			if prev != nil {
				since = prevSlot
			}
			led, err := compose(context.Background(), composeInput{
				Shares: sharesOf(t, since.Add(time.Hour), d.articles...), Previous: prev,
				Slot: d.slot, Since: since,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range d.topics {
				got := topicByName(led, w.name)
				if got == nil || got.Carried {
					t.Errorf("compose(%s): no current topic %q; topics %v", d.name, w.name, topicNames(led))
					continue
				}
				if got.Status != w.status {
					t.Errorf("compose(%s) topic %q status = %q; want %q", d.name, w.name, got.Status, w.status)
				}
			}
			if d.changes != nil {
				if g, w := changeKeys(led.Changes), changeKeys(d.changes); g != w {
					t.Errorf("compose(%s).Changes = %s; want %s", d.name, g, w)
				}
			}
			if (prev == nil) != led.First {
				t.Errorf("compose(%s).First = %v; want %v", d.name, led.First, prev == nil)
			}
			msgs := renderAll("g1", led, schedule.Header{Slot: d.slot, Loc: berlin}, false)
			for i, m := range msgs {
				if n := discordLen(m); n > maxMessageLen {
					t.Errorf("message %d has %d chars; want ≤ %d", i+1, n, maxMessageLen)
				}
			}
			checkBriefingGolden(t, "briefing-"+d.name+".golden", joinMessages(msgs))

			// The ledger round-trips through its stored JSON, which is
			// what the next briefing diffs against.
			b, err := json.Marshal(led)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ledger.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			prev, prevSlot = back, d.slot
		})
	}
	// The day-3 ledger still knows the topics nobody wrote about that day.
	if prev == nil {
		t.Fatal("no ledger")
	}
	if tp := topicByName(prev, "Prisoner exchange"); tp == nil || !tp.Carried || tp.Status != summarize.StatusAgreed {
		t.Errorf("day-3 ledger carries Prisoner exchange = %+v; want carried, agreed", tp)
	}
}

func topicNames(led *Ledger) []string {
	var out []string
	for _, t := range led.Topics {
		out = append(out, t.Name)
	}
	return out
}

// TestComposeDisputeShowsBothSides: the same point reported as agreed by
// one article and accused of being broken by another is one disputed
// point with both sides and both sources.
func TestComposeDisputeShowsBothSides(t *testing.T) {
	mk := func(url, topic, text string, st summarize.Status) ledger.SharedSummary {
		return ledger.SharedSummary{Summary: &summarize.Summary{
			URL: url, Title: url, Topics: []summarize.Topic{{Name: topic, Points: []summarize.Point{
				{Text: text, Status: st, Grounded: true},
			}}},
		}}
	}
	shares := []ledger.SharedSummary{
		mk("https://a.example/1", "Energy strikes", "Russia agreed to halt strikes on Ukrainian energy infrastructure.", summarize.StatusAgreed),
		mk("https://b.example/2", "Attacks on energy facilities", "Ukraine says Russia has not halted strikes on Ukrainian energy infrastructure.", summarize.StatusDisputed),
	}
	slot := time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC)
	led, err := compose(context.Background(), composeInput{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	cur := led.Current()
	if len(cur) != 1 {
		t.Fatalf("compose: topics %v; want one merged topic", topicNames(led))
	}
	tp := cur[0]
	if tp.Status != summarize.StatusDisputed || len(tp.Points) != 1 || len(tp.Points[0].Sides) != 2 {
		t.Fatalf("compose: topic %+v; want one disputed point with two sides", tp)
	}
	lines := strings.Join(renderBlocks(led, schedule.Header{Slot: slot, Loc: time.UTC}), "\n")
	for _, want := range []string{
		"__⚠️ Disputed__\n• Ukraine says Russia has not halted strikes on Ukrainian energy infrastructure. [1]",
		"⟷ _agreed:_ Russia agreed to halt strikes on Ukrainian energy infrastructure. [2]",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("render = %q; want it to contain %q", lines, want)
		}
	}
}

// TestRenderEscapes: article and model text cannot ping, link or format.
func TestRenderEscapes(t *testing.T) {
	evil := &summarize.Summary{
		URL:   "https://evil.example/a b<c>",
		Title: "@everyone [click](https://phish.example) <@123> <#456>",
		Site:  "**Bold** site",
		Topics: []summarize.Topic{{Name: "# Heading `code`", Points: []summarize.Point{
			{Text: "@here look\n> quoted\n- item <@&789> ||spoiler|| ~~gone~~ _it_", Status: summarize.StatusAgreed, Grounded: true},
		}}},
	}
	slot := time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC)
	led, err := compose(context.Background(), composeInput{
		Shares: []ledger.SharedSummary{{Summary: evil}}, Slot: slot, Since: slot.Add(-time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := renderAll("g1", led, schedule.Header{Slot: slot, Loc: time.UTC}, false)
	got := strings.Join(msgs, "\n")
	for _, bad := range []string{"@everyone", "@here", "<@123>", "<#456>", "<@&789>", "[click](", "||spoiler", "~~gone", "\n> quoted", "\n- item", "**Bold**", "`code`", "<https://evil.example/a b<c>>"} {
		if strings.Contains(got, bad) {
			t.Errorf("render contains %q:\n%s", bad, got)
		}
	}
	if !strings.Contains(got, "<https://evil.example/a%20b%3Cc%3E>") {
		t.Errorf("render = %q; want the source URL encoded inside <>", got)
	}
	checkBriefingGolden(t, "briefing-escape.golden", joinMessages(msgs))
}

// TestRenderEmptyAndQuiet: a day without shares is one short line, or
// nothing when the server asked for quiet.
func TestRenderEmptyAndQuiet(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	slot := time.Date(2025, 3, 21, 9, 0, 0, 0, berlin)
	prev := &Ledger{Version: LedgerVersion, Topics: []LedgerTopic{{Key: "ceasefire", Name: "Ceasefire", Status: "unresolved", Aliases: []string{"ceasefire"}, LastSeen: slot.Add(-24 * time.Hour)}}}
	led, err := compose(context.Background(), composeInput{Previous: prev, Slot: slot, Since: slot.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Topics) != 1 || !led.Topics[0].Carried {
		t.Errorf("empty day ledger topics = %+v; want Ceasefire carried", led.Topics)
	}
	msgs := renderAll("g1", led, schedule.Header{Slot: slot, Loc: berlin}, false)
	want := "**Daily briefing · Fri 21 Mar 2025, 09:00 (Europe/Berlin)** · No links were shared since the last briefing (Thu 20 Mar 09:00).\n" +
		"-# briefing Fri 21 Mar 09:00 Europe/Berlin"
	if len(msgs) != 1 || msgs[0] != want {
		t.Errorf("empty briefing = %q; want [%q]", msgs, want)
	}
	if q := renderAll("g1", led, schedule.Header{Slot: slot, Loc: berlin}, true); q != nil {
		t.Errorf("quiet empty briefing = %q; want nothing", q)
	}
}

// TestPaginate: long briefings split at line boundaries, in order, each
// message within Discord's limit with its footer.
func TestPaginate(t *testing.T) {
	var lines []string
	for i := range 120 {
		lines = append(lines, fmt.Sprintf("• line %03d %s", i, strings.Repeat("é", 40)))
	}
	lines = append(lines, strings.Repeat("x", 2500)) // longer than a message
	msgs := paginate(lines, func(i, n int) string { return fmt.Sprintf("-# id · %d/%d", i, n) })
	var rebuilt []string
	for i, m := range msgs {
		if n := discordLen(m); n > maxMessageLen {
			t.Errorf("message %d has %d chars; want ≤ %d", i+1, n, maxMessageLen)
		}
		ls := strings.Split(m, "\n")
		if f, w := ls[len(ls)-1], fmt.Sprintf("-# id · %d/%d", i+1, len(msgs)); f != w {
			t.Errorf("message %d footer = %q; want %q", i+1, f, w)
		}
		rebuilt = append(rebuilt, ls[:len(ls)-1]...)
	}
	got := strings.Join(rebuilt, "\n")
	want := strings.Join(lines, "\n")
	// The over-long line is cut across messages; rejoin it.
	got = strings.Replace(got, "x\nx", "xx", -1)
	if got != want {
		t.Errorf("paginate lost or reordered lines")
	}
}

// seedPath is the design's example article, in the shared folder beside
// the repository.
const seedPath = "../../shared/seed/trump-putin-call.txt"

// TestComposeSeedExtractive builds the seed article's ledger with the
// offline engine, as the bot would for a pasted link, and merges it with
// the next day's Kyiv article: the seed's "Energy facility attacks" and
// Kyiv's "Energy infrastructure ceasefire" are one disputed topic showing
// both sides, "Full temporary ceasefire" and "Truce" one unresolved topic,
// and the energy topic changed since day 1's briefing.
func TestComposeSeedExtractive(t *testing.T) {
	body, err := os.ReadFile(seedPath)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found", seedPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	const seedURL = "https://news.cgtn.com/news/2025-03-19/trump-putin-call/index.html"
	doc, err := extract.Document(body, seedURL, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	res, err := extractive.New().Summarize(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	summarize.Ground(res.Topics, doc.Text)
	seed := &summarize.Summary{URL: seedURL, Title: doc.Title, Site: "CGTN", Engine: "extractive", Topics: res.Topics}

	berlin := mustLoc(t, "Europe/Berlin")
	day1 := time.Date(2025, 3, 19, 9, 0, 0, 0, berlin)
	prev, err := compose(context.Background(), composeInput{Shares: sharesOf(t, day1.Add(-time.Hour), "1-wire-call"), Slot: day1, Since: day1.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	slot := day1.Add(24 * time.Hour)
	shares := append([]ledger.SharedSummary{{Share: ledger.Share{URL: seedURL}, Summary: seed}}, sharesOf(t, slot.Add(-time.Hour), "2-kyiv-breach")...)
	led, err := compose(context.Background(), composeInput{Shares: shares, Previous: prev, Slot: slot, Since: day1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		name     string
		status   summarize.Status
		articles int
	}{
		{"Energy facility attacks", summarize.StatusDisputed, 2},
		{"Full temporary ceasefire", summarize.StatusUnresolved, 2},
	} {
		tp := topicByName(led, w.name)
		if tp == nil {
			t.Errorf("compose(seed, kyiv): no topic %q in %v", w.name, topicNames(led))
			continue
		}
		if tp.Status != w.status || tp.Articles != w.articles {
			t.Errorf("compose(seed, kyiv) %q = %s from %d articles; want %s from %d", w.name, tp.Status, tp.Articles, w.status, w.articles)
		}
	}
	want := Change{Kind: ChangeStatus, Topic: "Energy facility attacks", From: "agreed", To: "disputed"}
	found := false
	for _, c := range led.Changes {
		found = found || (c.Kind == want.Kind && c.Topic == want.Topic && c.From == want.From && c.To == want.To)
	}
	if !found {
		t.Errorf("compose(seed, kyiv).Changes = %v; want %v among them", led.Changes, want)
	}

	msgs := renderAll("g1", led, schedule.Header{Slot: slot, Loc: berlin}, false)
	for i, m := range msgs {
		if n := discordLen(m); n > maxMessageLen {
			t.Errorf("message %d has %d chars; want ≤ %d", i+1, n, maxMessageLen)
		}
	}
}

// changeKeys is what a test compares of changes: kind, topic, statuses.
func changeKeys(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "{%s %s %s %s} ", c.Kind, c.Topic, c.From, c.To)
	}
	return b.String()
}

// TestBriefingSourceViaFeed: an article only a feed brought in says so.
func TestBriefingSourceViaFeed(t *testing.T) {
	h := schedule.Header{Slot: time.Date(2025, 3, 21, 8, 0, 0, 0, time.UTC), Loc: time.UTC}
	s := ledger.Source{URL: "https://news.example/a", Title: "Talks resume", Site: "News", ViaFeed: true}
	if got, want := briefingSourceLine(1, s, h), "[1] Talks resume · News · via feed <https://news.example/a>"; got != want {
		t.Errorf("briefingSourceLine = %q; want %q", got, want)
	}
	s.ViaFeed = false
	if got := briefingSourceLine(1, s, h); strings.Contains(got, "feed") {
		t.Errorf("briefingSourceLine of a person's share = %q; want no feed mark", got)
	}
}

// TestTopicSourceViaFeed: /topic says which sources a feed brought in.
func TestTopicSourceViaFeed(t *testing.T) {
	h := ledger.TopicHit{URL: "https://news.example/a", Title: "Talks resume", SharedAt: time.Date(2025, 3, 20, 9, 0, 0, 0, time.UTC)}
	if got := sourceLine(1, h); !strings.HasSuffix(got, "· shared 20 Mar 2025") {
		t.Errorf("sourceLine of a person's share = %q; want it shared", got)
	}
	h.ViaFeed = true
	if got := sourceLine(1, h); !strings.HasSuffix(got, "· from a feed 20 Mar 2025") {
		t.Errorf("sourceLine of a feed's share = %q; want it marked from a feed", got)
	}
}
