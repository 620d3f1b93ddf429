package summarize_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/fetch"
)

// mapStore is a Store in a map, for tests of the Service that need no
// database.
type mapStore struct {
	mu        sync.Mutex
	summaries map[summarize.Key]*summarize.Summary
}

func (m *mapStore) Summary(_ context.Context, k summarize.Key) (*summarize.Summary, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.summaries[k]
	if !ok {
		return nil, false, nil
	}
	c := *s
	return &c, true, nil
}

func (m *mapStore) SaveSummary(_ context.Context, s *summarize.Summary) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.summaries == nil {
		m.summaries = map[summarize.Key]*summarize.Summary{}
	}
	m.summaries[s.Key()] = s
	return nil
}

func (m *mapStore) Alias(context.Context, string) (summarize.Alias, bool, error) {
	return summarize.Alias{}, false, nil
}
func (m *mapStore) SaveAlias(context.Context, string, summarize.Alias) error { return nil }

// titleEngine is an Engine with one topic, the document's title, for tests
// of the Service without the offline engine.
type titleEngine struct{}

func (titleEngine) Name() string          { return "title" }
func (titleEngine) Model() string         { return "" }
func (titleEngine) PromptVersion() string { return "1" }
func (titleEngine) Summarize(_ context.Context, doc *summarize.Document) (*summarize.Result, error) {
	return &summarize.Result{Topics: []summarize.Topic{{Name: doc.Title}}}, nil
}

// heavyPage is an article of a few paragraphs in size bytes of page, the
// rest inline scripts.
func heavyPage(n, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<html><head><title>Talks %d</title></head><body><article><h1>Talks %d</h1>", n, n)
	for i := range 6 {
		fmt.Fprintf(&b, "<p>In round %d the delegations agreed on point %d, officials said, and left the border question open.</p>", n, i)
	}
	b.WriteString("</article>")
	for b.Len() < size {
		b.WriteString("<script>var state = '" + strings.Repeat("x", 4000) + "';</script>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

// TestServiceMemoryBudget: many big pages at once stay within the budget
// (plus one flight's excess), the budget is actually drawn on, and all of
// it is given back.
func TestServiceMemoryBudget(t *testing.T) {
	const pageSize, budgetSize = 300_000, 1 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		page := heavyPage(n, pageSize)
		if n%2 == 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	defer srv.Close()
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:        &mapStore{},
		Fetcher:      fetch.New(fetch.Options{AllowPrivate: true}),
		Extractor:    extract.New(),
		Engine:       titleEngine{},
		MaxExtract:   12,
		MemoryBudget: budgetSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for n := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, err := svc.Summarize(context.Background(), summarize.Request{URL: fmt.Sprintf("%s/p/%d", srv.URL, n)})
			if err != nil {
				t.Errorf("page %d: %v", n, err)
				return
			}
			if !strings.Contains(sum.Title, strconv.Itoa(n)) {
				t.Errorf("page %d: title %q", n, sum.Title)
			}
		}()
	}
	wg.Wait()
	m := summarize.MemoryBooks(svc)
	if m.Used != 0 || m.Running != 0 || m.Queued != 0 {
		t.Errorf("after all flights: used %d, running %d, queue %d; want all 0", m.Used, m.Running, m.Queued)
	}
	// One flight holds at most its body's buffer (a power of two up to
	// 512 KiB here) plus the body's size again while it is prepared (the
	// stripped copy); heavyPage overshoots pageSize by less than one
	// 4 KB script.
	t.Logf("peak use of the budget: %d bytes", m.Peak)
	const oneFlight = 512<<10 + pageSize + 8<<10
	if m.Peak < pageSize || m.Peak > budgetSize+oneFlight {
		t.Errorf("peak use %d bytes; want between one page (%d) and the budget plus one flight (%d)", m.Peak, pageSize, budgetSize+oneFlight)
	}
}

// TestServiceTooLarge: pages past the fetch or extraction limits fail
// with a *TooLargeError giving their size, and give back their budget.
func TestServiceTooLarge(t *testing.T) {
	paragraph := "<html><body><p>" + strings.Repeat("The talks went on. ", 40_000) + "</p></body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/paragraph":
			w.Write([]byte(paragraph))
		case "/endless":
			for range 40 {
				w.Write([]byte(strings.Repeat("<p>more</p>", 10_000)))
			}
		}
	}))
	defer srv.Close()
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     &mapStore{},
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true, MaxBytes: 2 << 20}),
		Extractor: extract.New(),
		Engine:    titleEngine{},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want summarize.TooLargeError
	}{
		{"/paragraph", summarize.TooLargeError{Size: int64(len(paragraph))}},
		{"/endless", summarize.TooLargeError{Size: 2 << 20, Over: true}},
	} {
		_, err := svc.Summarize(context.Background(), summarize.Request{URL: srv.URL + tc.path})
		var tl *summarize.TooLargeError
		if !errors.Is(err, summarize.ErrTooLarge) || !errors.As(err, &tl) || tl.Size != tc.want.Size || tl.Over != tc.want.Over {
			t.Errorf("Summarize(%s) = %v; want a *TooLargeError of size %d, over %t", tc.path, err, tc.want.Size, tc.want.Over)
		}
	}
	if used := summarize.MemoryBooks(svc).Used; used != 0 {
		t.Errorf("budget used after failures = %d; want 0", used)
	}
}
