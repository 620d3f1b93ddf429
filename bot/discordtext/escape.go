// Package discordtext makes untrusted text (article titles, model output,
// quotes) inert in a Discord message and measures and cuts text as Discord
// counts it. It is a leaf: both bot and schedule render Discord text
// through it, so the two follow one set of rules.
package discordtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ZeroWidthSpace is put after "@" or "<" to stop Discord from reading a
// mention, channel link or timestamp while the text still reads the same.
// Clean drops it from input, so untrusted text cannot bring its own.
const ZeroWidthSpace = "\u200b"

// Escape makes untrusted text inert in a Discord message:
//   - Markdown specials (\ * _ ~ ` | [ ]) are backslash-escaped, and so are
//     the markers that count only at the start of a line (# > - + and an
//     ordered list's "1.");
//   - every "<" is backslash-escaped and followed by a zero-width space,
//     which breaks <@…>, <@&…>, <#…>, <t:…> and <:emoji:…>;
//   - an "@" before "everyone" or "here" (any case), or ending the text, is
//     followed by a zero-width space, so no ping forms here or where the
//     caller joins the text to what follows; other "@"s (a@b.example,
//     @handle) stay as they are: Discord reads no other bare mention;
//   - "://" becomes "\://", so a URL does not autolink and masked links lose
//     their brackets to the Markdown escaping;
//   - the text is cleaned first (see Clean), so it stays on one line.
func Escape(s string) string {
	if plainText(s) {
		return s
	}
	return escapeSlow(s)
}

// plainText reports whether Escape would return s unchanged: s has no
// markdown special, no mention or link to break, no line-start marker and
// no white space or invisible character that Clean would change. Most
// article text is plain, and checking costs a fraction of escaping.
func plainText(s string) bool {
	if s == "" {
		return true
	}
	switch s[0] {
	case ' ', '#', '>', '-', '+':
		return false
	}
	if orderedMarker(s) > 0 {
		return false
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
			case c == '@' && breakAt(s[i:]):
				return false
			case c == ':' && strings.HasPrefix(s[i:], "//"):
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
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

// breakAt reports whether an "@" followed by rest needs a zero-width space:
// it would start @everyone or @here, or it ends the text.
func breakAt(rest string) bool {
	return rest == "" || hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here")
}

// orderedMarker returns the length of the digits of an ordered-list marker
// ("12. ") starting s, or 0 when s does not start with one.
func orderedMarker(s string) int {
	j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if j > 0 && strings.HasPrefix(s[j:], ". ") {
		return j
	}
	return 0
}

// escapeSlow is Escape for text that is not plain.
func escapeSlow(s string) string {
	s = Clean(s)
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
			b.WriteString("\\<" + ZeroWidthSpace)
		case r == '@':
			b.WriteByte('@')
			if breakAt(rest) {
				b.WriteString(ZeroWidthSpace)
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
	if j := orderedMarker(out); j > 0 {
		out = out[:j] + "\\" + out[j:]
	}
	return out
}

// hasPrefixFold reports whether s starts with the lower-case ASCII word p,
// ignoring case.
func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// Clean collapses white space (line breaks, U+2028 and U+2029, no-break
// and other Unicode spaces) to single spaces, drops control characters,
// invisible formatting characters (category Cf: zero-width characters,
// bidi overrides, soft hyphens, tag characters) and invalid UTF-8, and
// trims the ends.
func Clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r):
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
