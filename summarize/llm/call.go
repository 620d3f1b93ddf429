package llm

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

	"briefbot/summarize"
)

// format is a rung of the response_format ladder: strict JSON schema,
// then plain JSON mode for servers that refuse schemas, then no
// response_format at all for servers that refuse both.
type format int32

const (
	formatSchema format = iota
	formatJSON
	formatNone
)

func (f format) String() string {
	switch f {
	case formatSchema:
		return "json_schema"
	case formatJSON:
		return "json_object"
	default:
		return "none"
	}
}

// responseFormat is the response_format of rung f asking for schema s.
func responseFormat(f format, s answerSchema) *openai.ChatCompletionResponseFormat {
	switch f {
	case formatSchema:
		return &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   s.name,
				Schema: s.def,
				Strict: true,
			},
		}
	case formatJSON:
		return &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	default:
		return nil
	}
}

// answer is one completed call.
type answer struct {
	content string
	// truncated: the model stopped at its length limit.
	truncated bool
	// tooLarge: the response body passed maxResponseBytes and was not
	// read further; content is empty.
	tooLarge bool
}

// complete sends msgs asking for an answer of schema s, retrying
// transient failures (errors without the package prefix, added by the
// caller), and adds the usage of the successful call to usage. Format refusals move the engine down the
// format ladder and are retried at once without counting as retries.
func (e *Engine) complete(ctx context.Context, s answerSchema, msgs []openai.ChatCompletionMessage, usage *summarize.Usage) (answer, error) {
	attempts := 0
	for {
		format := format(e.format.Load())
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
				return answer{}, nil
			}
			c := resp.Choices[0]
			return answer{content: c.Message.Content, truncated: c.FinishReason == openai.FinishReasonLength}, nil
		}
		if ctx.Err() != nil {
			return answer{}, fmt.Errorf("llm call: %w", ctx.Err())
		}
		if info.tooLarge && info.status == http.StatusOK {
			// The model answered, at a length no answer within bounds
			// has: the repair path asks once more, like any unusable
			// answer. Its usage was not read.
			usage.Calls++
			e.log.Warn("llm_response_too_large", slog.Int("limit_bytes", maxResponseBytes))
			return answer{tooLarge: true}, nil
		}
		if format < formatNone && refusesFormat(info.status, err) {
			next := format + 1
			if e.format.CompareAndSwap(int32(format), int32(next)) {
				e.log.Warn("llm_response_format_refused", slog.String("format", format.String()),
					slog.String("next", next.String()), slog.String("error", err.Error()))
			}
			attempts--
			continue
		}
		if !retryable(info, err) {
			return answer{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if attempts > e.opts.MaxRetries {
			return answer{}, fmt.Errorf("%w after %d attempts: %w", ErrUnavailable, attempts, err)
		}
		wait := e.backoff(attempts - 1)
		if ra, ok := info.retryAfter(e.opts.Now()); ok {
			if ra > e.opts.MaxRetryAfter {
				return answer{}, fmt.Errorf("%w: server asks to retry after %v (more than %v): %w",
					ErrUnavailable, ra, e.opts.MaxRetryAfter, err)
			}
			wait = ra
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return answer{}, fmt.Errorf("%w: retry in %v would pass the deadline: %w", ErrUnavailable, wait, err)
		}
		e.log.Info("llm_retry", slog.Int("attempt", attempts), slog.Int("status", info.status),
			slog.Duration("wait", wait), slog.String("error", err.Error()))
		if err := e.opts.Sleep(ctx, wait); err != nil {
			return answer{}, fmt.Errorf("llm retry: %w", err)
		}
	}
}

// backoff is the capped exponential backoff with full jitter before retry
// n (0-based): uniform in [0, min(BackoffMax, BackoffBase·2ⁿ)].
func (e *Engine) backoff(n int) time.Duration {
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
func (e *Engine) call(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, *callInfo, error) {
	info := &callInfo{}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return openai.ChatCompletionResponse{}, info, ctx.Err()
	}
	defer func() { <-e.sem }()
	cctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	resp, err := e.client.CreateChatCompletion(context.WithValue(cctx, callInfoKey{}, info), req)
	if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("call timed out after %v: %w", e.opts.Timeout, err)
	}
	return resp, info, err
}

// callInfo is what the transport saw of one call: go-openai's errors
// carry the status but not the headers.
type callInfo struct {
	sent   bool // a request reached the transport
	status int  // HTTP status of the last response, 0 if none
	header http.Header
	// tooLarge: the response body passed maxResponseBytes.
	tooLarge bool
}

type callInfoKey struct{}

// transport records each response's status and headers in the
// callInfo carried by the request's context, and bounds the body read
// to maxResponseBytes.
type transport struct {
	base http.RoundTripper
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	info, _ := req.Context().Value(callInfoKey{}).(*callInfo)
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
	body := &limitedBody{rc: resp.Body, left: maxResponseBytes, info: info}
	if resp.ContentLength > maxResponseBytes {
		body.exceeded()
	}
	resp.Body = body
	return resp, nil
}

// errResponseTooLarge ends the reading of a body past its bound.
var errResponseTooLarge = fmt.Errorf("llm response over %d bytes", maxResponseBytes)

// limitedBody reads at most left bytes of rc, then fails with
// errResponseTooLarge and marks info.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	info *callInfo
	over bool
}

func (b *limitedBody) exceeded() {
	b.over = true
	if b.info != nil {
		b.info.tooLarge = true
	}
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, errResponseTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		b.exceeded()
		return int(b.left), errResponseTooLarge
	}
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// retryAfter reads Retry-After (delay seconds or an HTTP date) or the
// non-standard Retry-After-Ms some OpenAI-compatible servers send.
func (i *callInfo) retryAfter(now time.Time) (time.Duration, bool) {
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

// statusMessage returns the HTTP status and error text of an API error.
func statusMessage(err error) (int, string) {
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

// refusesFormat reports whether err is a server refusing the requested
// response_format: a 400 (or 422, 501) whose message names it.
func refusesFormat(status int, err error) bool {
	code, msg := statusMessage(err)
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

// retryable reports whether a failed call is worth retrying: network
// errors, timeouts and unreadable answers, and the statuses 408, 409, 429
// (unless the quota is exhausted) and 5xx. Errors raised before anything
// was sent (the client refusing the request) are not.
func retryable(info *callInfo, err error) bool {
	if !info.sent {
		return false
	}
	code, msg := statusMessage(err)
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
