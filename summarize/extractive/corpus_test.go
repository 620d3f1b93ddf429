package extractive

// Quality figures of the offline engine over the corpus. BENCHMARKS.md
// records them; rerun with:
//
//	go test ./summarize/extractive/ -run 'TestEvalOfflineEngine' -count 1 -v

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"briefbot/summarize"
	"briefbot/summarize/extract"
)

// sharedDir returns ../shared beside the module root, or skips t when it is
// absent (as the corpus tests of package summarize do).
func sharedDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Skipf("no go.mod above %s, cannot find ../shared", wd)
		}
		root = parent
	}
	dir := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(filepath.Join(dir, "corpus", "ground-truth.json")); err != nil {
		t.Skipf("%s absent (clone shared/ beside the module to run this): %v", dir, err)
	}
	return dir
}

// corpusDoc is one corpus page as the engine sees it, with its true text.
type corpusDoc struct {
	ID, URL, Truth string
	Doc            *summarize.Document
}

var (
	corpusMu   sync.Mutex
	corpusMemo []corpusDoc
)

// corpusDocs extracts every corpus page once per test binary, sorted by id.
func corpusDocs(t testing.TB) []corpusDoc {
	t.Helper()
	dir := filepath.Join(sharedDir(t), "corpus")
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if corpusMemo != nil {
		return corpusMemo
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatalf("ground-truth.json: %v", err)
	}
	docs := make([]corpusDoc, 0, len(truth))
	for id, gt := range truth {
		body, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			t.Fatalf("corpus: %v", err)
		}
		doc, err := extract.Document(body, gt.URL, "text/html; charset=utf-8")
		if err != nil {
			t.Logf("Extract(%s) error: %v (left out)", id, err)
			continue
		}
		docs = append(docs, corpusDoc{ID: id, URL: gt.URL, Truth: gt.ArticleBody, Doc: doc})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	corpusMemo = docs
	return docs
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
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
