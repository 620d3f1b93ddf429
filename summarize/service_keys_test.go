package summarize_test

import (
	"context"
	"path/filepath"
	"testing"

	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/fetch"
)

// scriptedEngine answers every document with a copy of its topics.
type scriptedEngine struct{ topics []summarize.Topic }

func (e *scriptedEngine) Name() string          { return "scripted" }
func (e *scriptedEngine) Model() string         { return "" }
func (e *scriptedEngine) PromptVersion() string { return "1" }

func (e *scriptedEngine) Summarize(context.Context, *summarize.Document) (*summarize.Result, error) {
	topics := make([]summarize.Topic, len(e.topics))
	for i, t := range e.topics {
		topics[i] = t
		topics[i].Points = append([]summarize.Point(nil), t.Points...)
	}
	return &summarize.Result{Topics: topics}, nil
}

// TestServiceGroundsAndKeys: the Service alone decides which points are
// grounded and what each topic's key is, whatever an engine set.
func TestServiceGroundsAndKeys(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine := &scriptedEngine{topics: []summarize.Topic{
		{Name: "Energy facility attacks", Key: "made up by the engine", Points: []summarize.Point{
			{Text: "Both paused strikes.", Status: summarize.StatusAgreed, Quote: "agreed to pause strikes", Grounded: false},
			{Text: "An invented claim.", Status: summarize.StatusDisputed, Quote: "never said in the article", Grounded: true},
		}},
		{Name: "The", Points: []summarize.Point{
			{Text: "Talks go on.", Status: summarize.StatusUnresolved, Quote: "talks will continue"},
		}},
	}}
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store: db, Fetcher: fetch.New(fetch.Options{}), Extractor: extract.New(), Engine: engine,
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := &summarize.Document{
		URL:   "file:///talks.txt",
		Title: "Talks",
		Text:  "Both sides agreed to pause strikes on energy facilities.\n\nThe talks will continue next week.",
	}
	sum, err := svc.SummarizeDocument(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Topics) != 2 {
		t.Fatalf("SummarizeDocument topics = %d; want 2", len(sum.Topics))
	}
	for i, want := range []string{"energy facility attacks", "the"} {
		if got := sum.Topics[i].Key; got != want {
			t.Errorf("topic %q key = %q; want %q (TopicKey of the name)", sum.Topics[i].Name, got, want)
		}
	}
	grounded := []bool{true, false}
	for i, p := range sum.Topics[0].Points {
		if p.Grounded != grounded[i] {
			t.Errorf("point %q (quote %q) grounded = %v; want %v", p.Text, p.Quote, p.Grounded, grounded[i])
		}
	}
	if p := sum.Topics[1].Points[0]; !p.Grounded {
		t.Errorf("point %q (quote %q) grounded = false; want true", p.Text, p.Quote)
	}
}
