// Package llm is the summarizing engine that asks a language model: any
// OpenAI-compatible chat-completions endpoint (OpenAI, Azure, Ollama,
// vLLM, LM Studio, OpenRouter) through go-openai, with JSON-schema
// structured output. The article goes in as delimited, untrusted data;
// the answer is bounded, checked against its schema and the reply
// contract, and repaired once. Long articles are summarized in parts and
// merged, never truncated. It implements summarize.Engine; the Service
// grounds its quotes.
package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"
	"golang.org/x/sync/errgroup"

	"briefbot/prompts"
	"briefbot/summarize"
)

// Errors the LLM engine returns, wrapped with the detail
// ("llm: model unavailable after 5 attempts: …"); the Service falls
// back to the extractive engine on either.
var (
	// ErrUnavailable: the endpoint could not be reached or kept failing
	// (network errors, timeouts, 429 and 5xx after every retry, or a
	// refusal such as 401).
	ErrUnavailable = errors.New("model unavailable")
	// ErrBadAnswer: the model answered, but neither its answer nor its
	// one repair was a valid ledger.
	ErrBadAnswer = errors.New("model answer unusable")
)

// Defaults of Options.
const (
	DefaultModel = "gpt-4o-mini"
	// DefaultTimeout bounds one call: a ledger of a 6,000-token part
	// takes a hosted model 5–20 s; local models are slower.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxRetries: five attempts in all ride out a short outage
	// (with the backoff below, about 15 s of waiting at most).
	DefaultMaxRetries = 4
	// DefaultChunkTokens is the article budget of one part: small
	// enough for 8k-context local models with the prompt and the answer,
	// large enough that most news articles need one call.
	DefaultChunkTokens = 6000
	// DefaultMaxConcurrent bounds calls in flight at once, within a
	// typical hosted rate limit.
	DefaultMaxConcurrent = 4
	// DefaultBackoffBase and DefaultBackoffMax shape the capped
	// exponential backoff between retries (1 s, 2 s, 4 s, 8 s … ≤ 20 s,
	// each drawn uniformly from [0, cap]: "full jitter").
	DefaultBackoffBase = time.Second
	DefaultBackoffMax  = 20 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After honoured; a
	// server asking for a longer wait fails the call at once, so the
	// Service can fall back instead of keeping a user waiting.
	DefaultMaxRetryAfter = 60 * time.Second
)

// azureAPIVersion is the Azure OpenAI data-plane version used for classic
// deployment URLs: the first GA version with json_schema structured output.
const azureAPIVersion = "2024-10-21"

// Options configure an Engine. Zero values take the defaults above.
type Options struct {
	// APIKey authenticates to the endpoint (may be empty for local servers).
	APIKey string
	// BaseURL is any OpenAI-compatible endpoint ending before
	// /chat/completions, e.g. https://api.openai.com/v1,
	// http://localhost:11434/v1 (Ollama), https://openrouter.ai/api/v1.
	// An Azure resource URL (https://NAME.openai.azure.com) uses Azure's
	// deployment routes with Model as the deployment name; "" is OpenAI.
	BaseURL string
	Model   string
	// Language is the summary language ("" = each article's own); see
	// prompts.LanguageName.
	Language string
	// Timeout bounds each call, including reading the answer.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt; 0
	// means the default, a negative value none.
	MaxRetries int
	// ChunkTokens is the article budget of one part (see EstimateTokens).
	// Lower it for servers with a small context window: Ollama serves
	// 2,048–4,096 tokens of context unless num_ctx or
	// OLLAMA_CONTEXT_LENGTH raises it, and cuts longer prompts silently.
	ChunkTokens int
	// MaxConcurrent bounds the calls in flight at once through this
	// engine; build one engine per process to bound the process.
	MaxConcurrent int
	// BackoffBase, BackoffMax and MaxRetryAfter tune retries.
	BackoffBase, BackoffMax, MaxRetryAfter time.Duration
	// HTTPClient is used for the calls (its Transport is wrapped to read
	// Retry-After); nil means a client over http.DefaultTransport.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Sleep waits between retries; nil sleeps for real. It must return
	// early with ctx's error when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock for Retry-After dates; nil is time.Now.
	Now func() time.Time
}

// Engine summarizes through an OpenAI-compatible chat-completions
// endpoint, asking for JSON-schema structured output. It is safe for
// concurrent use.
type Engine struct {
	opts   Options
	client *openai.Client
	log    *slog.Logger
	schema *jsonschema.Definition
	// schemaJSON is the schema as sent, for token estimates.
	schemaJSON []byte
	sem        chan struct{}
	// format is the response_format in use (a format); it only moves
	// down the ladder, when the server refuses the current one.
	format atomic.Int32
}

var _ summarize.Engine = (*Engine)(nil)

// New checks opts, fills in defaults and builds the engine. It
// makes no network call.
func New(opts Options) (*Engine, error) {
	if opts.Model == "" {
		opts.Model = DefaultModel
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.ChunkTokens <= 0 {
		opts.ChunkTokens = DefaultChunkTokens
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = DefaultBackoffBase
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = DefaultBackoffMax
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if _, err := prompts.LanguageName(opts.Language); err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	cfg := openai.DefaultConfig(opts.APIKey)
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("llm: base URL %q: want http(s)://host/path", opts.BaseURL)
		}
		if isAzureClassic(u) {
			cfg = openai.DefaultAzureConfig(opts.APIKey, opts.BaseURL)
			cfg.APIVersion = azureAPIVersion
		} else {
			cfg.BaseURL = strings.TrimRight(opts.BaseURL, "/")
		}
	}
	hc := &http.Client{}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = transport{base: base}
	cfg.HTTPClient = hc

	schema, err := jsonschema.GenerateSchemaForType(prompts.Answer{})
	if err != nil {
		return nil, fmt.Errorf("llm: answer schema: %w", err)
	}
	schemaJSON, err := schema.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("llm: answer schema: %w", err)
	}
	return &Engine{
		opts:       opts,
		client:     openai.NewClientWithConfig(cfg),
		log:        log,
		schema:     schema,
		schemaJSON: schemaJSON,
		sem:        make(chan struct{}, opts.MaxConcurrent),
	}, nil
}

// isAzureClassic reports whether u is an Azure OpenAI resource URL
// using deployment routes (not Azure's OpenAI-compatible /openai/v1).
func isAzureClassic(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	azure := strings.HasSuffix(host, ".openai.azure.com") || strings.HasSuffix(host, ".cognitiveservices.azure.com")
	return azure && !strings.Contains(u.Path, "/openai/v1")
}

// Name returns "llm".
func (e *Engine) Name() string { return "llm" }

// Model returns the model asked for.
func (e *Engine) Model() string { return e.opts.Model }

// PromptVersion returns prompts.Version.
func (e *Engine) PromptVersion() string { return prompts.Version }

// Summarize asks the model for the ledger of doc. A long article is split
// into parts under the token budget (see EstimateTokens), the parts are
// summarized concurrently (within MaxConcurrent) and their topics merged
// by TopicKey; the tail is never dropped (past maxStoredPoints points
// in all, each part keeps its most important ones). It returns an error
// wrapping ErrUnavailable or ErrBadAnswer when any part fails.
func (e *Engine) Summarize(ctx context.Context, doc *summarize.Document) (*summarize.Result, error) {
	parts := split(docBlocks(doc), e.opts.ChunkTokens)
	if len(parts) == 0 {
		return nil, fmt.Errorf("llm: %s: no text to summarize", doc.URL)
	}
	results := make([]partResult, len(parts))
	g, gctx := errgroup.WithContext(ctx)
	for i, text := range parts {
		g.Go(func() error {
			r, err := e.summarizePart(gctx, doc, i+1, len(parts), text)
			results[i] = r
			if err != nil && len(parts) > 1 {
				return fmt.Errorf("llm: part %d of %d: %w", i+1, len(parts), err)
			}
			if err != nil {
				return fmt.Errorf("llm: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var usage summarize.Usage
	topicsPerPart := make([][]summarize.Topic, len(results))
	for i, r := range results {
		usage.PromptTokens += r.usage.PromptTokens
		usage.CompletionTokens += r.usage.CompletionTokens
		usage.Calls += r.usage.Calls
		topicsPerPart[i] = r.topics
	}
	res := &summarize.Result{Topics: mergeTopics(capParts(topicsPerPart, maxStoredPoints)), Usage: usage}
	if len(parts) > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("A long article: summarized in %d parts.", len(parts)))
	}
	return res, nil
}

type partResult struct {
	topics []summarize.Topic
	usage  summarize.Usage
}

// repairEcho bounds how much of a bad answer is sent back with the
// repair request.
const repairEcho = 16 << 10

// summarizePart asks for the ledger of one part, with one repair attempt.
// Its errors have no package prefix: Summarize adds it with the part.
func (e *Engine) summarizePart(ctx context.Context, doc *summarize.Document, part, parts int, text string) (partResult, error) {
	var res partResult
	system, user, err := prompts.Summarize(prompts.SummarizeInput{
		Title: doc.Title, Site: doc.Site, URL: doc.URL,
		Language: e.language(doc),
		Part:     part, Parts: parts,
		Text: text,
	})
	if err != nil {
		return res, err
	}
	msgs := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}
	contract := newContract(doc, part, text)
	err = e.completeChecked(ctx, e.ledgerSchema(), msgs, &res.usage, func(ans answer, repaired bool) error {
		topics, problem := e.parseAnswer(ans, contract, repaired)
		res.topics = topics
		return problem
	}, slog.String("url", doc.URL), slog.Int("part", part))
	return res, err
}

// ledgerSchema is the schema of a summary's answer (prompts.Answer).
func (e *Engine) ledgerSchema() answerSchema {
	return answerSchema{name: "ledger", def: e.schema}
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// EstimateTokens estimates the tokens a GPT-4o-family tokenizer (o200k)
// counts in s, without its vocabulary:
//
//   - ASCII: one token per 4 bytes, the usual rule of thumb for English
//     prose and markup (real counts run 4–4.5 bytes per token);
//   - CJK ideographs, kana, hangul and Thai: one token per character;
//   - any other character (accented Latin, Cyrillic, Greek, Arabic, …):
//     one token per 2 characters.
//
// It errs high for most text, the safe side for a budget. The chunker
// uses it for the parts' budget; the benchmarks use it for prompt costs.
func EstimateTokens(s string) int {
	var c tokenCounter
	for _, r := range s {
		c.add(r)
	}
	return c.tokens()
}

// tokenCounter counts EstimateTokens incrementally, rune by rune.
type tokenCounter struct{ ascii, wide, other int }

func (c *tokenCounter) add(r rune) {
	switch {
	case r < utf8.RuneSelf:
		c.ascii++
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai):
		c.wide++
	default:
		c.other++
	}
}

func (c *tokenCounter) tokens() int {
	return (c.ascii+3)/4 + c.wide + (c.other+1)/2
}

// Chat overheads in the OpenAI accounting: each message costs about 4
// tokens of framing, and the reply is primed with 3.
const (
	tokensPerMessage = 4
	tokensPerReply   = 3
)

// Estimate is what the engine would send for one document, in
// EstimateTokens units.
type Estimate struct {
	Parts int
	// ArticleTokens counts the article text alone, as the engine renders
	// it (headings marked with #, paragraphs separated by blank lines).
	ArticleTokens int
	// PromptTokens counts everything sent over all parts: system and user
	// messages with their framing, and the response schema.
	PromptTokens int
}

// EstimateRequest renders the prompts the engine would send for doc,
// without sending them, and estimates their tokens.
func (e *Engine) EstimateRequest(doc *summarize.Document) (Estimate, error) {
	blocks := docBlocks(doc)
	parts := split(blocks, e.opts.ChunkTokens)
	est := Estimate{Parts: len(parts), ArticleTokens: EstimateTokens(render(blocks))}
	for i, text := range parts {
		system, user, err := prompts.Summarize(prompts.SummarizeInput{
			Title: doc.Title, Site: doc.Site, URL: doc.URL,
			Language: e.language(doc), Part: i + 1, Parts: len(parts), Text: text,
		})
		if err != nil {
			return est, fmt.Errorf("llm: %w", err)
		}
		est.PromptTokens += EstimateTokens(system) + EstimateTokens(user) + 2*tokensPerMessage + tokensPerReply
		if format(e.format.Load()) == formatSchema {
			est.PromptTokens += EstimateTokens(string(e.schemaJSON))
		}
	}
	return est, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// language is the summary language for doc: the request's, else the
// engine's default ("" = the article's own).
func (e *Engine) language(doc *summarize.Document) string {
	if doc.TargetLanguage != "" {
		return doc.TargetLanguage
	}
	return e.opts.Language
}
