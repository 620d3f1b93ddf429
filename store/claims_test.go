package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"briefbot/schedule"
	"briefbot/summarize"
)

// The claim tests run Services, as separate processes would, each on its
// own handle of one database, with a local page source and an engine that
// counts its calls (the model).

// pageSource serves every link as an article of its own: the Fetcher and
// Extractor of the Services under test.
type pageSource struct{}

func (pageSource) Canonicalize(raw string) (string, error) { return raw, nil }

func (pageSource) Fetch(_ context.Context, raw string) (*summarize.Page, error) {
	return &summarize.Page{URL: raw, ContentType: "text/html",
		Body: []byte("Leaders agreed to a ceasefire after talks about " + raw + ".")}, nil
}

func (pageSource) Prepare(p *summarize.Page) (summarize.Extraction, error) {
	return preparedPage{p}, nil
}

type preparedPage struct{ p *summarize.Page }

func (preparedPage) Cost() int64 { return 1 << 10 }

func (e preparedPage) Extract() (*summarize.Document, error) {
	text := string(e.p.Body)
	return &summarize.Document{URL: e.p.URL, Title: "Talks", Site: "news.example", Language: "en",
		Quality: summarize.QualityFull, Text: text, WordCount: len(strings.Fields(text)),
		Blocks: []summarize.Block{{Text: text}}}, nil
}

// countingEngine stands for the model: it counts its calls per URL and
// takes delay for each.
type countingEngine struct {
	delay time.Duration
	calls atomic.Int64
	mu    sync.Mutex
	byURL map[string]int
}

func (*countingEngine) Name() string          { return "llm" }
func (*countingEngine) Model() string         { return "test-model" }
func (*countingEngine) PromptVersion() string { return "v1" }

func (e *countingEngine) Summarize(ctx context.Context, doc *summarize.Document) (*summarize.Result, error) {
	e.calls.Add(1)
	e.mu.Lock()
	e.byURL[doc.URL]++
	e.mu.Unlock()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(e.delay):
	}
	return &summarize.Result{Topics: []summarize.Topic{{Name: "Ceasefire", Points: []summarize.Point{{
		Text: "Leaders agreed to a ceasefire.", Status: summarize.StatusAgreed,
		Quote: "Leaders agreed to a ceasefire"}}}}}, nil
}

// newClaimService opens its own handle on dsn and returns a Service on it.
func newClaimService(t *testing.T, dsn string, eng summarize.Engine, lease time.Duration) *summarize.Service {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store: db, Fetcher: pageSource{}, Extractor: pageSource{}, Engine: eng,
		ClaimLease: lease, FlightTimeout: time.Minute,
	})
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc
}

// TestClaimsOneModelCallPerArticle: 4 Services, as 4 processes on one
// database, each with 5 goroutines asking for the same 40 new links in
// different orders, make exactly 40 model calls, one per link, and every
// caller gets its summary.
func TestClaimsOneModelCallPerArticle(t *testing.T) {
	dsn := testDSN(t)
	const procs, workers, links = 4, 5, 40
	eng := &countingEngine{delay: 30 * time.Millisecond, byURL: map[string]int{}}
	var svcs []*summarize.Service
	for range procs {
		svcs = append(svcs, newClaimService(t, dsn, eng, 30*time.Second))
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, procs*workers*links)
	start := make(chan struct{})
	for p, svc := range svcs {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range links {
					u := fmt.Sprintf("https://news.example/a/%d", (i+p*7+w*3)%links)
					sum, err := svc.Summarize(ctx, summarize.Request{URL: u})
					if err != nil {
						errs <- fmt.Errorf("process %d: Summarize(%s): %w", p, u, err)
						continue
					}
					if sum.URL != u || len(sum.Topics) != 1 {
						errs <- fmt.Errorf("process %d: Summarize(%s) = %s with %d topics", p, u, sum.URL, len(sum.Topics))
					}
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := eng.calls.Load(); got != links {
		t.Errorf("model calls = %d; want %d (one per link)", got, links)
	}
	for u, n := range eng.byURL {
		if n != 1 {
			t.Errorf("%s: %d model calls; want 1", u, n)
		}
	}
}

// TestClaimsCrashedOwner: a process crashed while it held the claims of
// half the links (its rows stay, their leases run and are never renewed
// or released). 4 live Services then make every summary: the claimed
// links after the lease runs out, the others at once; the model is
// called once per link by the live ones, so the only extra calls are the
// ones the crashed process had in flight.
func TestClaimsCrashedOwner(t *testing.T) {
	dsn := testDSN(t)
	const procs, workers, links = 4, 3, 40
	const lease = 400 * time.Millisecond
	dead := openTestDSN(t, dsn)
	eng := &countingEngine{delay: 10 * time.Millisecond, byURL: map[string]int{}}
	var svcs []*summarize.Service
	for range procs {
		svcs = append(svcs, newClaimService(t, dsn, eng, lease))
	}
	ctx := context.Background()
	key := func(i int) summarize.Key {
		return summarize.Key{URL: fmt.Sprintf("https://news.example/b/%d", i), Engine: "llm", Model: "test-model", PromptVersion: "v1"}
	}
	// The crashed process: it claimed the even links, then died.
	crashed := time.Now()
	for i := 0; i < links; i += 2 {
		won, err := dead.ClaimSummary(ctx, key(i), "dead-process", crashed, lease)
		if err != nil || !won {
			t.Fatalf("ClaimSummary(%d) = %v, %v; want a won claim", i, won, err)
		}
	}
	// A live process cannot take a claim whose lease runs.
	if won, err := dead.ClaimSummary(ctx, key(0), "other", crashed.Add(lease/2), lease); err != nil || won {
		t.Fatalf("ClaimSummary of a held claim = %v, %v; want false", won, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, procs*workers*links)
	for p, svc := range svcs {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range links {
					k := key((i + p*11 + w*5) % links)
					if _, err := svc.Summarize(ctx, summarize.Request{URL: k.URL}); err != nil {
						errs <- fmt.Errorf("process %d: Summarize(%s): %w", p, k.URL, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if elapsed := time.Since(crashed); elapsed < lease {
		t.Errorf("all summaries made %v after the crash; the crashed claims should have held for %v", elapsed, lease)
	}
	for i := range links {
		if _, ok, err := dead.Summary(ctx, key(i)); err != nil || !ok {
			t.Errorf("summary of %s: ok=%v, %v; want it stored", key(i).URL, ok, err)
		}
	}
	if got := eng.calls.Load(); got != links {
		t.Errorf("live model calls = %d; want %d (one per link)", got, links)
	}
	var left int
	if err := dead.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM summary_claims`).Scan(&left); err != nil || left != 0 {
		t.Errorf("claims left = %d, %v; want 0 (each released once its summary was stored)", left, err)
	}
}

// TestClaimSummaryLease: the claim's rules, one step at a time.
func TestClaimSummaryLease(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	k := summarize.Key{URL: "https://news.example/c", Engine: "llm", Model: "m", PromptVersion: "v1"}
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		do    string
		owner string
		at    time.Duration
		want  bool
	}{
		{"claim", "A", 0, true},
		{"claim", "B", 5 * time.Second, false},  // A's lease runs
		{"claim", "A", 6 * time.Second, true},   // its own
		{"renew", "B", 7 * time.Second, false},  // B holds nothing
		{"renew", "A", 8 * time.Second, true},   // to 8 s + 10 s
		{"claim", "B", 17 * time.Second, false}, // renewed lease runs
		{"claim", "B", 18 * time.Second, true},  // ran out: taken over
		{"renew", "A", 19 * time.Second, false}, // A lost it
		{"release", "A", 19 * time.Second, true},
		{"claim", "A", 19 * time.Second, false}, // A's release left B's claim
		{"release", "B", 20 * time.Second, true},
		{"claim", "A", 20 * time.Second, true}, // free again
	}
	for i, st := range steps {
		now := t0.Add(st.at)
		var (
			got bool
			err error
		)
		switch st.do {
		case "claim":
			got, err = db.ClaimSummary(ctx, k, st.owner, now, 10*time.Second)
		case "renew":
			got, err = db.RenewSummaryClaim(ctx, k, st.owner, now.Add(10*time.Second))
		case "release":
			got, err = true, db.ReleaseSummaryClaim(ctx, k, st.owner)
		}
		if err != nil || got != st.want {
			t.Fatalf("step %d: %s by %s at +%v = %v, %v; want %v", i, st.do, st.owner, st.at, got, err, st.want)
		}
	}
}

// openTestDSN opens another handle on the database at dsn.
func openTestDSN(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestLeasesOnTheDatabaseClock: two processes whose clocks disagree by
// ten minutes agree on leases, which are kept on the database's clock. The
// process running ahead does not take over a live claim, a live briefing
// or an identify moment it would see as past on its own clock, and reads
// the lease back on its own clock.
func TestLeasesOnTheDatabaseClock(t *testing.T) {
	if testBackend != "postgres" {
		t.Skip("SQLite shares this machine's clock")
	}
	ctx := context.Background()
	dsn := testDSN(t)
	a, b := openTestDSN(t, dsn), openTestDSN(t, dsn)
	skew := 10 * time.Minute
	b.clock.local = func() time.Time { return time.Now().Add(skew) }
	if err := b.syncClock(ctx); err != nil {
		t.Fatal(err)
	}
	if off := b.clockOffset(); off > -skew+time.Second || off < -skew-time.Second {
		t.Fatalf("offset of the skewed process = %v; want about %v", off, -skew)
	}

	k := summarize.Key{URL: "https://news.example/skew", Engine: "llm", Model: "m", PromptVersion: "v1"}
	if won, err := a.ClaimSummary(ctx, k, "a", time.Now(), time.Minute); err != nil || !won {
		t.Fatalf("a: ClaimSummary = %v, %v; want won", won, err)
	}
	if won, err := b.ClaimSummary(ctx, k, "b", time.Now().Add(skew), time.Minute); err != nil || won {
		t.Errorf("b, ten minutes ahead: ClaimSummary = %v, %v; want the live claim kept", won, err)
	}

	slot := base
	until := time.Now().Add(time.Minute)
	if ok, _, err := a.ClaimBriefing(ctx, schedule.Briefing{GuildID: "g", ChannelID: "c", Slot: slot, Owner: "a", LeaseUntil: until}); err != nil || !ok {
		t.Fatalf("a: ClaimBriefing = %v, %v; want claimed", ok, err)
	}
	ok, existing, err := b.ClaimBriefing(ctx, schedule.Briefing{GuildID: "g", ChannelID: "c", Slot: slot, Owner: "b",
		ClaimedAt: time.Now().Add(skew), LeaseUntil: time.Now().Add(skew + time.Minute)})
	if err != nil || ok {
		t.Errorf("b, ten minutes ahead: ClaimBriefing = %v, %v; want a's live lease kept", ok, err)
	}
	if d := existing.LeaseUntil.Sub(until.Add(skew)); d < -time.Second || d > time.Second {
		t.Errorf("b reads a's lease as %v; want %v on its own clock", existing.LeaseUntil, until.Add(skew))
	}

	first, err := a.ReserveIdentify(ctx, 0, time.Now(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	next, err := b.ReserveIdentify(ctx, 0, time.Now().Add(skew), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if gap := next.Add(-skew).Sub(first); gap < 5*time.Second-time.Second || gap > 5*time.Second+time.Second {
		t.Errorf("b identifies %v after a (on one clock); want the 5 s spacing", gap)
	}
}
