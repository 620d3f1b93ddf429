package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// sameText reports whether a and b are the same text for a reader: equal
// once case, white space, quote marks and invisible characters are
// ignored, dashes and ellipses are written one way, and punctuation at
// either end is dropped. It allocates nothing.
func sameText(a, b string) bool {
	a, b = strings.TrimFunc(a, edgeRune), strings.TrimFunc(b, edgeRune)
	if a == b {
		return a != ""
	}
	ca, cb := foldCursor{s: a}, foldCursor{s: b}
	for {
		ra, oka := ca.next()
		rb, okb := cb.next()
		if ra != rb || oka != okb {
			return false
		}
		if !oka {
			return true
		}
	}
}

// edgeRune is what sameText drops at either end of a text.
func edgeRune(r rune) bool {
	return unicode.IsSpace(r) || quoteMark(r) || dashRune(r) || unicode.Is(unicode.Cf, r) ||
		strings.ContainsRune(".,;:!?()[]…", r)
}

// foldCursor reads a text rune by rune as sameText compares it.
type foldCursor struct {
	s    string
	i    int
	dots int // periods still to give for an ellipsis
}

// next returns the next folded rune, and false at the end.
func (c *foldCursor) next() (rune, bool) {
	if c.dots > 0 {
		c.dots--
		return '.', true
	}
	for c.i < len(c.s) {
		r, size := utf8.DecodeRuneInString(c.s[c.i:])
		c.i += size
		switch {
		case r < utf8.RuneSelf && r > ' ':
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			} else if r == '"' || r == '\'' || r == '`' {
				continue
			}
			return r, true
		case unicode.IsSpace(r) || quoteMark(r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
			continue
		case r == '…':
			c.dots = 2
			return '.', true
		case dashRune(r):
			return '-', true
		case r == 'ς': // final sigma
			return 'σ', true
		}
		return unicode.ToLower(r), true
	}
	return 0, false
}

// quoteMark reports straight and typographic quote marks.
func quoteMark(r rune) bool {
	switch r {
	case '"', '\'', '`', '“', '”', '„', '‟', '«', '»', '‹', '›', '‘', '’', '‚', '‛', '′', '″',
		'「', '」', '『', '』', '＂', '＇':
		return true
	}
	return false
}

// dashRune reports hyphens and dashes.
func dashRune(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―', '−':
		return true
	}
	return false
}
