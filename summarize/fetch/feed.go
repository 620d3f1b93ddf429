package fetch

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"briefbot/summarize"
)

// FeedRequest is a conditional feed fetch: the validators the last answer
// gave, so an unchanged feed answers 304 and costs no body.
type FeedRequest struct {
	ETag         string
	LastModified string
	// MaxBytes caps the body (after decompression); 0 means the
	// Fetcher's MaxBytes.
	MaxBytes int64
}

// FeedPage is a feed (or a page that may link one) as fetched.
type FeedPage struct {
	// URL is where the body was read, after redirects.
	URL         string
	ContentType string
	Body        []byte
	// NotModified is true for a 304 answer: Body is empty and the
	// validators are the request's.
	NotModified  bool
	ETag         string
	LastModified string
	// MaxAge is the answer's Cache-Control max-age (0: none).
	MaxAge time.Duration
}

// isFeedType lists what a feed (or the page linking one) is served as.
func isFeedType(mt string) bool {
	switch mt {
	case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
		"application/xml", "text/xml", "application/rdf+xml", "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}

// FetchFeed reads a feed through the same rules as Fetch: public
// addresses only (every redirect and DNS answer checked at dial time),
// ports 80 and 443, bounded time and size. It sends the validators of req
// and reports a 304 as NotModified.
func (f *Fetcher) FetchFeed(ctx context.Context, rawURL string, req FeedRequest) (*FeedPage, error) {
	l, err := parseLink(rawURL)
	if err != nil {
		return nil, err
	}
	if err := f.checkLink(l); err != nil {
		return nil, fmt.Errorf("summarize: fetch %s: %w", l.u, err)
	}
	limit := req.MaxBytes
	if limit <= 0 || limit > f.opts.MaxBytes {
		limit = f.opts.MaxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	u := l.u.String()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, badURL(rawURL, "unusable: %v", err)
	}
	hr.Header.Set("User-Agent", f.opts.UserAgent)
	hr.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1")
	hr.Header.Set("Accept-Encoding", "gzip")
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := f.client.Do(hr)
	if err != nil {
		return nil, f.fail(ctx, u, err)
	}
	defer resp.Body.Close()
	page := &FeedPage{URL: resp.Request.URL.String(), ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), MaxAge: maxAge(resp.Header.Get("Cache-Control"))}
	if resp.StatusCode == http.StatusNotModified {
		page.NotModified = true
		page.ETag = firstNonEmpty(page.ETag, req.ETag)
		page.LastModified = firstNonEmpty(page.LastModified, req.LastModified)
		return page, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, f.fail(ctx, u, &summarize.HTTPStatusError{Code: resp.StatusCode})
	}
	page.ContentType = parseMediaType(resp.Header.Get("Content-Type"))
	if page.ContentType != "" && !isFeedType(page.ContentType) {
		return nil, f.fail(ctx, u, &summarize.NotArticleError{ContentType: page.ContentType})
	}
	if resp.ContentLength > limit {
		return nil, &summarize.TooLargeError{Size: resp.ContentLength, Reason: fmt.Sprintf("Content-Length over the limit of %d bytes", limit)}
	}
	var body io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, f.fail(ctx, u, fmt.Errorf("gzip body: %w", err))
		}
		defer zr.Close()
		body = zr
	default:
		return nil, f.fail(ctx, u, fmt.Errorf("unsupported content encoding %q", enc))
	}
	raw, err := readLimited(ctx, bufio.NewReader(body), limit, -1, noMemory{})
	if err != nil {
		return nil, f.fail(ctx, u, err)
	}
	page.Body = raw
	return page, nil
}

// maxAge reads max-age from a Cache-Control header.
func maxAge(cc string) time.Duration {
	for _, d := range strings.Split(cc, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(d), "=")
		if ok && strings.EqualFold(k, "max-age") {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
