package discordtext

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Len is the length of s as Discord counts it for its limits. Its clients
// count UTF-16 code units; counting those never undercounts code points.
// An invalid byte counts as one, as the U+FFFD it is shown as.
func Len(s string) int {
	if !utf8.ValidString(s) {
		n := 0
		for _, r := range s {
			n += utf16.RuneLen(r)
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

// Cut splits s after at most n Discord characters (see Len), at a
// character boundary: head is the longest such prefix, tail the rest.
func Cut(s string, n int) (head, tail string) {
	used := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := utf16.RuneLen(r)
		if used+w > n {
			return s[:i], s[i:]
		}
		used += w
		i += size
	}
	return s, ""
}

// Truncate cuts escaped text s to at most limit Discord characters, ending
// with "…" when it cut. It never leaves half an escape at the cut: no
// lone backslash, no "\<" without its zero-width space, no "@" whose
// zero-width space was cut off.
func Truncate(s string, limit int) string {
	// A string is never longer in UTF-16 code units than in UTF-8 bytes.
	if len(s) <= limit || Len(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	out, _ := Cut(s, limit-1) // room for "…"
	// A trailing odd run of backslashes would escape the "…", which is
	// harmless, but "\<" without its zero-width space would not be.
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

// EscapeTruncate is Truncate(Escape(s), limit) without escaping more of a
// long s than can be shown.
func EscapeTruncate(s string, limit int) string {
	// Escaping and white-space cleaning change the length by a bounded
	// factor except for long white-space runs; this much raw text is
	// plenty for limit characters.
	maxRaw := 8*limit + 64
	if len(s) <= maxRaw {
		return Truncate(Escape(s), limit)
	}
	i := maxRaw
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	e := Truncate(Escape(s[:i]), limit)
	if strings.HasSuffix(e, "…") {
		return e
	}
	return Truncate(e+"…", limit)
}
