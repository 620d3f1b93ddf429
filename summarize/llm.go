package summarize

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
)

// Errors the LLM engine returns, wrapped with the detail
// ("summarize: llm unavailable after 5 attempts: …"); the Service falls
// back to the extractive engine on either.
var (
	// ErrLLMUnavailable: the endpoint could not be reached or kept failing
	// (network errors, timeouts, 429 and 5xx after every retry, or a
	// refusal such as 401).
	ErrLLMUnavailable = errors.New("llm unavailable")
	// ErrLLMBadAnswer: the model answered, but neither its answer nor its
	// one repair was a valid ledger.
	ErrLLMBadAnswer = errors.New("llm answer unusable")
)

// Defaults of LLMOptions.
const (
	DefaultLLMModel = "gpt-4o-mini"
	// DefaultLLMTimeout bounds one call: a ledger of a 6,000-token part
	// takes a hosted model 5–20 s; local models are slower.
	DefaultLLMTimeout = 60 * time.Second
	// DefaultLLMMaxRetries: five attempts in all ride out a short outage
	// (with the backoff below, about 15 s of waiting at most).
	DefaultLLMMaxRetries = 4
	// DefaultLLMChunkTokens is the article budget of one part: small
	// enough for 8k-context local models with the prompt and the answer,
	// large enough that most news articles need one call.
	DefaultLLMChunkTokens = 6000
	// DefaultLLMMaxConcurrent bounds calls in flight at once, within a
	// typical hosted rate limit.
	DefaultLLMMaxConcurrent = 4
	// DefaultLLMBackoffBase and DefaultLLMBackoffMax shape the capped
	// exponential backoff between retries (1 s, 2 s, 4 s, 8 s … ≤ 20 s,
	// each drawn uniformly from [0, cap]: "full jitter").
	DefaultLLMBackoffBase = time.Second
	DefaultLLMBackoffMax  = 20 * time.Second
	// DefaultLLMMaxRetryAfter is the longest Retry-After honoured; a
	// server asking for a longer wait fails the call at once, so the
	// Service can fall back instead of keeping a user waiting.
	DefaultLLMMaxRetryAfter = 60 * time.Second
)

// azureAPIVersion is the Azure OpenAI data-plane version used for classic
// deployment URLs: the first GA version with json_schema structured output.
const azureAPIVersion = "2024-10-21"

// LLMOptions configure an LLMEngine. Zero values take the defaults above.
type LLMOptions struct {
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

// LLMEngine summarizes through an OpenAI-compatible chat-completions
// endpoint, asking for JSON-schema structured output. It is safe for
// concurrent use.
type LLMEngine struct {
	opts   LLMOptions
	client *openai.Client
	log    *slog.Logger
	schema *jsonschema.Definition
	// schemaJSON is the schema as sent, for token estimates.
	schemaJSON []byte
	sem        chan struct{}
	// format is the response_format in use (an llmFormat); it only moves
	// down the ladder, when the server refuses the current one.
	format atomic.Int32
}

var _ Engine = (*LLMEngine)(nil)

// NewLLMEngine checks opts, fills in defaults and builds the engine. It
// makes no network call.
func NewLLMEngine(opts LLMOptions) (*LLMEngine, error) {
	if opts.Model == "" {
		opts.Model = DefaultLLMModel
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultLLMTimeout
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultLLMMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.ChunkTokens <= 0 {
		opts.ChunkTokens = DefaultLLMChunkTokens
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultLLMMaxConcurrent
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = DefaultLLMBackoffBase
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = DefaultLLMBackoffMax
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultLLMMaxRetryAfter
	}
	if opts.Sleep == nil {
		opts.Sleep = llmSleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if _, err := prompts.LanguageName(opts.Language); err != nil {
		return nil, fmt.Errorf("summarize: llm: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	cfg := openai.DefaultConfig(opts.APIKey)
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("summarize: llm: base URL %q: want http(s)://host/path", opts.BaseURL)
		}
		if llmIsAzureClassic(u) {
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
	hc.Transport = llmTransport{base: base}
	cfg.HTTPClient = hc

	schema, err := jsonschema.GenerateSchemaForType(prompts.Answer{})
	if err != nil {
		return nil, fmt.Errorf("summarize: llm: answer schema: %w", err)
	}
	schemaJSON, err := schema.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("summarize: llm: answer schema: %w", err)
	}
	return &LLMEngine{
		opts:       opts,
		client:     openai.NewClientWithConfig(cfg),
		log:        log,
		schema:     schema,
		schemaJSON: schemaJSON,
		sem:        make(chan struct{}, opts.MaxConcurrent),
	}, nil
}

// llmIsAzureClassic reports whether u is an Azure OpenAI resource URL
// using deployment routes (not Azure's OpenAI-compatible /openai/v1).
func llmIsAzureClassic(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	azure := strings.HasSuffix(host, ".openai.azure.com") || strings.HasSuffix(host, ".cognitiveservices.azure.com")
	return azure && !strings.Contains(u.Path, "/openai/v1")
}

// Name returns "llm".
func (e *LLMEngine) Name() string { return "llm" }

// Model returns the model asked for.
func (e *LLMEngine) Model() string { return e.opts.Model }

// PromptVersion returns prompts.Version.
func (e *LLMEngine) PromptVersion() string { return prompts.Version }

// Summarize asks the model for the ledger of doc. A long article is split
// into parts under the token budget (see EstimateTokens), the parts are
// summarized concurrently (within MaxConcurrent) and their topics merged
// by TopicKey; the tail is never dropped (past llmMaxStoredPoints points
// in all, each part keeps its most important ones). It returns an error
// wrapping ErrLLMUnavailable or ErrLLMBadAnswer when any part fails.
func (e *LLMEngine) Summarize(ctx context.Context, doc *Document) (*Result, error) {
	parts := llmSplit(llmBlocks(doc), e.opts.ChunkTokens)
	if len(parts) == 0 {
		return nil, fmt.Errorf("summarize: llm: %s: no text to summarize", doc.URL)
	}
	results := make([]llmPartResult, len(parts))
	g, gctx := errgroup.WithContext(ctx)
	for i, text := range parts {
		g.Go(func() error {
			r, err := e.summarizePart(gctx, doc, i+1, len(parts), text)
			results[i] = r
			if err != nil && len(parts) > 1 {
				return fmt.Errorf("summarize: part %d of %d: %w", i+1, len(parts), err)
			}
			if err != nil {
				return fmt.Errorf("summarize: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var usage Usage
	topicsPerPart := make([][]Topic, len(results))
	for i, r := range results {
		usage.PromptTokens += r.usage.PromptTokens
		usage.CompletionTokens += r.usage.CompletionTokens
		usage.Calls += r.usage.Calls
		topicsPerPart[i] = r.topics
	}
	res := &Result{Topics: llmMergeTopics(llmCapParts(topicsPerPart, llmMaxStoredPoints)), Usage: usage}
	if len(parts) > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("A long article: summarized in %d parts.", len(parts)))
	}
	return res, nil
}

type llmPartResult struct {
	topics []Topic
	usage  Usage
}

// llmRepairEcho bounds how much of a bad answer is sent back with the
// repair request.
const llmRepairEcho = 16 << 10

// summarizePart asks for the ledger of one part, with one repair attempt.
// Its errors have no package prefix: Summarize adds it with the part.
func (e *LLMEngine) summarizePart(ctx context.Context, doc *Document, part, parts int, text string) (llmPartResult, error) {
	var res llmPartResult
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
	contract := newLLMContract(doc, part, text)
	err = e.completeChecked(ctx, e.ledgerSchema(), msgs, &res.usage, func(ans llmAnswer, repaired bool) error {
		topics, problem := e.parseAnswer(ans, contract, repaired)
		res.topics = topics
		return problem
	}, slog.String("url", doc.URL), slog.Int("part", part))
	return res, err
}

// ledgerSchema is the schema of a summary's answer (prompts.Answer).
func (e *LLMEngine) ledgerSchema() llmSchema {
	return llmSchema{name: "ledger", def: e.schema}
}

func llmTruncateUTF8(s string, n int) string {
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
	var c llmTokenCounter
	for _, r := range s {
		c.add(r)
	}
	return c.tokens()
}

// llmTokenCounter counts EstimateTokens incrementally, rune by rune.
type llmTokenCounter struct{ ascii, wide, other int }

func (c *llmTokenCounter) add(r rune) {
	switch {
	case r < utf8.RuneSelf:
		c.ascii++
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai):
		c.wide++
	default:
		c.other++
	}
}

func (c *llmTokenCounter) tokens() int {
	return (c.ascii+3)/4 + c.wide + (c.other+1)/2
}

// Chat overheads in the OpenAI accounting: each message costs about 4
// tokens of framing, and the reply is primed with 3.
const (
	llmTokensPerMessage = 4
	llmTokensPerReply   = 3
)

// LLMEstimate is what the engine would send for one document, in
// EstimateTokens units.
type LLMEstimate struct {
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
func (e *LLMEngine) EstimateRequest(doc *Document) (LLMEstimate, error) {
	blocks := llmBlocks(doc)
	parts := llmSplit(blocks, e.opts.ChunkTokens)
	est := LLMEstimate{Parts: len(parts), ArticleTokens: EstimateTokens(llmRender(blocks))}
	for i, text := range parts {
		system, user, err := prompts.Summarize(prompts.SummarizeInput{
			Title: doc.Title, Site: doc.Site, URL: doc.URL,
			Language: e.language(doc), Part: i + 1, Parts: len(parts), Text: text,
		})
		if err != nil {
			return est, fmt.Errorf("summarize: llm: %w", err)
		}
		est.PromptTokens += EstimateTokens(system) + EstimateTokens(user) + 2*llmTokensPerMessage + llmTokensPerReply
		if llmFormat(e.format.Load()) == llmFormatSchema {
			est.PromptTokens += EstimateTokens(string(e.schemaJSON))
		}
	}
	return est, nil
}

func llmSleep(ctx context.Context, d time.Duration) error {
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
func (e *LLMEngine) language(doc *Document) string {
	if doc.TargetLanguage != "" {
		return doc.TargetLanguage
	}
	return e.opts.Language
}
