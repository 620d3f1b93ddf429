// Package corpustest loads the article corpus for the tests and benchmarks
// of the summarize packages.
//
// The corpus lives beside the module, in ../shared/corpus (see its
// README): html/<id>.html.gz pages and ground-truth.json with the true
// main text of each. A test that needs it skips when it is absent.
package corpustest

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Page is one page of the corpus and its true main text.
type Page struct {
	ID    string
	URL   string
	HTML  []byte
	Truth string
}

// Dir returns the corpus directory, or skips tb when it is absent.
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("getwd: %v", err)
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			tb.Skipf("corpus: no go.mod above %s, cannot find ../shared/corpus", wd)
		}
		root = parent
	}
	dir := filepath.Join(root, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "ground-truth.json")); err != nil {
		tb.Skipf("corpus: %s absent (clone shared/ beside the module to run this): %v", dir, err)
	}
	return dir
}

// Read reads every page of the corpus in dir, sorted by id.
func Read(dir string) ([]Page, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, err
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return nil, fmt.Errorf("ground-truth.json: %w", err)
	}
	pages := make([]Page, 0, len(truth))
	for id, gt := range truth {
		body, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, err
		}
		pages = append(pages, Page{ID: id, URL: gt.URL, HTML: body, Truth: gt.ArticleBody})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	return pages, nil
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

// Load loads the corpus or skips tb when it is absent. With short set it
// keeps every fourth page (a fixed subset).
func Load(tb testing.TB, short bool) []Page {
	tb.Helper()
	pages, err := Read(Dir(tb))
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("corpus: %v", err)
	}
	if err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	if short {
		var subset []Page
		for i := 0; i < len(pages); i += 4 {
			subset = append(subset, pages[i])
		}
		pages = subset
	}
	return pages
}
