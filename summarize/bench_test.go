package summarize_test

// Concurrency figures of the Service with the real LLM engine against the
// OpenAI stand-in (summarize/openaitest) and a local article server. See
// BENCHMARKS.md at the module root for the commands and the latest
// numbers.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

// benchArticleHTML is a plausible news article of about 600 words in five
// sections with status cues; n makes its title and text distinct, so each
// link is its own article.
func benchArticleHTML(n int) string {
	var b strings.Builder
	title := fmt.Sprintf("Talks, round %d: what was agreed and what was not", n)
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>"+
		"<meta property=\"og:site_name\" content=\"Bench News\"></head><body><article><h1>%s</h1>\n", title, title)
	sections := []string{"Ceasefire", "Energy facilities", "Prisoner exchange", "Black Sea shipping", "Future talks"}
	cues := []string{
		"agreed to halt strikes for thirty days, officials said",
		"declined to endorse the proposal, leaving the question open",
		"accused the other side of violating the agreement within hours",
		"said negotiations would begin in Jeddah on Sunday",
		"made no mention of the demand in its statement",
	}
	actors := []string{"The Kremlin", "The White House", "Kyiv", "President Zelensky", "Moscow"}
	for i, s := range sections {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", s)
		for j := range 3 {
			fmt.Fprintf(&b, "<p>%s %s on the %s in round %d. ", actors[(i+j+n)%len(actors)], cues[(i+j)%len(cues)], strings.ToLower(s), n)
			fmt.Fprintf(&b, "Diplomats familiar with the talks described session %d as long and difficult, "+
				"with both delegations reading out prepared positions before any exchange took place. ", i*3+j+1)
			fmt.Fprintf(&b, "%s %s, according to a readout published after the call.</p>\n",
				actors[(i+j+2)%len(actors)], cues[(i+j+3)%len(cues)])
		}
	}
	b.WriteString("</article></body></html>\n")
	return b.String()
}

// benchArticles serves benchArticleHTML(n) at any path ending in /a<n>,
// counting requests per path.
type benchArticles struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[string]int
	all  atomic.Int64
}

func newBenchArticles(tb testing.TB) *benchArticles {
	tb.Helper()
	a := &benchArticles{hits: map[string]int{}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.all.Add(1)
		a.mu.Lock()
		a.hits[r.URL.Path]++
		a.mu.Unlock()
		var n int
		i := strings.LastIndex(r.URL.Path, "/a")
		if _, err := fmt.Sscanf(r.URL.Path[i+1:], "a%d", &n); i < 0 || err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(benchArticleHTML(n)))
	}))
	tb.Cleanup(a.srv.Close)
	return a
}

func (a *benchArticles) hitsOf(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hits[path]
}

// newBenchService wires the Service as main.go does, with the LLM engine
// talking to srv and the extractive engine as fallback.
func newBenchService(tb testing.TB, srv *openaitest.Server, maxConcurrent int) *summarize.Service {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	engine, err := llm.New(llm.Options{
		BaseURL: srv.BaseURL(), APIKey: "bench-key", Model: "bench-model", MaxConcurrent: maxConcurrent,
	})
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     db,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true}),
		Extractor: extract.New(),
		Engine:    engine,
		Fallback:  extractive.New(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// TestHundredRequestsOneFlight: 100 concurrent requests for one new URL
// cause exactly one fetch and one model call, and all get the same
// ledger, written by the LLM engine.
func TestHundredRequestsOneFlight(t *testing.T) {
	const callers = 100
	articles := newBenchArticles(t)
	srv := openaitest.New(t)
	// A model slow enough that every caller arrives while the flight is
	// still in the air.
	srv.SetDefault(openaitest.Delayed(300*time.Millisecond, openaitest.Instant))
	svc := newBenchService(t, srv, 8)
	url := articles.srv.URL + "/news/a7"

	start := make(chan struct{})
	sums := make([]*summarize.Summary, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			sums[i], errs[i] = svc.Summarize(context.Background(), summarize.Request{URL: url})
		}()
	}
	close(start)
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: Summarize(%q) error: %v", i, url, err)
		}
	}
	if got := articles.hitsOf("/news/a7"); got != 1 {
		t.Errorf("article server hits for %q = %d; want 1", url, got)
	}
	if got := articles.all.Load(); got != 1 {
		t.Errorf("article server hits in all = %d; want 1", got)
	}
	if got := srv.Count(); got != 1 {
		t.Errorf("model calls = %d; want 1", got)
	}
	first := sums[0]
	if first.Engine != "llm" || len(first.Topics) == 0 {
		t.Fatalf("Summarize(%q) = engine %q, %d topics; want the LLM engine's ledger", url, first.Engine, len(first.Topics))
	}
	for i, s := range sums[1:] {
		if s.TextHash != first.TextHash || len(s.Topics) != len(first.Topics) || s.Topics[0].Name != first.Topics[0].Name {
			t.Errorf("caller %d got %q (%d topics, first %q); want caller 0's %q (%d topics, first %q)",
				i+1, s.TextHash, len(s.Topics), s.Topics[0].Name, first.TextHash, len(first.Topics), first.Topics[0].Name)
		}
	}
}

// thousandLinks and friends set BenchmarkThousandLinks' workload: with a
// 200 ms model and 8 calls at once, 1,000 one-part articles cannot take
// less than 1,000 × 200 ms / 8 = 25 s.
const (
	thousandLinks  = 1000
	thousandDelay  = 200 * time.Millisecond
	thousandLimit  = 8
	thousandIdeal  = thousandLinks * thousandDelay / thousandLimit
	thousandPrefix = "/run"
)

// BenchmarkThousandLinks asks the Service for 1,000 distinct links at once
// (fetched from a local server) with a stand-in model that takes 200 ms a
// call and an engine limited to 8 calls in flight, and reports the wall
// time against the ideal 25 s (x_ideal = wall / 25 s) and how long the
// model waited for its first request (s_to_first_call). It takes about
// half a minute an op: run it alone, with -benchtime 1x.
func BenchmarkThousandLinks(b *testing.B) {
	if testing.Short() {
		b.Skip("takes 25 s an op; skipped with -short")
	}
	articles := newBenchArticles(b)
	srv := openaitest.New(b)
	// firstCall records when the model got its first request of a run:
	// until then the model sits idle while the pages are fetched and
	// extracted.
	var firstMu sync.Mutex
	var firstCall time.Time
	delayed := openaitest.Delayed(thousandDelay, openaitest.Instant)
	srv.SetDefault(func(req *openaitest.Request) openaitest.Reply {
		firstMu.Lock()
		if firstCall.IsZero() {
			firstCall = time.Now()
		}
		firstMu.Unlock()
		return delayed(req)
	})
	svc := newBenchService(b, srv, thousandLimit)
	ctx := context.Background()

	run := 0
	var wall, idle time.Duration
	for b.Loop() {
		run++
		calls := srv.Count()
		errs := make(chan error, thousandLinks)
		firstMu.Lock()
		firstCall = time.Time{}
		firstMu.Unlock()
		start := time.Now()
		var wg sync.WaitGroup
		for k := range thousandLinks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				url := fmt.Sprintf("%s%s%d/a%d", articles.srv.URL, thousandPrefix, run, k)
				s, err := svc.Summarize(ctx, summarize.Request{URL: url})
				if err == nil && s.Engine != "llm" {
					err = fmt.Errorf("summary of %s by engine %q; want llm", url, s.Engine)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		wall += time.Since(start)
		firstMu.Lock()
		idle += firstCall.Sub(start)
		firstMu.Unlock()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		if got := srv.Count() - calls; got != thousandLinks {
			b.Fatalf("model calls = %d; want %d, one per link", got, thousandLinks)
		}
	}
	if got := srv.MaxInFlight(); got > thousandLimit {
		b.Fatalf("model calls in flight at once = %d; want at most %d", got, thousandLimit)
	}
	perRun := wall / time.Duration(run)
	b.ReportMetric(perRun.Seconds(), "s/1000links")
	b.ReportMetric(perRun.Seconds()/thousandIdeal.Seconds(), "x_ideal")
	b.ReportMetric((idle / time.Duration(run)).Seconds(), "s_to_first_call")
}
