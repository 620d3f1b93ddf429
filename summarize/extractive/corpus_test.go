package extractive

// Quality figures of the offline engine over the corpus. BENCHMARKS.md
// records them; rerun with:
//
//	go test ./summarize/extractive/ -run 'TestEvalOfflineEngine' -count 1 -v

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"briefbot/summarize"
	"briefbot/summarize/corpustest"
	"briefbot/summarize/extract"
)

// sharedDir returns ../shared beside the module root, or skips t when it is
// absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(corpustest.Dir(t))
}

// corpusDoc is one corpus page as the engine sees it, with its true text.
type corpusDoc struct {
	ID, URL, Truth string
	HTML           []byte
	Doc            *summarize.Document
}

var (
	corpusMu   sync.Mutex
	corpusMemo []corpusDoc
)

// corpusDocs extracts every corpus page once per test binary, sorted by id.
func corpusDocs(t testing.TB) []corpusDoc {
	t.Helper()
	dir := corpustest.Dir(t)
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if corpusMemo != nil {
		return corpusMemo
	}
	pages, err := corpustest.Read(dir)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	docs := make([]corpusDoc, 0, len(pages))
	for _, p := range pages {
		doc, err := extract.Document(p.HTML, p.URL, "text/html; charset=utf-8")
		if err != nil {
			t.Logf("Extract(%s) error: %v (left out)", p.ID, err)
			continue
		}
		docs = append(docs, corpusDoc{ID: p.ID, URL: p.URL, Truth: p.Truth, HTML: p.HTML, Doc: doc})
	}
	corpusMemo = docs
	return docs
}

// TestEvalOfflineEngine runs the engine and grounding, as the Service does,
// on every corpus page: every point must be grounded and carry a valid
// status, and every article with text must get a point. With -v it prints
// how the statuses are spread.
func TestEvalOfflineEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine on the whole corpus")
	}
	e := New()
	ctx := context.Background()
	var articles, points, withActors, noPoint int
	byStatus := map[summarize.Status]int{}
	for _, d := range corpusDocs(t) {
		res, err := e.Summarize(ctx, d.Doc)
		if errors.Is(err, ErrEmptyDocument) {
			continue
		}
		if err != nil {
			t.Errorf("Engine.Summarize(%s) error: %v", d.ID, err)
			continue
		}
		summarize.Ground(res.Topics, d.Doc.Text)
		articles++
		if len(res.Topics) == 0 {
			noPoint++
		}
		for _, tp := range res.Topics {
			for _, p := range tp.Points {
				points++
				byStatus[p.Status]++
				if len(p.Actors) > 0 {
					withActors++
				}
				if !p.Grounded {
					t.Errorf("%s: topic %q: point quote %q not found in the article; want every offline point grounded", d.URL, tp.Name, p.Quote)
				}
				if !p.Status.Valid() {
					t.Errorf("%s: topic %q: point %q status %q; want a valid status", d.URL, tp.Name, p.Text, p.Status)
				}
			}
		}
	}
	if articles == 0 || points == 0 {
		t.Fatalf("offline engine made %d points on %d articles; want points", points, articles)
	}
	share := func(n int) string { return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(points)) }
	t.Logf("offline engine: %d articles, %d points, %d articles without a point", articles, points, noPoint)
	t.Logf("statuses: agreed %s, unresolved %s, disputed %s, reported %s; points naming an actor %s",
		share(byStatus[summarize.StatusAgreed]), share(byStatus[summarize.StatusUnresolved]),
		share(byStatus[summarize.StatusDisputed]), share(byStatus[summarize.StatusReported]), share(withActors))
}
