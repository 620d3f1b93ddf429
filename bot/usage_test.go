package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"briefbot/ask"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

// budgetWorld is the pipeline as main builds it with a language model:
// a Service over the model (falling back offline), a Service over the
// offline engine for servers past a cap, a real store, articles on a
// local server and an injected clock.
type budgetWorld struct {
	t      *testing.T
	dbPath string
	pages  *httptest.Server
	llm    *openaitest.Server
	now    time.Time
	budget Budget
	db     *store.DB
	h      *Handler
}

// Paths of the articles the budget tests share.
const (
	pathPause   = "/2025/03/24/energy-pause-frays"
	pathBlack   = "/2025/03/26/black-sea-ceasefire"
	pathHarbour = "/2025/03/24/harbour-strike"
)

func newBudgetWorld(t *testing.T, perServer, global int64) *budgetWorld {
	t.Helper()
	mux := http.NewServeMux()
	for path, file := range map[string]string{
		pathPause:   "testdata/e2e/day2-energy-pause-accusations.html",
		pathBlack:   "testdata/e2e/day3-black-sea-ceasefire.html",
		pathHarbour: "testdata/e2e/harbour-strike.html",
	} {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
	}
	w := &budgetWorld{
		t:      t,
		dbPath: filepath.Join(t.TempDir(), "briefbot.db"),
		pages:  httptest.NewServer(mux),
		llm:    openaitest.New(t),
		now:    time.Date(2026, 3, 10, 23, 0, 0, 0, time.UTC),
	}
	t.Cleanup(w.pages.Close)
	w.budget = Budget{PerServer: perServer, Global: global}
	w.start()
	t.Cleanup(func() { w.db.Close() })
	return w
}

// start opens the store and builds the services and the handler, as a
// process start does.
func (w *budgetWorld) start() {
	t := w.t
	db, err := store.Open(context.Background(), w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	fetcher := fetch.New(fetch.Options{AllowPrivate: true})
	engine, err := llm.New(llm.Options{BaseURL: w.llm.BaseURL(), APIKey: "sk-test", Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	offline := extractive.New()
	clock := func() time.Time { return w.now }
	svc, err := summarize.NewService(summarize.ServiceOptions{Store: db, Fetcher: fetcher, Extractor: extract.New(), Engine: engine, Fallback: offline, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	off, err := summarize.NewService(summarize.ServiceOptions{Store: db, Fetcher: fetcher, Extractor: extract.New(), Engine: offline, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	b := w.budget
	b.Offline = off
	h, err := New(Config{Summarizer: svc, Shares: db, Settings: db, Usage: db, Budget: b, Now: clock, UserRate: rate.Inf,
		Asker: ask.NewModel(engine, nil)})
	if err != nil {
		t.Fatal(err)
	}
	w.db, w.h = db, h
}

// restart closes the store and starts again on the same file.
func (w *budgetWorld) restart() {
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.start()
}

// summarize runs /summarize in guild and returns the answer as text.
func (w *budgetWorld) summarize(guild, path string, fresh bool) string {
	w.t.Helper()
	var b strings.Builder
	for _, r := range w.h.Summarize(context.Background(), Invoker{ID: "i", GuildID: guild, ChannelID: "c", UserID: "u"}, w.pages.URL+path, fresh) {
		b.WriteString(Flatten(r))
	}
	return b.String()
}

// wantEngine checks that answer is a summary by engine, with note or
// without any budget note when note is "".
func wantEngine(t *testing.T, what, answer, engine, note string) {
	t.Helper()
	if !strings.Contains(answer, "-- "+engine) {
		t.Errorf("%s: answer is not by the %s engine:\n%.600s", what, engine, answer)
	}
	for _, n := range []string{noteServerBudget, noteGlobalBudget} {
		if has := strings.Contains(answer, n); has != (n == note) {
			t.Errorf("%s: budget note %q shown = %v; want %v", what, n, has, n == note)
		}
	}
}

func TestServerTokenCap(t *testing.T) {
	// Any model answer passes a one-token cap.
	w := newBudgetWorld(t, 1, 0)
	wantEngine(t, "A's first link", w.summarize("A", pathPause, false), "llm", "")
	wantEngine(t, "A past its cap", w.summarize("A", pathBlack, false), "extractive", noteServerBudget)
	wantEngine(t, "B on the same day", w.summarize("B", pathBlack, false), "llm", "")

	w.restart()
	wantEngine(t, "A after a restart", w.summarize("A", pathHarbour, false), "extractive", noteServerBudget)

	w.now = w.now.Add(time.Hour) // 00:00 UTC the next day
	wantEngine(t, "A the next day", w.summarize("A", pathHarbour, true), "llm", "")
	wantEngine(t, "A past its cap again", w.summarize("A", pathPause, true), "extractive", noteServerBudget)

	rep, err := w.db.UsageReport(context.Background(), "A", "2026-03-10", "2026-03-11", 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Answers != 5 || rep.Totals.Calls != 2 || rep.Totals.Tokens() == 0 || len(rep.Costliest) != 2 {
		t.Errorf("A's usage over both days = %+v; want 5 answers, 2 model calls and their tokens, 2 costly articles", rep)
	}
}

func TestGlobalTokenCap(t *testing.T) {
	w := newBudgetWorld(t, 0, 1)
	wantEngine(t, "A's first link", w.summarize("A", pathPause, false), "llm", "")
	wantEngine(t, "B once the day's budget is spent", w.summarize("B", pathBlack, false), "extractive", noteGlobalBudget)
	w.now = w.now.Add(time.Hour)
	wantEngine(t, "B the next day", w.summarize("B", pathBlack, false), "llm", "")
}

func TestUsageCommand(t *testing.T) {
	w := newBudgetWorld(t, 1_000_000, 0)
	w.summarize("A", pathPause, false)
	w.summarize("A", pathPause, false)
	w.summarize("B", pathBlack, false)
	inv := Invoker{ID: "i", GuildID: "A", ChannelID: "c", UserID: "u"}
	if got := w.h.UsageCommand(context.Background(), inv); len(got) != 1 || got[0].Content != msgNeedManage {
		t.Errorf("/usage without Manage Server = %+v; want %q", got, msgNeedManage)
	}
	inv.CanManage = true
	got := w.h.UsageCommand(context.Background(), inv)
	if len(got) != 1 || !got[0].Ephemeral {
		t.Fatalf("/usage = %+v; want one ephemeral answer", got)
	}
	text := got[0].Content
	for _, want := range []string{
		"Today (2026-03-10 UTC): 2 summaries (50% from the cache), 1 model call,",
		"Daily cap: 1,000,000 tokens.",
		"Last 30 days: 2 summaries (50% from the cache), 1 model call,",
		"1. Energy pause frays",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/usage lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, pathBlack) {
		t.Errorf("/usage in A shows B's article:\n%s", text)
	}
}

// TestCacheHitsBatched: cache hits are counted in memory and written
// once usageFlushEvery has passed, or on FlushUsage; spend at once.
func TestCacheHitsBatched(t *testing.T) {
	w := newBudgetWorld(t, 0, 0)
	ctx := context.Background()
	answers := func() (int64, int64) {
		t.Helper()
		rep, err := w.db.UsageReport(ctx, "A", "2026-03-10", "2026-03-10", 5)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Totals.Answers, rep.Totals.CacheHits
	}
	w.summarize("A", pathPause, false)
	w.summarize("A", pathPause, false)
	w.summarize("A", pathPause, false)
	if a, h := answers(); a != 1 || h != 0 {
		t.Errorf("stored after a miss and two hits = %d answers, %d hits; want the miss only (1, 0)", a, h)
	}
	w.now = w.now.Add(usageFlushEvery)
	w.summarize("A", pathPause, false)
	if a, h := answers(); a != 4 || h != 3 {
		t.Errorf("stored %v later = %d answers, %d hits; want 4, 3", usageFlushEvery, a, h)
	}
	w.summarize("A", pathPause, false)
	if err := w.h.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	if a, h := answers(); a != 5 || h != 4 {
		t.Errorf("stored after FlushUsage = %d answers, %d hits; want 5, 4", a, h)
	}
}

// TestSharedFlightChargedOnce: two servers asking for the same new link
// at once share one model run, and its tokens are charged once.
func TestSharedFlightChargedOnce(t *testing.T) {
	w := newBudgetWorld(t, 0, 0)
	w.llm.SetDefault(openaitest.Delayed(300*time.Millisecond, openaitest.Instant))
	done := make(chan string, 2)
	for _, g := range []string{"A", "B"} {
		go func() { done <- w.summarize(g, pathPause, false) }()
	}
	for range 2 {
		if got := <-done; !strings.Contains(got, "-- llm") {
			t.Fatalf("answer is not the model's:\n%.300s", got)
		}
	}
	if n := w.llm.Count(); n != 1 {
		t.Fatalf("model requests = %d; want the two servers to share one", n)
	}
	ctx := context.Background()
	var calls int64
	var tokens int64
	for _, g := range []string{"A", "B"} {
		rep, err := w.db.UsageReport(ctx, g, "2026-03-10", "2026-03-10", 5)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Answers != 1 {
			t.Errorf("server %s answers = %d; want 1", g, rep.Totals.Answers)
		}
		calls += rep.Totals.Calls
		tokens += rep.Totals.Tokens()
	}
	if calls != 1 || tokens == 0 {
		t.Errorf("charged %d model calls, %d tokens over both servers; want the one call, once", calls, tokens)
	}
}

// TestFeedSummariesSpendTheServerBudget: a followed feed's entries are
// summarized within the server's cap and counted in its usage, like
// pasted links.
func TestFeedSummariesSpendTheServerBudget(t *testing.T) {
	w := newBudgetWorld(t, 1, 0)
	ctx := context.Background()
	engine := func(guild, path string) string {
		t.Helper()
		s, err := w.h.SummarizeFor(ctx, guild, summarize.Request{URL: w.pages.URL + path})
		if err != nil {
			t.Fatalf("SummarizeFor(%s, %s): %v", guild, path, err)
		}
		return s.Engine
	}
	if got := engine("A", pathPause); got != "llm" {
		t.Errorf("A's first feed entry by %q; want llm", got)
	}
	if got := engine("A", pathBlack); got != "extractive" {
		t.Errorf("A's feed entry past its cap by %q; want extractive", got)
	}
	if got := engine("B", pathBlack); got != "llm" {
		t.Errorf("B's feed entry by %q; want llm (A's cap is A's)", got)
	}
	rep, err := w.db.UsageReport(ctx, "A", "2026-03-10", "2026-03-10", 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Answers != 2 || rep.Totals.Calls != 1 {
		t.Errorf("A's usage = %+v; want 2 summaries, 1 model call", rep.Totals)
	}
}

// TestAskPastTheCapUsesNoModel: past the server's cap, /ask answers from
// the stored points without a model call.
func TestAskPastTheCapUsesNoModel(t *testing.T) {
	w := newBudgetWorld(t, 1, 0)
	w.summarize("A", pathPause, false) // spends A's budget
	calls := w.llm.Count()
	got := w.h.Ask(context.Background(), Invoker{ID: "q", GuildID: "A", ChannelID: "c", UserID: "u"}, "energy facilities", "")
	if n := w.llm.Count() - calls; n != 0 {
		t.Errorf("/ask past the cap made %d model calls; want 0", n)
	}
	if len(got) != 1 || !strings.Contains(Flatten(got[0]), "The stored points that match your question") {
		t.Errorf("/ask past the cap = %+v; want the stored points", got)
	}
}
