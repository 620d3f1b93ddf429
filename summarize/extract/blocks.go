package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"briefbot/summarize"
)

// blockWriter turns an extracted content tree into Blocks: headings and
// paragraphs in document order. It works on trafilatura's ContentNode (h1–h6,
// p, ul/ol/li, blockquote, table, …) and on readability's cleaned HTML alike.
type blockWriter struct {
	blocks []rawBlock
	cur    strings.Builder
	// level is the heading level of the element being written (0 for a
	// paragraph).
	level int
	pre   int // depth of <pre> elements: line breaks and spaces count there
	// links counts the bytes of text written inside <a> for the current
	// block, to compute its link density.
	links  int
	inLink int
	// softInline separates words at inline element boundaries: trafilatura
	// drops the white space around inline elements of its output tree
	// ("for <b>Larry</b> Ogunjobi" becomes "for<b>Larry</b>Ogunjobi").
	softInline bool
	soft       bool
}

// rawBlock is a Block before cleaning, with what the cleaner needs to know.
type rawBlock struct {
	summarize.Block
	// words is countWords(Text).
	words int
	// linkBytes is how much of Text sat inside links.
	linkBytes int
	// row reports a table row: rows repeat (headers) and hold numbers
	// and capitals without being boilerplate.
	row bool
}

// skippedElements never hold main text.
var skippedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Input: true, atom.Img: true, atom.Video: true,
	atom.Audio: true, atom.Canvas: true, atom.Picture: true, atom.Source: true,
}

// blockElements end the paragraph in progress when they start and end.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true,
	atom.Main: true, atom.Header: true, atom.Footer: true, atom.Aside: true,
	atom.Nav: true, atom.Blockquote: true, atom.Pre: true, atom.Ul: true,
	atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Tr: true, atom.Thead: true, atom.Tbody: true,
	atom.Tfoot: true, atom.Caption: true, atom.Figure: true,
	atom.Figcaption: true, atom.Address: true, atom.Hr: true,
	atom.Details: true, atom.Summary: true, atom.Form: true, atom.Fieldset: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Body: true, atom.Html: true, atom.Center: true,
	atom.Menu: true, atom.Legend: true,
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// nodeBlocks returns the blocks under n. softInline puts a space between
// words that meet at an inline element boundary.
func nodeBlocks(n *html.Node, softInline bool) []rawBlock {
	if n == nil {
		return nil
	}
	w := blockWriter{softInline: softInline}
	w.walk(n, 0)
	w.flush(false)
	return w.blocks
}

// maxTreeDepth bounds recursion on pathological documents (the HTML parser
// itself nests at most 512 deep).
const maxTreeDepth = 600

func (w *blockWriter) walk(n *html.Node, depth int) {
	if depth > maxTreeDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c, depth+1)
		}
		return
	default:
		return
	}
	a := n.DataAtom
	if a == 0 {
		// trafilatura builds its output elements from names alone.
		a = atom.Lookup([]byte(n.Data))
	}
	if skippedElements[a] || nodeHasAttr(n, "hidden") {
		return
	}
	switch a {
	case atom.Br:
		w.cur.WriteByte('\n')
		return
	case atom.Td, atom.Th:
		w.space()
	}
	block := blockElements[a] || isBlockName(n.Data)
	level := headingLevel(a)
	if block {
		w.flush(false)
	} else {
		w.soft = w.softInline
	}
	if level > 0 {
		w.level = level
	}
	switch a {
	case atom.Pre:
		w.pre++
		defer func() { w.pre-- }()
	case atom.A:
		w.inLink++
		defer func() { w.inLink-- }()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	switch a {
	case atom.Td, atom.Th:
		w.space()
	}
	if block {
		w.flush(a == atom.Tr)
	} else {
		w.soft = w.softInline
	}
	if level > 0 {
		w.level = 0
	}
}

// isBlockName recognises trafilatura's own element names (TEI-like) in
// case its output keeps one.
func isBlockName(name string) bool {
	switch name {
	case "head", "item", "list", "row", "quote":
		return true
	}
	return false
}

func (w *blockWriter) space() {
	if w.cur.Len() > 0 {
		w.cur.WriteByte(' ')
	}
}

func (w *blockWriter) text(s string) {
	if s == "" {
		return
	}
	if w.soft {
		w.soft = false
		prev, _ := utf8.DecodeLastRuneInString(w.cur.String())
		next, _ := utf8.DecodeRuneInString(s)
		if w.cur.Len() > 0 && softBefore(prev) && softAfter(next) {
			w.cur.WriteByte(' ')
		}
	}
	if w.inLink > 0 {
		w.links += len(strings.TrimSpace(s))
	}
	if w.pre == 0 {
		// Outside <pre> a line break in the source is a space; only
		// <br> breaks a line.
		s = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\f' {
				return ' '
			}
			return r
		}, s)
	}
	w.cur.WriteString(s)
}

func softBefore(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".,;:!?)]%", r)
}

func softAfter(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '('
}

// flush ends the paragraph in progress; row reports a table row.
func (w *blockWriter) flush(row bool) {
	raw := w.cur.String()
	w.cur.Reset()
	w.soft = false
	links := w.links
	w.links = 0
	text := normalizeText(raw, w.pre > 0)
	if text == "" {
		return
	}
	w.blocks = append(w.blocks, rawBlock{
		Block:     summarize.Block{Heading: w.level > 0, Level: w.level, Text: text},
		words:     countWords(text),
		linkBytes: min(links, len(text)),
		row:       row,
	})
}

// invisibleRune reports the characters dropped from text: they carry no
// meaning for a reader and break quote matching.
func invisibleRune(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\ufeff', '\u2060', '\u180e':
		return true
	}
	return false
}

// normalizeText collapses runs of white space within each line to one
// space (unless keepSpaces), trims lines, drops empty lines, control and
// invisible characters and invalid UTF-8.
func normalizeText(s string, keepSpaces bool) string {
	var b strings.Builder
	b.Grow(len(s))
	lineStart := true
	pendingSpace := false
	pendingNewline := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue
		}
		if invisibleRune(r) {
			continue
		}
		if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
			if !lineStart {
				pendingNewline = true
			}
			pendingSpace = false
			continue
		}
		if unicode.IsSpace(r) || r == '\u00a0' {
			if keepSpaces && !lineStart && !pendingNewline {
				b.WriteRune(' ')
				continue
			}
			if !lineStart {
				pendingSpace = true
			}
			continue
		}
		if unicode.IsControl(r) {
			continue
		}
		if pendingNewline {
			b.WriteByte('\n')
			pendingNewline = false
			pendingSpace = false
		} else if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
		lineStart = false
	}
	out := b.String()
	if keepSpaces {
		out = strings.TrimRight(out, " ")
	}
	return out
}

func nodeHasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func nodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
