// Package extract finds the main text of a page: headings and paragraphs
// in reading order, title, site, language, date and how much of the
// article was readable (go-trafilatura with readability as a second
// opinion, within size limits). *Extractor is the Service's
// summarize.Extractor; Document extracts a page in one call.
package extract

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"briefbot/summarize"
)

// Extractor is the Service's extraction step: Document in two steps, so
// the Service can count an extraction's memory before it runs.
type Extractor struct{}

var _ summarize.Extractor = (*Extractor)(nil)

// New returns an Extractor.
func New() *Extractor { return &Extractor{} }

// Prepare checks page's kind and size and strips what extraction does
// not read (see summarize.Extractor). The errors are Document's.
func (*Extractor) Prepare(page *summarize.Page) (summarize.Extraction, error) {
	p, err := prepareExtract(page.Body, page.URL, page.ContentType)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Cost is the memory the extraction of p holds at its peak: the prepared
// markup and the estimated working memory.
func (p *preparedPage) Cost() int64 { return p.cost() + int64(cap(p.body)) }

// Extract returns p's main text (see Document).
func (p *preparedPage) Extract() (*summarize.Document, error) { return p.extract() }

// Document reads a UTF-8 page (already charset-decoded by the fetcher) and
// returns its main text. contentType is the page's media type ("" means
// sniff it): HTML and XHTML pages go through go-trafilatura with readability
// as a second opinion, text/plain is split into paragraphs and headings.
// It returns an error wrapping ErrNotArticle when nothing readable is
// found, and a *TooLargeError (ErrTooLarge) for a page past the extraction
// limits (maxExtractElements, maxExtractText): no article is that large,
// and extracting one would take hundreds of MB.
func Document(body []byte, pageURL string, contentType string) (*summarize.Document, error) {
	p, err := prepareExtract(body, pageURL, contentType)
	if err != nil {
		return nil, err
	}
	return p.extract()
}

// extract extracts a prepared page (see Document).
func (p *preparedPage) extract() (*summarize.Document, error) {
	var (
		doc *summarize.Document
		err error
	)
	switch p.kind {
	case kindHTML:
		doc, err = extractHTML(p.body, p.base, p.size)
	default:
		doc = extractPlain(string(p.body), p.pageURL)
	}
	if err != nil {
		return nil, fmt.Errorf("summarize: extract %s: %w", p.pageURL, err)
	}
	if len(doc.Blocks) == 0 {
		return nil, fmt.Errorf("summarize: extract %s: %w", p.pageURL, &kindError{kind: summarize.ErrNotArticle, text: "no readable text"})
	}
	doc.URL = p.pageURL
	doc.Title = truncateUTF8(doc.Title, p.size)
	if doc.Site == "" {
		doc.Site = siteFromHost(p.base)
	}
	texts := make([]string, len(doc.Blocks))
	for i, b := range doc.Blocks {
		texts[i] = b.Text
	}
	doc.Text = strings.Join(texts, "\n\n")
	doc.WordCount = countWords(doc.Text)
	return doc, nil
}

const (
	kindHTML  = "html"
	kindPlain = "plain"
)

// contentKind decides how to read body: by the media type when there is
// one, by sniffing otherwise. Other media types are returned as they are.
func contentKind(body []byte, contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "" {
		mt = strings.ToLower(strings.TrimSpace(contentType))
		if i := strings.IndexByte(mt, ';'); i >= 0 {
			mt = strings.TrimSpace(mt[:i])
		}
	}
	switch {
	case mt == "":
	case mt == "text/html", mt == "application/xhtml+xml", strings.HasSuffix(mt, "+xml") && strings.Contains(mt, "html"):
		return kindHTML
	case mt == "text/plain":
		return kindPlain
	default:
		return mt
	}
	sniffed := http.DetectContentType(body)
	switch {
	case strings.HasPrefix(sniffed, "text/html"):
		return kindHTML
	case strings.HasPrefix(sniffed, "text/plain"), strings.HasPrefix(sniffed, "text/xml"):
		if looksLikeMarkup(body) {
			return kindHTML
		}
		if strings.HasPrefix(sniffed, "text/plain") {
			return kindPlain
		}
	}
	mt, _, _ = mime.ParseMediaType(sniffed)
	return mt
}

// looksLikeMarkup catches HTML that the standard sniffer misses because it
// does not start with a known tag (a comment, an XML prolog, a fragment).
func looksLikeMarkup(body []byte) bool {
	head := body[:min(len(body), 4096)]
	lower := bytes.ToLower(head)
	for _, tag := range []string{"<html", "<body", "<p>", "<p ", "<article", "<div", "<!doctype html", "<h1", "<h2"} {
		if bytes.Contains(lower, []byte(tag)) {
			return true
		}
	}
	return false
}

// trafilaturaOptions are the settings every page is extracted with.
// HtmlDateMode Disabled skips go-htmldate's scan of the whole page (see
// DESIGN.md); the date comes from the page's metadata instead.
func trafilaturaOptions(base *url.URL) trafilatura.Options {
	return trafilatura.Options{
		OriginalURL:  base,
		HtmlDateMode: trafilatura.Disabled,
	}
}

// extractHTML parses body once and extracts its main text with
// go-trafilatura, asking readability for a second opinion when
// trafilatura's text is doubtful, then cleans the boilerplate out of the
// chosen text and grades it.
// The text kept is at most limit bytes (the page's size).
func extractHTML(body []byte, base *url.URL, limit int) (*summarize.Document, error) {
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		// Only pathological markup fails to parse (elements nested
		// over 512 deep): there is no article to read in it.
		return nil, &kindError{kind: summarize.ErrNotArticle, text: "parse html", err: err}
	}
	info := scanPage(root)
	doc := &summarize.Document{
		Canonical: absoluteURL(base, info.canonical),
		Site:      strings.TrimSpace(info.siteName),
		Language:  normalizeLang(info.lang),
		Title:     info.title,
	}
	if doc.Canonical == "" {
		doc.Canonical = absoluteURL(base, info.ogURL)
	}

	var tBlocks []rawBlock
	if res := runTrafilatura(root, base); res != nil {
		tBlocks = nodeBlocks(res.ContentNode, true)
		m := res.Metadata
		if m.Title != "" {
			doc.Title = m.Title
		}
		doc.Author = m.Author
		if doc.Language == "" {
			doc.Language = normalizeLang(m.Language)
		}
	}
	doc.Published = parseDate(info.published)
	titles := []string{doc.Title, info.title, info.description}
	urls := []string{pageURLString(base), doc.Canonical}
	tClean := cleanBlocks(tBlocks, titles, urls)

	raw, blocks := tBlocks, tClean
	var rBlocks []rawBlock
	if doubtful(tClean) {
		// readability mutates the tree it reads; trafilatura worked on
		// its own copies, so root can be handed over now.
		if article := runReadability(root, base); article != nil {
			rBlocks = nodeBlocks(article.Node, false)
			if doc.Title == "" {
				doc.Title = article.Title()
			}
			if doc.Author == "" {
				doc.Author = article.Byline()
			}
			if t, err := article.PublishedTime(); err == nil && doc.Published.IsZero() {
				doc.Published = t
			}
		}
		rClean := cleanBlocks(rBlocks, titles, urls)
		if chooseBlocks(tClean, rClean, isListing(rBlocks)) {
			raw, blocks = rBlocks, rClean
		}
	}
	doc.Title = collapseSpace(doc.Title)
	doc.Author = collapseSpace(doc.Author)
	if len(blocks) == 0 {
		// Cleaning left nothing: what there is (a consent notice, a
		// paywall box) is still the page's text, and the quality says
		// what it is.
		if len(raw) == 0 {
			raw = rBlocks
		}
		blocks = raw
	}
	sig := qualitySignals{
		consentWords:  consentWords(raw),
		paywallText:   info.notFree || paywallWording(tBlocks, rBlocks),
		paywallMarkup: info.paywallMarkup,
	}
	doc.Blocks = blockList(blocks, limit)
	doc.Language = detectLanguage(doc.Blocks, doc.Language)
	for _, b := range blocks {
		sig.words += b.words
	}
	sig.words -= min(sig.words, consentWords(blocks))
	sig.truncated = endsTruncated(doc.Blocks)
	doc.Quality = sig.quality()
	return doc, nil
}

// runTrafilatura extracts with go-trafilatura, or returns nil when it
// finds nothing. A panic in the library on a hostile page counts as
// nothing found.
func runTrafilatura(root *html.Node, base *url.URL) (res *trafilatura.ExtractResult) {
	defer func() {
		if recover() != nil {
			res = nil
		}
	}()
	res, err := trafilatura.ExtractDocument(root, trafilaturaOptions(base))
	if err != nil || res == nil || res.ContentNode == nil {
		return nil
	}
	return res
}

// runReadability extracts with readability, changing root, or returns nil
// when it finds nothing or panics.
func runReadability(root *html.Node, base *url.URL) (article *readability.Article) {
	defer func() {
		if recover() != nil {
			article = nil
		}
	}()
	parser := readability.NewParser()
	a, err := parser.ParseAndMutate(root, base)
	if err != nil || a.Node == nil {
		return nil
	}
	return &a
}

// blockList returns the Blocks of blocks, at most limit bytes of text in
// all. Entities such as "&nGt;" decode to more bytes than they take, so
// without the limit a hostile page could yield more text than it has.
func blockList(blocks []rawBlock, limit int) []summarize.Block {
	out := make([]summarize.Block, 0, len(blocks))
	for _, b := range blocks {
		if limit <= 0 {
			break
		}
		if len(b.Text) > limit {
			b.Text = truncateUTF8(b.Text, limit)
		}
		limit -= len(b.Text) + len("\n\n")
		out = append(out, b.Block)
	}
	return out
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// parseDate reads the common machine-readable date forms, or returns the
// zero time.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// collapseSpace trims white space and collapses runs of it.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func pageURLString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}
