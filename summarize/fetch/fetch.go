// Package fetch reads the links people paste: it canonicalises them (the
// cache key), finds them in messages, and downloads pages safely — public
// http(s) addresses only, checked at every redirect and dial, bounded in
// size and time, decoded to UTF-8. *Fetcher is the Service's
// summarize.Fetcher; the errors callers branch on are summarize's.
package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"briefbot/summarize"
)

// blockedError says which address or port was refused and why; it matches
// ErrBlockedHost. Fetch adds the "summarize: fetch URL:" prefix.
type blockedError struct {
	target string // host, host:port or address
	reason string
}

func (e *blockedError) Error() string {
	return fmt.Sprintf("refusing to connect to %s (%s)", e.target, e.reason)
}

func (e *blockedError) Is(target error) bool { return target == summarize.ErrBlockedHost }

type redirectsError struct{ limit int }

func (e *redirectsError) Error() string {
	return fmt.Sprintf("more than %d redirects", e.limit)
}

func (e *redirectsError) Is(target error) bool { return target == summarize.ErrTooManyRedirects }

// Resolver looks up the addresses of a host name. *net.Resolver
// implements it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configure a Fetcher. The zero value is the safe default.
type Options struct {
	// AllowPrivate (FETCH_ALLOW_PRIVATE_NETWORKS) lifts the address and
	// port rules, for intranets and local testing; nothing else.
	AllowPrivate bool
	// MaxBytes caps the body after decompression; default 15 MiB.
	MaxBytes int64
	// Timeout bounds the whole fetch, redirects and body included;
	// default 20s. Dialling (5s) and waiting for response headers (10s)
	// have their own, shorter limits.
	Timeout time.Duration
	// UserAgent is sent with every request; default defaultUserAgent.
	UserAgent string
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver Resolver

	// dial, for tests, connects to an address that passed the checks in
	// place of a real dial, so a test can map a documentation address
	// standing for a public host to a loopback listener.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

const (
	// defaultMaxBytes is well above the largest article pages (a few
	// MiB with inline scripts) and small enough to hold in memory.
	defaultMaxBytes = 15 << 20
	defaultTimeout  = 20 * time.Second
	// dialTimeout covers name resolution and the TCP connect.
	dialTimeout = 5 * time.Second
	// headerTimeout is how long a server may think before answering.
	headerTimeout = 10 * time.Second
	// maxRedirects follows what browsers tolerate for news links
	// (shorteners, http→https, consent hops) without looping.
	maxRedirects     = 5
	defaultUserAgent = "briefbot/1.0 (+https://github.com/briefbot/briefbot)"
	// sniffLen is how much http.DetectContentType looks at.
	sniffLen = 512
)

// Fetcher downloads web pages for summarizing, refusing anything that is
// not a public web page: other schemes, private and special addresses
// (checked for every redirect hop and every DNS answer, at dial time),
// ports other than 80 and 443, oversized bodies and non-article media.
// It is safe for concurrent use.
type Fetcher struct {
	opts   Options
	client *http.Client
}

// New returns a Fetcher with opts, filling in defaults.
func New(opts Options) *Fetcher {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = defaultUserAgent
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	f := &Fetcher{opts: opts}
	tr := &http.Transport{
		Proxy:                  nil, // never a proxy from the environment
		DialContext:            f.dialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    headerTimeout,
		ResponseHeaderTimeout:  headerTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		// Compression is handled in Fetch so that the decompressed
		// size is what counts against MaxBytes.
		DisableCompression: true,
	}
	f.client = &http.Client{Transport: tr, CheckRedirect: f.checkRedirect}
	return f
}

var _ summarize.Fetcher = (*Fetcher)(nil)

// Canonicalize returns Canonicalize(rawURL): the links the Fetcher reads
// are keyed the way it reads them.
func (f *Fetcher) Canonicalize(rawURL string) (string, error) {
	c, err := Canonicalize(rawURL)
	if err != nil {
		return "", err
	}
	// What Fetch would refuse from the link alone (a literal private
	// address, a port, a localhost name) is refused here, before a flight
	// starts and its "reading" notice is shown.
	l, err := parseLink(rawURL)
	if err != nil {
		return "", err
	}
	if err := f.checkLink(l); err != nil {
		return "", fmt.Errorf("summarize: fetch %s: %w", l.u, err)
	}
	return c, nil
}

// Fetch downloads the page at rawURL (as a user pasted it: see
// Canonicalize for what is accepted) and decodes it to UTF-8.
//
// Errors: ErrBadURL for a link or redirect that is not http(s) or carries
// user info; ErrBlockedHost for a refused address or port;
// ErrTooManyRedirects; *HTTPStatusError for a non-2xx answer;
// *NotArticleError (ErrNotArticle) for other media types;
// *TooLargeError (ErrTooLarge); an error wrapping context.DeadlineExceeded
// on a timeout.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*summarize.Page, error) {
	return f.fetch(ctx, rawURL, noMemory{})
}

// FetchMetered is Fetch counting the body against mem as it is read,
// before each part of it is read (see summarize.MeteredFetcher).
func (f *Fetcher) FetchMetered(ctx context.Context, rawURL string, mem summarize.Memory) (*summarize.Page, error) {
	return f.fetch(ctx, rawURL, mem)
}

var _ summarize.MeteredFetcher = (*Fetcher)(nil)

// noMemory is the Memory of a fetch without a budget: it grants
// everything at once.
type noMemory struct{}

func (noMemory) Grow(context.Context, int64) error { return nil }
func (noMemory) Release(int64)                     {}

// fetch is Fetch counting the body against acct (noMemory: no budget) as it
// is read, before each part of it is read.
func (f *Fetcher) fetch(ctx context.Context, rawURL string, acct summarize.Memory) (*summarize.Page, error) {
	l, err := parseLink(rawURL)
	if err != nil {
		return nil, err
	}
	if err := f.checkLink(l); err != nil {
		return nil, fmt.Errorf("summarize: fetch %s: %w", l.u, err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	u := l.u.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, badURL(rawURL, "unusable: %v", err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.fail(ctx, u, err)
	}
	defer resp.Body.Close()
	page, err := f.read(ctx, resp, acct)
	if err != nil {
		return nil, f.fail(ctx, u, err)
	}
	return page, nil
}

// read checks the status, media type and size of resp and reads its body,
// counting it against acct.
func (f *Fetcher) read(ctx context.Context, resp *http.Response, acct summarize.Memory) (*summarize.Page, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &summarize.HTTPStatusError{Code: resp.StatusCode}
	}
	header := resp.Header.Get("Content-Type")
	mediaType := parseMediaType(header)
	if mediaType != "" && !isArticleType(mediaType) {
		return nil, &summarize.NotArticleError{ContentType: mediaType}
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return nil, &summarize.TooLargeError{Size: resp.ContentLength, Reason: fmt.Sprintf("Content-Length over the limit of %d bytes", f.opts.MaxBytes)}
	}
	var body io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		body = zr
	default:
		return nil, fmt.Errorf("unsupported content encoding %q", enc)
	}
	br := bufio.NewReaderSize(body, sniffLen)
	if mediaType == "" {
		head, err := br.Peek(sniffLen)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("read body: %w", err)
		}
		mediaType = parseMediaType(http.DetectContentType(head))
		if !isArticleType(mediaType) {
			return nil, &summarize.NotArticleError{ContentType: mediaType}
		}
		// header stays empty: the sniffer's "charset=utf-8" is a guess,
		// not a declaration, and its "text/plain" must not stop
		// DecodeBody from reading a <meta> charset.
	}
	sizeHint := resp.ContentLength
	if body != resp.Body {
		sizeHint = -1 // the length of the compressed body
	}
	raw, err := readLimited(ctx, br, f.opts.MaxBytes, sizeHint, acct)
	if err != nil {
		return nil, err
	}
	text, err := DecodeBody(raw, header)
	if err != nil {
		return nil, err
	}
	if !sameBytes(text, raw) {
		// Decoded into a copy; raw is garbage now. Counted once made:
		// its size is known only then (at most three times raw's).
		if err := acct.Grow(ctx, int64(cap(text))); err != nil {
			return nil, err
		}
		acct.Release(int64(cap(raw)))
	}
	return &summarize.Page{URL: resp.Request.URL.String(), ContentType: mediaType, Body: text}, nil
}

// fail turns an error of the HTTP client into Fetch's error.
func (f *Fetcher) fail(ctx context.Context, u string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var bad *badURLError
	var notArticle *summarize.NotArticleError
	var status *summarize.HTTPStatusError
	switch {
	case errors.As(err, &bad):
		return bad
	case errors.As(err, &notArticle):
		return fmt.Errorf("summarize: fetch %s: %w", u, notArticle)
	case errors.As(err, &status):
		return fmt.Errorf("summarize: fetch %s: %w", u, status)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("summarize: fetch %s: %w (%w)", u, err, ctxErr)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("summarize: fetch %s: %w (%w)", u, err, context.DeadlineExceeded)
	}
	return fmt.Errorf("summarize: fetch %s: %w", u, err)
}

// sameBytes reports whether text is raw, or raw without its byte-order
// mark: DecodeBody did not copy.
func sameBytes(text, raw []byte) bool {
	if len(text) == 0 {
		return true
	}
	for _, off := range []int{0, len(bomUTF16LE), len(bomUTF8)} {
		if off < len(raw) && &raw[off] == &text[0] {
			return true
		}
	}
	return false
}

// readChunk is the least a body buffer grows by, and so the step in which
// a body is counted against the budget.
const readChunk = 256 << 10

// readLimited reads r to the end, failing once it passes limit bytes.
// sizeHint (the Content-Length, or -1) sizes the buffer; every buffer is
// counted against acct before it is allocated, and a buffer outgrown is
// given back once copied.
func readLimited(ctx context.Context, r io.Reader, limit, sizeHint int64, acct summarize.Memory) ([]byte, error) {
	size := min(int64(readChunk), limit+1)
	if sizeHint >= 0 && sizeHint <= limit {
		size = sizeHint + 1 // +1 to see the end without growing
	}
	if err := acct.Grow(ctx, size); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, &summarize.TooLargeError{Size: limit, Over: true}
			}
			size := min(max(2*int64(cap(buf)), readChunk), limit+1)
			if err := acct.Grow(ctx, size); err != nil {
				return nil, fmt.Errorf("read body: %w", err)
			}
			old := cap(buf)
			buf = append(make([]byte, 0, size), buf...)
			acct.Release(int64(old))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, &summarize.TooLargeError{Size: limit, Over: true}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
	}
}

// parseMediaType returns the lower-case media type of a Content-Type
// header, or "" when there is none.
func parseMediaType(header string) string {
	if strings.TrimSpace(header) == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		// Unparsable: take what precedes the parameters.
		mt, _, _ = strings.Cut(header, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// isArticleType reports the media types a page to summarize may have.
func isArticleType(mt string) bool {
	switch mt {
	case "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}

// checkLink applies the address and port rules to what the link itself
// says, before any DNS lookup: literal addresses in every form, the port
// and localhost names.
func (f *Fetcher) checkLink(l *webLink) error {
	if f.opts.AllowPrivate {
		return nil
	}
	if blockedPort(l.port) {
		return &blockedError{target: net.JoinHostPort(l.host, strconv.Itoa(int(l.port))), reason: "port not 80 or 443"}
	}
	if l.addr.IsValid() {
		if reason, blocked := blockedAddr(l.addr); blocked {
			return &blockedError{target: l.addr.String(), reason: reason}
		}
	}
	if isLocalName(l.host) {
		return &blockedError{target: l.host, reason: "loopback"}
	}
	return nil
}

// checkRedirect refuses a redirect to a link Fetch would refuse, and more
// than maxRedirects of them. Every hop's connection is checked again at
// dial time.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &redirectsError{limit: maxRedirects}
	}
	l, err := parseLink(req.URL.String())
	if err != nil {
		return err
	}
	return f.checkLink(l)
}

// dialContext resolves addr's host, refuses it unless every address it
// resolves to passes the rules, then connects to those checked addresses
// (never resolving again, so DNS cannot change its answer in between).
func (f *Fetcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	port64, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port: %w", addr, err)
	}
	port := uint16(port64)
	if !f.opts.AllowPrivate && blockedPort(port) {
		return nil, &blockedError{target: addr, reason: "port not 80 or 443"}
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	ips, err := f.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	if !f.opts.AllowPrivate {
		for _, ip := range ips {
			if reason, blocked := blockedAddr(ip); blocked {
				return nil, &blockedError{target: fmt.Sprintf("%s (%s)", host, ip), reason: reason}
			}
		}
	}
	var firstErr error
	for _, ip := range ips {
		target := netip.AddrPortFrom(ip.Unmap(), port).String()
		conn, err := f.dialAddr(ctx, network, target)
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// resolve returns the addresses of host: a literal address (including
// the numeric forms browsers accept) without asking DNS, else the
// resolver's answer.
func (f *Fetcher) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	lower := strings.ToLower(host)
	if hostEndsInNumber(lower) {
		ip, ok := parseWebIPv4(lower)
		if !ok {
			return nil, fmt.Errorf("dial %s: invalid IPv4 address", host)
		}
		return []netip.Addr{ip}, nil
	}
	if !f.opts.AllowPrivate && isLocalName(lower) {
		return nil, &blockedError{target: host, reason: "loopback"}
	}
	answers, err := f.opts.Resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	ips := make([]netip.Addr, 0, len(answers))
	for _, a := range answers {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ips = append(ips, ip.WithZone(a.Zone))
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	return ips, nil
}

// dialAddr connects to a checked ip:port; the socket is checked once more
// just before connecting.
func (f *Fetcher) dialAddr(ctx context.Context, network, target string) (net.Conn, error) {
	if f.opts.dial != nil {
		return f.opts.dial(ctx, network, target)
	}
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !f.opts.AllowPrivate {
		d.Control = controlDial
	}
	return d.DialContext(ctx, network, target)
}

// controlDial is net.Dialer.Control: the last check of the address a
// socket is about to connect to.
func controlDial(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedError{target: address, reason: "unparsable address"}
	}
	if reason, blocked := blockedAddr(ap.Addr()); blocked {
		return &blockedError{target: address, reason: reason}
	}
	if blockedPort(ap.Port()) {
		return &blockedError{target: address, reason: "port not 80 or 443"}
	}
	return nil
}

// DecodeBody converts a page to UTF-8. The encoding is taken from, in
// order: a byte-order mark (which browsers trust over the header), the
// charset of contentType, an HTML page's <meta> declaration, and
// otherwise UTF-8 when the whole body is valid UTF-8, else windows-1252
// (what browsers assume for Latin-1 pages without a declaration).
// Invalid sequences become U+FFFD; a leading BOM is dropped. A body that
// is valid UTF-8 already is returned as it is, not copied.
func DecodeBody(raw []byte, contentType string) ([]byte, error) {
	name := detectCharset(raw, contentType)
	raw = stripBOM(raw)
	if name == "utf-8" {
		if utf8.Valid(raw) {
			return raw, nil // no copy: a page's body is the largest thing a fetch holds
		}
		return bytes.ToValidUTF8(raw, []byte("\uFFFD")), nil
	}
	enc, _ := charset.Lookup(name)
	if enc == nil {
		return bytes.ToValidUTF8(raw, []byte("\uFFFD")), nil
	}
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, fmt.Errorf("summarize: decode %s: %w", name, err)
	}
	return bytes.ToValidUTF8(bytes.TrimPrefix(out, []byte("\uFEFF")), []byte("\uFFFD")), nil
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

func stripBOM(raw []byte) []byte {
	for _, bom := range [][]byte{bomUTF8, bomUTF16LE, bomUTF16BE} {
		if bytes.HasPrefix(raw, bom) {
			return raw[len(bom):]
		}
	}
	return raw
}

// detectCharset returns the WHATWG name of raw's encoding (see
// DecodeBody for the order of the rules).
func detectCharset(raw []byte, contentType string) string {
	switch {
	case bytes.HasPrefix(raw, bomUTF8):
		return "utf-8"
	case bytes.HasPrefix(raw, bomUTF16LE):
		return "utf-16le"
	case bytes.HasPrefix(raw, bomUTF16BE):
		return "utf-16be"
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	if cs := params["charset"]; cs != "" {
		if enc, name := charset.Lookup(cs); enc != nil {
			return name
		}
	}
	if mt != "text/plain" {
		// A <meta charset> or http-equiv declaration in the first 1024
		// bytes. When there is none, DetermineEncoding guesses from
		// those bytes alone (utf-8 or windows-1252); a windows-1252
		// answer is checked against the whole body below, since a
		// UTF-8 page often has no high bytes in its first 1024.
		if _, name, _ := charset.DetermineEncoding(raw, "text/html"); name != "windows-1252" {
			return name
		}
	}
	if utf8.Valid(raw) {
		return "utf-8"
	}
	return "windows-1252"
}
