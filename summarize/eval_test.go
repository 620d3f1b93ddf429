package summarize

// Quality figures of the offline engine over the corpus. BENCHMARKS.md
// records them; rerun with:
//
//	go test ./summarize/ -run 'TestEvalOfflineEngine' -count 1 -v
//
// The extraction figures (precision, recall, F1, pages below F1 0.5) come
// from TestCorpusF1 in corpus_test.go:
//
//	go test ./summarize/ -run 'TestCorpusF1' -count 1 -v

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestEvalOfflineEngine runs the extractive engine and grounding, as the
// Service does, on every corpus page, and prints with -v the share of
// grounded points (which must be 100 %: every point of the offline engine
// quotes the article), the topics and points per article, and how the
// statuses and actors are spread.
func TestEvalOfflineEngine(t *testing.T) {
	docs := evalCorpusDocs(t, testing.Short())
	e := NewExtractiveEngine()
	ctx := context.Background()
	var (
		articles, empty, noTopics int
		topics, points, grounded  int
		withActors                int
		byStatus                  = map[Status]int{}
		topicCounts, pointCounts  []float64
	)
	for _, d := range docs {
		res, err := e.Summarize(ctx, d.doc)
		if errors.Is(err, ErrEmptyDocument) {
			empty++
			continue
		}
		if err != nil {
			t.Errorf("ExtractiveEngine.Summarize(%s) error: %v", d.page.ID, err)
			continue
		}
		Ground(res.Topics, d.doc.Text)
		articles++
		if len(res.Topics) == 0 {
			noTopics++
		}
		n := 0
		for _, tp := range res.Topics {
			for _, p := range tp.Points {
				n++
				byStatus[p.Status]++
				if len(p.Actors) > 0 {
					withActors++
				}
				if p.Grounded {
					grounded++
				} else {
					t.Errorf("%s: topic %q: point quote %q not found in the article; want every offline point grounded", d.page.URL, tp.Name, p.Quote)
				}
				if !p.Status.Valid() {
					t.Errorf("%s: topic %q: point %q status %q; want agreed, unresolved or disputed", d.page.URL, tp.Name, p.Text, p.Status)
				}
			}
		}
		topics += len(res.Topics)
		points += n
		topicCounts = append(topicCounts, float64(len(res.Topics)))
		pointCounts = append(pointCounts, float64(n))
	}
	if articles == 0 {
		t.Fatalf("no corpus page gave a ledger (%d empty documents)", empty)
	}
	share := func(n int) string {
		if points == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(points))
	}
	ts, ps := statsOf(topicCounts), statsOf(pointCounts)
	t.Logf("offline engine on %d articles (%d without text, %d without topics)", articles, empty, noTopics)
	t.Logf("grounded points: %d of %d = %s (must be 100 %%)", grounded, points, share(grounded))
	t.Logf("topics per article: mean %.2f, median %.0f, max %.0f", ts.mean, ts.med, ts.max)
	t.Logf("points per article: mean %.2f, median %.0f, max %.0f", ps.mean, ps.med, ps.max)
	t.Logf("statuses: agreed %s, unresolved %s, disputed %s; points naming an actor %s",
		share(byStatus[StatusAgreed]), share(byStatus[StatusUnresolved]), share(byStatus[StatusDisputed]), share(withActors))
	if points == 0 {
		t.Errorf("offline engine made no point on %d articles; want points", articles)
	}
}
