package ledger

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"briefbot/summarize"
)

// composeInput is Input: the shares as a briefing reads them from the
// store.
type composeInput = Input

// compose builds the ledger of in.
func compose(ctx context.Context, in composeInput) (*Ledger, error) {
	return Build(ctx, in)
}

func topicByName(led *Ledger, name string) *Topic {
	for i := range led.Topics {
		if led.Topics[i].Name == name {
			return &led.Topics[i]
		}
	}
	return nil
}

func names(led *Ledger) []string {
	var out []string
	for _, t := range led.Topics {
		out = append(out, t.Name)
	}
	return out
}

// loadArticle reads a ledger written for the tests (testdata/articles).
func loadArticle(t testing.TB, name string) *summarize.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "articles", name+".json"))
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

func sharesOf(t testing.TB, at time.Time, names ...string) []SharedSummary {
	var out []SharedSummary
	for i, n := range names {
		s := loadArticle(t, n)
		out = append(out, SharedSummary{
			Share:   Share{GuildID: "g1", ChannelID: "news", URL: s.URL, At: at.Add(time.Duration(i) * time.Minute)},
			Summary: s,
		})
	}
	return out
}

func countPoints(led *Ledger) int {
	n := 0
	for _, t := range led.Current() {
		for _, p := range t.Points {
			n += len(p.Sides)
		}
		n += t.MorePoints
	}
	return n
}
