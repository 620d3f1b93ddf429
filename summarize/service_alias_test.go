package summarize_test

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// Two articles for the trust-boundary tests: a genuine one and the
// attacker's, with different titles and text.
const (
	genuineTitle = "Dock workers strike over harbour wages"
	attackTitle  = "Harbour strike called off, union leaders arrested"
)

var (
	genuineParas = []string{
		"The dock workers' union and the port authority agreed on Monday to resume wage talks after a two-day walkout closed every berth in the harbour.",
		"The union said a pay rise of eight percent remains its condition for ending the strike, which the port authority rejected as unaffordable.",
		"It is unclear whether the night shifts will return before the talks resume on Thursday.",
		"Shipping lines said more than forty container vessels were waiting at anchor outside the harbour on Monday evening.",
	}
	attackParas = []string{
		"Police arrested the leaders of the dock workers' union on Monday night, and the strike was called off within the hour.",
		"The port authority said every berth would reopen at dawn and that no pay rise would be offered to anyone.",
		"Shipping lines denied that any vessels had been delayed by the dispute at all.",
		"Readers should ignore other reports of continuing wage talks, the statement added.",
	}
)

// articleHTML is a news page; claim is the page's canonical link
// ("canonical") or og:url ("og:url") naming claimURL, or none.
func articleHTML(title string, paras []string, claim, claimURL string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(title) + "</title>\n")
	b.WriteString(`<meta property="og:site_name" content="Example Port News">` + "\n")
	switch claim {
	case "canonical":
		b.WriteString(`<link rel="canonical" href="` + html.EscapeString(claimURL) + `">` + "\n")
	case "og:url":
		b.WriteString(`<meta property="og:url" content="` + html.EscapeString(claimURL) + `">` + "\n")
	}
	b.WriteString("</head><body><article><h1>" + html.EscapeString(title) + "</h1>\n<h2>Harbour wages</h2>\n")
	for _, p := range paras {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	b.WriteString("</article></body></html>\n")
	return b.String()
}

// loopbackResolver resolves every name to 127.0.0.1, so one local server
// can stand for several hosts.
type loopbackResolver struct{}

func (loopbackResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

// webFixture is a local web of pages by host and path, a store and a
// Service reading them as public hosts.
type webFixture struct {
	t      *testing.T
	port   string
	mu     sync.Mutex
	pages  map[string]string // "host/path" → HTML, or "→URL" for a redirect
	hits   map[string]int
	db     *store.DB
	engine *countingEngine
	svc    *summarize.Service
}

func newWebFixture(t *testing.T) *webFixture {
	t.Helper()
	w := &webFixture{t: t, pages: map[string]string{}, hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		k := host + r.URL.Path
		w.mu.Lock()
		body, ok := w.pages[k]
		w.hits[k]++
		w.mu.Unlock()
		switch {
		case !ok:
			http.NotFound(rw, r)
		case strings.HasPrefix(body, "→"):
			http.Redirect(rw, r, strings.TrimPrefix(body, "→"), http.StatusFound)
		default:
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(rw, body)
		}
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	w.port = u.Port()
	var err error
	w.db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.db.Close() })
	w.engine = &countingEngine{Engine: extractive.New(), name: "extractive"}
	w.svc = w.service(w.db)
	return w
}

func (w *webFixture) service(st summarize.Store) *summarize.Service {
	w.t.Helper()
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     st,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true, Resolver: loopbackResolver{}}),
		Extractor: extract.New(),
		Engine:    w.engine,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return svc
}

// url returns the link of host and path on the fixture's server.
func (w *webFixture) url(host, path string) string {
	return "http://" + host + ":" + w.port + path
}

// serve puts body (HTML, or "→"+URL for a redirect) at host and path.
func (w *webFixture) serve(host, path, body string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pages[host+path] = body
}

func (w *webFixture) hitsOf(host, path string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits[host+path]
}

func (w *webFixture) summarize(link string, fresh bool) *summarize.Summary {
	w.t.Helper()
	s, err := w.svc.Summarize(context.Background(), summarize.Request{URL: link, Fresh: fresh})
	if err != nil {
		w.t.Fatalf("Summarize(%q, fresh %v): %v", link, fresh, err)
	}
	return s
}

// wantArticle fails unless s is the summary of the article titled title
// (genuineTitle or attackTitle), made from what was read at wantURL, with
// no quote from the other article.
func wantArticle(t *testing.T, what string, s *summarize.Summary, title, wantURL string) {
	t.Helper()
	if s.Title != title || s.URL != wantURL {
		t.Errorf("%s: summary of %q at %q; want %q at %q", what, s.Title, s.URL, title, wantURL)
	}
	other := attackParas
	if title == attackTitle {
		other = genuineParas
	}
	points := 0
	for _, tp := range s.Topics {
		for _, p := range tp.Points {
			points++
			for _, para := range other {
				if p.Quote != "" && strings.Contains(para, p.Quote) {
					t.Errorf("%s: point %q quotes the other article", what, p.Text)
				}
			}
		}
	}
	if points == 0 {
		t.Errorf("%s: summary of %q has no points", what, s.Title)
	}
}

// TestServicePageCannotClaimAnotherURL: a page naming the victim's URL as
// its canonical link or og:url, from another host or from a user page on
// the victim's own host, never makes the victim's URL answer with the
// page's summary, whichever is read first, with or without fresh.
func TestServicePageCannotClaimAnotherURL(t *testing.T) {
	const victimPath = "/world/harbour-strike"
	attackers := []struct{ name, host, path string }{
		{"other host", "evil.example", "/news/harbour"},
		{"same host user page", "news.example", "/users/mallory/harbour"},
	}
	for _, at := range attackers {
		for _, claim := range []string{"canonical", "og:url"} {
			for _, attackerFirst := range []bool{true, false} {
				for _, fresh := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/attacker first %v/fresh %v", at.name, claim, attackerFirst, fresh)
					t.Run(name, func(t *testing.T) {
						w := newWebFixture(t)
						victim := w.url("news.example", victimPath)
						attacker := w.url(at.host, at.path)
						w.serve("news.example", victimPath, articleHTML(genuineTitle, genuineParas, "canonical", victim))
						w.serve(at.host, at.path, articleHTML(attackTitle, attackParas, claim, victim))
						if attackerFirst {
							wantArticle(t, "attacker's link", w.summarize(attacker, fresh), attackTitle, attacker)
							wantArticle(t, "victim's link", w.summarize(victim, fresh), genuineTitle, victim)
						} else {
							wantArticle(t, "victim's link", w.summarize(victim, fresh), genuineTitle, victim)
							wantArticle(t, "attacker's link", w.summarize(attacker, fresh), attackTitle, attacker)
						}
						// Whatever came since, the victim's link answers with
						// its own article, from the cache and read afresh.
						wantArticle(t, "victim's link again", w.summarize(victim, false), genuineTitle, victim)
						wantArticle(t, "attacker's link again", w.summarize(attacker, true), attackTitle, attacker)
						wantArticle(t, "victim's link after the attacker's fresh run", w.summarize(victim, false), genuineTitle, victim)
						if got := w.hitsOf("news.example", victimPath); !fresh && got != 1 {
							t.Errorf("victim's page fetched %d times; want 1 (then cached)", got)
						}
					})
				}
			}
		}
	}
}

// TestServiceCanonicalHintSameText: a link whose page declares a known
// article's URL reuses that article's summary (one fetch, no engine run)
// only while its text is that article's text.
func TestServiceCanonicalHintSameText(t *testing.T) {
	w := newWebFixture(t)
	ctx := context.Background()
	article := w.url("news.example", "/world/harbour-strike")
	amp := w.url("amp.example", "/news.example/world/harbour-strike")
	w.serve("news.example", "/world/harbour-strike", articleHTML(genuineTitle, genuineParas, "canonical", article))
	w.serve("amp.example", "/news.example/world/harbour-strike", articleHTML(genuineTitle, genuineParas, "canonical", article))

	first := w.summarize(article, false)
	s := w.summarize(amp, false)
	if !s.Cached || s.URL != article || w.engine.calls.Load() != 1 {
		t.Errorf("same text under a declared canonical URL: cached %v url %q, engine runs %d; want the article's entry, 1 run", s.Cached, s.URL, w.engine.calls.Load())
	}
	if a, ok, err := w.db.Alias(ctx, mustCanonical(t, amp)); err != nil || !ok || a.Target != article || a.TextHash != first.TextHash {
		t.Errorf("Alias(amp) = %+v, %v, %v; want the article with its text hash", a, ok, err)
	}
	if _, ok, _ := w.db.Alias(ctx, article); ok {
		t.Error("the article's own URL got an alias")
	}
	w.summarize(amp, false)
	if got := w.hitsOf("amp.example", "/news.example/world/harbour-strike"); got != 1 {
		t.Errorf("amp page fetched %d times; want 1 (then answered through its alias)", got)
	}

	// The article is updated; the copy is not. The copy's alias no
	// longer holds: it is read again and summarized on its own.
	updated := append([]string{"Update: the talks have been postponed to next week."}, genuineParas...)
	w.serve("news.example", "/world/harbour-strike", articleHTML(genuineTitle, updated, "canonical", article))
	if s := w.summarize(article, true); s.TextHash == first.TextHash {
		t.Fatal("fresh run kept the old text")
	}
	s = w.summarize(amp, false)
	if s.Cached || s.URL != amp || w.hitsOf("amp.example", "/news.example/world/harbour-strike") != 2 {
		t.Errorf("copy after the article changed: cached %v url %q fetched %d; want its own new summary from a second fetch", s.Cached, s.URL, w.hitsOf("amp.example", "/news.example/world/harbour-strike"))
	}

	// A page with other text declaring the article's URL gets its own
	// summary, and the article keeps its own.
	other := w.url("news.example", "/users/mallory/copy")
	w.serve("news.example", "/users/mallory/copy", articleHTML(attackTitle, attackParas, "canonical", article))
	wantArticle(t, "other text", w.summarize(other, false), attackTitle, other)
	wantArticle(t, "article", w.summarize(article, false), genuineTitle, article)
}

// TestServiceCopyFirstDoesNotAnswerForArticle: a page with the article's
// very text and its canonical link, read before the article, does not
// answer for the article's URL: the article is read itself.
func TestServiceCopyFirstDoesNotAnswerForArticle(t *testing.T) {
	w := newWebFixture(t)
	article := w.url("news.example", "/world/harbour-strike")
	mirror := w.url("evil.example", "/mirror")
	w.serve("news.example", "/world/harbour-strike", articleHTML(genuineTitle, genuineParas, "", ""))
	w.serve("evil.example", "/mirror", articleHTML(genuineTitle, genuineParas, "canonical", article))
	w.summarize(mirror, false)
	s := w.summarize(article, false)
	if s.Cached || s.URL != article || w.hitsOf("news.example", "/world/harbour-strike") != 1 {
		t.Errorf("article after its mirror: cached %v url %q fetched %d; want read itself", s.Cached, s.URL, w.hitsOf("news.example", "/world/harbour-strike"))
	}
}

// TestServiceFreshRereadsTheLink: fresh reads the pasted link itself, not
// the article it led to before, and what it finds replaces what the link
// answered with, never what another link answers with.
func TestServiceFreshRereadsTheLink(t *testing.T) {
	w := newWebFixture(t)
	ctx := context.Background()
	short := w.url("sho.rt", "/x")
	a := w.url("news.example", "/a")
	b := w.url("news.example", "/b")
	w.serve("news.example", "/a", articleHTML(genuineTitle, genuineParas, "", ""))
	w.serve("news.example", "/b", articleHTML(attackTitle, attackParas, "", ""))
	w.serve("sho.rt", "/x", "→"+a)

	wantArticle(t, "short link", w.summarize(short, false), genuineTitle, a)
	wantArticle(t, "short link, cached", w.summarize(short, false), genuineTitle, a)
	if got := w.hitsOf("sho.rt", "/x"); got != 1 {
		t.Errorf("short link fetched %d times; want 1, then answered through its redirect alias", got)
	}

	// The short link now leads elsewhere: a fresh run follows it.
	w.serve("sho.rt", "/x", "→"+b)
	wantArticle(t, "short link, fresh", w.summarize(short, true), attackTitle, b)
	wantArticle(t, "short link after fresh", w.summarize(short, false), attackTitle, b)
	wantArticle(t, "first article", w.summarize(a, false), genuineTitle, a)

	// The short link serves a page of its own: fresh drops its alias.
	w.serve("sho.rt", "/x", articleHTML(genuineTitle, genuineParas, "canonical", a))
	wantArticle(t, "short link serving its own page, fresh", w.summarize(short, true), genuineTitle, mustCanonical(t, short))
	if got, ok, err := w.db.Alias(ctx, mustCanonical(t, short)); err != nil || ok {
		t.Errorf("Alias(short) after it stopped redirecting = %+v, %v, %v; want none", got, ok, err)
	}
	wantArticle(t, "short link after fresh", w.summarize(short, false), genuineTitle, mustCanonical(t, short))
}

// TestServiceLinksToOneArticleShareOneRun: links that redirect to one
// article not yet known, asked at once, cost one engine run.
func TestServiceLinksToOneArticleShareOneRun(t *testing.T) {
	w := newWebFixture(t)
	w.engine.delay = 100 * time.Millisecond // keep the first run open while the others arrive
	article := w.url("news.example", "/a")
	w.serve("news.example", "/a", articleHTML(genuineTitle, genuineParas, "", ""))
	const n = 4
	for i := range n {
		w.serve("sho.rt", fmt.Sprintf("/%d", i), "→"+article)
	}
	var wg sync.WaitGroup
	var bad atomic.Int32
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := w.svc.Summarize(context.Background(), summarize.Request{URL: w.url("sho.rt", fmt.Sprintf("/%d", i))})
			if err != nil || s.URL != article {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d of %d links failed or gave another article", bad.Load(), n)
	}
	if got := w.engine.calls.Load(); got != 1 {
		t.Errorf("engine ran %d times for %d links to one article; want 1", got, n)
	}
}

// landingStore is a Store whose first summary lookup misses and, before
// it answers, lets another process store that very summary: the window
// between a caller's cache miss and the start of its flight.
type landingStore struct {
	summarize.Store
	once  sync.Once
	other func()
}

func (s *landingStore) Summary(ctx context.Context, k summarize.Key) (*summarize.Summary, bool, error) {
	landed := false
	s.once.Do(func() { s.other(); landed = true })
	if landed {
		return nil, false, nil
	}
	return s.Store.Summary(ctx, k)
}

// TestServiceFlightRereadsCache: a flight reads the cache again before it
// fetches and calls the engine, so a summary stored between the caller's
// miss and the flight is not made twice.
func TestServiceFlightRereadsCache(t *testing.T) {
	w := newWebFixture(t)
	article := w.url("news.example", "/a")
	w.serve("news.example", "/a", articleHTML(genuineTitle, genuineParas, "", ""))
	otherEngine := &countingEngine{Engine: extractive.New(), name: "extractive"}
	other, err := summarize.NewService(summarize.ServiceOptions{
		Store:     w.db,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true, Resolver: loopbackResolver{}}),
		Extractor: extract.New(),
		Engine:    otherEngine,
	})
	if err != nil {
		t.Fatal(err)
	}
	st := &landingStore{Store: w.db, other: func() {
		if _, err := other.Summarize(context.Background(), summarize.Request{URL: article}); err != nil {
			t.Errorf("other process: %v", err)
		}
	}}
	s, err := w.service(st).Summarize(context.Background(), summarize.Request{URL: article})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cached || w.engine.calls.Load() != 0 || otherEngine.calls.Load() != 1 || w.hitsOf("news.example", "/a") != 1 {
		t.Errorf("cached %v, engine runs %d here and %d there, fetched %d; want the other's summary, 0, 1, 1",
			s.Cached, w.engine.calls.Load(), otherEngine.calls.Load(), w.hitsOf("news.example", "/a"))
	}
}

func mustCanonical(t *testing.T, u string) string {
	t.Helper()
	c, err := fetch.Canonicalize(u)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
