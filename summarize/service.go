package summarize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/singleflight"
)

// Store is the cache the Service reads and fills. *store.DB implements it.
type Store interface {
	// Summary returns the cached summary for k; ok is false when absent.
	Summary(ctx context.Context, k Key) (s *Summary, ok bool, err error)
	// SaveSummary stores s under s.Key(), replacing any previous entry.
	SaveSummary(ctx context.Context, s *Summary) error
	// Alias returns the canonical URL an alias points to; ok is false
	// when url is no known alias.
	Alias(ctx context.Context, url string) (canonical string, ok bool, err error)
	// SaveAlias records that alias names the same article as canonical.
	SaveAlias(ctx context.Context, alias, canonical string) error
}

// PageFetcher fetches a page. *Fetcher implements it.
type PageFetcher interface {
	// Fetch returns the page at rawURL decoded to UTF-8. Errors wrap
	// ErrBadURL, ErrBlockedHost, ErrTooLarge, ErrNotArticle,
	// ErrTooManyRedirects, *HTTPStatusError or a context error, and
	// say which link failed: the Service returns them as they are.
	Fetch(ctx context.Context, rawURL string) (*Page, error)
}

// ServiceOptions configures a Service.
type ServiceOptions struct {
	Store   Store
	Fetcher PageFetcher
	// Engine writes the summaries; Fallback (usually the extractive
	// engine) takes over, with a visible note, when Engine fails. Either
	// may be the same engine; Fallback may be nil.
	Engine   Engine
	Fallback Engine
	// Language is the default summary language ("" = the article's).
	Language string
	// FlightTimeout bounds one fetch-extract-summarize run, which outlives
	// the caller that started it so other waiters still get the result.
	FlightTimeout time.Duration
	// MaxExtract bounds how many flights fetch and extract at once
	// (default 2 × GOMAXPROCS). Extraction is CPU work: with no bound, a
	// burst of new links starts every extraction at once, they share the
	// cores, and the first document reaches the engine only when most are
	// done, leaving the model idle meanwhile. A flight waits for a slot
	// before fetching and gives it back before the engine runs.
	MaxExtract int
	Now        func() time.Time
	Logger     *slog.Logger
}

// Service is the summarizing pipeline behind every transport: it
// canonicalises the link, answers from the cache when it can, and
// otherwise runs one flight per URL (fetch, extract, summarize, ground,
// store) however many callers ask at once.
type Service struct {
	opts   ServiceOptions
	flight singleflight.Group
	// extractSlots holds a token for each fetch and extraction in
	// progress: at most opts.MaxExtract.
	extractSlots chan struct{}
}

// defaultFlightTimeout bounds a whole miss: fetch (20 s) plus an LLM run
// over several parts with retries.
const defaultFlightTimeout = 5 * time.Minute

// NewService returns a Service. Store, Fetcher and Engine are required.
func NewService(opts ServiceOptions) (*Service, error) {
	if opts.Store == nil || opts.Fetcher == nil || opts.Engine == nil {
		return nil, errors.New("summarize: NewService needs a store, a fetcher and an engine")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.FlightTimeout <= 0 {
		opts.FlightTimeout = defaultFlightTimeout
	}
	if opts.MaxExtract <= 0 {
		opts.MaxExtract = 2 * runtime.GOMAXPROCS(0)
	}
	return &Service{opts: opts, extractSlots: make(chan struct{}, opts.MaxExtract)}, nil
}

// Summarize returns the ledger of the article at req.URL, from the cache
// unless req.Fresh. Concurrent calls for one URL share one fetch and one
// engine run. Errors wrap the fetcher's sentinels (ErrBadURL,
// ErrBlockedHost, ErrNotArticle, …).
func (s *Service) Summarize(ctx context.Context, req Request) (*Summary, error) {
	canonical, err := Canonicalize(req.URL)
	if err != nil {
		return nil, err
	}
	if target, ok, err := s.opts.Store.Alias(ctx, canonical); err != nil {
		s.opts.Logger.Warn("alias_lookup_failed", slog.String("url", canonical), slog.Any("err", err))
	} else if ok {
		canonical = target
	}
	lang := req.Language
	if lang == "" {
		lang = s.opts.Language
	}
	key := s.key(s.opts.Engine, canonical, lang)
	if !req.Fresh {
		if sum, ok := s.cached(ctx, key); ok {
			return sum, nil
		}
	}
	flightKey := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%t", key.URL, key.Engine, key.Model, key.PromptVersion, req.Fresh)
	ch := s.flight.DoChan(flightKey, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.FlightTimeout)
		defer cancel()
		return s.run(fctx, canonical, lang, req.Fresh)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		sum := *r.Val.(*Summary)
		return &sum, nil
	}
}

// Extract fetches rawURL and returns its main text: what the engines see.
func (s *Service) Extract(ctx context.Context, rawURL string) (*Document, error) {
	canonical, err := Canonicalize(rawURL)
	if err != nil {
		return nil, err
	}
	_, doc, err := s.fetchExtract(ctx, canonical)
	return doc, err
}

// extractSlot waits, until ctx is done, for one of the MaxExtract slots
// for fetching and extracting a page, and returns the function that gives
// it back.
func (s *Service) extractSlot(ctx context.Context) (release func(), err error) {
	select {
	case s.extractSlots <- struct{}{}:
		return func() { <-s.extractSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetchExtract fetches and extracts the page at canonical within the
// MaxExtract bound.
func (s *Service) fetchExtract(ctx context.Context, canonical string) (*Page, *Document, error) {
	release, err := s.extractSlot(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("summarize: fetch %s: %w", canonical, err)
	}
	defer release()
	// Fetch and Extract name the step and the link in their errors
	// already: wrapping them again would say it twice.
	page, err := s.opts.Fetcher.Fetch(ctx, canonical)
	if err != nil {
		return nil, nil, err
	}
	doc, err := Extract(page.Body, page.URL, page.ContentType)
	if err != nil {
		return nil, nil, err
	}
	return page, doc, nil
}

// SummarizeDocument summarizes an already extracted document (a local
// file) without the cache.
func (s *Service) SummarizeDocument(ctx context.Context, doc *Document) (*Summary, error) {
	start := s.opts.Now()
	return s.summarizeDoc(ctx, doc, "", s.opts.Language, start)
}

func (s *Service) key(e Engine, canonical, lang string) Key {
	return Key{URL: canonical, Engine: e.Name(), Model: e.Model(), PromptVersion: promptVersion(e, lang)}
}

// promptVersion folds the summary language into the prompt version of
// engines that write in a chosen language, so each language is cached
// apart. The extractive engine quotes the article and has no language.
func promptVersion(e Engine, lang string) string {
	if lang == "" || e.Name() == engineExtractive {
		return e.PromptVersion()
	}
	return e.PromptVersion() + "+lang=" + lang
}

const engineExtractive = "extractive"

func (s *Service) cached(ctx context.Context, k Key) (*Summary, bool) {
	sum, ok, err := s.opts.Store.Summary(ctx, k)
	if err != nil {
		s.opts.Logger.Warn("cache_read_failed", slog.String("url", k.URL), slog.Any("err", err))
		return nil, false
	}
	if !ok {
		return nil, false
	}
	sum.Cached = true
	return sum, true
}

// run is one flight: fetch, extract, summarize, ground, store.
func (s *Service) run(ctx context.Context, canonical, lang string, fresh bool) (*Summary, error) {
	start := s.opts.Now()
	page, doc, err := s.fetchExtract(ctx, canonical)
	if err != nil {
		return nil, err
	}
	// The same article may be known under its final or canonical URL:
	// answer from that entry rather than paying for a second engine run,
	// and point this link at it.
	aliases := s.aliases(canonical, page.URL, doc.Canonical)
	if !fresh {
		for _, other := range aliases {
			if sum, ok := s.cached(ctx, s.key(s.opts.Engine, other, lang)); ok {
				s.saveAlias(ctx, canonical, other)
				return sum, nil
			}
		}
	}
	for _, alias := range aliases {
		s.saveAlias(ctx, alias, canonical)
	}
	return s.summarizeDoc(ctx, doc, canonical, lang, start)
}

// saveAlias records an alias; a failure only costs a later cache miss.
func (s *Service) saveAlias(ctx context.Context, alias, canonical string) {
	if err := s.opts.Store.SaveAlias(ctx, alias, canonical); err != nil {
		s.opts.Logger.Warn("alias_save_failed", slog.String("url", alias), slog.Any("err", err))
	}
}

// aliases returns the other canonical forms the article is known by.
func (s *Service) aliases(canonical string, others ...string) []string {
	var out []string
	for _, o := range others {
		if o == "" {
			continue
		}
		c, err := Canonicalize(o)
		if err != nil || c == canonical || slices.Contains(out, c) || !plausibleAlias(canonical, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// plausibleAlias refuses a canonical link that points at a site's front
// page when the article itself is deeper: some sites declare their home
// page as every article's canonical URL.
func plausibleAlias(article, alias string) bool {
	a, err1 := url.Parse(article)
	b, err2 := url.Parse(alias)
	if err1 != nil || err2 != nil {
		return false
	}
	return !(isRootPath(b.Path) && !isRootPath(a.Path))
}

func isRootPath(p string) bool { return p == "" || p == "/" }

func (s *Service) summarizeDoc(ctx context.Context, doc *Document, canonical, lang string, start time.Time) (*Summary, error) {
	engine := s.opts.Engine
	var notes []string
	if lang != doc.TargetLanguage {
		d := *doc
		d.TargetLanguage = lang
		doc = &d
	}
	res, err := engine.Summarize(ctx, doc)
	if err != nil {
		if s.opts.Fallback == nil || s.opts.Fallback == engine {
			return nil, fmt.Errorf("summarize: %s engine: %w", engine.Name(), err)
		}
		s.opts.Logger.Warn("engine_failed_fallback", slog.String("url", canonical), slog.String("engine", engine.Name()), slog.Any("err", err))
		engine = s.opts.Fallback
		notes = append(notes, "The language model was unavailable, so this is the offline summary.")
		if res, err = engine.Summarize(ctx, doc); err != nil {
			return nil, fmt.Errorf("summarize: %s engine: %w", engine.Name(), err)
		}
	}
	Ground(res.Topics, doc.Text)
	for i := range res.Topics {
		if res.Topics[i].Key == "" {
			res.Topics[i].Key = TopicKey(res.Topics[i].Name)
		}
	}
	switch doc.Quality {
	case QualityTeaser:
		notes = append(notes, "Only a teaser of this article was readable (paywall or consent wall); the summary covers that part only.")
	case QualityPartial:
		notes = append(notes, "Only part of this article was readable.")
	}
	notes = append(notes, res.Notes...)
	sum := &Summary{
		URL:           canonical,
		FinalURL:      doc.URL,
		Title:         doc.Title,
		Site:          doc.Site,
		Language:      doc.Language,
		Published:     doc.Published,
		Quality:       doc.Quality,
		WordCount:     doc.WordCount,
		TextHash:      textHash(doc.Text),
		Engine:        engine.Name(),
		Model:         engine.Model(),
		PromptVersion: promptVersion(engine, lang),
		Topics:        res.Topics,
		Notes:         notes,
		Usage:         res.Usage,
		CreatedAt:     s.opts.Now().UTC(),
	}
	sum.Elapsed = s.opts.Now().Sub(start)
	if canonical == "" {
		sum.URL = doc.URL
		return sum, nil // a local file: nothing to cache it under
	}
	if err := s.opts.Store.SaveSummary(ctx, sum); err != nil {
		// The reader still gets the summary; the next request retries.
		s.opts.Logger.Error("summary_save_failed", slog.String("url", canonical), slog.Any("err", err))
		sum.SaveErr = err
	}
	return sum, nil
}

func textHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:16])
}
