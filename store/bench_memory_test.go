package store_test

// TestFillMemoryDB fills a database for the memory figure of BENCHMARKS.md
// (.ci/memory.sh runs it); it does nothing unless asked:
//
//	BRIEFBOT_FILL_DB=/tmp/mem.db go test ./store/ -run TestFillMemoryDB -count 1 -v

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extractive"
)

// fillDefault is how many summaries TestFillMemoryDB writes unless
// BRIEFBOT_FILL_N says otherwise.
const fillDefault = 10000

// fillGuild is the console transport's server, so /topic in the console
// finds the shares.
const fillGuild = "console"

// fillURL is the link of the i-th filled article; memory.sh asks for
// fillURL(42) to read one back.
func fillURL(i int) string { return fmt.Sprintf("https://news.example/memory/%05d", i) }

var fillSubjects = []string{
	"Ceasefire", "Energy facilities", "Prisoner exchange", "Black Sea shipping", "Military aid",
	"Sanctions relief", "Grain corridor", "Nuclear plant safety", "Peace talks", "Territorial claims",
	"Port strike", "Wage agreement", "Interest rates", "Trade tariffs", "Climate pledge",
	"Budget deal", "Debt ceiling", "Border crossings", "Refugee quotas", "Water rights",
}

var fillStatuses = []summarize.Status{summarize.StatusAgreed, summarize.StatusUnresolved, summarize.StatusDisputed}

// fillSummary is a plausible ledger of the extractive engine (the engine
// the binary uses with no configuration, so the console answers from
// these rows): six topics of three points, with quotes and actors, about
// the size of a real article's ledger.
func fillSummary(i int, promptVersion string, at time.Time) *summarize.Summary {
	s := &summarize.Summary{
		URL: fillURL(i), FinalURL: fillURL(i),
		Title: fmt.Sprintf("Talks, round %d: what was agreed and what was not", i),
		Site:  "News Example", Language: "en", Quality: summarize.QualityFull,
		WordCount: 900 + i%700, TextHash: fmt.Sprintf("%032x", i),
		Engine: "extractive", PromptVersion: promptVersion,
		CreatedAt: at, Elapsed: time.Duration(40+i%50) * time.Millisecond,
	}
	for k := range 6 {
		name := fillSubjects[(i*7+k*3)%len(fillSubjects)]
		t := summarize.Topic{Name: name, Key: summarize.TopicKey(name)}
		for j := range 3 {
			st := fillStatuses[(i+k+j)%3]
			text := fmt.Sprintf("In round %d the delegations %s the %s, officials said after session %d of the talks.",
				i, map[summarize.Status]string{
					summarize.StatusAgreed: "agreed on", summarize.StatusUnresolved: "left open", summarize.StatusDisputed: "disputed",
				}[st], strings.ToLower(name), k*3+j+1)
			t.Points = append(t.Points, summarize.Point{
				Text: text, Status: st,
				Actors:   []string{[]string{"The Kremlin", "The White House", "Kyiv", "Brussels"}[(i+j)%4], "Negotiators"},
				Quote:    text[:min(len(text), 120)],
				Grounded: true,
			})
		}
		s.Topics = append(s.Topics, t)
	}
	return s
}

func TestFillMemoryDB(t *testing.T) {
	path := os.Getenv("BRIEFBOT_FILL_DB")
	if path == "" {
		t.Skip("set BRIEFBOT_FILL_DB to a database path to fill it (see .ci/memory.sh)")
	}
	n := fillDefault
	if v := os.Getenv("BRIEFBOT_FILL_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("BRIEFBOT_FILL_N = %q; want a positive number", v)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pv := extractive.New().PromptVersion()
	start := time.Now()
	base := start.Add(-time.Duration(n) * time.Minute).UTC()
	for i := range n {
		at := base.Add(time.Duration(i) * time.Minute)
		s := fillSummary(i, pv, at)
		if err := db.SaveSummary(ctx, s); err != nil {
			t.Fatalf("SaveSummary(%d): %v", i, err)
		}
		err := db.RecordShare(ctx, ledger.Share{
			GuildID: fillGuild, ChannelID: "general", MessageID: fmt.Sprintf("fill%d", i), UserID: "you",
			URL: s.URL, Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion, At: at,
		})
		if err != nil {
			t.Fatalf("RecordShare(%d): %v", i, err)
		}
	}
	t.Logf("wrote %d summaries and shares to %s in %v", n, path, time.Since(start).Round(time.Millisecond))

	last := fillSummary(n-1, pv, base)
	if _, ok, err := db.Summary(ctx, last.Key()); err != nil || !ok {
		t.Errorf("Summary(%q) = %v, %v; want the filled row", last.URL, ok, err)
	}
	hits, err := db.SearchTopics(ctx, fillGuild, "ceasefire", 40)
	if err != nil || len(hits) == 0 {
		t.Errorf("SearchTopics(%q, \"ceasefire\") = %d hits, %v; want hits", fillGuild, len(hits), err)
	}
}
