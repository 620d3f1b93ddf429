package summarize

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// llmFormat is a rung of the response_format ladder: strict JSON schema,
// then plain JSON mode for servers that refuse schemas, then no
// response_format at all for servers that refuse both.
type llmFormat int32

const (
	llmFormatSchema llmFormat = iota
	llmFormatJSON
	llmFormatNone
)

func (f llmFormat) String() string {
	switch f {
	case llmFormatSchema:
		return "json_schema"
	case llmFormatJSON:
		return "json_object"
	default:
		return "none"
	}
}

// responseFormat is the response_format of rung f asking for schema s.
func responseFormat(f llmFormat, s llmSchema) *openai.ChatCompletionResponseFormat {
	switch f {
	case llmFormatSchema:
		return &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   s.name,
				Schema: s.def,
				Strict: true,
			},
		}
	case llmFormatJSON:
		return &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	default:
		return nil
	}
}

// llmAnswer is one completed call.
type llmAnswer struct {
	content string
	// truncated: the model stopped at its length limit.
	truncated bool
	// tooLarge: the response body passed llmMaxResponseBytes and was not
	// read further; content is empty.
	tooLarge bool
}

// complete sends msgs asking for an answer of schema s, retrying
// transient failures (errors without the package prefix, added by the
// caller), and adds the usage of the successful call to usage. Format refusals move the engine down the
// format ladder and are retried at once without counting as retries.
func (e *LLMEngine) complete(ctx context.Context, s llmSchema, msgs []openai.ChatCompletionMessage, usage *Usage) (llmAnswer, error) {
	attempts := 0
	for {
		format := llmFormat(e.format.Load())
		req := openai.ChatCompletionRequest{
			Model:          e.opts.Model,
			Messages:       msgs,
			ResponseFormat: responseFormat(format, s),
		}
		attempts++
		resp, info, err := e.call(ctx, req)
		if err == nil {
			usage.PromptTokens += resp.Usage.PromptTokens
			usage.CompletionTokens += resp.Usage.CompletionTokens
			usage.Calls++
			if len(resp.Choices) == 0 {
				// Answered, but with nothing: the repair path handles it
				// like any unusable answer.
				return llmAnswer{}, nil
			}
			c := resp.Choices[0]
			return llmAnswer{content: c.Message.Content, truncated: c.FinishReason == openai.FinishReasonLength}, nil
		}
		if ctx.Err() != nil {
			return llmAnswer{}, fmt.Errorf("llm call: %w", ctx.Err())
		}
		if info.tooLarge && info.status == http.StatusOK {
			// The model answered, at a length no answer within bounds
			// has: the repair path asks once more, like any unusable
			// answer. Its usage was not read.
			usage.Calls++
			e.log.Warn("llm_response_too_large", slog.Int("limit_bytes", llmMaxResponseBytes))
			return llmAnswer{tooLarge: true}, nil
		}
		if format < llmFormatNone && llmRefusesFormat(info.status, err) {
			next := format + 1
			if e.format.CompareAndSwap(int32(format), int32(next)) {
				e.log.Warn("llm_response_format_refused", slog.String("format", format.String()),
					slog.String("next", next.String()), slog.String("error", err.Error()))
			}
			attempts--
			continue
		}
		if !llmRetryable(info, err) {
			return llmAnswer{}, fmt.Errorf("%w: %w", ErrLLMUnavailable, err)
		}
		if attempts > e.opts.MaxRetries {
			return llmAnswer{}, fmt.Errorf("%w after %d attempts: %w", ErrLLMUnavailable, attempts, err)
		}
		wait := e.backoff(attempts - 1)
		if ra, ok := info.retryAfter(e.opts.Now()); ok {
			if ra > e.opts.MaxRetryAfter {
				return llmAnswer{}, fmt.Errorf("%w: server asks to retry after %v (more than %v): %w",
					ErrLLMUnavailable, ra, e.opts.MaxRetryAfter, err)
			}
			wait = ra
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return llmAnswer{}, fmt.Errorf("%w: retry in %v would pass the deadline: %w", ErrLLMUnavailable, wait, err)
		}
		e.log.Info("llm_retry", slog.Int("attempt", attempts), slog.Int("status", info.status),
			slog.Duration("wait", wait), slog.String("error", err.Error()))
		if err := e.opts.Sleep(ctx, wait); err != nil {
			return llmAnswer{}, fmt.Errorf("llm retry: %w", err)
		}
	}
}

// backoff is the capped exponential backoff with full jitter before retry
// n (0-based): uniform in [0, min(BackoffMax, BackoffBase·2ⁿ)].
func (e *LLMEngine) backoff(n int) time.Duration {
	c := e.opts.BackoffMax
	if n < 30 {
		c = min(c, e.opts.BackoffBase<<n)
	}
	if c <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(c) + 1))
}

// call makes one request within the concurrency bound and the per-call
// timeout.
func (e *LLMEngine) call(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, *llmCallInfo, error) {
	info := &llmCallInfo{}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return openai.ChatCompletionResponse{}, info, ctx.Err()
	}
	defer func() { <-e.sem }()
	cctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	resp, err := e.client.CreateChatCompletion(context.WithValue(cctx, llmCallInfoKey{}, info), req)
	if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("call timed out after %v: %w", e.opts.Timeout, err)
	}
	return resp, info, err
}

// llmCallInfo is what the transport saw of one call: go-openai's errors
// carry the status but not the headers.
type llmCallInfo struct {
	sent   bool // a request reached the transport
	status int  // HTTP status of the last response, 0 if none
	header http.Header
	// tooLarge: the response body passed llmMaxResponseBytes.
	tooLarge bool
}

type llmCallInfoKey struct{}

// llmTransport records each response's status and headers in the
// llmCallInfo carried by the request's context, and bounds the body read
// to llmMaxResponseBytes.
type llmTransport struct {
	base http.RoundTripper
}

func (t llmTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	info, _ := req.Context().Value(llmCallInfoKey{}).(*llmCallInfo)
	if info != nil {
		info.sent = true
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if info != nil {
		info.status = resp.StatusCode
		info.header = resp.Header.Clone()
	}
	body := &llmLimitedBody{rc: resp.Body, left: llmMaxResponseBytes, info: info}
	if resp.ContentLength > llmMaxResponseBytes {
		body.exceeded()
	}
	resp.Body = body
	return resp, nil
}

// errLLMResponseTooLarge ends the reading of a body past its bound.
var errLLMResponseTooLarge = fmt.Errorf("llm response over %d bytes", llmMaxResponseBytes)

// llmLimitedBody reads at most left bytes of rc, then fails with
// errLLMResponseTooLarge and marks info.
type llmLimitedBody struct {
	rc   io.ReadCloser
	left int64
	info *llmCallInfo
	over bool
}

func (b *llmLimitedBody) exceeded() {
	b.over = true
	if b.info != nil {
		b.info.tooLarge = true
	}
}

func (b *llmLimitedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, errLLMResponseTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		b.exceeded()
		return int(b.left), errLLMResponseTooLarge
	}
	b.left -= int64(n)
	return n, err
}

func (b *llmLimitedBody) Close() error { return b.rc.Close() }

// retryAfter reads Retry-After (delay seconds or an HTTP date) or the
// non-standard Retry-After-Ms some OpenAI-compatible servers send.
func (i *llmCallInfo) retryAfter(now time.Time) (time.Duration, bool) {
	if i.header == nil {
		return 0, false
	}
	if v := strings.TrimSpace(i.header.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(i.header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// llmStatusMessage returns the HTTP status and error text of an API error.
func llmStatusMessage(err error) (int, string) {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.Message + " " + apiErr.Type
		if apiErr.Param != nil {
			msg += " " + *apiErr.Param
		}
		if s, ok := apiErr.Code.(string); ok {
			msg += " " + s
		}
		return apiErr.HTTPStatusCode, msg
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode, string(reqErr.Body)
	}
	return 0, ""
}

// llmRefusesFormat reports whether err is a server refusing the requested
// response_format: a 400 (or 422, 501) whose message names it.
func llmRefusesFormat(status int, err error) bool {
	code, msg := llmStatusMessage(err)
	if code == 0 {
		code = status
	}
	if code != http.StatusBadRequest && code != http.StatusUnprocessableEntity && code != http.StatusNotImplemented {
		return false
	}
	msg = strings.ToLower(msg)
	for _, w := range []string{"response_format", "response format", "json_schema", "json_object", "structured output", "schema"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

// llmRetryable reports whether a failed call is worth retrying: network
// errors, timeouts and unreadable answers, and the statuses 408, 409, 429
// (unless the quota is exhausted) and 5xx. Errors raised before anything
// was sent (the client refusing the request) are not.
func llmRetryable(info *llmCallInfo, err error) bool {
	if !info.sent {
		return false
	}
	code, msg := llmStatusMessage(err)
	if code == 0 {
		code = info.status
	}
	switch {
	case code == 0 || code == http.StatusOK:
		return true // no response, or a 200 whose body was not a completion
	case code == http.StatusTooManyRequests:
		return !strings.Contains(msg, "insufficient_quota")
	case code == http.StatusRequestTimeout || code == http.StatusConflict || code >= 500:
		return true
	default:
		return false
	}
}
