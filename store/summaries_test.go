package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"briefbot/summarize"
)

func TestSummaryRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	kyiv := time.FixedZone("EET", 2*3600)
	s := &summarize.Summary{
		URL:           "https://news.example/trump-putin-call",
		FinalURL:      "https://www.news.example/2025/03/18/trump-putin-call/",
		Title:         "Trump and Putin agree to a limited pause",
		Site:          "News Example",
		Language:      "en",
		Published:     time.Date(2025, 3, 18, 21, 30, 15, 123456789, kyiv),
		Quality:       summarize.QualityPartial,
		WordCount:     1432,
		TextHash:      "sha256:0f3c",
		Engine:        "llm",
		Model:         "gpt-4o-mini",
		PromptVersion: "ledger-v3",
		Cached:        false,
		Topics: []summarize.Topic{
			topic("Full temporary ceasefire",
				point("Putin did not agree to a full 30-day ceasefire.", summarize.StatusUnresolved, "Putin"),
				summarize.Point{Text: "Kyiv backs the US proposal.", Status: summarize.StatusAgreed,
					Actors: []string{"Kyiv", "White House"}, Quote: "we support it", Grounded: false}),
			topic("Energy facility attacks",
				point("Both sides agreed to stop hitting energy sites for 30 days.", summarize.StatusAgreed, "Putin", "Trump")),
		},
		Notes:     []string{"Only part of the article was readable."},
		Usage:     summarize.Usage{PromptTokens: 2100, CompletionTokens: 380, Calls: 2},
		CreatedAt: time.Date(2025, 3, 19, 8, 0, 1, 987654321, time.UTC),
		Elapsed:   2345678901 * time.Nanosecond,
	}
	if err := db.SaveSummary(ctx, s); err != nil {
		t.Fatalf("SaveSummary: %v", err)
	}
	got, ok, err := db.Summary(ctx, s.Key())
	if err != nil || !ok {
		t.Fatalf("Summary(%q) = %v, %v; want found", s.URL, ok, err)
	}
	want := *s
	want.Published = s.Published.Truncate(time.Millisecond).UTC()
	want.CreatedAt = s.CreatedAt.Truncate(time.Millisecond)
	want.Cached = true
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("Summary(%q) =\n%+v\nwant\n%+v", s.URL, got, &want)
	}

	for _, k := range []summarize.Key{
		{URL: s.URL, Engine: "extractive", Model: s.Model, PromptVersion: s.PromptVersion},
		{URL: s.URL, Engine: s.Engine, Model: "other", PromptVersion: s.PromptVersion},
		{URL: s.URL, Engine: s.Engine, Model: s.Model, PromptVersion: "ledger-v4"},
		{URL: s.URL + "/", Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion},
	} {
		if got, ok, err := db.Summary(ctx, k); err != nil || ok || got != nil {
			t.Errorf("Summary(%+v) = %v, %v, %v; want nil, false, nil", k, got, ok, err)
		}
	}
}

func TestSummaryZeroTimesAndEmptyLists(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	s := newSummary("https://a.example/empty", "extractive")
	if err := db.SaveSummary(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, ok, err := db.Summary(ctx, s.Key())
	if err != nil || !ok {
		t.Fatalf("Summary = %v, %v; want found", ok, err)
	}
	if !got.Published.IsZero() {
		t.Errorf("Published = %v; want zero", got.Published)
	}
	if len(got.Topics) != 0 || len(got.Notes) != 0 {
		t.Errorf("Topics, Notes = %v, %v; want empty", got.Topics, got.Notes)
	}
}

func TestSaveSummaryRejectsIncomplete(t *testing.T) {
	db := openTest(t)
	for _, s := range []*summarize.Summary{nil, {Engine: "llm"}, {URL: "https://a.example/"}} {
		if err := db.SaveSummary(context.Background(), s); err == nil {
			t.Errorf("SaveSummary(%+v) = nil; want an error", s)
		}
	}
}

func TestSaveSummaryReplaces(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	old := newSummary("https://a.example/story", "extractive",
		topic("Prisoner exchange", point("They will swap 175 prisoners.", summarize.StatusAgreed)),
		topic("Territory", point("Territory was not mentioned.", summarize.StatusUnresolved)))
	if err := db.SaveSummary(ctx, old); err != nil {
		t.Fatal(err)
	}
	share(t, db, "g1", old, base)

	fresh := newSummary("https://a.example/story", "extractive",
		topic("Black Sea navigation", point("Talks on shipping will begin.", summarize.StatusUnresolved)))
	fresh.Title = "Updated title"
	fresh.TextHash = "sha256:new"
	fresh.CreatedAt = base.Add(time.Hour)
	if err := db.SaveSummary(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	got, ok, err := db.Summary(ctx, fresh.Key())
	if err != nil || !ok {
		t.Fatalf("Summary = %v, %v; want found", ok, err)
	}
	if got.Title != "Updated title" || !got.CreatedAt.Equal(fresh.CreatedAt) || len(got.Topics) != 1 ||
		got.Topics[0].Name != "Black Sea navigation" {
		t.Errorf("Summary after replace = %q, %v, %v; want the fresh entry", got.Title, got.CreatedAt, got.Topics)
	}

	// The search index follows the replacement: no stale topics, no duplicates.
	if hits := search(t, db, "g1", "prisoner"); len(hits) != 0 {
		t.Errorf("SearchTopics(%q) after replace = %v; want none", "prisoner", hits)
	}
	if hits := search(t, db, "g1", "navigation"); !reflect.DeepEqual(hits, []string{"Black Sea navigation"}) {
		t.Errorf("SearchTopics(%q) after replace = %v; want [Black Sea navigation]", "navigation", hits)
	}
	var nTopics, nFTS, nSummaries int
	for q, dst := range map[string]*int{
		"SELECT COUNT(*) FROM summary_topics": &nTopics,
		"SELECT COUNT(*) FROM topic_fts":      &nFTS,
		"SELECT COUNT(*) FROM summaries":      &nSummaries,
	} {
		if err := db.r.QueryRowContext(ctx, q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	if nTopics != 1 || nFTS != 1 || nSummaries != 1 {
		t.Errorf("rows after replace: topics %d, fts %d, summaries %d; want 1, 1, 1", nTopics, nFTS, nSummaries)
	}
	var title, hash string
	if err := db.r.QueryRowContext(ctx, "SELECT title, text_hash FROM articles WHERE url = ?", fresh.URL).Scan(&title, &hash); err != nil {
		t.Fatal(err)
	}
	if title != "Updated title" || hash != "sha256:new" {
		t.Errorf("article = %q, %q; want %q, %q", title, hash, "Updated title", "sha256:new")
	}
}

// TestSummarySurvivesCrash reads a saved summary through a second handle
// opened while the first was never closed, as a restarted process would.
func TestSummarySurvivesCrash(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	first, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	s := newSummary("https://a.example/durable", "extractive",
		topic("Aid", point("Aid resumes.", summarize.StatusAgreed)))
	if err := first.SaveSummary(ctx, s); err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	got, ok, err := second.Summary(ctx, s.Key())
	if err != nil || !ok {
		t.Fatalf("Summary via second handle = %v, %v; want found", ok, err)
	}
	if got.Topics[0].Name != "Aid" {
		t.Errorf("Summary via second handle: topics %v; want [Aid]", got.Topics)
	}
}

func TestAlias(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if got, ok, err := db.Alias(ctx, "https://short.example/x"); err != nil || ok || got != (summarize.Alias{}) {
		t.Errorf("Alias(unknown) = %+v, %v, %v; want zero, false, nil", got, ok, err)
	}
	redirect := func(target string) summarize.Alias { return summarize.Alias{Target: target} }
	sameText := summarize.Alias{Target: "https://example.com/x-final", TextHash: "0123abcd"}
	steps := []struct {
		url   string
		alias summarize.Alias
	}{
		{"https://short.example/x", redirect("https://example.com/x")},
		{"https://short.example/x", redirect("https://example.com/x-final")}, // replaced
		{"https://short.example/x", redirect("https://example.com/x-final")}, // known: read, not written
		{"https://short.example/z", redirect("https://example.com/x")},
		{"https://short.example/z", sameText},                                    // replaced after a read
		{"https://example.com/x-final", redirect("https://example.com/x-final")}, // itself: nothing to record
		{"https://short.example/gone", redirect("https://example.com/y")},
		{"https://short.example/gone", redirect("https://short.example/gone")}, // answers from its own entry now
	}
	for _, s := range steps {
		if err := db.SaveAlias(ctx, s.url, s.alias); err != nil {
			t.Fatalf("SaveAlias(%q, %+v): %v", s.url, s.alias, err)
		}
	}
	tests := []struct {
		url  string
		want summarize.Alias
		ok   bool
	}{
		{"https://short.example/x", redirect("https://example.com/x-final"), true},
		{"https://example.com/x-final", summarize.Alias{}, false},
		{"https://short.example/z", sameText, true},
		{"https://short.example/gone", summarize.Alias{}, false},
		{"https://short.example/y", summarize.Alias{}, false},
	}
	for _, tt := range tests {
		got, ok, err := db.Alias(ctx, tt.url)
		if err != nil || ok != tt.ok || got != tt.want {
			t.Errorf("Alias(%q) = %+v, %v, %v; want %+v, %v, nil", tt.url, got, ok, err, tt.want, tt.ok)
		}
	}
	if err := db.SaveAlias(ctx, "", redirect("https://example.com/")); err == nil {
		t.Errorf("SaveAlias(\"\", …) = nil; want an error")
	}
	if err := db.SaveAlias(ctx, "https://short.example/x", summarize.Alias{}); err == nil {
		t.Errorf("SaveAlias(…, no target) = nil; want an error")
	}
}

// TestMigrationDropsPageDeclaredAliases opens a database written before
// link aliases: its alias rows, some of them a page's own canonical link
// or og:url, must not answer for any link afterwards.
func TestMigrationDropsPageDeclaredAliases(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema before migration 3, with a poisoned row as that
	// version wrote them: the victim's URL led to the attacker's entry.
	// Later migrations, which do not touch aliases, stay applied.
	for _, q := range []string{
		`DROP TABLE link_aliases`,
		`DELETE FROM schema_migrations WHERE version = 3`,
		`CREATE TABLE aliases (alias TEXT PRIMARY KEY, canonical TEXT NOT NULL, updated_ms INTEGER NOT NULL)`,
		`INSERT INTO aliases VALUES ('https://news.example/world/story', 'https://evil.example/page', 1)`,
	} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after the upgrade: %v", err)
	}
	defer db.Close()
	if got, ok, err := db.Alias(ctx, "https://news.example/world/story"); err != nil || ok {
		t.Errorf("Alias(victim) after the upgrade = %+v, %v, %v; want none", got, ok, err)
	}
	if tableExists(t, db, "aliases") {
		t.Errorf("old aliases table found; want it dropped")
	}
}

func BenchmarkSummaryGet(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	s := newSummary("https://news.example/bench", "extractive",
		topic("Full temporary ceasefire",
			point("Putin did not agree to a full 30-day ceasefire.", summarize.StatusUnresolved, "Putin")),
		topic("Energy facility attacks",
			point("Both sides agreed to stop hitting energy sites for 30 days.", summarize.StatusAgreed, "Putin", "Trump")),
		topic("Future talks",
			point("Negotiations will begin in Jeddah on Sunday.", summarize.StatusAgreed)))
	if err := db.SaveSummary(ctx, s); err != nil {
		b.Fatal(err)
	}
	k := s.Key()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := db.Summary(ctx, k); err != nil || !ok {
			b.Fatalf("Summary = %v, %v", ok, err)
		}
	}
}

func BenchmarkSaveSummary(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	s := newSummary("https://news.example/bench", "extractive",
		topic("Full temporary ceasefire",
			point("Putin did not agree to a full 30-day ceasefire.", summarize.StatusUnresolved, "Putin")),
		topic("Energy facility attacks",
			point("Both sides agreed to stop hitting energy sites for 30 days.", summarize.StatusAgreed, "Putin", "Trump")))
	b.ReportAllocs()
	for b.Loop() {
		if err := db.SaveSummary(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

// ledgerOf returns a summary of url shaped like an LLM answer for a
// news article: six topics of three points, each a sentence quoted whole.
func ledgerOf(url string) *summarize.Summary {
	var topics []summarize.Topic
	for i := range 6 {
		var points []summarize.Point
		for j := range 3 {
			points = append(points, point(fmt.Sprintf("The delegations of round %d said negotiations on point %d "+
				"would begin in Jeddah on Sunday, according to a readout published after the call.", i, j),
				summarize.StatusUnresolved, "Kyiv", "Moscow"))
		}
		topics = append(topics, topic(fmt.Sprintf("Section %d of the talks", i), points...))
	}
	return newSummary(url, "llm", topics...)
}

// BenchmarkSaveSummaryLedger saves a six-topic ledger: as a new summary
// (new) and over the one already stored under its key (replace, what
// /summarize fresh:true does).
func BenchmarkSaveSummaryLedger(b *testing.B) {
	ctx := context.Background()
	b.Run("new", func(b *testing.B) {
		db := openTest(b)
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			n++
			if err := db.SaveSummary(ctx, ledgerOf(fmt.Sprintf("https://news.example/a%d", n))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("replace", func(b *testing.B) {
		db := openTest(b)
		s := ledgerOf("https://news.example/a")
		b.ReportAllocs()
		for b.Loop() {
			if err := db.SaveSummary(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSaveAliasKnown records an alias the store already holds, as
// every fresh run of a redirecting link does.
func BenchmarkSaveAliasKnown(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	if err := db.SaveAlias(ctx, "https://short.example/a", summarize.Alias{Target: "https://news.example/a"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := db.SaveAlias(ctx, "https://short.example/a", summarize.Alias{Target: "https://news.example/a"}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMarshalTopics: the store's encoding of topics is json.Marshal's,
// and its mirror types have exactly the fields of summarize's.
func TestMarshalTopics(t *testing.T) {
	for _, pair := range []struct{ stored, domain reflect.Type }{
		{reflect.TypeFor[storedPoint](), reflect.TypeFor[summarize.Point]()},
		{reflect.TypeFor[storedTopic](), reflect.TypeFor[summarize.Topic]()},
	} {
		if pair.stored.NumField() != pair.domain.NumField() {
			t.Fatalf("%v has %d fields; want %d like %v", pair.stored, pair.stored.NumField(), pair.domain.NumField(), pair.domain)
		}
		for i := range pair.domain.NumField() {
			s, d := pair.stored.Field(i), pair.domain.Field(i)
			tagged := s.Tag == d.Tag || s.Name == "Quote" && s.Tag == `json:"quote,omitempty"` // stored apart
			same := s.Name == d.Name && tagged && (s.Type == d.Type || s.Type.Kind() == reflect.Slice && d.Type.Kind() == reflect.Slice)
			if !same {
				t.Errorf("%v field %d = %s %v %q; want %s %v %q like %v", pair.stored, i, s.Name, s.Type, s.Tag, d.Name, d.Type, d.Tag, pair.domain)
			}
		}
	}
	tests := []struct {
		name   string
		topics []summarize.Topic
	}{
		{"none", []summarize.Topic{}},
		{"nil points and actors", []summarize.Topic{{Name: "Empty"}, {Name: "Bare", Points: []summarize.Point{{Text: "x", Status: summarize.StatusAgreed}}}}},
		{"empty slices", []summarize.Topic{{Name: "E", Points: []summarize.Point{}}, {Name: "F", Points: []summarize.Point{{Actors: []string{}}}}}},
		{"full", []summarize.Topic{
			topic("Energy <facility> & \"attacks\"",
				point("Putin agreed — “in principle” — to stop.\u2028", summarize.StatusAgreed, "Putin", "Trump"),
				summarize.Point{Text: "ungrounded", Status: summarize.StatusDisputed, Quote: "not there"}),
			topic("Ceasefire", point("Kyiv backs it.", summarize.StatusUnresolved)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The topics column is json.Marshal's encoding without the
			// quotes, which the quotes column holds, a list per topic.
			bare := make([]summarize.Topic, len(tt.topics))
			quotes := make([][]string, len(tt.topics))
			for i, tp := range tt.topics {
				bare[i] = tp
				bare[i].Points = nil
				quotes[i] = []string{}
				for _, p := range tp.Points {
					quotes[i] = append(quotes[i], p.Quote)
					p.Quote = ""
					bare[i].Points = append(bare[i].Points, p)
				}
			}
			wantTopics, err := json.Marshal(bare)
			if err != nil {
				t.Fatal(err)
			}
			wantTopics = bytes.ReplaceAll(wantTopics, []byte(`,"quote":""`), nil)
			wantQuotes, err := json.Marshal(quotes)
			if err != nil {
				t.Fatal(err)
			}
			gotTopics, gotQuotes, err := marshalTopics(tt.topics)
			if err != nil || string(gotTopics) != string(wantTopics) || string(gotQuotes) != string(wantQuotes) {
				t.Errorf("marshalTopics(%s) = %s, %s, %v; want %s, %s", tt.name, gotTopics, gotQuotes, err, wantTopics, wantQuotes)
			}
			// Read back, with the quotes or from a row stored before
			// they moved out (quotes inside the topics, quotes empty).
			old, err := json.Marshal(tt.topics)
			if err != nil {
				t.Fatal(err)
			}
			for name, cols := range map[string][2][]byte{"split": {gotTopics, gotQuotes}, "old row": {old, nil}} {
				var back []summarize.Topic
				if err := unmarshalTopics(cols[0], cols[1], &back); err != nil {
					t.Fatalf("unmarshalTopics(%s): %v", name, err)
				}
				if !sameJSON(t, back, tt.topics) {
					t.Errorf("unmarshalTopics(%s) = %+v; want %+v", name, back, tt.topics)
				}
			}
		})
	}
}
