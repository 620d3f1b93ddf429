package summarize

import (
	"slices"
	"sync"
	"testing"
)

// evalDoc is one corpus page as the engines see it.
type evalDoc struct {
	page corpusPage
	doc  *Document
}

var (
	evalDocsMu   sync.Mutex
	evalDocsMemo = map[bool][]evalDoc{}
)

// evalCorpusDocs extracts every corpus page once per test binary (every
// fourth page with short), skipping t when the corpus is absent. Pages
// that do not extract are left out and logged.
func evalCorpusDocs(t *testing.T, short bool) []evalDoc {
	t.Helper()
	evalDocsMu.Lock()
	defer evalDocsMu.Unlock()
	if docs, ok := evalDocsMemo[short]; ok {
		return docs
	}
	pages := mustLoadCorpus(t, short)
	docs := make([]evalDoc, 0, len(pages))
	for _, pg := range pages {
		doc, err := Extract(pg.HTML, pg.URL, "text/html; charset=utf-8")
		if err != nil {
			t.Logf("Extract(%s) error: %v (left out)", pg.ID, err)
			continue
		}
		docs = append(docs, evalDoc{page: pg, doc: doc})
	}
	evalDocsMemo[short] = docs
	return docs
}

// tokStats summarises a list of numbers.
type tokStats struct {
	n              int
	mean, med, max float64
}

func statsOf(xs []float64) tokStats {
	if len(xs) == 0 {
		return tokStats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return tokStats{n: len(s), mean: sum / float64(len(s)), med: med, max: s[len(s)-1]}
}
