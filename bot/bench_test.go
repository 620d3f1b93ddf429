package bot_test

// Benchmarks of the bot's whole path, from a command to rendered Discord
// embeds, against local stand-ins only: an httptest article server, the
// OpenAI stand-in answering at once, real SQLite in a temporary directory.
// BENCHMARKS.md at the module root records the figures and how to rerun
// them:
//
//	go test ./bot/ -run '^$' -bench 'Pipeline|CachedSummarize|RenderMaximal' -count 6 | benchstat -

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"briefbot/bot"
	"briefbot/internal/openaitest"
	"briefbot/store"
	"briefbot/summarize"
)

// benchPage is one corpus page: its id and its HTML (UTF-8).
type benchPage struct {
	id   string
	html []byte
}

// corpusDir returns ../shared/corpus beside the module root, or skips when
// it is absent (a clone without the shared corpus).
func corpusDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(corpus, "html")); err != nil {
		tb.Skipf("corpus not found at %s", corpus)
	}
	return corpus
}

// loadPages reads every html/<id>.html.gz of the corpus, sorted by id.
func loadPages(tb testing.TB) []benchPage {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir(tb), "html", "*.html.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	pages := make([]benchPage, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			tb.Fatalf("gunzip %s: %v", f, err)
		}
		html, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatalf("gunzip %s: %v", f, err)
		}
		pages = append(pages, benchPage{id: strings.TrimSuffix(filepath.Base(f), ".html.gz"), html: html})
	}
	if len(pages) == 0 {
		tb.Skip("corpus has no pages")
	}
	return pages
}

// articleServer serves each page at /a/<id> as text/html and counts hits.
func articleServer(tb testing.TB, pages []benchPage) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	byID := make(map[string][]byte, len(pages))
	for _, p := range pages {
		byID[p.id] = p.html
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, ok := byID[strings.TrimPrefix(r.URL.Path, "/a/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv, &hits
}

// benchBot is the production wiring of main.go against local stand-ins:
// the real Handler, Service, Fetcher, LLM engine (to the OpenAI stand-in)
// with the extractive fallback, and SQLite.
type benchBot struct {
	h      *bot.Handler
	db     *store.DB
	llm    *openaitest.Server
	engine *summarize.LLMEngine
	inv    bot.Invoker
	n      atomic.Int64 // invocation counter, for distinct interaction IDs
}

func newBenchBot(tb testing.TB) *benchBot {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	llm := openaitest.New(tb)
	engine, err := summarize.NewLLMEngine(summarize.LLMOptions{
		BaseURL: llm.BaseURL(), APIKey: "bench-key", Model: "bench-model", MaxConcurrent: 4,
	})
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:    db,
		Fetcher:  summarize.NewFetcher(summarize.FetchOptions{AllowPrivate: true}),
		Engine:   engine,
		Fallback: summarize.NewExtractiveEngine(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	h, err := bot.New(bot.Config{Summarizer: svc, Shares: db, Settings: db, UserRate: rate.Inf, UserBurst: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return &benchBot{h: h, db: db, llm: llm, engine: engine, inv: bot.Invoker{GuildID: "g1", ChannelID: "c1", UserID: "u1"}}
}

// summarize runs /summarize url and returns the replies, failing unless
// the answer is a rendered summary (embeds, each within Discord's limits).
func (b *benchBot) summarize(tb testing.TB, url string, fresh bool) []bot.Reply {
	inv := b.inv
	inv.ID = fmt.Sprint("i", b.n.Add(1))
	replies := b.h.Summarize(context.Background(), inv, url, fresh)
	if len(replies) == 0 || len(replies[0].Embeds) == 0 {
		var got []string
		for _, r := range replies {
			got = append(got, r.Content)
		}
		tb.Fatalf("Summarize(%q) = %q; want a rendered summary", url, got)
	}
	return replies
}

// BenchmarkPipeline compares, on every corpus page, extraction alone
// (summarize.Extract on the page in memory) with the whole path a
// /summarize url:… fresh:true takes: fetch from a local server, extract,
// the LLM engine's prompt and a call to the stand-in answering at once,
// parsing and grounding the answer, storing it, recording the share and
// rendering the embeds. One op is one pass over the corpus; ms/article is
// the figure to compare.
func BenchmarkPipeline(b *testing.B) {
	pages := loadPages(b)
	srv, _ := articleServer(b, pages)
	bb := newBenchBot(b)
	// Warm up: connections, the store's pages, the engine's schema; and
	// check every page gives a rendered summary made by the LLM engine.
	for _, p := range pages {
		bb.summarize(b, srv.URL+"/a/"+p.id, true)
	}
	if got := bb.llm.Count(); got < len(pages) {
		b.Fatalf("stand-in model answered %d requests for %d pages; want one or more each", got, len(pages))
	}
	perArticle := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(pages)), "ms/article")
		b.ReportMetric(0, "ns/op")
	}

	b.Run("extract_only", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				if _, err := summarize.Extract(p.html, srv.URL+"/a/"+p.id, "text/html; charset=utf-8"); err != nil {
					b.Fatalf("Extract(%s) = %v", p.id, err)
				}
			}
		}
		perArticle(b)
	})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				bb.summarize(b, srv.URL+"/a/"+p.id, true)
			}
		}
		perArticle(b)
	})
}

// benchArticle is a plausible news article of about 700 words in six
// sections, with status cues, for benchmarks that need one page but not
// the corpus.
func benchArticle(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>"+
		"<meta property=\"og:site_name\" content=\"Bench News\"></head><body><article><h1>%s</h1>\n", title, title)
	sections := []string{"Ceasefire", "Energy facilities", "Prisoner exchange", "Black Sea shipping", "Military aid", "Future talks"}
	cues := []string{
		"agreed to halt strikes for thirty days, officials said",
		"declined to endorse the proposal, leaving the question open",
		"accused the other side of violating the agreement within hours",
		"said negotiations would begin in Jeddah on Sunday",
		"made no mention of the demand in its statement",
		"signed a memorandum on the exchange of prisoners",
	}
	actors := []string{"The Kremlin", "The White House", "Kyiv", "President Zelensky", "Moscow", "Washington"}
	for i, s := range sections {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", s)
		for j := range 4 {
			fmt.Fprintf(&b, "<p>%s %s on the %s. ", actors[(i+j)%len(actors)], cues[(i+j)%len(cues)], strings.ToLower(s))
			fmt.Fprintf(&b, "Diplomats familiar with the talks described round %d of the discussions as long and difficult, "+
				"with both delegations reading out prepared positions before any exchange took place. ", i*4+j+1)
			fmt.Fprintf(&b, "%s %s, according to a readout published after the call.</p>\n",
				actors[(i+j+2)%len(actors)], cues[(i+j+3)%len(cues)])
		}
	}
	b.WriteString("</article></body></html>\n")
	return b.String()
}

// BenchmarkCachedSummarize measures /summarize of a link already in the
// store, from the command to the rendered reply (settings read, alias and
// summary reads, the share recorded, rendering), against a bare read of
// the same row through the store (what store's BenchmarkSummaryGet
// measures).
func BenchmarkCachedSummarize(b *testing.B) {
	page := []byte(benchArticle("Trump-Putin: what exactly was agreed during the call?"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	b.Cleanup(srv.Close)
	bb := newBenchBot(b)
	url := srv.URL + "/news/call"
	bb.summarize(b, url, false)
	calls := bb.llm.Count()
	ctx := context.Background()
	canonical, err := summarize.Canonicalize(url)
	if err != nil {
		b.Fatal(err)
	}
	key := summarize.Key{URL: canonical, Engine: bb.engine.Name(), Model: bb.engine.Model(), PromptVersion: bb.engine.PromptVersion()}
	if _, ok, err := bb.db.Summary(ctx, key); err != nil || !ok {
		b.Fatalf("Summary(%v) = %v, %v; want the row the command stored", key, ok, err)
	}

	b.Run("command", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bb.summarize(b, url, false)
		}
		if got := bb.llm.Count(); got != calls {
			b.Fatalf("stand-in model answered %d requests; want %d (every command answered from the cache)", got, calls)
		}
	})
	b.Run("sqlite_read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, err := bb.db.Summary(ctx, key); err != nil || !ok {
				b.Fatalf("Summary(%v) = %v, %v; want the row", key, ok, err)
			}
		}
	})
}

// maximalLedger is the largest ledger the renderer can be handed: every
// piece of text longer than the renderer's caps (title, notes, topic
// names, point texts, quotes, actors), the most notes shown, and 24
// topics of 5 points (three parts of a long article, each answered with
// eight topics, merged).
func maximalLedger() *summarize.Summary {
	long := func(prefix string, n int) string {
		var b strings.Builder
		b.WriteString(prefix)
		for b.Len() < n {
			b.WriteString(" the delegations *discussed* the_wording of <clause> @everyone at length")
		}
		return b.String()
	}
	s := &summarize.Summary{
		URL: "https://news.example/very/long/negotiation", FinalURL: "https://news.example/very/long/negotiation?page=all",
		Title: long("A very long negotiation", 400), Site: "News Example", Language: "en",
		Published: time.Date(2025, 3, 19, 23, 14, 0, 0, time.UTC),
		Quality:   summarize.QualityPartial, WordCount: 24000,
		Engine: "llm", Model: "bench-model", PromptVersion: "v1", Cached: true,
		Usage:   summarize.Usage{PromptTokens: 36000, CompletionTokens: 9000, Calls: 3},
		Elapsed: 12 * time.Second,
	}
	for i := range 12 {
		s.Notes = append(s.Notes, long(fmt.Sprintf("Note %d:", i+1), 500))
	}
	statuses := []summarize.Status{summarize.StatusAgreed, summarize.StatusUnresolved, summarize.StatusDisputed}
	for i := range 24 {
		t := summarize.Topic{Name: long(fmt.Sprintf("Topic %d:", i+1), 300)}
		t.Key = summarize.TopicKey(t.Name)
		for j := range 5 {
			t.Points = append(t.Points, summarize.Point{
				Text:     long(fmt.Sprintf("Point %d.%d:", i+1, j+1), 900),
				Status:   statuses[(i+j)%3],
				Actors:   []string{long("Delegation A", 80), long("Delegation B", 80), "Kyiv"},
				Quote:    long(fmt.Sprintf("quote %d.%d", i+1, j+1), 400),
				Grounded: true,
			})
		}
		s.Topics = append(s.Topics, t)
	}
	return s
}

// BenchmarkRenderMaximal renders maximalLedger into Discord messages,
// splitting included.
func BenchmarkRenderMaximal(b *testing.B) {
	s := maximalLedger()
	replies := bot.RenderSummary(s, bot.RenderOptions{})
	for i, r := range replies {
		if err := bot.CheckLimits(r); err != nil {
			b.Fatalf("RenderSummary(maximal) message %d: %v", i, err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		bot.RenderSummary(s, bot.RenderOptions{})
	}
	b.ReportMetric(float64(len(replies)), "messages")
}
