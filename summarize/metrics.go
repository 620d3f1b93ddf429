package summarize

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Metrics receives what the Service does, for monitoring. main passes
// *metrics.Metrics; nil in ServiceOptions means none.
type Metrics interface {
	// CacheHit counts a summary answered from the cache.
	CacheHit()
	// FetchFailed counts a link that could not be read; reason is one of
	// the Reason* constants, never the link.
	FetchFailed(reason string)
	// Summarized counts a summary written by engine, with the model usage
	// of the run, how long the engine took, and whether it is the
	// fallback's after the configured engine failed.
	Summarized(engine string, u Usage, took time.Duration, fallback bool)
}

// Fetch failure reasons: a bounded set, fit for a metric label.
const (
	ReasonBadURL     = "bad_url"
	ReasonBlocked    = "blocked"
	ReasonTooLarge   = "too_large"
	ReasonNotArticle = "not_article"
	ReasonRedirects  = "redirects"
	ReasonHTTPStatus = "http_status"
	ReasonTimeout    = "timeout"
	ReasonOther      = "other"
)

// FailureReason classifies an error of fetching and extracting a link.
func FailureReason(err error) string {
	var status *HTTPStatusError
	switch {
	case errors.Is(err, ErrBadURL):
		return ReasonBadURL
	case errors.Is(err, ErrBlockedHost):
		return ReasonBlocked
	case errors.Is(err, ErrTooLarge):
		return ReasonTooLarge
	case errors.Is(err, ErrNotArticle):
		return ReasonNotArticle
	case errors.Is(err, ErrTooManyRedirects):
		return ReasonRedirects
	case errors.As(err, &status):
		return ReasonHTTPStatus
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	default:
		return ReasonOther
	}
}

// noMetrics is the Metrics of a Service given none.
type noMetrics struct{}

func (noMetrics) CacheHit()                                     {}
func (noMetrics) FetchFailed(string)                            {}
func (noMetrics) Summarized(string, Usage, time.Duration, bool) {}

type readingKey struct{}

// WithReading returns ctx carrying f, which the Service calls when a
// Summarize under ctx starts reading a link (a cache miss), before the
// fetch: a transport shows "reading…" only when something is read. f
// may be called from another goroutine, once per link read.
func WithReading(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, readingKey{}, f)
}

// notifyReading calls the function WithReading put in ctx, if any.
func notifyReading(ctx context.Context) {
	if f, ok := ctx.Value(readingKey{}).(func()); ok && f != nil {
		f()
	}
}

// chargeOnce is a flight's summary as its callers take it: the first
// gets the model usage the run cost, the others (who joined the flight)
// a copy with none, so the spend is counted once however many servers
// asked for the link at once.
type chargeOnce struct {
	sum   *Summary
	taken atomic.Bool
}

// take returns a copy of the summary, with its usage for the first
// caller only.
func (c *chargeOnce) take() *Summary {
	s := *c.sum
	if !c.taken.CompareAndSwap(false, true) {
		s.Usage = Usage{}
	}
	return &s
}
