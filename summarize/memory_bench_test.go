package summarize_test

// The memory figures of BENCHMARKS.md ("Memory under big pages"): peak
// resident memory of the Service while users paste links to pages of
// about 10 MB. Linux only (it reads /proc/self/status).

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
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

// memoryLoad is a burst of links pasted at once: users × messages × links.
type memoryLoad struct {
	name                   string
	users, messages, links int
}

// memoryLoads are the two loads of issue 8: one user pasting 5 messages of
// 3 links, and 8 users pasting a message of 3 links each, every link a
// different big page, all at once.
var memoryLoads = []memoryLoad{
	{name: "one_user_5x3", users: 1, messages: 5, links: 3},
	{name: "eight_users_8x3", users: 8, messages: 1, links: 3},
}

// memoryPageKinds are the pages the loads cycle through, by link number.
// Each is generated as it is sent, so the server holds none of them.
var memoryPageKinds = []struct {
	name string
	size int // bytes, about
}{
	// bloated: a short article in a page of 10 MB, nearly all of it
	// inline scripts (framework state, ad code): readable.
	{"bloated", 10 << 20},
	// paragraph: one paragraph of 10 MB, no article.
	{"paragraph", 10 << 20},
	// long: 10 MB of article-like paragraphs (60,000 of them).
	{"long", 10 << 20},
	// table: 2 MB of table cells (200,000 elements).
	{"table", 2 << 20},
	// longread: a long but real article, 300 KB of text in 2,000
	// paragraphs and 80 sections: readable.
	{"longread", 400 << 10},
}

// writeMemoryPage writes page n of kind to w in pieces.
func writeMemoryPage(w io.Writer, kind string, size, n int) {
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	written := 0
	put := func(s string) {
		written += len(s)
		bw.WriteString(s)
	}
	put(fmt.Sprintf("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page %d: talks resume</title>"+
		"<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\"Page %d: talks resume\"}</script>"+
		"<style>body{font-family:serif}</style></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>Page %d: talks resume</h1>\n", n, n, n))
	sentence := func(i int) string {
		return fmt.Sprintf("Negotiators in round %d agreed to meet again on day %d, officials said, while the question of the border remained open and both sides accused each other of delays. ", n, i)
	}
	switch kind {
	case "bloated":
		for i := range 12 {
			if i%4 == 0 {
				put(fmt.Sprintf("<h2>Section %d</h2>\n", i/4+1))
			}
			put("<p>" + sentence(i) + sentence(i+100) + "</p>\n")
		}
		put("</article>\n")
		chunk := strings.Repeat(`{"id":12345,"slot":"ad-top","props":{"a":[1,2,3],"b":"xyz"}},`, 1000)
		for written < size {
			put("<script>window.__STATE__.push([" + chunk + "]);</script>\n")
		}
	case "paragraph":
		put("<p>")
		s := sentence(0)
		for written < size {
			put(s)
		}
		put("</p></article>")
	case "long", "longread":
		for i := 0; written < size; i++ {
			if i%25 == 0 {
				put(fmt.Sprintf("<h2>Section %d</h2>\n", i/25+1))
			}
			put("<p>" + sentence(i) + "</p>\n")
		}
		put("</article>")
	case "table":
		put("<p>" + sentence(0) + "</p><table>")
		for i := 0; written < size; i++ {
			put(fmt.Sprintf("<tr><td>%d</td><td>%d</td><td>%d</td></tr>", i, i+1, i+2))
		}
		put("</table></article>")
	}
	put("<footer>© Bench News</footer></body></html>\n")
}

// newMemoryPageServer serves /<kind>/<n> pages.
func newMemoryPageServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) != 3 {
			http.NotFound(w, r)
			return
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			http.NotFound(w, r)
			return
		}
		for _, k := range memoryPageKinds {
			if k.name == parts[1] {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				writeMemoryPage(w, k.name, k.size, n)
				return
			}
		}
		http.NotFound(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// BenchmarkMemoryLoad runs each load in a child process (this test binary
// running TestMemoryChild) against a page server in this one, and reports
// the child's peak resident memory (VmHWM) and its resident memory before
// the load (start), in MiB, its wall time, and how many links were read,
// refused as too large or failed otherwise:
//
//	go test ./summarize/ -run '^$' -bench '^BenchmarkMemoryLoad$' -benchtime 1x -count 3
func BenchmarkMemoryLoad(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc/self/status (Linux)")
	}
	srv := newMemoryPageServer(b)
	for _, load := range memoryLoads {
		b.Run(load.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryChild$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), "BRIEFBOT_MEMORY_LOAD="+load.name, "BRIEFBOT_MEMORY_SERVER="+srv.URL)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				if testing.Verbose() {
					b.Logf("child output:\n%s", out)
				}
				var res memoryResult
				if err := res.parse(string(out)); err != nil {
					b.Fatalf("child output: %v\n%s", err, out)
				}
				b.ReportMetric(float64(res.peakKiB)/1024, "peak-MiB")
				b.ReportMetric(float64(res.startKiB)/1024, "start-MiB")
				b.ReportMetric(res.seconds, "s/load")
				b.ReportMetric(float64(res.ok), "read")
				b.ReportMetric(float64(res.tooLarge), "too-large")
				b.ReportMetric(float64(res.failed), "failed")
			}
		})
	}
}

// memoryResult is the child's report line.
type memoryResult struct {
	startKiB, peakKiB, rssKiB, ok, tooLarge, failed int
	seconds                                         float64
}

const memoryResultFormat = "memory_result start_kib=%d peak_kib=%d rss_kib=%d ok=%d too_large=%d failed=%d seconds=%g"

func (r *memoryResult) parse(out string) error {
	i := strings.Index(out, "memory_result ")
	if i < 0 {
		return errors.New("no memory_result line")
	}
	line, _, _ := strings.Cut(out[i:], "\n")
	_, err := fmt.Sscanf(line, memoryResultFormat, &r.startKiB, &r.peakKiB, &r.rssKiB, &r.ok, &r.tooLarge, &r.failed, &r.seconds)
	return err
}

// TestMemoryChild is BenchmarkMemoryLoad's child: it runs one load
// through the Service wired as main.go wires it (SQLite store, SSRF-safe
// fetcher, offline engine) and prints a memory_result line. It is skipped
// unless BRIEFBOT_MEMORY_LOAD names a load.
func TestMemoryChild(t *testing.T) {
	name := os.Getenv("BRIEFBOT_MEMORY_LOAD")
	if name == "" {
		t.Skip("run by BenchmarkMemoryLoad")
	}
	var load memoryLoad
	for _, l := range memoryLoads {
		if l.name == name {
			load = l
		}
	}
	if load.name == "" {
		t.Fatalf("no load %q", name)
	}
	base := os.Getenv("BRIEFBOT_MEMORY_SERVER")
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res memoryResult
	offline := extractive.New()
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     db,
		Fetcher:   fetch.New(fetch.Options{AllowPrivate: true}),
		Extractor: extract.New(),
		Engine:    offline,
		Fallback:  offline,
	})
	if err != nil {
		t.Fatal(err)
	}
	// As main does after start-up: give back the start-up garbage, and
	// set the soft memory limit (defaultMemoryLimit in main.go) unless
	// GOMEMLIMIT sets one.
	debug.FreeOSMemory()
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(320 << 20)
	}
	res.startKiB = procStatusKiB(t, "VmRSS")

	var mu sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	link := 0
	for u := range load.users {
		for m := range load.messages {
			for range load.links {
				kind := memoryPageKinds[link%len(memoryPageKinds)].name
				url := fmt.Sprintf("%s/u%dm%d/%s/%d", base, u, m, kind, link)
				link++
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := svc.Summarize(ctx, summarize.Request{URL: url})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						res.ok++
					case errors.Is(err, summarize.ErrTooLarge):
						res.tooLarge++
					default:
						res.failed++
						t.Logf("%s: %v", url, err)
					}
				}()
			}
		}
	}
	wg.Wait()
	res.seconds = time.Since(start).Seconds()
	res.peakKiB = procStatusKiB(t, "VmHWM")
	res.rssKiB = procStatusKiB(t, "VmRSS")
	fmt.Printf(memoryResultFormat+"\n", res.startKiB, res.peakKiB, res.rssKiB, res.ok, res.tooLarge, res.failed, res.seconds)
}

// procStatusKiB reads a "Vm…: N kB" figure of this process.
func procStatusKiB(t *testing.T, field string) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
