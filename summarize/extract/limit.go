package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"briefbot/summarize"
)

// Extraction limits. Extracting costs far more than a page's size: about
// 2 KiB of memory per element (go-trafilatura copies the tree several
// times) and, for long texts, time and garbage that grow with the square
// of the text (go-trafilatura joins paragraphs one by one). Measured: a
// 1 MB table of 95,000 elements took 190 MB, a 10 MB page of paragraphs
// 750 MB and 84 s. The limits sit far above articles (the corpus's
// largest: 1,600 elements and 250 KB of markup without scripts; long reads
// run to 200 KB of text) and keep one extraction near 100 MB.
const (
	// maxExtractElements bounds the elements of a page's markup.
	maxExtractElements = 30_000
	// maxExtractText bounds the text of a page outside scripts and
	// styles: about 85,000 English words.
	maxExtractText = 512 << 10
	// Cost model of an extraction, in bytes of memory at its peak
	// (measured on tables, nested divs, paragraphs and the corpus; see
	// BENCHMARKS.md): per element, per byte of text and per byte of
	// markup handed to the parser.
	costPerElement    = 2 << 10
	costPerTextByte   = 24
	costPerMarkupByte = 4
)

// preparedPage is a page ready to extract: HTML without the contents of
// its scripts, styles and comments (which no extractor reads, and which
// are most of a heavy page's bytes), or plain text, with its size
// counted. Nothing of the original body is kept.
type preparedPage struct {
	body     []byte
	pageURL  string
	base     *url.URL
	kind     string // kindHTML or kindPlain
	size     int    // bytes of the page as fetched
	elements int
	text     int // bytes of text outside scripts and styles
}

// prepareExtract checks body's kind and size and strips what extraction
// does not read. Errors: *NotArticleError for another media type,
// *TooLargeError (ErrTooLarge) past the extraction limits.
func prepareExtract(body []byte, pageURL, contentType string) (*preparedPage, error) {
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, nil)
	}
	base, _ := url.Parse(pageURL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	p := &preparedPage{pageURL: pageURL, base: base, size: len(body)}
	switch kind := contentKind(body, contentType); kind {
	case kindHTML:
		p.kind = kindHTML
		p.body, p.elements, p.text = stripMarkup(body)
	case kindPlain:
		p.kind = kindPlain
		p.body, p.text = body, len(body)
	default:
		return nil, fmt.Errorf("summarize: extract %s: %w", pageURL, &summarize.NotArticleError{ContentType: kind})
	}
	var reason string
	switch {
	case p.elements > maxExtractElements:
		reason = fmt.Sprintf("%d elements, limit %d", p.elements, maxExtractElements)
	case p.text > maxExtractText:
		reason = fmt.Sprintf("%d bytes of text, limit %d", p.text, maxExtractText)
	default:
		return p, nil
	}
	return nil, fmt.Errorf("summarize: extract %s: %w", pageURL, &summarize.TooLargeError{Size: int64(p.size), Reason: reason})
}

// cost estimates the memory extracting p takes at its peak, in bytes.
func (p *preparedPage) cost() int64 {
	return int64(p.elements)*costPerElement + int64(p.text)*costPerTextByte + int64(len(p.body))*costPerMarkupByte
}

// stripMarkup returns body without the contents of scripts (except
// JSON-LD structured data, which the metadata is read from), styles and
// comments, leaving every element in place, with the number of elements
// and the bytes of text that remain. It copies only when there is
// something to drop, and stops early, with what it counted so far, once
// the page passes an extraction limit.
func stripMarkup(body []byte) (out []byte, elements, text int) {
	z := html.NewTokenizer(bytes.NewReader(body))
	pos := 0       // offset in body of the current token
	kept := 0      // body[:kept] is in buf, or buf is nil and nothing was dropped
	skip := false  // in a script or style whose contents are dropped
	var buf []byte // nil until something is dropped
	drop := func(start, end int) {
		buf = append(buf, body[kept:start]...)
		kept = end
	}
	for elements <= maxExtractElements && text <= maxExtractText {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		start := pos
		pos += len(z.Raw())
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			elements++
			name, hasAttr := z.TagName()
			skip = false
			if tt == html.StartTagToken && (string(name) == "script" || string(name) == "style") {
				skip = string(name) == "style" || !jsonLDScript(z, hasAttr)
			}
		case html.EndTagToken:
			skip = false
		case html.TextToken:
			if skip {
				drop(start, pos)
			} else {
				text += len(z.Raw())
			}
		case html.CommentToken:
			drop(start, pos)
		}
	}
	if kept == 0 {
		return body, elements, text
	}
	return append(buf, body[kept:]...), elements, text
}

// jsonLDScript reports whether the script start tag being read declares
// JSON-LD (the test scanPage uses).
func jsonLDScript(z *html.Tokenizer, hasAttr bool) bool {
	for hasAttr {
		var key, val []byte
		key, val, hasAttr = z.TagAttr()
		if string(key) == "type" && strings.Contains(string(val), "ld+json") {
			return true
		}
	}
	return false
}
