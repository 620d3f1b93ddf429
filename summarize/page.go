package summarize

import (
	"errors"
	"fmt"
	"net/http"
)

// Page is a fetched web page.
type Page struct {
	URL         string // final URL after redirects
	ContentType string // media type, e.g. "text/html"
	Body        []byte // decoded to UTF-8
}

// ErrBadURL is returned for a link that is not a usable web address:
// unparsable, not http or https, or carrying a user name or password.
var ErrBadURL = errors.New("summarize: not a web link")

// Errors a caller of a Fetcher branches on. Each is matched with errors.Is;
// NotArticleError and HTTPStatusError carry detail for errors.As.
var (
	// ErrBlockedHost: the link, a redirect or a DNS answer points at an
	// address or port a fetch must not reach (loopback, private network,
	// cloud metadata, a port other than 80 and 443, …).
	ErrBlockedHost = errors.New("summarize: address not allowed")
	// ErrTooLarge: the page is larger than the fetcher takes, or past
	// the extraction limits; *TooLargeError says its size.
	ErrTooLarge = errors.New("summarize: page too large")
	// ErrNotArticle: the link is not a web page (PDF, image, video, …).
	ErrNotArticle = errors.New("summarize: not an article")
	// ErrTooManyRedirects: more than five redirects.
	ErrTooManyRedirects = errors.New("summarize: too many redirects")
)

// NotArticleError is returned for a response whose media type is not a
// readable page. It matches ErrNotArticle. Its text is a reason, not a
// sentence: Fetch and Extract wrap it with the step and the link.
type NotArticleError struct {
	ContentType string // media type, e.g. "application/pdf"
}

func (e *NotArticleError) Error() string {
	return fmt.Sprintf("not an article I can read (%s)", e.ContentType)
}

// Is reports whether target is ErrNotArticle.
func (e *NotArticleError) Is(target error) bool { return target == ErrNotArticle }

// HTTPStatusError is returned for a final response whose status is not
// 2xx, wrapped by Fetch with the link.
type HTTPStatusError struct {
	Code int
}

func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("HTTP status %d %s", e.Code, http.StatusText(e.Code))
}

// TooLargeError is returned for a page too large to fetch or to extract.
// It matches ErrTooLarge.
type TooLargeError struct {
	// Size is the page's size in bytes; when Over is set the page is
	// larger and Size is the limit it passed.
	Size int64
	Over bool
	// Reason says which limit, for the log ("more than 30000 elements").
	Reason string
}

func (e *TooLargeError) Error() string {
	if e.Over {
		return fmt.Sprintf("summarize: page too large (over %d bytes)", e.Size)
	}
	if e.Reason == "" {
		return fmt.Sprintf("summarize: page too large (%d bytes)", e.Size)
	}
	return fmt.Sprintf("summarize: page too large (%d bytes, %s)", e.Size, e.Reason)
}

// Is reports whether target is ErrTooLarge.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }
