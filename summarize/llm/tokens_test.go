package llm

// Token cost of the LLM engine's prompts over the corpus. The figures in
// BENCHMARKS.md come from:
//
//	go test ./summarize/llm/ -run 'TestTokenOverhead' -count 1 -v
//
// Tokens are EstimateTokens units (its comment documents the method: an
// o200k-like rule of thumb, erring high), for the article and for the
// whole request alike, so the overhead is what the prompt, the article's
// framing (title, site, URL, delimiters, part numbers), the chat framing
// and the JSON schema add.

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"briefbot/summarize"
	"briefbot/summarize/corpustest"
	"briefbot/summarize/extract"
)

// evalDoc is one corpus page as the engines see it.
type evalDoc struct {
	page corpustest.Page
	doc  *summarize.Document
}

var (
	evalDocsMu   sync.Mutex
	evalDocsMemo = map[bool][]evalDoc{}
)

// evalCorpusDocs extracts every corpus page once per test binary (every
// fourth page with short), skipping t when the corpus is absent. Pages
// that do not extract are left out and logged.
func evalCorpusDocs(t *testing.T, short bool) []evalDoc {
	t.Helper()
	evalDocsMu.Lock()
	defer evalDocsMu.Unlock()
	if docs, ok := evalDocsMemo[short]; ok {
		return docs
	}
	pages := corpustest.Load(t, short)
	docs := make([]evalDoc, 0, len(pages))
	for _, pg := range pages {
		doc, err := extract.Document(pg.HTML, pg.URL, "text/html; charset=utf-8")
		if err != nil {
			t.Logf("Extract(%s) error: %v (left out)", pg.ID, err)
			continue
		}
		docs = append(docs, evalDoc{page: pg, doc: doc})
	}
	evalDocsMemo[short] = docs
	return docs
}

// tokStats summarises a list of numbers.
type tokStats struct {
	n              int
	mean, med, max float64
}

func statsOf(xs []float64) tokStats {
	if len(xs) == 0 {
		return tokStats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return tokStats{n: len(s), mean: sum / float64(len(s)), med: med, max: s[len(s)-1]}
}

// tokLongDocument is a synthetic article of about words words in sections
// of 120 words, longer than one part at the default budget when words is
// large enough.
func tokLongDocument(words int) *summarize.Document {
	var blocks []summarize.Block
	var text []string
	n := 0
	for sec := 1; n < words; sec++ {
		h := summarize.Block{Heading: true, Level: 2, Text: fmt.Sprintf("Section %d of the framework", sec)}
		blocks = append(blocks, h)
		text = append(text, h.Text)
		for p := 1; p <= 3 && n < words; p++ {
			para := fmt.Sprintf("In section %d, paragraph %d, the delegations agreed to keep talking about item %d. ", sec, p, sec*10+p) +
				strings.Repeat("Both sides compared notes on the open questions and declined to say more before the next round. ", 2)
			blocks = append(blocks, summarize.Block{Text: para})
			text = append(text, para)
			n += len(strings.Fields(para))
		}
	}
	return &summarize.Document{
		URL: "https://news.example/long-framework", Title: "The framework, clause by clause", Site: "News Example",
		Language: "en", Quality: summarize.QualityFull, Blocks: blocks, Text: strings.Join(text, "\n\n"), WordCount: n,
	}
}

// TestTokenOverhead estimates, for each corpus page, the prompt tokens the
// LLM engine would send against the article's own tokens, and prints the
// overhead with -v. Targets (reported, not enforced): at most 700 tokens
// over the article; an article in several parts at most 1.2× its own
// tokens. It fails only when the estimate is inconsistent: a request
// smaller than the article it carries, or no part at all.
func TestTokenOverhead(t *testing.T) {
	docs := evalCorpusDocs(t, testing.Short())
	newEngine := func(chunk int) *Engine {
		e, err := New(Options{BaseURL: "http://127.0.0.1:9/v1", Model: DefaultModel, ChunkTokens: chunk})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// estimate checks one request and returns its overhead and ratio.
	estimate := func(e *Engine, name string, doc *summarize.Document) (Estimate, bool) {
		est, err := e.EstimateRequest(doc)
		if err != nil {
			t.Errorf("EstimateRequest(%s) error: %v", name, err)
			return est, false
		}
		if est.Parts < 1 || est.ArticleTokens <= 0 || est.PromptTokens <= est.ArticleTokens {
			t.Errorf("EstimateRequest(%s) = %+v; want at least one part and more prompt tokens than article tokens", name, est)
			return est, false
		}
		return est, true
	}

	for _, chunk := range []int{DefaultChunkTokens, 2000} {
		t.Run(fmt.Sprintf("chunk=%d", chunk), func(t *testing.T) {
			e := newEngine(chunk)
			var single, multiRatio, articleTok []float64
			var multiNames []string
			for _, d := range docs {
				if strings.TrimSpace(d.doc.Text) == "" {
					continue
				}
				est, ok := estimate(e, d.page.ID, d.doc)
				if !ok {
					continue
				}
				articleTok = append(articleTok, float64(est.ArticleTokens))
				if est.Parts == 1 {
					single = append(single, float64(est.PromptTokens-est.ArticleTokens))
					continue
				}
				r := float64(est.PromptTokens) / float64(est.ArticleTokens)
				multiRatio = append(multiRatio, r)
				multiNames = append(multiNames, fmt.Sprintf("%s: %d parts, %d article tokens, %d sent (%.3f×)",
					d.page.URL, est.Parts, est.ArticleTokens, est.PromptTokens, r))
			}
			a, o, m := statsOf(articleTok), statsOf(single), statsOf(multiRatio)
			t.Logf("%d pages; article tokens mean %.0f, median %.0f, max %.0f", a.n, a.mean, a.med, a.max)
			t.Logf("one-part pages (%d): overhead mean %.0f, median %.0f, max %.0f tokens (target ≤ 700): %s",
				o.n, o.mean, o.med, o.max, verdict(o.n > 0 && o.max <= 700))
			if m.n == 0 {
				t.Logf("no page needs more than one part at %d tokens a part", chunk)
				return
			}
			target := "target ≤ 1.2×: " + verdict(m.max <= 1.2)
			if chunk != DefaultChunkTokens {
				target = fmt.Sprintf("not a target: each part carries the fixed overhead over only %d article tokens", chunk)
			}
			t.Logf("multi-part pages (%d): total/article mean %.3f×, median %.3f×, max %.3f× (%s)",
				m.n, m.mean, m.med, m.max, target)
			for i, s := range multiNames {
				if i == 5 {
					t.Logf("  … and %d more", len(multiNames)-5)
					break
				}
				t.Logf("  %s", s)
			}
		})
	}

	t.Run("synthetic", func(t *testing.T) {
		e := newEngine(0)
		for _, words := range []int{3000, 12000, 40000} {
			name := fmt.Sprintf("synthetic %d words", words)
			est, ok := estimate(e, name, tokLongDocument(words))
			if !ok {
				continue
			}
			r := float64(est.PromptTokens) / float64(est.ArticleTokens)
			t.Logf("%s: %d part(s), %d article tokens, %d sent, overhead %d (%.3f×; target ≤ 700 for one part, ≤ 1.2× for several): %s",
				name, est.Parts, est.ArticleTokens, est.PromptTokens, est.PromptTokens-est.ArticleTokens, r,
				verdict((est.Parts == 1 && est.PromptTokens-est.ArticleTokens <= 700) || (est.Parts > 1 && r <= 1.2)))
		}
	})
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "NOT met"
}
