package ledger

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"briefbot/summarize"

	"briefbot/store"
)

// composeInput is Input with the store's shares, as a briefing reads them.
type composeInput struct {
	Shares         []store.SharedSummary
	Previous       *Ledger
	Slot, Since    time.Time
	ShowUngrounded bool
	Merger         Merger
}

// compose builds the ledger of in.
func compose(ctx context.Context, in composeInput) (*Ledger, error) {
	return Build(ctx, Input{
		Shares: toShares(in.Shares), Previous: in.Previous, Slot: in.Slot, Since: in.Since,
		ShowUngrounded: in.ShowUngrounded, Merger: in.Merger,
	})
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

func toShares(in []store.SharedSummary) []Share {
	out := make([]Share, len(in))
	for i, sh := range in {
		out[i] = Share{URL: sh.Share.URL, At: sh.Share.At, Summary: sh.Summary}
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

func sharesOf(t testing.TB, at time.Time, names ...string) []store.SharedSummary {
	var out []store.SharedSummary
	for i, n := range names {
		s := loadArticle(t, n)
		out = append(out, store.SharedSummary{
			Share:   store.Share{GuildID: "g1", ChannelID: "news", URL: s.URL, At: at.Add(time.Duration(i) * time.Minute)},
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
