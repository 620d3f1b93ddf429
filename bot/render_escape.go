package bot

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// zwsp is a zero-width space: put after "@" or "<" it stops Discord from
// reading a mention, channel link or timestamp while the text still reads
// the same.
const zwsp = "\u200b"

// Escape makes untrusted text (article titles, model output, quotes) inert
// in a Discord message: markdown specials are backslash-escaped, mentions
// (@everyone, @here, <@…>, <@&…>, <#…>, <t:…>, <:emoji:…>) are broken with a
// zero-width space, URLs lose their autolink and masked links their
// brackets. Line breaks and other white space collapse to single spaces, so
// the text stays on the line the renderer put it on.
func Escape(s string) string {
	if plainText(s) {
		return s
	}
	return escapeSlow(s)
}

// plainText reports whether Escape would return s unchanged: s has no
// markdown special, no mention or link to break, no line-start marker and
// no white space or invisible character that cleanText would change. Most
// article text is plain, and checking costs a fraction of escaping.
func plainText(s string) bool {
	if s == "" {
		return true
	}
	switch s[0] {
	case ' ', '#', '>', '-', '+':
		return false
	}
	if j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); j > 0 && strings.HasPrefix(s[j:], ". ") {
		return false // an ordered-list marker ("1. ")
	}
	if s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiClass[c] == asciiPlain {
				continue
			}
			switch {
			case asciiClass[c] == asciiEscaped:
				return false
			case c == ' ' && s[i] == ' ': // s does not end with a space
				return false
			case c == '@' && (hasPrefixFold(s[i:], "everyone") || hasPrefixFold(s[i:], "here")):
				return false
			case c == ':' && strings.HasPrefix(s[i:], "//"):
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' ||
			unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
		i += size
	}
	return true
}

// ASCII classes for plainText.
const (
	asciiPlain   = iota // never changed by Escape
	asciiEscaped        // always changed: a markdown special, '<', or a control character
	asciiContext        // changed in some contexts: ' ', '@', ':'
)

// asciiClass classifies each ASCII byte for plainText.
var asciiClass = func() (t [utf8.RuneSelf]byte) {
	for c := range utf8.RuneSelf {
		switch {
		case c < ' ' || c == 0x7f || strings.IndexByte(`\*_~`+"`"+`|[]<`, byte(c)) >= 0:
			t[c] = asciiEscaped
		case c == ' ' || c == '@' || c == ':':
			t[c] = asciiContext
		}
	}
	return t
}()

// escapeSlow is Escape for text that is not plain.
func escapeSlow(s string) string {
	s = cleanText(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		rest := s[i+size:]
		switch {
		case r == '\\' || r == '*' || r == '_' || r == '~' || r == '`' || r == '|' || r == '[' || r == ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '<':
			b.WriteString("\\<")
			if rest != "" {
				b.WriteString(zwsp)
			}
		case r == '@':
			b.WriteRune(r)
			if hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteString(zwsp)
			}
		case r == ':' && strings.HasPrefix(rest, "//"):
			// "https://x" would autolink; "https\://x" does not.
			b.WriteString("\\:")
		case i == 0 && (r == '#' || r == '>' || r == '-' || r == '+'):
			// Markers that only count at the start of a line.
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	out := b.String()
	// An ordered-list marker ("1. ") at the start of a line.
	if j := strings.IndexFunc(out, func(r rune) bool { return r < '0' || r > '9' }); j > 0 && strings.HasPrefix(out[j:], ". ") {
		out = out[:j] + "\\" + out[j:]
	}
	return out
}

// hasPrefixFold reports whether s starts with the lower-case ASCII word p,
// ignoring case.
func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// cleanText collapses white space (line breaks included) to single spaces,
// drops control and invisible formatting characters (bidi overrides among
// them) and trims the ends.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// discordLen is the length of s as Discord counts it for its limits. Its
// clients count UTF-16 code units; counting those never undercounts code
// points.
func discordLen(s string) int {
	if !utf8.ValidString(s) {
		n := 0
		for _, r := range s {
			n += utf16.RuneLen(r) // an invalid byte ranges as U+FFFD: 1
		}
		return n
	}
	// Valid UTF-8: one code unit for each byte that starts a character,
	// and a second for a character outside the BMP (a four-byte one).
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c&0xC0 != 0x80 {
			n++
		}
		if c >= 0xF0 {
			n++
		}
	}
	return n
}

// truncate cuts s to at most limit Discord characters, ending with "…" when
// it cut. It never cuts inside a backslash escape or right after a
// zero-width space's "<" so the escaping survives.
func truncate(s string, limit int) string {
	// A string is never longer in UTF-16 code units than in UTF-8 bytes.
	if len(s) <= limit || discordLen(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	budget := limit - 1 // room for "…"
	n := 0
	end := 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		w := utf16.RuneLen(r)
		if n+w > budget {
			break
		}
		n += w
		end += size
	}
	out := s[:end]
	// Do not leave a dangling escape: a trailing odd run of backslashes
	// would escape the "…", which is harmless, but "\<" without its
	// zero-width space would not be.
	if strings.HasSuffix(out, "\\<") {
		out = out[:len(out)-2]
	}
	if strings.HasSuffix(out, "@") {
		out = out[:len(out)-1]
	}
	trail := len(out) - len(strings.TrimRight(out, "\\"))
	if trail%2 == 1 {
		out = out[:len(out)-1]
	}
	return strings.TrimRight(out, " ") + "…"
}

// escapeClip is truncate(Escape(s), limit) without escaping more of a long
// s than can be shown.
func escapeClip(s string, limit int) string {
	// Escaping and white-space cleaning change the length by a bounded
	// factor except for long white-space runs; this much raw text is
	// plenty for limit characters.
	maxRaw := 8*limit + 64
	if len(s) <= maxRaw {
		return truncate(Escape(s), limit)
	}
	i := maxRaw
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	e := truncate(Escape(s[:i]), limit)
	if strings.HasSuffix(e, "…") {
		return e
	}
	return truncate(e+"…", limit)
}

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
