package extract

import (
	"bytes"
	"net/url"
	"slices"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"briefbot/summarize/corpustest"
)

// BenchmarkExtract times main-text extraction over the whole corpus: ours
// (Extract), go-trafilatura alone and readeck's readability alone, each
// from the page's bytes (parse included), so the ratio between them is
// visible in one run:
//
//	go test -run '^$' -bench Extract ./summarize/extract/
//
// One op is one pass over every page; p50-ms/page is the median time of a
// page and ms/page the mean. ours-vs-trafilatura times the two alternately
// page by page and reports the ratio of their medians (target: at most
// 1.5).
func BenchmarkExtract(b *testing.B) {
	pages := corpustest.Load(b, false)
	bases := make([]*url.URL, len(pages))
	for i, pg := range pages {
		u, err := url.Parse(pg.URL)
		if err != nil {
			b.Fatalf("corpus url %q: %v", pg.URL, err)
		}
		bases[i] = u
	}
	extractors := []struct {
		name string
		run  func(i int) error
	}{
		{"ours", func(i int) error {
			_, err := Document(pages[i].HTML, pages[i].URL, "text/html; charset=utf-8")
			return err
		}},
		{"trafilatura", func(i int) error {
			root, err := html.Parse(bytes.NewReader(pages[i].HTML))
			if err != nil {
				return err
			}
			_, err = trafilatura.ExtractDocument(root, trafilaturaOptions(bases[i]))
			return err
		}},
		{"readeck", func(i int) error {
			root, err := html.Parse(bytes.NewReader(pages[i].HTML))
			if err != nil {
				return err
			}
			parser := readability.NewParser()
			_, err = parser.ParseAndMutate(root, bases[i])
			return err
		}},
	}
	for _, ex := range extractors {
		b.Run(ex.name, func(b *testing.B) {
			times := make([]time.Duration, 0, len(pages))
			var total time.Duration
			b.ReportAllocs()
			for b.Loop() {
				for i := range pages {
					start := time.Now()
					// Errors are part of the workload: a page one
					// extractor finds nothing on still costs its time.
					_ = ex.run(i)
					d := time.Since(start)
					times = append(times, d)
					total += d
				}
			}
			b.ReportMetric(medianMillis(times), "p50-ms/page")
			b.ReportMetric(float64(total)/float64(len(times))/float64(time.Millisecond), "ms/page")
		})
	}
	// On a shared machine the load changes between sub-benchmarks; timing
	// ours and go-trafilatura page by page, alternately, gives a ratio
	// that load affects less.
	b.Run("ours-vs-trafilatura", func(b *testing.B) {
		var ours, traf []time.Duration
		for b.Loop() {
			for i := range pages {
				start := time.Now()
				_ = extractors[0].run(i)
				ours = append(ours, time.Since(start))
				start = time.Now()
				_ = extractors[1].run(i)
				traf = append(traf, time.Since(start))
			}
		}
		o, t := medianMillis(ours), medianMillis(traf)
		b.ReportMetric(o, "p50-ms/page-ours")
		b.ReportMetric(t, "p50-ms/page-trafilatura")
		b.ReportMetric(o/t, "p50-ratio")
	})
}

// medianMillis returns the median of times in milliseconds, sorting times.
func medianMillis(times []time.Duration) float64 {
	slices.Sort(times)
	return float64(times[len(times)/2]) / float64(time.Millisecond)
}
