package summarize_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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
)

// countingEngine wraps a real engine and counts its runs; fail makes it
// return an error instead (an LLM that is down).
type countingEngine struct {
	summarize.Engine
	name  string
	calls atomic.Int32
	fail  bool
	delay time.Duration
}

func (e *countingEngine) Name() string { return e.name }

func (e *countingEngine) Summarize(ctx context.Context, doc *summarize.Document) (*summarize.Result, error) {
	e.calls.Add(1)
	if e.delay > 0 {
		time.Sleep(e.delay)
	}
	if e.fail {
		return nil, errors.New("model unavailable")
	}
	return e.Engine.Summarize(ctx, doc)
}

type serviceFixture struct {
	svc      *summarize.Service
	engine   *countingEngine
	fallback *countingEngine
	db       *store.DB
	hits     atomic.Int32
	srv      *httptest.Server
}

func newServiceFixture(t *testing.T) *serviceFixture {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join("testdata", "service", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	f := &serviceFixture{}
	mux := http.NewServeMux()
	mux.HandleFunc("/news/call", func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(seed)
	})
	mux.HandleFunc("/short/abc", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/news/call", http.StatusFound)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)

	f.db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.engine = &countingEngine{Engine: extractive.New(), name: "llm"}
	f.fallback = &countingEngine{Engine: extractive.New(), name: "extractive"}
	f.svc, err = summarize.NewService(summarize.ServiceOptions{
		Store:     f.db,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true}),
		Extractor: extract.New(),
		Engine:    f.engine,
		Fallback:  f.fallback,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestServiceOneFlightPerURL(t *testing.T) {
	f := newServiceFixture(t)
	f.engine.delay = 50 * time.Millisecond // keep the flight open while the others arrive
	const n = 100
	var wg sync.WaitGroup
	results := make([]*summarize.Summary, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = f.svc.Summarize(context.Background(), summarize.Request{URL: f.srv.URL + "/news/call?utm_source=x"})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// Requests that arrive after the flight landed are answered from the
	// cache: either way, one fetch and one engine run in all.
	if got := f.hits.Load(); got != 1 {
		t.Errorf("article fetched %d times; want 1", got)
	}
	if got := f.engine.calls.Load(); got != 1 {
		t.Errorf("engine ran %d times; want 1", got)
	}
	for i, r := range results {
		if r.URL != results[0].URL || len(r.Topics) != len(results[0].Topics) {
			t.Fatalf("result %d differs: %q with %d topics; want %q with %d", i, r.URL, len(r.Topics), results[0].URL, len(results[0].Topics))
		}
	}
}

func TestServiceCacheFreshAndRedirects(t *testing.T) {
	f := newServiceFixture(t)
	ctx := context.Background()
	first, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/short/abc"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached {
		t.Error("first answer is marked cached")
	}
	if len(first.Topics) == 0 {
		t.Fatal("no topics")
	}
	for _, tp := range first.Topics {
		for _, p := range tp.Points {
			if !p.Grounded {
				t.Errorf("point %q not grounded", p.Text)
			}
		}
	}

	again, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/short/abc#frag"})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached {
		t.Error("second answer is not marked cached")
	}
	// The redirect target is where the article was read: its own link
	// answers from the same entry, no second engine run.
	s, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/news/call"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cached || s.URL != f.srv.URL+"/news/call" {
		t.Errorf("redirect target: cached %v url %q; want the cached entry of %q", s.Cached, s.URL, f.srv.URL+"/news/call")
	}
	// The page's declared canonical URL is another site's: what the page
	// says about itself records nothing for it.
	const declared = "https://news.example/world/putin-call"
	if a, ok, err := f.db.Alias(ctx, declared); err != nil || ok {
		t.Errorf("Alias(%q) = %+v, %v, %v; want none", declared, a, ok, err)
	}
	if _, ok, err := f.db.Summary(ctx, summarize.Key{URL: declared, Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion}); err != nil || ok {
		t.Errorf("Summary(%q) = %v, %v; want none", declared, ok, err)
	}
	if got := f.engine.calls.Load(); got != 1 {
		t.Errorf("engine ran %d times; want 1", got)
	}
	if got := f.hits.Load(); got != 1 {
		t.Errorf("article fetched %d times; want 1", got)
	}

	fresh, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/short/abc", Fresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Cached || f.engine.calls.Load() != 2 {
		t.Errorf("fresh: cached=%v engine calls=%d; want false, 2", fresh.Cached, f.engine.calls.Load())
	}
}

func TestServiceFallbackWhenEngineFails(t *testing.T) {
	f := newServiceFixture(t)
	f.engine.fail = true
	s, err := f.svc.Summarize(context.Background(), summarize.Request{URL: f.srv.URL + "/news/call"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Engine != "extractive" || len(s.Notes) == 0 {
		t.Errorf("engine %q notes %q; want the extractive fallback with a note", s.Engine, s.Notes)
	}
	if f.fallback.calls.Load() != 1 {
		t.Errorf("fallback ran %d times; want 1", f.fallback.calls.Load())
	}
	// The fallback answer is not stored as the model's: the model is
	// asked again next time.
	f.engine.fail = false
	s, err = f.svc.Summarize(context.Background(), summarize.Request{URL: f.srv.URL + "/news/call"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Engine != "llm" || s.Cached {
		t.Errorf("after recovery: engine %q cached %v; want llm, false", s.Engine, s.Cached)
	}
}

func TestServiceErrors(t *testing.T) {
	f := newServiceFixture(t)
	blocking, err := summarize.NewService(summarize.ServiceOptions{
		Store:     f.db,
		Fetcher:   fetch.New(fetch.Options{}),
		Extractor: extract.New(),
		Engine:    extractive.New(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want error
	}{
		{"ftp://example.com/a", summarize.ErrBadURL},
		{"not a link", summarize.ErrBadURL},
		{f.srv.URL + "/news/call", summarize.ErrBlockedHost},
		{"http://169.254.169.254/latest/meta-data", summarize.ErrBlockedHost},
	}
	for _, tt := range tests {
		_, err := blocking.Summarize(context.Background(), summarize.Request{URL: tt.url})
		if !errors.Is(err, tt.want) {
			t.Errorf("Summarize(%q) = %v; want %v", tt.url, err, tt.want)
		}
	}
	if f.hits.Load() != 0 {
		t.Errorf("a blocked request reached the article server %d times", f.hits.Load())
	}
}

func TestServiceCallerCancelDoesNotStopFlight(t *testing.T) {
	f := newServiceFixture(t)
	f.engine.delay = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/news/call"})
		done <- err
	}()
	for f.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v; want context.Canceled", err)
	}
	s, err := f.svc.Summarize(context.Background(), summarize.Request{URL: f.srv.URL + "/news/call"})
	if err != nil {
		t.Fatal(err)
	}
	if f.engine.calls.Load() != 1 {
		t.Errorf("engine ran %d times; want 1 (the first flight finished for the second caller)", f.engine.calls.Load())
	}
	_ = s
}

// gatedEngine wraps a real engine: each run reports its start on started
// and waits for gate to close.
type gatedEngine struct {
	summarize.Engine
	started chan struct{}
	gate    chan struct{}
}

func (e *gatedEngine) Summarize(ctx context.Context, doc *summarize.Document) (*summarize.Result, error) {
	e.started <- struct{}{}
	<-e.gate
	return e.Engine.Summarize(ctx, doc)
}

// TestServiceMaxExtract: at most MaxExtract flights fetch and extract at
// once; a flight gives its slot back before the engine runs; a caller
// waiting for a slot stops waiting when its context ends.
func TestServiceMaxExtract(t *testing.T) {
	const maxExtract, links = 2, 6
	seed, err := os.ReadFile(filepath.Join("testdata", "service", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, most atomic.Int32
	arrived := make(chan struct{}, links)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(seed)
	}))
	t.Cleanup(srv.Close)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine := &gatedEngine{Engine: extractive.New(), started: make(chan struct{}, links), gate: make(chan struct{})}
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store: db, Fetcher: fetch.New(fetch.Options{AllowPrivate: true}), Extractor: extract.New(),
		Engine: engine, MaxExtract: maxExtract,
	})
	if err != nil {
		t.Fatal(err)
	}

	errs := make(chan error, links)
	for i := range links {
		go func() {
			_, err := svc.Summarize(context.Background(), summarize.Request{URL: fmt.Sprintf("%s/news/%d", srv.URL, i)})
			errs <- err
		}()
	}
	for range maxExtract {
		<-arrived
	}
	// Every slot is taken by a fetch the server holds: a third fetch
	// must not start, and Extract waits for a slot until its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := svc.Extract(ctx, srv.URL+"/news/extract"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Extract with every slot taken = %v; want context.DeadlineExceeded", err)
	}
	if got := inFlight.Load(); got != maxExtract {
		t.Errorf("fetches in flight with every slot taken = %d; want %d", got, maxExtract)
	}
	// Released, every link is fetched and reaches the engine, which holds
	// them all: flights give their slot back before the engine runs.
	close(release)
	for i := range links {
		select {
		case <-engine.started:
		case <-time.After(10 * time.Second):
			t.Fatalf("engine runs started = %d; want %d while the engine holds every one", i, links)
		}
	}
	close(engine.gate)
	for range links {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := most.Load(); got != maxExtract {
		t.Errorf("most fetches in flight at once = %d; want %d (MaxExtract)", got, maxExtract)
	}
}

func TestServiceNewLinkToKnownArticle(t *testing.T) {
	f := newServiceFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/news/call"}); err != nil {
		t.Fatal(err)
	}
	// A short link to the same article: one fetch to learn where it
	// leads, no second engine run, and from then on no fetch at all.
	for i, want := range []int32{2, 2} {
		s, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/short/abc"})
		if err != nil {
			t.Fatal(err)
		}
		if !s.Cached || f.hits.Load() != want {
			t.Errorf("short link, ask %d: cached %v, article fetched %d times; want cached, %d", i+1, s.Cached, f.hits.Load(), want)
		}
	}
	if got := f.engine.calls.Load(); got != 1 {
		t.Errorf("engine ran %d times; want 1", got)
	}
	// The article's own link still answers from its entry.
	s, err := f.svc.Summarize(ctx, summarize.Request{URL: f.srv.URL + "/news/call"})
	if err != nil || !s.Cached || f.hits.Load() != 2 {
		t.Errorf("article link after the alias: cached %v, err %v, fetched %d times; want cached, no new fetch", s != nil && s.Cached, err, f.hits.Load())
	}
}

// TestServiceLanguageNote: a summary language the offline engine cannot
// write is said once, on fresh and cached answers alike, and never stored.
func TestServiceLanguageNote(t *testing.T) {
	f := newServiceFixture(t)
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     f.db,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true}),
		Extractor: extract.New(),
		Engine:    extractive.New(),
	})
	if err != nil {
		t.Fatal(err)
	}
	notes := func(lang string) []string {
		t.Helper()
		s, err := svc.Summarize(context.Background(), summarize.Request{URL: f.srv.URL + "/news/call", Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range s.Notes {
			if strings.Contains(n, "language model") {
				out = append(out, n)
			}
		}
		return out
	}
	for i, tt := range []struct {
		lang string
		want int
	}{{"de", 1}, {"de", 1}, {"", 0}, {"en", 0}, {"fr", 1}} {
		if got := notes(tt.lang); len(got) != tt.want {
			t.Errorf("call %d, language %q: language notes = %q; want %d", i, tt.lang, got, tt.want)
		}
	}
}
