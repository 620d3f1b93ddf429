package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtext"
	"briefbot/ledger"
	"briefbot/summarize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// loadSeed reads the seed-like ledger of testdata/seed_summary.json.
func loadSeed(t testing.TB) *summarize.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed_summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summarize.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// checkGolden compares replies with testdata/name.golden.json (the Discord
// payloads) and name.golden.txt (the console text), rewriting them with
// -update.
func checkGolden(t *testing.T, name string, replies []Reply) {
	t.Helper()
	type payload struct {
		Content   string `json:"content,omitempty"`
		Embeds    any    `json:"embeds,omitempty"`
		Buttons   any    `json:"buttons,omitempty"`
		Ephemeral bool   `json:"ephemeral,omitempty"`
	}
	var msgs []payload
	var text strings.Builder
	for i, r := range replies {
		msgs = append(msgs, payload{r.Content, r.Embeds, r.Buttons, r.Ephemeral})
		fmt.Fprintf(&text, "=== message %d ===\n%s", i+1, Flatten(r))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(msgs); err != nil {
		t.Fatal(err)
	}
	js := buf.Bytes()
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".golden.json", js}, {".golden.txt", []byte(text.String())}} {
		path := filepath.Join("testdata", name+f.ext)
		if *update {
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
		}
		if !bytes.Equal(f.data, want) {
			t.Errorf("%s differs from the golden file; got:\n%s", path, f.data)
		}
	}
}

func checkAllLimits(t *testing.T, replies []Reply) {
	t.Helper()
	if len(replies) == 0 {
		t.Fatal("no replies")
	}
	for i, r := range replies {
		if err := CheckLimits(r); err != nil {
			t.Errorf("reply %d breaks Discord's limits: %v", i, err)
		}
	}
}

func TestRenderSummarySeedGolden(t *testing.T) {
	s := loadSeed(t)
	for _, tc := range []struct {
		name string
		opt  RenderOptions
	}{
		{"seed", RenderOptions{}},
		{"seed_ungrounded", RenderOptions{ShowUngrounded: true, Took: 1500 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replies := RenderSummary(s, tc.opt)
			checkAllLimits(t, replies)
			if len(replies) != 1 || len(replies[0].Embeds) != 1 {
				t.Errorf("RenderSummary(seed) = %d messages; want 1 message with 1 embed", len(replies))
			}
			checkGolden(t, tc.name, replies)
		})
	}
}

// bigLedger is a deterministic ledger too large for one embed or message.
func bigLedger() *summarize.Summary {
	s := &summarize.Summary{
		URL: "https://example.com/long", Title: "A very long negotiation", Site: "Example News",
		Quality: summarize.QualityPartial, Engine: "llm", Model: "test-model", Cached: true,
		Elapsed: 3200 * time.Millisecond,
	}
	statuses := []summarize.Status{summarize.StatusAgreed, summarize.StatusUnresolved, summarize.StatusDisputed}
	for i := range 30 {
		tp := summarize.Topic{Name: fmt.Sprintf("Topic %02d: clause %d of the framework", i+1, i+1)}
		for j := range 6 {
			tp.Points = append(tp.Points, summarize.Point{
				Text:     fmt.Sprintf("Point %d.%d: %s", i+1, j+1, strings.Repeat("the delegations discussed the wording at length ", 4)),
				Status:   statuses[(i+j)%3],
				Actors:   []string{"Delegation A", "Delegation B"},
				Quote:    fmt.Sprintf("quote %d.%d %s", i+1, j+1, strings.Repeat("words from the article ", 5)),
				Grounded: true,
			})
		}
		s.Topics = append(s.Topics, tp)
	}
	return s
}

func TestRenderSummarySplitGolden(t *testing.T) {
	s := bigLedger()
	opt := RenderOptions{MoreID: func(next int) string { return fmt.Sprint("more:", next) }}
	replies := RenderSummary(s, opt)
	checkAllLimits(t, replies)
	if n := countPointLines(replies); n != DefaultPoints {
		t.Errorf("RenderSummary(big ledger) shows %d points; want the first %d", n, DefaultPoints)
	}
	last := replies[len(replies)-1]
	if len(last.Buttons) != 1 || last.Buttons[0].CustomID != fmt.Sprint("more:", DefaultPoints) {
		t.Errorf("last message buttons = %+v; want one More button for point %d", last.Buttons, DefaultPoints)
	}
	if f := last.Embeds[len(last.Embeds)-1].Footer; f == nil || f.Text != "llm · test-model · cached · 3.2 s" {
		t.Errorf("footer of last embed = %+v; want %q", f, "llm · test-model · cached · 3.2 s")
	}
	if d := replies[0].Embeds[0].Description; !strings.Contains(d, "8 of 180 points shown; 172 more under **More** below.") {
		t.Errorf("header = %q; want it to say how many points are left out", d)
	}
	checkGolden(t, "split", replies)

	// Every page of detail fits MaxReplyMessages messages and the pages
	// together show every point once, in order.
	pages := renderAllPages(t, s, RenderOptions{Detail: true, MoreID: opt.MoreID})
	if len(pages) < 2 {
		t.Errorf("detail of the big ledger = %d pages; want several", len(pages))
	}
	checkPointOrder(t, s, slices.Concat(pages...), false)
	checkGolden(t, "split_page2", pages[1])
}

// renderAllPages renders the first page with opt, then follows each page's
// More button to the next, checking every page against the caps.
func renderAllPages(t *testing.T, s *summarize.Summary, opt RenderOptions) [][]Reply {
	t.Helper()
	var pages [][]Reply
	for page := 0; ; page++ {
		if page > 10_000 {
			t.Fatal("More buttons never end")
		}
		replies := RenderSummary(s, opt)
		if len(replies) == 0 || len(replies) > MaxReplyMessages {
			t.Fatalf("page %d (offset %d) = %d messages; want 1 to %d", page, opt.Offset, len(replies), MaxReplyMessages)
		}
		limit := DefaultPoints
		if opt.Detail {
			limit = maxPagePoints
		}
		if n := countPointLines(replies); n > limit || (n == 0 && opt.Offset < CountShown(s, opt.ShowUngrounded)) {
			t.Fatalf("page %d (offset %d) shows %d points; want 1 to %d", page, opt.Offset, n, limit)
		}
		for i, r := range replies {
			if err := CheckLimits(r); err != nil {
				t.Fatalf("page %d reply %d: %v", page, i, err)
			}
			if len(r.Buttons) > 0 && i != len(replies)-1 {
				t.Fatalf("page %d: a button on message %d of %d; want it on the last", page, i+1, len(replies))
			}
		}
		pages = append(pages, replies)
		btns := replies[len(replies)-1].Buttons
		if len(btns) == 0 {
			if rest := CountShown(s, opt.ShowUngrounded) - opt.Offset - countPointLines(replies); rest != 0 {
				t.Fatalf("page %d has no More button but %d points remain", page, rest)
			}
			return pages
		}
		next, err := strconv.Atoi(strings.TrimPrefix(btns[0].CustomID, "more:"))
		if err != nil || next != opt.Offset+countPointLines(replies) {
			t.Fatalf("page %d More button %q; want the next point %d", page, btns[0].CustomID, opt.Offset+countPointLines(replies))
		}
		opt.Offset = next
		opt.Detail = true
	}
}

// statusMarks are the marks a point line starts with.
var statusMarks = []string{markAgreed, markUnresolved, markDisputed, markReported}

// countPointLines counts the point lines of replies.
func countPointLines(replies []Reply) int {
	n := 0
	for _, r := range replies {
		for _, e := range r.Embeds {
			for _, f := range e.Fields {
				for _, line := range strings.Split(f.Value, "\n") {
					for _, m := range statusMarks {
						if strings.HasPrefix(line, m+" ") {
							n++
						}
					}
				}
			}
		}
	}
	return n
}

// checkPointOrder asserts every shown point appears, once, in order, as a
// line starting with its status mark.
func checkPointOrder(t *testing.T, s *summarize.Summary, replies []Reply, showUngrounded bool) {
	t.Helper()
	var want []string
	for _, tp := range s.Topics {
		for _, p := range tp.Points {
			if p.Grounded || showUngrounded {
				text := discordtext.EscapeTruncate(p.Text, maxPointText)
				if sameText(p.Text, p.Quote) {
					text = "*“" + text // shown once, as the quote
				}
				want = append(want, StatusMark(p.Status)+" "+text)
			}
		}
	}
	var got []string
	for _, r := range replies {
		for _, e := range r.Embeds {
			for _, f := range e.Fields {
				for _, line := range strings.Split(f.Value, "\n") {
					for _, m := range statusMarks {
						if strings.HasPrefix(line, m+" ") {
							got = append(got, line)
						}
					}
				}
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("rendered %d point lines; want %d", len(got), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("point line %d = %q; want prefix %q", i, got[i], want[i])
		}
	}
}

// topicHits is a /topic search result: the seed's energy topic, then a
// later article where it became agreed, and an earlier one where it was
// unresolved under another name ("Energy strikes"); plus the ceasefire
// topic, unresolved in the seed and agreed later as a "30-day truce".
func topicHits(t testing.TB) []ledger.TopicHit {
	seed := loadSeed(t)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, time.UTC) }
	return []ledger.TopicHit{
		{Topic: seed.Topics[2], URL: seed.URL, Title: seed.Title, Site: seed.Site, SharedAt: day(20), Rank: 1},
		{Topic: summarize.Topic{Name: "Energy facility attacks", Key: "energy facility attacks", Points: []summarize.Point{
			{Text: "Both sides said they would observe the halt on strikes against energy sites.", Status: summarize.StatusAgreed, Actors: []string{"Moscow", "Kyiv"}, Quote: "would observe the halt", Grounded: true},
		}}, URL: "https://example.org/energy-halt", Title: "Energy truce holds_for now", Site: "Example Wire", SharedAt: day(22), Rank: 2},
		{Topic: summarize.Topic{Name: "Energy strikes", Key: "energy strikes", Points: []summarize.Point{
			{Text: "A halt on strikes against energy sites was proposed but not accepted.", Status: summarize.StatusUnresolved, Actors: []string{"Washington"}, Quote: "proposed but not accepted", Grounded: true},
			{Text: "Putin agreed to stop attacking Ukrainian energy facilities temporarily.", Status: summarize.StatusAgreed, Actors: []string{"Putin"}, Quote: "agreed to stop", Grounded: false},
		}}, URL: "https://example.net/proposal?id=(1)", Title: "[Proposal](https://evil.example) on energy", Site: "Net", SharedAt: day(18), Rank: 3},
		{Topic: seed.Topics[0], URL: seed.URL, Title: seed.Title, Site: seed.Site, SharedAt: day(20), Rank: 4},
		{Topic: summarize.Topic{Name: "30-day truce", Key: "30 day truce", Points: []summarize.Point{
			{Text: "The 30-day truce was agreed on Friday.", Status: summarize.StatusAgreed, Quote: "truce was agreed", Grounded: true},
		}}, URL: "https://example.org/energy-halt", Title: "Energy truce holds_for now", Site: "Example Wire", SharedAt: day(22), Rank: 5},
	}
}

func TestRenderTopicGolden(t *testing.T) {
	replies := RenderTopic("energy strikes", topicHits(t), TopicOptions{})
	checkAllLimits(t, replies)
	checkGolden(t, "topic", replies)

	text := Flatten(replies[0])
	// The energy topic is merged across its names; its current status is
	// that of its latest article (agreed), with the changes in share order.
	for _, want := range []string{
		"### Energy facility attacks\n**Now: ✅ agreed** (was disputed) · ❓ unresolved [1] 18 Mar 2025 → ⚠️ disputed [2] 20 Mar 2025 → ✅ agreed [3] 22 Mar 2025",
		"1. [Proposal](https://evil.example) on energy <https://example.net/proposal?id=%281%29> — Net · shared 18 Mar 2025",
		"### Full temporary ceasefire\n**Now: ✅ agreed** · ❓ unresolved [2] 20 Mar 2025 → ✅ agreed [3] 22 Mar 2025",
		"_1 point without a verified quote hidden._",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Flatten(RenderTopic) lacks %q; got:\n%s", want, text)
		}
	}
	if strings.Contains(text, "### Energy strikes") || strings.Contains(text, "### 30-day truce") {
		t.Errorf("Flatten(RenderTopic) shows a merged topic apart; got:\n%s", text)
	}
}

// hit is a one-point /topic hit of an article shared on day d of March 2025.
func hit(name, url string, d int, st summarize.Status, rank float64) ledger.TopicHit {
	return ledger.TopicHit{
		Topic: summarize.Topic{Name: name, Key: summarize.TopicKey(name), Points: []summarize.Point{
			{Text: name + " in " + url + ".", Status: st, Quote: name, Grounded: true},
		}},
		URL: url, Title: "About " + url, SharedAt: time.Date(2025, 3, d, 9, 0, 0, 0, time.UTC), Rank: rank,
	}
}

func TestGroupTopics(t *testing.T) {
	a, u, d := summarize.StatusAgreed, summarize.StatusUnresolved, summarize.StatusDisputed
	type group struct {
		name string
		urls []string // share order
	}
	tests := []struct {
		name string
		hits []ledger.TopicHit
		want []group // best match first
	}{
		{"ceasefire under three names", []ledger.TopicHit{
			hit("Full ceasefire", "u2", 2, u, -3),
			hit("Full temporary ceasefire", "u1", 1, u, -2),
			hit("Truce", "u3", 3, a, -1),
			hit("Full ceasefire", "u4", 4, u, 0.5),
		}, []group{{"Full ceasefire", []string{"u1", "u2", "u3", "u4"}}}},
		{"different subjects stay apart", []ledger.TopicHit{
			hit("Black Sea maritime ceasefire", "u3", 3, a, -3),
			hit("Full ceasefire", "u2", 2, u, -2),
			hit("Energy ceasefire", "u1", 1, d, -1),
		}, []group{
			{"Black Sea maritime ceasefire", []string{"u3"}},
			{"Full ceasefire", []string{"u2"}},
			{"Energy ceasefire", []string{"u1"}},
		}},
		{"same key, different spelling", []ledger.TopicHit{
			hit("Energy-facility attacks", "u1", 1, d, -2),
			hit("energy facility attacks", "u2", 2, a, -1),
		}, []group{{"Energy-facility attacks", []string{"u1", "u2"}}}},
		{"ordered by best rank, not input order", []ledger.TopicHit{
			hit("Aid", "u1", 1, u, 0.2),
			hit("Energy strikes", "u2", 2, d, -1),
			hit("Territory", "u1", 1, u, -0.5),
			hit("Energy facility attacks", "u1", 1, a, 1.5),
		}, []group{
			{"Energy strikes", []string{"u1", "u2"}},
			{"Territory", []string{"u1"}},
			{"Aid", []string{"u1"}},
		}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []group
			for _, g := range groupTopics(tt.hits) {
				var urls []string
				for _, h := range g.hits {
					urls = append(urls, h.URL)
				}
				got = append(got, group{g.name, urls})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("groupTopics(%s) = %v; want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestRenderTopicHistory(t *testing.T) {
	a, u, d := summarize.StatusAgreed, summarize.StatusUnresolved, summarize.StatusDisputed
	tests := []struct {
		name string
		hits []ledger.TopicHit
		want string
	}{
		{"one article", []ledger.TopicHit{hit("Aid", "u1", 1, u, 0)},
			"**Now: ❓ unresolved** · since [1] 1 Mar 2025"},
		{"same status in every article", []ledger.TopicHit{
			hit("Aid", "u2", 2, u, 0), hit("Assistance", "u1", 1, u, 0)},
			"**Now: ❓ unresolved** · since [1][2] 1 Mar 2025"},
		{"runs of statuses", []ledger.TopicHit{
			hit("Full ceasefire", "u3", 3, a, -1),
			hit("Full temporary ceasefire", "u1", 1, u, 0),
			hit("Ceasefire", "u2", 2, u, 0),
			hit("30-day truce", "u4", 4, d, 0),
		}, "**Now: ⚠️ disputed** · ❓ unresolved [1][2] 1 Mar 2025 → ✅ agreed [3] 3 Mar 2025 → ⚠️ disputed [4] 4 Mar 2025"},
		{"two topics of one article count once", []ledger.TopicHit{
			hit("Energy strikes", "u1", 1, a, 0),
			hit("Energy facility attacks", "u1", 1, d, 0),
			hit("Energy attacks", "u2", 2, a, 0),
		}, "**Now: ✅ agreed** (was disputed) · ⚠️ disputed [1] 1 Mar 2025 → ✅ agreed [2] 2 Mar 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := RenderTopic("q", tt.hits, TopicOptions{})
			text := Flatten(replies[0])
			if !strings.Contains(text, "\n"+tt.want+"\n") {
				t.Errorf("RenderTopic(%s) lacks %q; got:\n%s", tt.name, tt.want, text)
			}
			if n := strings.Count(text, "**Now:"); n != 1 {
				t.Errorf("RenderTopic(%s) shows %d topics; want 1 merged:\n%s", tt.name, n, text)
			}
		})
	}
}

func TestRenderTopicCap(t *testing.T) {
	names := []string{"Full ceasefire", "Black Sea ceasefire", "Energy strikes", "Territory", "Aid",
		"Prisoner exchange", "Sanctions relief", "Nuclear plant"}
	var hits []ledger.TopicHit
	for i, n := range names {
		// Each topic its own article; the best match shared last.
		hits = append(hits, hit(n, fmt.Sprintf("https://e.example/%d", i), 20-i, summarize.StatusUnresolved, float64(i)))
	}
	hits = append(hits, hit("Truce", "https://e.example/truce", 1, summarize.StatusAgreed, 9))
	replies := RenderTopic("q", hits, TopicOptions{})
	checkAllLimits(t, replies)
	if len(replies) != 1 {
		t.Fatalf("RenderTopic(9 hits) = %d messages; want 1", len(replies))
	}
	text := Flatten(replies[0])
	var shown []string
	for _, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, "### "); ok {
			shown = append(shown, name)
		}
	}
	want := []string{"Full ceasefire", "Black Sea ceasefire", "Energy strikes", "Territory", "Aid", "More topics", "Sources"}
	if fmt.Sprint(shown) != fmt.Sprint(want) {
		t.Errorf("RenderTopic(9 hits) fields = %q; want %q", shown, want)
	}
	for _, want := range []string{
		"Top 5 of 8 matching topics, across 6 articles shared in this server.",
		"and 3 more topics: Prisoner exchange · Sanctions relief · Nuclear plant\n",
		// The truce merged into the full ceasefire: its article is a source.
		"**Now: ✅ agreed** · since [1][6] 1 Mar 2025",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("RenderTopic(9 hits) lacks %q; got:\n%s", want, text)
		}
	}
	// Sources are the shown topics' articles only.
	if strings.Contains(text, "e.example/5") || !strings.Contains(text, "\n6. About https://e.example/0") {
		t.Errorf("RenderTopic(9 hits) sources are not those of the shown topics:\n%s", text)
	}

	// Many more topics than fit in one field: the line is cut, never over the limit.
	hits = nil
	for i := range 60 {
		hits = append(hits, hit(fmt.Sprintf("Subject%02d %s", i, strings.Repeat("x", 90)), fmt.Sprintf("https://e.example/%d", i), 1, summarize.StatusAgreed, float64(i)))
	}
	replies = RenderTopic("q", hits, TopicOptions{})
	checkAllLimits(t, replies)
	text = Flatten(replies[len(replies)-1])
	if !strings.Contains(text, "and 55 more topics: Subject05") || !strings.Contains(text, " · …\n") {
		t.Errorf("RenderTopic(60 hits) more-topics line not cut; got:\n%s", text)
	}
}

func TestRenderTopicNoHits(t *testing.T) {
	replies := RenderTopic("nothing", nil, TopicOptions{})
	checkAllLimits(t, replies)
	if text := Flatten(replies[0]); !strings.Contains(text, "No topic matching that") {
		t.Errorf("RenderTopic(no hits) = %q; want the no-match notice", text)
	}
}

// TestEscapeRoundTrip: the console's unescape gives back the cleaned text.
func TestEscapeRoundTrip(t *testing.T) {
	f := func(s string) bool {
		return unescape(discordtext.Escape(s)) == discordtext.Clean(s)
	}
	cfg := &quick.Config{MaxCount: 2000, Rand: nil}
	if err := quick.Check(f, cfg); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"[a](b) @everyone <@1> **x** 1. \\ `", "a\\", "[x]\\(y)"} {
		if !f(s) {
			t.Errorf("unescape(Escape(%q)) = %q; want %q", s, unescape(discordtext.Escape(s)), discordtext.Clean(s))
		}
	}
}

func TestSameText(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Putin agreed to a pause.", "Putin agreed to a pause.", true},
		{"Putin agreed to a pause.", "putin agreed to a pause", true},
		{"Putin agreed to a pause", "“Putin agreed to a pause.”", true},
		{"He said \"we will not\" stop", "He said “we will not” stop", true},
		{"It isn't over", "It isn’t over", true},
		{"a  30-day\n pause", "a 30–day pause", true},
		{"Talks… resumed", "Talks... resumed", true},
		{"Talks . . . resumed", "Talks… resumed", true},
		{"ΟΔΟΣ", "οδος", true},
		{"soft\u00adhyphen", "softhyphen", true},
		{"Kyiv agreed", "Kyiv agreed to the pause", false},
		{"Kyiv agreed to the pause", "Kyiv agreed", false},
		{"Kyiv agreed", "Kyiv disagreed", false},
		{"3.5 million", "35 million", false},
		{"", "", false},
		{"", "quote", false},
		{"text", "", false},
		{"…", "...", false},
	} {
		if got := sameText(tc.a, tc.b); got != tc.want {
			t.Errorf("sameText(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
		if got := sameText(tc.b, tc.a); got != tc.want {
			t.Errorf("sameText(%q, %q) = %v; want %v", tc.b, tc.a, got, tc.want)
		}
	}
}

// TestSameTextAllocs: the verbatim check of every rendered point costs no
// allocation.
func TestSameTextAllocs(t *testing.T) {
	a, b := "“Peskov accused Ukraine — again — of not respecting the moratorium…”", "Peskov accused Ukraine - again - of not respecting the moratorium..."
	if !sameText(a, b) {
		t.Fatalf("sameText(%q, %q) = false; want true", a, b)
	}
	if n := testing.AllocsPerRun(100, func() { sameText(a, b) }); n != 0 {
		t.Errorf("sameText allocates %v times a call; want 0", n)
	}
}

// hostile pieces random ledgers are made of.
var hostile = []string{
	"@everyone", "@here", "<@123456789012345678>", "<@&1>", "<#2>", "[x](https://evil.example)",
	"**", "__", "~~", "||", "```", "`", "> ", "# ", "- ", "1. ", "\n", "\r\n", "\\", "https://a.example/x",
	"📰", "✅", "⚠️", "é", "\u0301", "\u202e", "日本語", "ﷺ", "\U0001F3F3\uFE0F\u200D\U0001F308",
}

func randText(r *rand.Rand, maxWords int) string {
	var b strings.Builder
	n := r.IntN(maxWords + 1)
	for range n {
		switch r.IntN(6) {
		case 0:
			b.WriteString(hostile[r.IntN(len(hostile))])
		case 1:
			if r.IntN(8) == 0 {
				b.WriteString(strings.Repeat("x", r.IntN(3000)))
			} else {
				b.WriteString(strings.Repeat("y", r.IntN(40)))
			}
		default:
			b.WriteString("word")
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// randLedger makes a random ledger: usually a few long, hostile topics;
// sometimes hundreds of tiny ones, to reach the field and embed counts.
func randLedger(r *rand.Rand) *summarize.Summary {
	statuses := []summarize.Status{summarize.StatusAgreed, summarize.StatusUnresolved, summarize.StatusDisputed, summarize.StatusReported, "bogus"}
	qualities := []summarize.Quality{summarize.QualityFull, summarize.QualityPartial, summarize.QualityTeaser, ""}
	topics, points, words := 40, 12, 25
	if r.IntN(3) == 0 {
		topics, points, words = 400, 2, 1
	}
	s := &summarize.Summary{
		URL: "https://example.com/" + strings.Repeat("p", r.IntN(3000)), Title: randText(r, 40), Site: randText(r, 3),
		Quality: qualities[r.IntN(len(qualities))], Engine: "llm", Model: randText(r, 2), Cached: r.IntN(2) == 0,
		Elapsed: time.Duration(r.IntN(10_000)) * time.Millisecond,
	}
	for range r.IntN(12) {
		s.Notes = append(s.Notes, randText(r, 30))
	}
	for range r.IntN(topics) {
		tp := summarize.Topic{Name: randText(r, min(words, 10))}
		for range r.IntN(points) + 1 {
			var actors []string
			for range r.IntN(5) {
				actors = append(actors, randText(r, min(words, 3)))
			}
			tp.Points = append(tp.Points, summarize.Point{
				Text: randText(r, words), Status: statuses[r.IntN(len(statuses))], Actors: actors,
				Quote: randText(r, min(words, 20)), Grounded: r.IntN(4) != 0,
			})
		}
		s.Topics = append(s.Topics, tp)
	}
	return s
}

// TestRenderRandomLedgersFitLimits is the property test: random large and
// hostile ledgers always fit every Discord limit, page by page (at most
// MaxReplyMessages messages and DefaultPoints points on the first, the
// rest behind More buttons), keep every shown point in order across the
// pages, and never carry a live mention.
func TestRenderRandomLedgersFitLimits(t *testing.T) {
	n := 40
	if testing.Short() || raceEnabled {
		n = 10
	}
	for seed := range n {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		s := randLedger(r)
		show := r.IntN(2) == 0
		pages := renderAllPages(t, s, RenderOptions{ShowUngrounded: show, MoreID: func(next int) string { return fmt.Sprint("more:", next) }})
		replies := slices.Concat(pages...)
		for _, rep := range replies {
			assertInert(t, seed, rep)
		}
		checkPointOrder(t, s, replies, show)
		// Without a button the first page still says what it leaves out.
		first := RenderSummary(s, RenderOptions{ShowUngrounded: show})
		if rest := CountShown(s, show) - countPointLines(first); rest > 0 && !strings.Contains(first[0].Embeds[0].Description, fmt.Sprintf("%d more not shown here.", rest)) {
			t.Fatalf("seed %d: first page leaves out %d points without saying so: %q", seed, rest, first[0].Embeds[0].Description)
		}

		var hits []ledger.TopicHit
		for i, tp := range s.Topics {
			hits = append(hits, ledger.TopicHit{Topic: tp, URL: fmt.Sprintf("https://s%d.example/%d", i%5, r.IntN(3)),
				Title: randText(r, 20), Site: randText(r, 2), SharedAt: time.Unix(int64(r.IntN(1e6)), 0)})
		}
		for i, rep := range RenderTopic(randText(r, 20), hits, TopicOptions{ShowUngrounded: show}) {
			if err := CheckLimits(rep); err != nil {
				t.Fatalf("seed %d: topic reply %d: %v", seed, i, err)
			}
			assertInert(t, seed, rep)
		}
	}
}

// assertInert fails when rendered text holds a mention Discord would
// format.
func assertInert(t *testing.T, seed int, r Reply) {
	t.Helper()
	texts := []string{r.Content}
	for _, e := range r.Embeds {
		texts = append(texts, e.Title, e.Description)
		for _, f := range e.Fields {
			texts = append(texts, f.Name, f.Value)
		}
	}
	for _, s := range texts {
		low := strings.ToLower(s)
		for _, bad := range []string{"@everyone", "@here", "<@", "<#", "<t:", "](https://evil", "https://a.example"} {
			if strings.Contains(low, bad) {
				t.Fatalf("seed %d: rendered text holds live %q: %q", seed, bad, s)
			}
		}
	}
}

func TestCheckLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Reply
		ok   bool
	}{
		{"content", Reply{Content: "hi"}, true},
		{"empty", Reply{}, false},
		{"long content", Reply{Content: strings.Repeat("a", LimitContent+1)}, false},
		{"emoji content counted in UTF-16", Reply{Content: strings.Repeat("📰", LimitContent/2+1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckLimits(tc.r); (err == nil) != tc.ok {
				t.Errorf("CheckLimits(%s) = %v; want ok=%t", tc.name, err, tc.ok)
			}
		})
	}
}

func TestFlatten(t *testing.T) {
	replies := RenderSummary(loadSeed(t), RenderOptions{})
	got := Flatten(replies[0])
	for _, want := range []string{
		"## Trump-Putin: What exactly was agreed during phone call?\n",
		"CGTN · 19 Mar 2025",
		"### Energy facility attacks\n✅ *“Putin agreed to stop attacking Ukrainian energy facilities temporarily.”* — Putin\n",
		"1 point hidden: its quote was not found in the article.",
		"-- extractive · fresh · 840 ms",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Flatten(seed) lacks %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, discordtext.ZeroWidthSpace) || strings.Contains(got, `\`) {
		t.Errorf("Flatten(seed) keeps escapes:\n%s", got)
	}
}

// TestPackEmbedCount: tiny fields fill 25 per embed and 10 embeds per
// message before any length limit.
func TestPackEmbedCount(t *testing.T) {
	var fields []*discordgo.MessageEmbedField
	for i := range 300 {
		fields = append(fields, &discordgo.MessageEmbedField{Name: fmt.Sprint(i), Value: "v"})
	}
	replies := pack(&discordgo.MessageEmbed{Title: "t"}, fields, "footer")
	checkAllLimits(t, replies)
	var perMsg []int
	n := 0
	for _, r := range replies {
		perMsg = append(perMsg, len(r.Embeds))
		for _, e := range r.Embeds {
			for _, f := range e.Fields {
				if f.Name != fmt.Sprint(n) {
					t.Fatalf("field %d is %q; want them in order", n, f.Name)
				}
				n++
			}
		}
	}
	if fmt.Sprint(perMsg) != "[10 2]" || n != 300 {
		t.Errorf("pack(300 tiny fields) = embeds per message %v, %d fields; want [10 2], 300", perMsg, n)
	}
}

func TestSafeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.com/a?b=c#d", "https://example.com/a?b=c#d"},
		{"http://example.com/wiki/Fish_(food)", "http://example.com/wiki/Fish_%28food%29"},
		{"https://medium.com/@everyone/post", "https://medium.com/%40everyone/post"},
		{"https://example.com/a b<c>", "https://example.com/a%20b%3Cc%3E"},
		{"javascript:alert(1)", ""},
		{"https://user:pw@example.com/", ""},
		{"/relative", ""},
		{"https://example.com/" + strings.Repeat("a", 2100), ""},
	} {
		if got := safeURL(tc.in); got != tc.want {
			t.Errorf("safeURL(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestStatusMarks: each of the four statuses has its own mark, reported
// facts a neutral one, and a reply renders a point of each.
func TestStatusMarks(t *testing.T) {
	want := map[summarize.Status]string{
		summarize.StatusAgreed: markAgreed, summarize.StatusUnresolved: markUnresolved,
		summarize.StatusDisputed: markDisputed, summarize.StatusReported: markReported,
	}
	seen := map[string]bool{}
	s := &summarize.Summary{URL: "https://example.com/a", Title: "Four statuses", Engine: "extractive"}
	tp := summarize.Topic{Name: "All"}
	for _, st := range summarize.Statuses {
		m := StatusMark(st)
		if m != want[st] || seen[m] {
			t.Errorf("StatusMark(%s) = %q; want %q, unique", st, m, want[st])
		}
		seen[m] = true
		tp.Points = append(tp.Points, summarize.Point{Text: "The " + string(st) + " point.", Status: st, Quote: "The " + string(st) + " point.", Grounded: true})
	}
	s.Topics = []summarize.Topic{tp}
	got := Flatten(RenderSummary(s, RenderOptions{})[0])
	for _, st := range summarize.Statuses {
		if line := want[st] + " *“The " + string(st) + " point.”*"; !strings.Contains(got, line) {
			t.Errorf("reply lacks %q:\n%s", line, got)
		}
	}
}

// TestQuoteShownOnlyWhenItAddsSomething: a quote is left out when it is the
// point's text, part of it, or nearly the same words; kept when it adds a
// name or a figure, and always kept for an ungrounded point.
func TestQuoteShownOnlyWhenItAddsSomething(t *testing.T) {
	for _, tc := range []struct {
		text, quote string
		grounded    bool
		shown       bool
	}{
		{"Putin declined to endorse the full 30-day ceasefire that Trump hoped for.", "Putin declined to endorse the full 30-day ceasefire", true, false},
		{"The two sides made no mention of potential territorial concessions.", "the two sides also made no mention of potential territorial concessions", true, false},
		{"Talks would begin immediately.", "would begin immediately", true, false},
		{"Russia wants aid to Kyiv stopped.", "complete cessation of foreign military assistance and the provision of intelligence information to Kyiv", true, true},
		{"Oil prices fell.", "Brent crude fell 6 per cent to $61 a barrel on Monday", true, true},
		{"Talks would begin immediately.", "would begin immediately", false, true},
		{"Same words.", "Same words.", false, false}, // verbatim: shown once, as the quote
	} {
		line := pointLine(summarize.Point{Text: tc.text, Quote: tc.quote, Status: summarize.StatusReported, Grounded: tc.grounded}, "")
		if got := strings.Contains(line, "\n> *“"); got != tc.shown {
			t.Errorf("pointLine(%q, quote %q, grounded %t) shows the quote: %t; want %t\n%s", tc.text, tc.quote, tc.grounded, got, tc.shown, line)
		}
	}
}
