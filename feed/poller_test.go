package feed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
)

// feedServer serves an RSS feed whose items the test sets, with an ETag
// per version, and an article page per item.
type feedServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	items   []string // item slugs, newest first
	version int
	hits    map[string]int
	body    string // when set, served as the feed instead
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{hits: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.hits["feed"]++
		etag := fmt.Sprintf(`"v%d"`, fs.version)
		if r.Header.Get("If-None-Match") == etag {
			fs.hits["304"]++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", etag)
		if fs.body != "" {
			io.WriteString(w, fs.body)
			return
		}
		io.WriteString(w, rssOf(fs.srv.URL, fs.items))
	})
	mux.HandleFunc("/site", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Site</body></html>`)
	})
	mux.HandleFunc("/a/{slug}", func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.hits["article"]++
		fs.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, articleHTML(r.PathValue("slug")))
	})
	fs.srv = httptest.NewServer(mux)
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *feedServer) set(items ...string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.items = items
	fs.version++
}

func rssOf(base string, items []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>`)
	for _, s := range items {
		title := strings.ReplaceAll(s, "-", " ")
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s/a/%s</link><guid>%s</guid></item>`, title, base, s, s)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func articleHTML(slug string) string {
	subject := strings.ReplaceAll(slug, "-", " ")
	var b strings.Builder
	fmt.Fprintf(&b, "<html><head><title>%s</title></head><body><article><h1>%s</h1>", subject, subject)
	for i := range 6 {
		fmt.Fprintf(&b, "<p>Officials agreed on %s in round %d after talks in the capital, said ministers who met on Tuesday evening to settle the matter of %s.</p>", subject, i+1, subject)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

type rig struct {
	db  *store.DB
	p   *Poller
	now time.Time
	fs  *feedServer
}

func newRig(t *testing.T, allowPrivate bool) *rig {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "feed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fetcher := fetch.New(fetch.Options{AllowPrivate: allowPrivate, Timeout: 5 * time.Second})
	svc, err := summarize.NewService(summarize.ServiceOptions{Store: db, Fetcher: fetcher, Extractor: extract.New(), Engine: extractive.New()})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{db: db, now: time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC), fs: newFeedServer(t)}
	r.p, err = New(Options{Fetcher: fetcher, Store: db, Summarizer: Unbudgeted{svc}, Shares: db, Now: func() time.Time { return r.now }, Jitter: func() float64 { return 0 }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) shared(t *testing.T, guild string) []string {
	t.Helper()
	got, err := r.db.SharedSummaries(context.Background(), guild, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, s := range got {
		urls = append(urls, s.Summary.URL[strings.LastIndex(s.Summary.URL, "/")+1:])
	}
	return urls
}

func TestFeedFollowsNewMatchingEntries(t *testing.T) {
	r := newRig(t, true)
	ctx := context.Background()
	r.fs.set("old-ceasefire-news")
	f, created, err := r.p.Add(ctx, "g1", "c1", r.fs.srv.URL+"/site", "ceasefire")
	if err != nil || !created || f.URL != r.fs.srv.URL+"/feed.xml" {
		t.Fatalf("Add(site page) = %+v, %v, %v; want the linked feed followed", f, created, err)
	}
	if _, _, err := r.p.Add(ctx, "g2", "c9", r.fs.srv.URL+"/feed.xml", ""); err != nil {
		t.Fatal(err)
	}
	if got := r.shared(t, "g1"); len(got) != 0 {
		t.Fatalf("after Add: shared %q; want nothing (the baseline is not summarized)", got)
	}

	// Not due yet: no request.
	before := r.fs.hits["feed"]
	if n, _ := r.p.PollDue(ctx); n != 0 || r.fs.hits["feed"] != before {
		t.Errorf("PollDue before the interval: %d entries, %d requests; want none", n, r.fs.hits["feed"]-before)
	}
	// Unchanged feed: 304, nothing new.
	r.now = r.now.Add(16 * time.Minute)
	if n, _ := r.p.PollDue(ctx); n != 0 || r.fs.hits["304"] != 2 {
		t.Errorf("PollDue of an unchanged feed: %d entries, %d 304s; want 0 and 2", n, r.fs.hits["304"])
	}
	r.fs.set("energy-ceasefire-holds", "football-results", "old-ceasefire-news")
	r.now = r.now.Add(16 * time.Minute)
	n, err := r.p.PollDue(ctx)
	if err != nil || n != 3 { // g1: 1 matching "ceasefire"; g2: 2 (no filter)
		t.Errorf("PollDue = %d, %v; want 3 (1 in g1, 2 in g2)", n, err)
	}
	if got := r.shared(t, "g1"); strings.Join(got, ",") != "energy-ceasefire-holds" {
		t.Errorf("g1 shared %q; want only the new matching entry", got)
	}
	if got := r.shared(t, "g2"); len(got) != 2 {
		t.Errorf("g2 shared %q; want both new entries", got)
	}
	if r.fs.hits["article"] != 2 {
		t.Errorf("articles fetched %d times; want 2 (one per article across servers)", r.fs.hits["article"])
	}
	hits, _ := r.db.SearchTopics(ctx, "g1", "energy ceasefire", 10)
	if len(hits) == 0 {
		t.Errorf("the feed's entry is not in g1's /topic search")
	}
	shares, _ := r.db.SharedSummaries(ctx, "g1", time.Time{}, time.Time{})
	if len(shares) != 1 || shares[0].Share.UserID != FeedUser(f.ID) {
		t.Errorf("g1 share = %+v; want one marked from feed %d", shares, f.ID)
	}
	// Polled again with the same entries: nothing more.
	r.now = r.now.Add(16 * time.Minute)
	r.fs.set("energy-ceasefire-holds", "football-results", "old-ceasefire-news")
	if n, _ := r.p.PollDue(ctx); n != 0 {
		t.Errorf("PollDue of the same entries = %d; want 0", n)
	}
	feeds, _ := r.db.Feeds(ctx, "g1")
	if len(feeds) != 1 || !strings.HasPrefix(feeds[0].Status, "ok") || feeds[0].Failures != 0 {
		t.Errorf("g1 feeds = %+v; want one, ok", feeds)
	}
}

func TestFeedHostileAndBounded(t *testing.T) {
	r := newRig(t, true)
	ctx := context.Background()
	r.fs.set("first")
	f, _, err := r.p.Add(ctx, "g1", "c1", r.fs.srv.URL+"/feed.xml", "")
	if err != nil {
		t.Fatal(err)
	}
	// 10,000 entries: at most MaxEntries looked at, MaxNewPerPoll taken.
	big := make([]string, 10000)
	for i := range big {
		big[i] = fmt.Sprintf("story-%05d", i)
	}
	r.fs.set(big...)
	r.now = r.now.Add(16 * time.Minute)
	if n, _ := r.p.PollDue(ctx); n != DefaultMaxNewPerPoll {
		t.Errorf("PollDue of 10,000 entries = %d; want %d", n, DefaultMaxNewPerPoll)
	}
	feeds, _ := r.db.Feeds(ctx, "g1")
	if !strings.Contains(feeds[0].Status, "more next time") {
		t.Errorf("status = %q; want more next time", feeds[0].Status)
	}
	var entries int
	for i := range big {
		if seen, _ := r.db.FeedEntrySeen(ctx, f.ID, big[i]); seen {
			entries++
		}
	}
	if entries != DefaultMaxNewPerPoll {
		t.Errorf("%d entries recorded; want %d (bounded)", entries, DefaultMaxNewPerPoll)
	}

	// Malformed: a clear status, backoff, no crash.
	r.fs.mu.Lock()
	r.fs.body = "<rss><channel><item><title>broken"
	r.fs.version++
	r.fs.mu.Unlock()
	r.now = r.now.Add(16 * time.Minute)
	r.p.PollDue(ctx)
	feeds, _ = r.db.Feeds(ctx, "g1")
	if !strings.Contains(feeds[0].Status, "not a readable feed") || feeds[0].Failures != 1 || feeds[0].Next.Sub(r.now) < 30*time.Minute {
		t.Errorf("after a malformed feed: %+v; want failing, backed off", feeds[0])
	}
	for range deadAfter {
		r.now = feeds[0].Next
		r.p.PollDue(ctx)
		feeds, _ = r.db.Feeds(ctx, "g1")
	}
	if !strings.HasPrefix(feeds[0].Status, "dead") || feeds[0].Next.Sub(r.now) > 25*time.Hour {
		t.Errorf("after %d failures: %+v; want dead, retried daily", deadAfter+1, feeds[0])
	}
}

func TestFeedRefusesPrivateAddresses(t *testing.T) {
	r := newRig(t, false) // the feed server is on loopback
	_, _, err := r.p.Add(context.Background(), "g1", "c1", r.fs.srv.URL+"/feed.xml", "")
	if Reason(err) != "refused: not a public address" {
		t.Errorf("Add(loopback feed) = %v (%q); want refused", err, Reason(err))
	}
	if r.fs.hits["feed"] != 0 {
		t.Errorf("the private feed was requested %d times", r.fs.hits["feed"])
	}
	if _, _, err := r.p.Add(context.Background(), "g1", "c1", "https://example.com/\x00", ""); err == nil {
		t.Errorf("Add(bad URL) = nil; want an error")
	}
}

// TestFeedPollsOwnedServersOnly: with shards, a process polls only the
// feeds of its servers.
func TestFeedPollsOwnedServersOnly(t *testing.T) {
	r := newRig(t, true)
	ctx := context.Background()
	r.fs.set("first")
	for _, g := range []string{"g1", "g2"} {
		if _, _, err := r.p.Add(ctx, g, "c", r.fs.srv.URL+"/feed.xml", ""); err != nil {
			t.Fatal(err)
		}
	}
	r.p.SetOwns(func(g string) bool { return g == "g2" })
	r.fs.set("second-story", "first")
	r.now = r.now.Add(16 * time.Minute)
	if n, _ := r.p.PollDue(ctx); n != 1 || len(r.shared(t, "g1")) != 0 || len(r.shared(t, "g2")) != 1 {
		t.Errorf("PollDue owning g2 = %d; g1 %q, g2 %q; want g2's entry only", n, r.shared(t, "g1"), r.shared(t, "g2"))
	}
}
