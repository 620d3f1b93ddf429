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
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid bytes range as U+FFFD: 1
	}
	return n
}

// truncate cuts s to at most limit Discord characters, ending with "…" when
// it cut. It never cuts inside a backslash escape or right after a
// zero-width space's "<" so the escaping survives.
func truncate(s string, limit int) string {
	if discordLen(s) <= limit {
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
