package summarize

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"
)

// Store is the cache the Service reads and fills. *store.DB implements it.
type Store interface {
	// Summary returns the cached summary for k; ok is false when absent.
	Summary(ctx context.Context, k Key) (s *Summary, ok bool, err error)
	// SaveSummary stores s under s.Key(), replacing any previous entry.
	SaveSummary(ctx context.Context, s *Summary) error
	// Alias returns what briefbot learned about url the last time it read
	// it; ok is false when url answers from its own entry.
	Alias(ctx context.Context, url string) (a Alias, ok bool, err error)
	// SaveAlias records a for url, replacing what was recorded; an alias
	// whose Target is url itself removes the record.
	SaveAlias(ctx context.Context, url string, a Alias) error
}

// Alias says which cache entry answers for a link, learned by reading the
// link itself: never from what another page says about it. A page's own
// canonical link or og:url is only a hint, followed when the text behind
// it is the text the link served.
type Alias struct {
	// Target is the canonical URL whose cache entry answers for the link.
	Target string
	// TextHash is empty when the link redirected to Target as briefbot
	// followed it. Otherwise the link served the text with this hash,
	// the same as Target's entry then had; the alias holds only while
	// Target's entry still has it.
	TextHash string
}

// Claims coordinates Services in several processes that share one Store,
// so that each summary is made once, not once per process: a Service
// claims a cache key before it runs the engine for it, and a Service that
// finds the key claimed by another waits for that one's summary instead.
// *store.DB implements it. A claim is a lease, never a lock held across
// the engine run: its owner renews it while the run lasts, and a claim
// whose owner crashed runs out and is taken over.
type Claims interface {
	// ClaimSummary claims k for owner until now+lease and reports whether
	// owner holds it: true unless another owner's lease still runs.
	ClaimSummary(ctx context.Context, k Key, owner string, now time.Time, lease time.Duration) (bool, error)
	// RenewSummaryClaim extends owner's claim to until; false when owner
	// lost it (taken over after its lease ran out).
	RenewSummaryClaim(ctx context.Context, k Key, owner string, until time.Time) (bool, error)
	// ReleaseSummaryClaim removes owner's claim of k, if it holds it.
	ReleaseSummaryClaim(ctx context.Context, k Key, owner string) error
}

// Fetcher reads links for the Service. *fetch.Fetcher implements it.
type Fetcher interface {
	// Canonicalize returns the canonical form of a link as a user
	// pasted it: the key its summary is cached under. Errors wrap
	// ErrBadURL.
	Canonicalize(rawURL string) (string, error)
	// Fetch returns the page at rawURL decoded to UTF-8. Errors wrap
	// ErrBadURL, ErrBlockedHost, ErrTooLarge, ErrNotArticle,
	// ErrTooManyRedirects, *HTTPStatusError or a context error, and
	// say which link failed: the Service returns them as they are.
	Fetch(ctx context.Context, rawURL string) (*Page, error)
}

// Memory is one flight's share of the Service's memory budget, which a
// MeteredFetcher counts the body it reads against.
type Memory interface {
	// Grow adds n bytes, waiting until the budget has them or ctx is
	// done; then it returns ctx's error and holds what it held.
	Grow(ctx context.Context, n int64) error
	// Release gives back n bytes (all it holds at most).
	Release(n int64)
}

// MeteredFetcher is a Fetcher that counts a body against a flight's
// Memory as it reads it, before each part is read. *fetch.Fetcher
// implements it; with another Fetcher only extraction is counted.
type MeteredFetcher interface {
	// FetchMetered is Fetch counting the body against mem.
	FetchMetered(ctx context.Context, rawURL string, mem Memory) (*Page, error)
}

// Extractor finds the main text of fetched pages. *extract.Extractor
// implements it.
type Extractor interface {
	// Prepare checks page's kind and size and readies it for
	// extraction, taking page.Body. Errors wrap ErrNotArticle
	// (*NotArticleError) or ErrTooLarge (*TooLargeError) and name the
	// page: the Service returns them as they are.
	Prepare(page *Page) (Extraction, error)
}

// Extraction is a page ready to extract.
type Extraction interface {
	// Cost is the memory the extraction holds at its peak, in bytes:
	// the prepared page and the extractor's working memory.
	Cost() int64
	// Extract returns the page's main text: what the engines see.
	// Errors wrap ErrNotArticle and name the page.
	Extract() (*Document, error)
}

// ServiceOptions configures a Service.
type ServiceOptions struct {
	Store     Store
	Fetcher   Fetcher
	Extractor Extractor
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
	// MemoryBudget bounds the memory that pages take while they are
	// fetched and extracted, all flights together, in bytes (default
	// defaultMemoryBudget): a body counts as it is read, then a page's
	// estimated extraction cost. A flight waits for its share; one page
	// larger than the whole budget is read alone. With a Fetcher that is
	// not a MeteredFetcher only extraction is counted.
	MemoryBudget int64
	// Claims makes each summary once across processes sharing the
	// Store; nil uses the Store when it implements Claims (one process
	// alone then pays one small write per new summary).
	Claims Claims
	// ClaimOwner names this Service in its claims (default: random);
	// ClaimLease is how long a claim holds without renewal (default
	// defaultClaimLease): how long others wait for a crashed owner.
	ClaimOwner string
	ClaimLease time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	// Metrics counts cache hits, fetch failures and summaries; nil
	// counts nothing.
	Metrics Metrics
}

// Service is the summarizing pipeline behind every transport: it
// canonicalises the link, answers from the cache when it can, and
// otherwise runs one flight per URL (fetch, extract, summarize, ground,
// store) however many callers ask at once.
type Service struct {
	opts ServiceOptions
	// flight runs one fetch per link; articles one engine run per article
	// (links that redirect to one article share it).
	flight, articles singleflight.Group
	// extractSlots holds a token for each fetch and extraction in
	// progress: at most opts.MaxExtract.
	extractSlots chan struct{}
	// memory is shared by the fetches and extractions in progress.
	memory *budget
}

// defaultFlightTimeout bounds a whole miss: fetch (20 s) plus an LLM run
// over several parts with retries.
const defaultFlightTimeout = 5 * time.Minute

// defaultMemoryBudget keeps the process under 400 MB resident with bursts
// of big pages (BENCHMARKS.md, "Memory under big pages"): the runtime
// lets the heap grow to about twice what is live, on top of ~60 MB at
// rest, and one flight may go over the budget when nothing else runs.
const defaultMemoryBudget = 96 << 20

// NewService returns a Service. Store, Fetcher, Extractor and Engine are
// required.
func NewService(opts ServiceOptions) (*Service, error) {
	if opts.Store == nil || opts.Fetcher == nil || opts.Extractor == nil || opts.Engine == nil {
		return nil, errors.New("summarize: NewService needs a store, a fetcher, an extractor and an engine")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = noMetrics{}
	}
	if opts.FlightTimeout <= 0 {
		opts.FlightTimeout = defaultFlightTimeout
	}
	if opts.MaxExtract <= 0 {
		opts.MaxExtract = 2 * runtime.GOMAXPROCS(0)
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = defaultMemoryBudget
	}
	if opts.Claims == nil {
		opts.Claims, _ = opts.Store.(Claims)
	}
	if opts.ClaimOwner == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		opts.ClaimOwner = hex.EncodeToString(b[:])
	}
	if opts.ClaimLease <= 0 {
		opts.ClaimLease = defaultClaimLease
	}
	return &Service{
		opts:         opts,
		extractSlots: make(chan struct{}, opts.MaxExtract),
		memory:       newBudget(opts.MemoryBudget),
	}, nil
}

// Summarize returns the ledger of the article at req.URL, from the cache
// unless req.Fresh. Concurrent calls for one URL share one fetch and one
// engine run. Errors wrap the fetcher's sentinels (ErrBadURL,
// ErrBlockedHost, ErrNotArticle, …).
//
// A link's summary comes only from what was read at that link, following
// the redirects the fetcher saw: from the entry of the article a redirect
// led to, from an entry whose text is the text the link served, or from
// the link's own entry. What a page says about itself (canonical link,
// og:url) never decides what another URL shows, and Fresh always reads
// the link itself again.
func (s *Service) Summarize(ctx context.Context, req Request) (*Summary, error) {
	link, err := s.opts.Fetcher.Canonicalize(req.URL)
	if err != nil {
		return nil, err
	}
	lang := req.Language
	if lang == "" {
		lang = s.opts.Language
	}
	if !req.Fresh {
		if sum, ok := s.lookup(ctx, link, lang); ok {
			s.opts.Metrics.CacheHit()
			return withLanguageNote(sum, lang), nil
		}
	}
	ch := s.flight.DoChan(flightKey(s.key(s.opts.Engine, link, lang), req.Fresh), func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.FlightTimeout)
		defer cancel()
		sum, err := s.run(fctx, link, lang, req.Fresh)
		if err != nil {
			return nil, err
		}
		return &chargeOnce{sum: sum}, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		sum := r.Val.(*chargeOnce).take()
		if sum.Cached {
			// Found by the flight: after another flight landed, or
			// under the article a redirect or the same text led to.
			s.opts.Metrics.CacheHit()
		}
		return withLanguageNote(sum, lang), nil
	}
}

func flightKey(k Key, fresh bool) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%t", k.URL, k.Engine, k.Model, k.PromptVersion, fresh)
}

// withLanguageNote adds one note to sum when the reader asked for a
// summary language (lang) that its engine cannot write: the offline engine
// quotes the article in the article's own language. The note is added on
// the way out, never stored, since the same cached summary serves every
// language.
func withLanguageNote(sum *Summary, lang string) *Summary {
	if lang == "" || lang == "auto" || sum.Engine != engineExtractive || strings.EqualFold(lang, sum.Language) {
		return sum
	}
	note := fmt.Sprintf("Summaries in %q need a language model; without one, this summary quotes the article in its own language.", lang)
	if slices.Contains(sum.Notes, note) {
		return sum
	}
	sum.Notes = append(slices.Clip(sum.Notes), note)
	return sum
}

// Extract fetches rawURL and returns its main text: what the engines see.
func (s *Service) Extract(ctx context.Context, rawURL string) (*Document, error) {
	canonical, err := s.opts.Fetcher.Canonicalize(rawURL)
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
// MaxExtract and MemoryBudget bounds. The page it returns has no body.
func (s *Service) fetchExtract(ctx context.Context, canonical string) (*Page, *Document, error) {
	release, err := s.extractSlot(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("summarize: fetch %s: %w", canonical, err)
	}
	defer release()
	acct := s.memory.open()
	defer acct.close()
	// Fetch and Extract name the step and the link in their errors
	// already: wrapping them again would say it twice.
	var page *Page
	if f, ok := s.opts.Fetcher.(MeteredFetcher); ok {
		page, err = f.FetchMetered(ctx, canonical, acct)
	} else {
		page, err = s.opts.Fetcher.Fetch(ctx, canonical)
	}
	if err != nil {
		s.opts.Metrics.FetchFailed(FailureReason(err))
		return nil, nil, err
	}
	body := page.Body
	page.Body = nil
	// Preparing may take the body's size again: the tokenizer buffers
	// the longest token (a 10 MB paragraph is one), and the stripped copy.
	if err := acct.grow(ctx, int64(len(body))); err != nil {
		return nil, nil, fmt.Errorf("summarize: extract %s: %w", canonical, err)
	}
	p, err := s.opts.Extractor.Prepare(&Page{URL: page.URL, ContentType: page.ContentType, Body: body})
	if err != nil {
		s.opts.Metrics.FetchFailed(FailureReason(err))
		return nil, nil, err
	}
	// From here the flight holds the prepared markup (a copy when
	// something was stripped, and then the body is garbage) and the
	// extraction's working memory.
	need := p.Cost()
	if held := acct.held; need > held {
		err = acct.grow(ctx, need-held)
	} else {
		acct.release(held - need)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("summarize: extract %s: %w", canonical, err)
	}
	doc, err := p.Extract()
	if err != nil {
		s.opts.Metrics.FetchFailed(FailureReason(err))
		return nil, nil, err
	}
	return page, doc, nil
}

// SummarizeDocument summarizes an already extracted document (a local
// file) without the cache.
func (s *Service) SummarizeDocument(ctx context.Context, doc *Document) (*Summary, error) {
	start := s.opts.Now()
	sum, err := s.summarizeDoc(ctx, doc, "", s.opts.Language, start)
	if err != nil {
		return nil, err
	}
	return withLanguageNote(sum, s.opts.Language), nil
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

// lookup answers for link from the cache as briefbot last read it: from
// the entry its alias names when it has one, else from its own entry.
func (s *Service) lookup(ctx context.Context, link, lang string) (*Summary, bool) {
	a, ok, err := s.opts.Store.Alias(ctx, link)
	if err != nil {
		s.opts.Logger.Warn("alias_lookup_failed", slog.String("url", link), slog.Any("err", err))
		return nil, false
	}
	if !ok {
		return s.cached(ctx, s.key(s.opts.Engine, link, lang))
	}
	// An alias whose target has no entry for this engine and language, or
	// whose target's text changed since, answers nothing: the link is read
	// again rather than answered from an entry older than the alias.
	sum, ok := s.cached(ctx, s.key(s.opts.Engine, a.Target, lang))
	if !ok || a.TextHash != "" && sum.TextHash != a.TextHash {
		return nil, false
	}
	return sum, true
}

// run is one flight for link: fetch and extract it, answer from an entry
// of the same article when one is cached (unless fresh), else summarize,
// ground and store the article under the URL it was read at, and record
// where link led.
func (s *Service) run(ctx context.Context, link, lang string, fresh bool) (*Summary, error) {
	start := s.opts.Now()
	if !fresh {
		// Another flight for link may have landed between the caller's
		// cache miss and the start of this one.
		if sum, ok := s.lookup(ctx, link, lang); ok {
			return sum, nil
		}
	}
	notifyReading(ctx)
	page, doc, err := s.fetchExtract(ctx, link)
	if err != nil {
		return nil, err
	}
	final := link
	if c, err := s.opts.Fetcher.Canonicalize(page.URL); err == nil {
		final = c
	}
	if !fresh {
		if sum, ok := s.reuse(ctx, link, final, doc, lang); ok {
			return sum, nil
		}
	}
	sum, err := s.summarizeArticle(ctx, doc, final, lang, fresh, start)
	if err != nil {
		return nil, err
	}
	// When link did not redirect, this removes any alias it had: it
	// answers from its own, newer entry.
	s.saveAlias(ctx, link, Alias{Target: final})
	return sum, nil
}

// reuse returns the cached summary of the article link just served under
// another URL, and records the alias that finds it without a fetch next
// time. Two kinds of evidence count: a redirect the fetcher followed from
// link to final, and a text hash. The page's declared canonical URL is a
// hint only: its entry answers when its text is the text just read, so
// the page cannot make its own text answer for that URL or borrow that
// URL's summary for other text.
func (s *Service) reuse(ctx context.Context, link, final string, doc *Document, lang string) (*Summary, bool) {
	if final != link {
		if sum, ok := s.cached(ctx, s.key(s.opts.Engine, final, lang)); ok {
			s.saveAlias(ctx, link, Alias{Target: final})
			return sum, true
		}
	}
	if doc.Canonical == "" {
		return nil, false
	}
	hint, err := s.opts.Fetcher.Canonicalize(doc.Canonical)
	if err != nil || hint == link || hint == final {
		return nil, false
	}
	sum, ok := s.cached(ctx, s.key(s.opts.Engine, hint, lang))
	if !ok {
		return nil, false
	}
	h := textHash(doc.Text)
	if sum.TextHash != h {
		s.opts.Logger.Debug("canonical_hint_text_differs", slog.String("url", link), slog.String("hint", hint))
		return nil, false
	}
	a := Alias{Target: hint, TextHash: h}
	s.saveAlias(ctx, link, a)
	if final != link {
		s.saveAlias(ctx, final, a)
	}
	return sum, true
}

// summarizeArticle summarizes doc, the article read at final, and stores
// it under final: once, however many flights (links redirecting to one
// article) reach it at once. Unless fresh, the flight that runs reads the
// cache again before it calls the engine, as another may have stored the
// article in the meantime.
func (s *Service) summarizeArticle(ctx context.Context, doc *Document, final, lang string, fresh bool, start time.Time) (*Summary, error) {
	key := s.key(s.opts.Engine, final, lang)
	v, err, _ := s.articles.Do(flightKey(key, fresh), func() (any, error) {
		if !fresh {
			if sum, ok := s.cached(ctx, key); ok {
				return &chargeOnce{sum: sum}, nil
			}
		}
		var (
			sum *Summary
			err error
		)
		if fresh || s.opts.Claims == nil {
			sum, err = s.summarizeDoc(ctx, doc, final, lang, start)
		} else {
			sum, err = s.summarizeClaimed(ctx, key, doc, final, lang, start)
		}
		if err != nil {
			return nil, err
		}
		return &chargeOnce{sum: sum}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*chargeOnce).take(), nil
}

// saveAlias records an alias; a failure only costs a later fetch.
func (s *Service) saveAlias(ctx context.Context, link string, a Alias) {
	if err := s.opts.Store.SaveAlias(ctx, link, a); err != nil {
		s.opts.Logger.Warn("alias_save_failed", slog.String("url", link), slog.Any("err", err))
	}
}

func (s *Service) summarizeDoc(ctx context.Context, doc *Document, canonical, lang string, start time.Time) (*Summary, error) {
	engine := s.opts.Engine
	var notes []string
	if lang != doc.TargetLanguage {
		d := *doc
		d.TargetLanguage = lang
		doc = &d
	}
	engineStart := s.opts.Now()
	res, err := engine.Summarize(ctx, doc)
	fallback := false
	if err != nil {
		if s.opts.Fallback == nil || s.opts.Fallback == engine {
			return nil, fmt.Errorf("summarize: %s engine: %w", engine.Name(), err)
		}
		s.opts.Logger.Warn("engine_failed_fallback", slog.String("url", canonical), slog.String("engine", engine.Name()), slog.Any("err", err))
		engine, fallback = s.opts.Fallback, true
		engineStart = s.opts.Now()
		notes = append(notes, "The language model was unavailable, so this is the offline summary.")
		if res, err = engine.Summarize(ctx, doc); err != nil {
			return nil, fmt.Errorf("summarize: %s engine: %w", engine.Name(), err)
		}
	}
	s.opts.Metrics.Summarized(engine.Name(), res.Usage, s.opts.Now().Sub(engineStart), fallback)
	// Grounding and keys are the Service's alone (see Engine): whatever
	// an engine set is replaced.
	Ground(res.Topics, doc.Text)
	for i := range res.Topics {
		res.Topics[i].Key = TopicKey(res.Topics[i].Name)
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
		// The caller reports SaveErr (logged once, at its boundary).
		sum.SaveErr = err
	}
	return sum, nil
}

func textHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:16])
}
