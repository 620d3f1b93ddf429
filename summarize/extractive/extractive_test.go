package extractive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"briefbot/summarize"
)

func init() {
	// -update rewrites golden files; another test file of the package may
	// define the flag first.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func xtrUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// xtrFixtures are the plain-text articles under testdata/extractive with
// their titles.
var xtrFixtures = []struct{ file, title string }{
	{"trump-putin-call.txt", "Trump-Putin: What exactly was agreed during phone call?"},
	{"port-strike.txt", "Dockworkers and port operators strike partial deal as automation row drags on"},
}

// xtrTestDocument builds a Document from plain text the way a simple
// extractor would: blocks at blank lines; a one-line block of at most ten
// words without final punctuation is a heading.
func xtrTestDocument(t testing.TB, title, text string) *summarize.Document {
	t.Helper()
	doc := &summarize.Document{URL: "https://news.example/article", Title: title, Language: "en", Quality: summarize.QualityFull}
	var texts []string
	for _, chunk := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		b := summarize.Block{Text: chunk}
		last, _ := utf8.DecodeLastRuneInString(chunk)
		if !strings.Contains(chunk, "\n") && len(strings.Fields(chunk)) <= 10 && !strings.ContainsRune(".!?:;\"”’)…", last) {
			b.Heading, b.Level = true, 2
		}
		doc.Blocks = append(doc.Blocks, b)
		texts = append(texts, chunk)
	}
	doc.Text = strings.Join(texts, "\n\n")
	doc.WordCount = len(strings.Fields(doc.Text))
	return doc
}

func xtrFixture(t testing.TB, file, title string) *summarize.Document {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "extractive", file))
	if err != nil {
		t.Fatal(err)
	}
	return xtrTestDocument(t, title, string(raw))
}

func xtrSummarize(t testing.TB, doc *summarize.Document) []summarize.Topic {
	t.Helper()
	res, err := New().Summarize(context.Background(), doc)
	if err != nil {
		t.Fatalf("Summarize(%s) error: %v", doc.Title, err)
	}
	// Grounding is the Service's: against the text the engine read.
	text := doc.Text
	if strings.TrimSpace(text) == "" {
		var parts []string
		for _, b := range doc.Blocks {
			parts = append(parts, b.Text)
		}
		text = strings.Join(parts, "\n\n")
	}
	summarize.Ground(res.Topics, text)
	return res.Topics
}

// xtrFind returns the point of the named topic whose text starts with
// prefix.
func xtrFind(t *testing.T, topics []summarize.Topic, topic, prefix string) summarize.Point {
	t.Helper()
	for _, tp := range topics {
		if tp.Name != topic {
			continue
		}
		for _, p := range tp.Points {
			if strings.HasPrefix(p.Text, prefix) {
				return p
			}
		}
		t.Fatalf("topic %q has no point starting %q", topic, prefix)
	}
	t.Fatalf("no topic %q", topic)
	return summarize.Point{}
}

func TestExtractiveEngineIdentity(t *testing.T) {
	e := New()
	if e.Name() != "extractive" || e.Model() != "" || e.PromptVersion() != "extractive-v4" {
		t.Errorf("engine = (%q, %q, %q); want (extractive, \"\", extractive-v4)", e.Name(), e.Model(), e.PromptVersion())
	}
}

func TestExtractiveSeed(t *testing.T) {
	doc := xtrFixture(t, xtrFixtures[0].file, xtrFixtures[0].title)
	topics := xtrSummarize(t, doc)

	var names []string
	for _, tp := range topics {
		names = append(names, tp.Name)
	}
	for _, want := range []string{"Full temporary ceasefire", "Territory", "Energy facility attacks", "Aid", "Future talks"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("topics = %q; want %q among them", names, want)
		}
	}

	tests := []struct {
		topic, prefix string
		status        summarize.Status
		actor         string // an actor the point must carry ("" for none required)
	}{
		{"Full temporary ceasefire", "Putin declined to endorse the full 30-day ceasefire", summarize.StatusUnresolved, "Putin"},
		{"Full temporary ceasefire", "In a social media post after the call, Trump said he and Putin had agreed", summarize.StatusAgreed, "Trump"},
		{"Territory", "Besides failing to announce the full ceasefire", summarize.StatusUnresolved, ""},
		// A hint that angers Kyiv is no dispute over an agreement.
		{"Territory", "Trump had hinted at Ukraine giving up territory", summarize.StatusUnresolved, "Trump"},
		{"Energy facility attacks", "During the call Putin agreed to stop attacking Ukrainian energy facilities temporarily", summarize.StatusAgreed, "Putin"},
		{"Energy facility attacks", "Peskov in turn accused Ukraine of not respecting the 30-day moratorium", summarize.StatusDisputed, "Peskov"},
		{"Aid", "Trump told Fox News aid to Ukraine did not come up", summarize.StatusUnresolved, "Trump"},
		{"Aid", `Putin also said an "essential" condition`, summarize.StatusUnresolved, "Putin"},
		{"Future talks", "The White House said talks on a maritime ceasefire", summarize.StatusAgreed, "White House"},
		{"Future talks", "It was unclear whether Ukraine would be involved", summarize.StatusUnresolved, "Ukraine"},
		{"Future talks", `"The leaders reaffirmed their intention`, summarize.StatusAgreed, "Kremlin"},
		{"Ukrainian response", "Ukraine accused Russia on Wednesday of effectively rejecting", summarize.StatusDisputed, "Ukraine"},
		{"Ukrainian response", "President Volodymyr Zelenskyy said Russia launched more than 40 drones", summarize.StatusDisputed, "Zelenskyy"},
	}
	// The reply keeps two points a section: most of these, each with its
	// status and actor.
	found := 0
	for _, tt := range tests {
		var p summarize.Point
		ok := false
		for _, tp := range topics {
			for _, q := range tp.Points {
				if tp.Name == tt.topic && (strings.HasPrefix(q.Text, tt.prefix) || strings.HasPrefix(q.Quote, tt.prefix)) {
					p, ok = q, true
				}
			}
		}
		if !ok {
			continue
		}
		found++
		if p.Status != tt.status {
			t.Errorf("%s: status of %q = %q; want %q", tt.topic, p.Text, p.Status, tt.status)
		}
		if tt.actor != "" && !slices.Contains(p.Actors, tt.actor) {
			t.Errorf("%s: actors of %q = %q; want %q among them", tt.topic, p.Text, p.Actors, tt.actor)
		}
	}
	if found < 8 {
		t.Errorf("%d of the %d expected points in the reply; want at least 8", found, len(tests))
	}
	// The news first: the lead is Putin's refusal, the call's main news.
	if p := topics[0].Points[0]; !strings.HasPrefix(p.Text, "Putin declined to endorse") {
		t.Errorf("first point = %q; want the lead (Putin declined to endorse …)", p.Text)
	}
	// The speaker comes first.
	if p := xtrFind(t, topics, "Energy facility attacks", "Peskov in turn accused"); len(p.Actors) == 0 || p.Actors[0] != "Peskov" {
		t.Errorf("actors of %q = %q; want Peskov first", p.Text, p.Actors)
	}

	// Page furniture never becomes a point.
	for _, tp := range topics {
		for _, p := range tp.Points {
			for _, bad := range []string{"cookie", "/Maxim Shemetov", "/Yuri Kochetkov", "/Lehtikuva", "Translat", "Source(s)", "Search Trends", "Updated 23:14"} {
				if strings.Contains(p.Text, bad) || strings.Contains(p.Quote, bad) {
					t.Errorf("%s: point %q contains boilerplate %q", tp.Name, p.Text, bad)
				}
			}
		}
	}
	xtrCheckLedger(t, doc, topics)
}

// xtrCheckLedger checks what holds for every ledger: limits, keys, valid
// statuses, verbatim and grounded quotes.
func xtrCheckLedger(t *testing.T, doc *summarize.Document, topics []summarize.Topic) {
	t.Helper()
	flat := strings.Join(strings.Fields(doc.Text), " ")
	points := 0
	for _, tp := range topics {
		points += len(tp.Points)
	}
	if len(topics) == 0 || points > xtrMaxPoints {
		t.Errorf("%s: %d topics, %d points; want 1 topic or more and at most %d points", doc.Title, len(topics), points, xtrMaxPoints)
	}
	for _, tp := range topics {
		if tp.Key != "" || tp.Name == "" {
			t.Errorf("topic %q key = %q; want a name and no key (the Service keys topics)", tp.Name, tp.Key)
		}
		if len(tp.Points) == 0 {
			t.Errorf("topic %q has no point", tp.Name)
		}
		for _, p := range tp.Points {
			if !p.Status.Valid() {
				t.Errorf("point %q status = %q; want a valid status", p.Text, p.Status)
			}
			if len(p.Actors) > xtrMaxActors {
				t.Errorf("point %q actors = %q; want at most %d", p.Text, p.Actors, xtrMaxActors)
			}
			if !p.Grounded {
				t.Errorf("point %q quote %q Grounded = false; want true", p.Text, p.Quote)
			}
			if !strings.Contains(flat, p.Quote) {
				t.Errorf("quote %q is not verbatim in the text", p.Quote)
			}
			if n := len(strings.Fields(p.Quote)); n == 0 || n > xtrQuoteWords*3/2 {
				t.Errorf("quote %q has %d words; want 1 to %d", p.Quote, n, xtrQuoteWords*3/2)
			}
		}
	}
}

func TestExtractiveGolden(t *testing.T) {
	for _, fx := range xtrFixtures {
		t.Run(fx.file, func(t *testing.T) {
			topics := xtrSummarize(t, xtrFixture(t, fx.file, fx.title))
			got, err := json.MarshalIndent(topics, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "extractive", strings.TrimSuffix(fx.file, ".txt")+".golden.json")
			if xtrUpdating() {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Summarize(%s) differs from %s (run with -update after checking):\n%s", fx.file, golden, got)
			}
		})
	}
}

// TestExtractiveNewsFirst reads an article without subheads: the reply
// opens with its lead, keeps to xtrReplyPoints points, names its topic
// after the headline's nouns, and marks what the parties agreed, dispute
// and left open.
func TestExtractiveNewsFirst(t *testing.T) {
	doc := xtrFixture(t, xtrFixtures[1].file, xtrFixtures[1].title)
	for _, b := range doc.Blocks {
		if b.Heading {
			t.Fatalf("fixture has a heading %q; want none", b.Text)
		}
	}
	topics := xtrSummarize(t, doc)
	xtrCheckLedger(t, doc, topics)
	var all []summarize.Point
	for _, tp := range topics {
		all = append(all, tp.Points...)
		if tp.Name != xtrTitleCase(tp.Name) || !strings.Contains(strings.ToLower(doc.Title), strings.ToLower(strings.Fields(tp.Name)[0])) {
			t.Errorf("topic name %q; want Title Case words of the headline %q", tp.Name, doc.Title)
		}
	}
	if len(all) == 0 || len(all) > xtrReplyPoints {
		t.Fatalf("%d points; want 1 to %d", len(all), xtrReplyPoints)
	}
	if lead := all[0]; !strings.HasPrefix(lead.Text, "The dockworkers' union and the Harbor Employers Association agreed") || lead.Status != summarize.StatusAgreed {
		t.Errorf("first point = %q (%s); want the lead, agreed", lead.Text, lead.Status)
	}
	want := map[string]summarize.Status{
		"The union accused the association of breaching a 2019 pledge": summarize.StatusDisputed,
		`"Automation is not negotiable for us`:                         summarize.StatusUnresolved,
	}
	for prefix, status := range want {
		found := false
		for _, p := range all {
			if strings.HasPrefix(p.Text, prefix) || strings.HasPrefix(p.Quote, prefix) {
				found = true
				if p.Status != status {
					t.Errorf("point %q status = %q; want %q", p.Text, p.Status, status)
				}
			}
		}
		if !found {
			t.Errorf("no point starting %q among %d", prefix, len(all))
		}
	}
}

func TestExtractiveDeterministic(t *testing.T) {
	for _, fx := range xtrFixtures {
		doc := xtrFixture(t, fx.file, fx.title)
		first := xtrSummarize(t, doc)
		var wg sync.WaitGroup
		results := make([][]summarize.Topic, 4)
		for i := range results {
			wg.Go(func() { results[i] = xtrSummarize(t, doc) })
		}
		wg.Wait()
		for i, got := range results {
			if !reflect.DeepEqual(got, first) {
				t.Errorf("%s: run %d differs from the first run", fx.file, i+2)
			}
		}
	}
}

func TestExtractiveTextOnly(t *testing.T) {
	// A document without Blocks is split by the engine itself.
	for _, fx := range xtrFixtures {
		doc := xtrFixture(t, fx.file, fx.title)
		withBlocks := xtrSummarize(t, doc)
		plain := *doc
		plain.Blocks = nil
		if got := xtrSummarize(t, &plain); !reflect.DeepEqual(got, withBlocks) {
			t.Errorf("%s: Summarize(text only) differs from Summarize(blocks)", fx.file)
		}
	}
	// And Blocks without Text are joined for grounding.
	doc := xtrFixture(t, xtrFixtures[0].file, xtrFixtures[0].title)
	doc.Text = ""
	topics := xtrSummarize(t, doc)
	for _, tp := range topics {
		for _, p := range tp.Points {
			if !p.Grounded {
				t.Errorf("blocks only: point %q Grounded = false; want true", p.Quote)
			}
		}
	}
}

func TestExtractiveEmpty(t *testing.T) {
	e := New()
	for _, doc := range []*summarize.Document{nil, {}, {Text: " \n\n\t "}, {Blocks: []summarize.Block{{Text: "  "}}}} {
		if _, err := e.Summarize(context.Background(), doc); !errors.Is(err, ErrEmptyDocument) {
			t.Errorf("Summarize(%+v) error = %v; want ErrEmptyDocument", doc, err)
		}
	}
	// Only furniture: no error, no topics, a note.
	furniture := xtrTestDocument(t, "", "Our Privacy Statement & Cookie Policy\n\n"+
		"By continuing to browse our site you agree to our use of cookies.\n\nI agree\n\nSource(s): Reuters")
	res, err := e.Summarize(context.Background(), furniture)
	if err != nil || len(res.Topics) != 0 || len(res.Notes) != 1 {
		t.Errorf("Summarize(furniture) = %+v, %v; want no topics, one note", res, err)
	}
}

func TestExtractiveCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc := xtrFixture(t, xtrFixtures[0].file, xtrFixtures[0].title)
	if _, err := New().Summarize(ctx, doc); !errors.Is(err, context.Canceled) {
		t.Errorf("Summarize(canceled) error = %v; want context.Canceled", err)
	}
}

func TestXtrClassify(t *testing.T) {
	tests := []struct {
		sentence string
		want     summarize.Status // "" for no cue
	}{
		{"Putin declined to endorse the full 30-day ceasefire that Trump hoped would be the first step.", summarize.StatusUnresolved},
		{"During the call Putin agreed to stop attacking Ukrainian energy facilities temporarily.", summarize.StatusAgreed},
		{"The two sides did not agree on a timetable for the withdrawal.", summarize.StatusUnresolved},
		{"The negotiators failed to agree on the border line.", summarize.StatusUnresolved},
		{"Moscow has not yet signed the memorandum.", summarize.StatusUnresolved},
		{"Ukraine accused Russia of rejecting the proposal hours after Moscow agreed to pause attacks.", summarize.StatusDisputed},
		{"It was unclear whether Ukraine would be involved in those talks, which will take place in Jeddah.", summarize.StatusUnresolved},
		{"We didn't have consensus on the energy ceasefire.", summarize.StatusUnresolved},
		{"After initially refusing, Russia agreed to the prisoner exchange.", summarize.StatusAgreed},
		{"Russia agreed to the exchange but refused to release the sailors.", summarize.StatusUnresolved},
		{"The talks would begin immediately in Riyadh.", summarize.StatusAgreed},
		{"The sides made no mention of territorial concessions.", summarize.StatusUnresolved},
		{"Trump told reporters aid did not come up in the conversation.", summarize.StatusUnresolved},
		{"Kyiv denied violating the moratorium on strikes.", summarize.StatusDisputed},
		{"The offer counted for nothing and Trump would have to win greater concessions.", summarize.StatusUnresolved},
		{"Putin said an essential condition for any truce would be halting mobilization.", summarize.StatusUnresolved},
		{"The leaders reaffirmed their intention to continue efforts toward a settlement.", summarize.StatusAgreed},
		{"The delegations had lunch in the old town before the evening session.", ""},
		{"Die Parteien einigten sich auf einen Waffenstillstand an der Front.", summarize.StatusAgreed},
		{"Moskau hat den Vorschlag abgelehnt und Kiew beschuldigt.", summarize.StatusDisputed},
		{"Les deux camps se sont mis d'accord sur un échange de prisonniers.", summarize.StatusAgreed},
		{"Il n'est pas clair si l'Ukraine participera aux pourparlers.", summarize.StatusUnresolved},
		// Rejecting a proposal refuses it; rejecting a claim disputes it.
		{"El gobierno rechazó la propuesta de alto el fuego de los mediadores.", summarize.StatusUnresolved},
		{"Moscow rejected the proposal for a full ceasefire.", summarize.StatusUnresolved},
		{"Kyiv rejected the Kremlin's claim that it had attacked a gas station.", summarize.StatusDisputed},
		{"European governments called for Moscow to accept an unconditional truce.", summarize.StatusUnresolved},
		{"The Red Cross said it had not been told when the exchange would take place.", summarize.StatusUnresolved},
		{"Each side says the other has already broken the pause.", summarize.StatusDisputed},
		{"The truce collapsed within hours.", summarize.StatusDisputed},
		{"The talks collapsed within hours.", summarize.StatusUnresolved},
		{"Kyiv said Moscow had failed to honour the energy truce.", summarize.StatusDisputed},
		{"Both sides agreed to binding arbitration to settle the dispute.", summarize.StatusAgreed},
		{"If Russia agrees, the truce will begin on Monday.", summarize.StatusUnresolved},
		// Common words that are cues only about something negotiated.
		{"Apple is replacing the broken keyboards of older laptops.", ""},
		{"The old warehouse collapsed after the storm.", ""},
		{"Missiles struck the power plant overnight.", ""},
		{"Hibernation would take place in small individual pods.", ""},
		{"I want you to remember this before the next chapter.", ""},
		{"The Thunder won't have to wait long for a rematch.", ""},
		{"NASA plans to land a rover near the south pole.", ""},
	}
	for _, tt := range tests {
		got, _, start, end := xtrClassify(xtrTokenize(tt.sentence))
		if got != tt.want {
			t.Errorf("xtrClassify(%q) = %q; want %q", tt.sentence, got, tt.want)
		}
		if got != "" && (start < 0 || end <= start || end > len(tt.sentence)) {
			t.Errorf("xtrClassify(%q) cue at [%d, %d); want a span of the sentence", tt.sentence, start, end)
		}
	}
}

func TestXtrSplitSentences(t *testing.T) {
	tests := []struct {
		para string
		want []string
	}{
		{"One sentence here. Another one follows.", []string{"One sentence here.", "Another one follows."}},
		{"U.S. President Donald Trump spoke. Mr. Putin listened.", []string{"U.S. President Donald Trump spoke.", "Mr. Putin listened."}},
		{`"We see no reciprocity. There were attempts to strike," Peskov said. Kyiv denied it.`,
			[]string{`"We see no reciprocity. There were attempts to strike," Peskov said.`, "Kyiv denied it."}},
		{`He said "enough." Then he left.`, []string{`He said "enough."`, "Then he left."}},
		{"Is it over? Nobody knows.", []string{"Is it over?", "Nobody knows."}},
		{"Prices rose 3.5 percent in J. Smith's report. It was 2 p.m. on Friday.", []string{"Prices rose 3.5 percent in J. Smith's report.", "It was 2 p.m. on Friday."}},
		{"No final stop", []string{"No final stop"}},
		// German, French, Spanish, Italian and Portuguese.
		{"Die Wahl findet am 3. Oktober statt. Die SPD bzw. die Grünen wollen regieren.",
			[]string{"Die Wahl findet am 3. Oktober statt.", "Die SPD bzw. die Grünen wollen regieren."}},
		{"Selon M. Macron, l'accord tient. Mme Borne a confirmé.", []string{"Selon M. Macron, l'accord tient.", "Mme Borne a confirmé."}},
		{"La Sra. García llegó ayer. ¿Habrá acuerdo? Nadie lo sabe.", []string{"La Sra. García llegó ayer.", "¿Habrá acuerdo?", "Nadie lo sabe."}},
		{"Il Sig. Rossi ha firmato. La Dott. Bianchi no.", []string{"Il Sig. Rossi ha firmato.", "La Dott. Bianchi no."}},
		{"O Sr. Silva chegou. A Dra. Costa saiu.", []string{"O Sr. Silva chegou.", "A Dra. Costa saiu."}},
	}
	for _, tt := range tests {
		if got := xtrSplitSentences(tt.para); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("xtrSplitSentences(%q) = %q; want %q", tt.para, got, tt.want)
		}
	}
}

func TestXtrActors(t *testing.T) {
	text := "Kremlin spokesman Dmitry Peskov spoke to Vladimir Putin in Moscow on Monday.\n\n" +
		"Putin met Peskov and the Kremlin staff later that day, aides said.\n\n" +
		"\"We will not give up,\" said Ukrainian President Volodymyr Zelenskyy, speaking in Kyiv.\n\n" +
		"Zelenskyy later told German broadcaster ZDF that talks with Russia could resume.\n\n" +
		"The White House said the Putin-Trump call went well, and Trump agreed.\n\n" +
		"\"The leaders reaffirmed their commitment to talks,\" it said."
	doc := xtrTestDocument(t, "", text)
	a := xtrAnalyze(doc, doc.Blocks)
	want := [][]string{
		{"Kremlin", "Peskov", "Putin"}, // titles dropped, surnames where the text uses them, Moscow is a place
		{"Putin", "Peskov", "Kremlin"},
		{"Zelenskyy"}, // speaker after the quote; Kyiv is a place
		{"Zelenskyy"}, // ZDF heard it; Russia is only talked with, never shown acting
		{"White House", "Putin", "Trump"},
		{"White House"}, // "it said" is the White House
	}
	if len(a.sents) != len(want) {
		t.Fatalf("%d sentences; want %d", len(a.sents), len(want))
	}
	for i, s := range a.sents {
		if !reflect.DeepEqual(s.actors, want[i]) {
			t.Errorf("actors(%q) = %q; want %q", s.text, s.actors, want[i])
		}
	}
}

func TestXtrShorten(t *testing.T) {
	long := `"Up until recently, we really didn't have consensus around these two aspects - the energy and infrastructure ceasefire and the Black Sea moratorium on firing - and today we got to that place, and I think it's a relatively short distance to a full ceasefire from there," Witkoff told Fox News' Hannity program.`
	s := &xtrSentence{text: long, toks: xtrTokenize(long)}
	_, _, s.cueStart, s.cueEnd = xtrClassify(s.toks)
	quote := xtrShorten(s, xtrQuoteWords, false)
	if !strings.Contains(long, quote) || !strings.Contains(quote, "consensus") || len(strings.Fields(quote)) > xtrQuoteWords {
		t.Errorf("xtrShorten(%q) = %q; want a verbatim part of at most %d words holding the cue", long, quote, xtrQuoteWords)
	}
	text := xtrShorten(s, xtrTextWords, true)
	if !strings.HasSuffix(text, "…") || !strings.Contains(text, "consensus") {
		t.Errorf("xtrShorten(%q, mark) = %q; want a marked cut holding the cue", long, text)
	}
	short := "Putin agreed to stop attacking energy facilities."
	s = &xtrSentence{text: short, toks: xtrTokenize(short)}
	if got := xtrShorten(s, xtrQuoteWords, false); got != short {
		t.Errorf("xtrShorten(%q) = %q; want it whole", short, got)
	}
}

func BenchmarkExtractive(b *testing.B) {
	doc := xtrFixture(b, xtrFixtures[0].file, xtrFixtures[0].title)
	e := New()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(doc.Text)))
	for b.Loop() {
		if _, err := e.Summarize(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzExtractive(f *testing.F) {
	for _, fx := range xtrFixtures {
		raw, err := os.ReadFile(filepath.Join("testdata", "extractive", fx.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(raw))
	}
	f.Add("Heading\n\n\"Unclosed quote. It goes on, and on - and the sides agreed… or not?\n\nU.S. - \u00a0/Credit/X")
	f.Add("A\u00adB agreed to C-D’s “plan”. Kyiv—Moscow. 普京同意暂停袭击能源设施。")
	f.Add("00 Agree 0 0\n/A\n0") // a caption line between two halves of a paragraph
	e := New()
	f.Fuzz(func(t *testing.T, text string) {
		res, err := e.Summarize(context.Background(), &summarize.Document{Text: text})
		if err != nil {
			if !errors.Is(err, ErrEmptyDocument) || strings.TrimSpace(text) != "" {
				t.Fatalf("Summarize(%q) error = %v; want a result", text, err)
			}
			return
		}
		summarize.Ground(res.Topics, text)
		points := 0
		for _, tp := range res.Topics {
			points += len(tp.Points)
		}
		if points > xtrMaxPoints {
			t.Errorf("Summarize(%q): %d points; want at most %d", text, points, xtrMaxPoints)
		}
		for _, tp := range res.Topics {
			if len(tp.Points) == 0 {
				t.Errorf("Summarize(%q): topic %q has %d points", text, tp.Name, len(tp.Points))
			}
			for _, p := range tp.Points {
				if !p.Grounded || !p.Status.Valid() || len(p.Actors) > xtrMaxActors {
					t.Errorf("Summarize(%q): point %+v; want grounded, valid status, at most %d actors", text, p, xtrMaxActors)
				}
			}
		}
	})
}

func TestXtrFurniture(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"By continuing to browse our site you agree to our use of cookies, revised Privacy Policy and Terms of Use.", true},
		{"Our Privacy Statement & Cookie Policy", true},
		{"Translating...", true},
		{"Content is automatically generated by Microsoft Azure Translator Text API. CGTN is not responsible for any of the translations.", true},
		{" , Updated 23:14, 19-Mar-2025", true},
		{"Source(s): Reuters ,AFP", true},
		{"Search Trends", true},
		{"Reporting by Jane Doe; Editing by John Roe", true},
		{"Advertisement", true},
		{"Privacy Policy | Terms of Use", true},
		{"© 2025 Example News. All rights reserved.", true},
		{"(Leggi anche su: I Cavalieri dello Zodiaco: ecco gli attori –FOTO)", true},
		{"Lesen Sie auch: Die Koalition ringt um den Haushalt", true},
		{"05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: sad", true},
		{"Die Gewerkschaft - so heißt es - fordert: mehr Lohn.", false},
		// Article sentences on the same subjects are kept.
		{"EU regulators agreed new rules on cookie consent banners on Tuesday.", false},
		{"Meta said it would change its privacy policy after the regulators objected to the way it shares data.", false},
		{"Translating the treaty into Russian took the negotiators three weeks.", false},
		{"Copyright holders rejected the proposal for a levy on AI training.", false},
		{"Updated figures show the ceasefire held in most regions.", false},
		{"Putin declined to endorse the full 30-day ceasefire.", false},
	}
	for _, tt := range tests {
		if got := xtrBoilerplate(xtrKey(tt.line)); got != tt.want {
			t.Errorf("xtrBoilerplate(%q) = %v; want %v", tt.line, got, tt.want)
		}
	}
	if !xtrCaption("Leaders meet in Helsinki on Wednesday. /Lehtikuva/Heikki Saukkomaa via Reuters") ||
		xtrCaption("The talks on 24/7 monitoring and/or inspections will resume.") {
		t.Errorf("xtrCaption misreads a credit or a sentence with slashes")
	}

	headings := []struct {
		heading string
		want    xtrHeadingKind
	}{
		{"Future talks", xtrHeadingTopic},
		{"Comments from Kyiv", xtrHeadingTopic},
		{"Privacy concerns", xtrHeadingTopic},
		{"Our Privacy Statement & Cookie Policy", xtrHeadingBoilerplate},
		{"I agree", xtrHeadingBoilerplate},
		{"Related", xtrHeadingBoilerplate},
		{"Most read", xtrHeadingBoilerplate},
		{"CGTN", xtrHeadingJunk},                                                    // the site
		{"Trump-Putin: What exactly was agreed during phone call?", xtrHeadingJunk}, // the title
		{" , Updated 23:14, 19-Mar-2025", xtrHeadingJunk},
	}
	doc := &summarize.Document{Title: "Trump-Putin: What exactly was agreed during phone call?", Site: "CGTN"}
	for _, tt := range headings {
		if _, got := xtrHeading(tt.heading, doc); got != tt.want {
			t.Errorf("xtrHeading(%q) = %v; want %v", tt.heading, got, tt.want)
		}
	}
}

// xtrNewsCase is a sentence of a news report with the status a careful
// reader gives it.
type xtrNewsCase struct {
	sentence string
	want     summarize.Status // "" for a sentence that says nothing about where things stand
}

// xtrNewsMisses are the sentences of xtrNewsCases and xtrNewsHeldOut the
// engine reads wrongly, with the reason: known limits, kept in the tables
// so the rate stays honest.
var xtrNewsMisses = map[string]string{
	"The separate pause on strikes against power stations is in tatters.":                             "\"in tatters\" was a cue row found only in the seed article; rows now need a general reason (issue 9, item 7)",
	"The company has offered a 3 percent raise in each of the next two years.":                        "an offer, but nothing in the sentence says what is negotiated, so \"offered\" is not read as a cue",
	"The centrists want the finance ministry in exchange for their support.":                          "a demand, but \"want\" is a cue only beside a negotiated thing or a named party asked to act",
	"Beijing has signalled it could lift the ban on Australian wine if Canberra drops its complaint.": "a ban is not among the negotiated things, so \"signalled\" is not read as a cue",
	"South Korea said it had never agreed to invest 350 billion dollars in American shipyards.":       "read as a refusal; that it contests a claim is only implied",
	"Doctors will go on strike again next month if the government does not improve its offer.":        "a threat under a condition, with no cue",
	"The company says it is open to talks but has not made a new offer.":                              "no cue: \"open to talks\" and a missing offer",
	"The employer's claim that the strike was unlawful was rejected by the tribunal.":                 "the claim is seven words before \"rejected\"; the window is six",
	"The caretaker chancellor said a new government could be in place by Easter.":                     "\"in place\" counts only beside an agreement noun",
	"Neither side has commented on the reported deal.":                                                "no cue: silence is not among the hedges",
}

// xtrNewsCases are sentences of the kind news reports of negotiations are
// made of (trade, labour, climate talks, coalition talks, ceasefires), with
// the status a careful reader gives each: agreed only for a commitment the
// parties made; unresolved for demands, offers, conditions, expectations,
// refusals, open questions and broken-off talks; disputed for contested
// claims and accusations that an agreement is being broken. They were
// written before the cue rules they test (the engine then read 35 of 74
// right).
var xtrNewsCases = []xtrNewsCase{
	// Trade.
	{"The European Union and Mercosur struck a trade deal on Friday after 25 years of negotiations.", summarize.StatusAgreed},
	{"Washington and Beijing agreed to cut tariffs on each other's goods for 90 days while talks continue.", summarize.StatusAgreed},
	{"China denied that it had agreed to buy more American soybeans.", summarize.StatusDisputed},
	{"Beijing accused Washington of violating the consensus reached in Geneva by imposing new chip export curbs.", summarize.StatusDisputed},
	{"The tariff truce expires in August, and no extension has been agreed.", summarize.StatusUnresolved},
	{"Officials said the two sides were close to a deal on steel quotas but differences remained over autos.", summarize.StatusUnresolved},
	{"Canada will sign the revised agreement only if the dairy provisions are removed.", summarize.StatusUnresolved},
	{"Britain and India are expected to sign the free trade agreement later this year.", summarize.StatusUnresolved},
	{"The ministers agreed in principle to remove tariffs on medical supplies.", summarize.StatusAgreed},
	{"Talks on a free trade deal between the two countries collapsed over agricultural subsidies.", summarize.StatusUnresolved},
	{"The EU called for Washington to withdraw the steel tariffs before any talks on a wider deal.", summarize.StatusUnresolved},
	{"Japan refuted claims that it had offered to limit car exports.", summarize.StatusDisputed},
	{"Trade ministers welcomed the agreement, saying it would ease pressure on supply chains.", summarize.StatusAgreed},
	{"The commerce secretary said the administration wants Beijing to open its market to American farm products.", summarize.StatusUnresolved},
	// Labour.
	{"Union leaders reached a tentative agreement with the carmaker early on Sunday, ending a six-week strike.", summarize.StatusAgreed},
	{"The tentative deal must still be ratified by members, who will vote next week.", summarize.StatusUnresolved},
	{"Nurses voted overwhelmingly to reject the latest pay offer.", summarize.StatusUnresolved},
	{"The union walked out of talks on Tuesday after management refused to discuss pensions.", summarize.StatusUnresolved},
	{"Management said the strike was illegal, a claim the union rejected.", summarize.StatusDisputed},
	{"The company has offered a 3 percent raise in each of the next two years.", summarize.StatusUnresolved},
	{"The rail operator and the drivers' union signed a new contract on Thursday.", summarize.StatusAgreed},
	{"The union accused the airline of breaking its promise not to outsource baggage handling.", summarize.StatusDisputed},
	{"Talks are due to resume on Monday, but no date has been set for a vote.", summarize.StatusUnresolved},
	{"The employers' federation denied that it had ever promised to index wages to inflation.", summarize.StatusDisputed},
	{"Teachers will return to classrooms on Monday after the union and the state agreed on a new pay scale.", summarize.StatusAgreed},
	{"The union has yet to respond to the offer, a spokesman said.", summarize.StatusUnresolved},
	{"Workers at the plant ratified the contract by a wide margin.", summarize.StatusAgreed},
	{"The union pressed the company to reinstate the fired workers.", summarize.StatusUnresolved},
	// Climate talks.
	{"Nearly 200 countries agreed to transition away from fossil fuels in energy systems.", summarize.StatusAgreed},
	{"Negotiators failed to agree on how the loss and damage fund would be financed.", summarize.StatusUnresolved},
	{"Small island states accused wealthy nations of backtracking on their finance pledges.", summarize.StatusDisputed},
	{"Wealthy nations pledged to provide 300 billion dollars a year by 2035.", summarize.StatusAgreed},
	{"Saudi Arabia blocked language calling for a phase-out of coal.", summarize.StatusUnresolved},
	{"Whether China will count as a donor remains to be seen.", summarize.StatusUnresolved},
	{"The final text made no mention of fossil fuel subsidies.", summarize.StatusUnresolved},
	{"The host country urged delegates to reach a compromise before the summit closes on Friday.", summarize.StatusUnresolved},
	{"India said it would accept the coal language if rich countries doubled adaptation finance.", summarize.StatusUnresolved},
	{"Delegates are expected to agree on a new emissions target at next year's summit.", summarize.StatusUnresolved},
	{"The European Union proposed a 90 percent cut in emissions by 2040.", summarize.StatusUnresolved},
	{"Several developing countries rejected the proposal to expand the donor base.", summarize.StatusUnresolved},
	// Coalition talks.
	{"The Social Democrats and the Greens agreed on a coalition programme late on Wednesday.", summarize.StatusAgreed},
	{"The conservative leader ruled out a coalition with the far right.", summarize.StatusUnresolved},
	{"Coalition talks broke down over the pace of pension reform.", summarize.StatusUnresolved},
	{"The Liberals have not ruled out joining the government.", summarize.StatusUnresolved},
	{"Party members will vote on the coalition agreement next week.", summarize.StatusUnresolved},
	{"The two parties signed the coalition agreement on Monday, and the new cabinet will be sworn in on Friday.", summarize.StatusAgreed},
	{"The Greens accused their partners of reneging on the agreed climate budget.", summarize.StatusDisputed},
	{"The finance ministry will remain with the Christian Democrats, the parties agreed.", summarize.StatusAgreed},
	{"The centrists want the finance ministry in exchange for their support.", summarize.StatusUnresolved},
	{"The party's youth wing demanded a vote on any agreement before it is signed.", summarize.StatusUnresolved},
	// Ceasefires.
	{"Israel and Hamas agreed to a six-week truce that will take effect on Sunday morning.", summarize.StatusAgreed},
	{"The ceasefire has largely held since Sunday, United Nations monitors said.", summarize.StatusAgreed},
	{"Each side says the other has already broken the truce.", summarize.StatusDisputed},
	{"Israel said Hamas had breached the ceasefire by firing rockets, a claim Hamas denied.", summarize.StatusDisputed},
	{"The separate pause on strikes against power stations is in tatters.", summarize.StatusDisputed},
	{"European governments called for Moscow to accept an unconditional truce before any sanctions are eased.", summarize.StatusUnresolved},
	{"The Red Cross said it had not been told when the exchange would take place.", summarize.StatusUnresolved},
	{"Trump had hinted at Ukraine giving up territory, infuriating Kyiv.", summarize.StatusUnresolved},
	{"The ceasefire collapsed within hours as both sides blamed each other for the first shots.", summarize.StatusDisputed},
	{"Both sides will exchange prisoners on Wednesday under the deal brokered by Qatar.", summarize.StatusAgreed},
	{"Moscow said it would only halt strikes if Western arms deliveries stopped.", summarize.StatusUnresolved},
	{"The rebels denied violating the ceasefire and said government troops had fired first.", summarize.StatusDisputed},
	{"Kyiv said it was ready to accept a 30-day ceasefire if Russia did the same.", summarize.StatusUnresolved},
	{"The Kremlin said the pause on energy strikes had expired and would not be extended.", summarize.StatusUnresolved},
	{"The mediators offered to host a new round of talks in Cairo.", summarize.StatusUnresolved},
	{"The prisoner exchange will take place on Friday, both sides confirmed.", summarize.StatusAgreed},
	{"The army said it would not withdraw from the buffer zone unless the militants disarmed.", summarize.StatusUnresolved},
	{"Egyptian officials said the two sides had agreed to extend the truce by two weeks.", summarize.StatusAgreed},
	{"Diplomats said a deal on the hostages was within reach.", summarize.StatusUnresolved},
	{"The two presidents will sign the peace agreement at the White House on Tuesday.", summarize.StatusAgreed},
	{"Neither side has agreed to the other's conditions.", summarize.StatusUnresolved},
	// Nothing about where things stand.
	{"The delegations met for six hours at a hotel on the outskirts of the capital.", ""},
	{"Shipping lines said more than forty container vessels were waiting at anchor.", ""},
	{"Prices of crude oil rose 2 percent on the news.", ""},
}

// xtrNewsHeldOut were written after the first round of rule changes and
// run once before any further change (27 of 46 right; the engine before
// these rules read 18). Some later rules are general forms of what they
// showed ("made little progress", "despite the ceasefire", "respected the
// truce"); none names one of these sentences.
var xtrNewsHeldOut = []xtrNewsCase{
	{"After marathon talks in Brussels, negotiators hammered out a compromise on car tariffs.", summarize.StatusAgreed},
	{"The agreement still needs the approval of all 27 member states.", summarize.StatusUnresolved},
	{"Beijing has signalled it could lift the ban on Australian wine if Canberra drops its complaint.", summarize.StatusUnresolved},
	{"The two countries signed a memorandum of understanding on critical minerals.", summarize.StatusAgreed},
	{"Washington insisted the deal did not cover semiconductors, contradicting Seoul's account.", summarize.StatusDisputed},
	{"South Korea said it had never agreed to invest 350 billion dollars in American shipyards.", summarize.StatusDisputed},
	{"Tariffs of 25 percent will come into force on Monday unless a deal is struck.", summarize.StatusUnresolved},
	{"Negotiators made little progress on the digital services tax.", summarize.StatusUnresolved},
	{"Mexico and the United States agreed to extend the suspension of tomato duties until December.", summarize.StatusAgreed},
	{"The U.S. trade representative warned that talks could collapse without concessions on dairy.", summarize.StatusUnresolved},
	{"The strike is set to continue after the union rejected management's final offer.", summarize.StatusUnresolved},
	{"Both sides agreed to binding arbitration to settle the dispute over overtime.", summarize.StatusAgreed},
	{"The union said the company had broken the terms of the 2022 agreement by hiring temporary staff.", summarize.StatusDisputed},
	{"Doctors will go on strike again next month if the government does not improve its offer.", summarize.StatusUnresolved},
	{"The company says it is open to talks but has not made a new offer.", summarize.StatusUnresolved},
	{"Under the new contract, workers will receive a 14 percent raise over four years.", summarize.StatusAgreed},
	{"Members have until Friday to vote on the proposed deal.", summarize.StatusUnresolved},
	{"The union and the city reached a last-minute deal to avert a transit strike.", summarize.StatusAgreed},
	{"The employer's claim that the strike was unlawful was rejected by the tribunal.", summarize.StatusDisputed},
	{"Pilots accepted the improved offer and called off their planned walkout.", summarize.StatusAgreed},
	{"Countries failed to reach consensus on a roadmap away from fossil fuels.", summarize.StatusUnresolved},
	{"The summit ended with an agreement to triple renewable energy capacity by 2030.", summarize.StatusAgreed},
	{"Negotiators are still haggling over how much rich countries should pay.", summarize.StatusUnresolved},
	{"China and the United States pledged to cooperate on cutting methane emissions.", summarize.StatusAgreed},
	{"Activists accused the host country of watering down the final text.", summarize.StatusDisputed},
	{"The deal on carbon markets was adopted without objection in the final plenary.", summarize.StatusAgreed},
	{"Whether the pledges will be met is another matter.", summarize.StatusUnresolved},
	{"The final declaration does not mention coal.", summarize.StatusUnresolved},
	{"The caretaker chancellor said a new government could be in place by Easter.", summarize.StatusUnresolved},
	{"Talks between the two largest parties ended without agreement on Thursday night.", summarize.StatusUnresolved},
	{"The Socialists and the Liberals have sealed a coalition deal after four months of talks.", summarize.StatusAgreed},
	{"The Greens denied reports that they had agreed to drop the motorway speed limit.", summarize.StatusDisputed},
	{"The kingmaker party is demanding the interior ministry as the price of its support.", summarize.StatusUnresolved},
	{"The coalition agreement was approved by 76 percent of party members.", summarize.StatusAgreed},
	{"The far-right party accused the mainstream parties of ignoring the will of voters.", summarize.StatusDisputed},
	{"The truce brokered by Washington came into force at midnight.", summarize.StatusAgreed},
	{"Both sides have so far respected the ceasefire, according to observers.", summarize.StatusAgreed},
	{"Russia offered a three-day truce over the holiday, which Kyiv dismissed as a publicity stunt.", summarize.StatusUnresolved},
	{"Hamas said it was studying the proposal.", summarize.StatusUnresolved},
	{"The army resumed airstrikes on Tuesday, saying the militants had violated the truce.", summarize.StatusDisputed},
	{"Mediators hope to announce a deal within days.", summarize.StatusUnresolved},
	{"Neither side has commented on the reported deal.", summarize.StatusUnresolved},
	{"Ukraine and Russia exchanged 390 prisoners each on Friday, the first stage of a swap agreed in Istanbul.", summarize.StatusAgreed},
	{"Israel has not yet said whether it will send a delegation to Cairo.", summarize.StatusUnresolved},
	{"Fighting continued in the south despite the ceasefire.", summarize.StatusDisputed},
	{"The foreign ministers had dinner together after the session.", ""},
}

func TestXtrClassifyNews(t *testing.T) {
	total, right := 0, 0
	for _, set := range []struct {
		name  string
		cases []xtrNewsCase
	}{{"written-first", xtrNewsCases}, {"held-out", xtrNewsHeldOut}} {
		t.Run(set.name, func(t *testing.T) {
			n := 0
			for _, tt := range set.cases {
				got, _, _, _ := xtrClassify(xtrTokenize(tt.sentence))
				miss, known := xtrNewsMisses[tt.sentence]
				switch {
				case got == tt.want && !known:
					n++
				case got == tt.want:
					n++
					t.Errorf("xtrClassify(%q) = %q as wanted; drop it from xtrNewsMisses", tt.sentence, got)
				case !known:
					t.Errorf("xtrClassify(%q) = %q; want %q", tt.sentence, got, tt.want)
				default:
					t.Logf("known miss: xtrClassify(%q) = %q; want %q (%s)", tt.sentence, got, tt.want, miss)
				}
			}
			t.Logf("%s: %d of %d right (%.1f %%)", set.name, n, len(set.cases), 100*float64(n)/float64(len(set.cases)))
			total += len(set.cases)
			right += n
		})
	}
	// A careful reader's status for at least nine sentences in ten.
	if rate := float64(right) / float64(total); rate < 0.9 {
		t.Errorf("xtrClassify reads %d of %d news sentences right (%.1f %%); want at least 90 %%", right, total, 100*rate)
	} else {
		t.Logf("all: %d of %d right (%.1f %%)", right, total, 100*rate)
	}
}

// TestHopeAsNoun: "hope(s)" is a party's wish as a verb, not as a noun.
func TestHopeAsNoun(t *testing.T) {
	tests := []struct {
		sentence string
		want     summarize.Status
	}{
		{"Kyiv hopes to reopen the ports next month.", summarize.StatusUnresolved},
		{"Trump hopes the talks will end the war.", summarize.StatusUnresolved},
		{"Hopes of a trade truce drove European stocks to a four-year high.", ""},
		{"The swap raised hopes of a thaw between the two sides.", ""},
		{"Their hopes were dashed by the vote.", ""},
	}
	for _, tt := range tests {
		st, _, _, _ := xtrClassify(xtrTokenize(tt.sentence))
		if st != tt.want {
			t.Errorf("xtrClassify(%q) = %q; want %q", tt.sentence, st, tt.want)
		}
	}
}

// TestBreachAsOffence: a breach an authority punished is reported; one a
// party alleges is disputed.
func TestBreachAsOffence(t *testing.T) {
	tests := []struct {
		sentence string
		want     summarize.Status
	}{
		{"The 48-year-old Australian was evicted in April and sentenced to 50 weeks in jail for breaching his bail conditions.", ""},
		{"The club was fined for violating the league's spending rules.", ""},
		{"Russia violated the ceasefire within hours, Kyiv said.", summarize.StatusDisputed},
		{"Moscow said Ukraine had breached the energy moratorium.", summarize.StatusDisputed},
		{"Kyiv called for sanctions for breaching the truce.", summarize.StatusDisputed},
	}
	for _, tt := range tests {
		st, _, _, _ := xtrClassify(xtrTokenize(tt.sentence))
		if st != tt.want {
			t.Errorf("xtrClassify(%q) = %q; want %q", tt.sentence, st, tt.want)
		}
	}
}
