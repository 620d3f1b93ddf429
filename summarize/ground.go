package summarize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Ground marks each point's Grounded field: true when its Quote is found in
// text with whitespace, quote marks (straight and curly single and double,
// guillemets, primes), dashes (- – —) and case folded. An empty quote is not
// grounded. See GroundIndex.Contains for the exact rules.
func Ground(topics []Topic, text string) {
	idx := NewGroundIndex(text)
	for i := range topics {
		for j := range topics[i].Points {
			p := &topics[i].Points[j]
			p.Grounded = idx.Contains(p.Quote)
		}
	}
}

// GroundIndex is a text folded once for many quote look-ups. Building it
// costs one pass over the text; each look-up folds the quote and searches the
// folded text. It is safe for concurrent use.
type GroundIndex struct {
	folded string
}

// NewGroundIndex folds text for Contains.
func NewGroundIndex(text string) *GroundIndex {
	return &GroundIndex{folded: grdFold(text)}
}

// Contains reports whether quote is found in the indexed text. Both sides are
// folded the same way first:
//
//   - Unicode compatibility normalisation (NFKC): NBSP becomes a space, "…"
//     becomes "...", ligatures and full-width forms become plain letters;
//   - invisible format characters (soft hyphen, zero-width space and joiners,
//     BOM, direction marks) are dropped;
//   - runs of whitespace become one space;
//   - double quote marks (" “ ” „ « » ‹ › ″ 「 」 …) are dropped, and so are
//     single ones (' ‘ ’ ′ `) except between two letters or digits, where they
//     are apostrophes and become ';
//   - dashes and hyphens (- ‐ – — ― −) become "-", without spaces around;
//   - letters are lower-cased.
//
// An ellipsis in the quote ("…", "...", ". . .") marks an omission: every
// fragment must be found, in order, none overlapping. Fragments are trimmed of
// spaces and of the punctuation . , ; : ! ? - ( ) [ ] at their ends (a quote
// "ends." matches text "ends,"), and fragments without a letter or digit are
// ignored. A quote with no fragment left is not found.
//
// A match must sit on word boundaries: a fragment that starts (ends) with a
// letter or digit must not be preceded (followed) by one in the text, so "eas"
// is not found in "ceasefire". Scripts written without spaces (Han, kana,
// Thai, Lao, Khmer, Myanmar) have no such boundaries and match anywhere.
func (g *GroundIndex) Contains(quote string) bool {
	frags := grdFragments(grdFold(quote))
	if len(frags) == 0 {
		return false
	}
	pos := 0
	for _, f := range frags {
		// The leftmost match ends earliest, which leaves the most room for
		// the fragments after it, so a greedy search is exact.
		i := grdFind(g.folded, f, pos)
		if i < 0 {
			return false
		}
		pos = i + len(f)
	}
	return true
}

// grdFold applies the folding Contains describes.
func grdFold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	var (
		pendingSpace bool
		afterDash    bool
		prev         rune = -1 // last rune written, -1 when none
	)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r):
			if prev >= 0 && !afterDash {
				pendingSpace = true
			}
			continue
		case grdDoubleQuote(r):
			// A quote mark glued between two words stands for a space.
			if grdWordRune(prev) && grdWordRune(grdNext(s, i)) && !afterDash {
				pendingSpace = true
			}
			continue
		case grdSingleQuote(r):
			if !grdWordRune(prev) || !grdWordRune(grdNext(s, i)) {
				continue
			}
			r = '\''
		case grdDash(r):
			pendingSpace = false
			afterDash = true
			if prev != '-' {
				b.WriteByte('-')
				prev = '-'
			}
			continue
		default:
			r = unicode.ToLower(r)
			if r == 'ς' { // final sigma folds with σ
				r = 'σ'
			}
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		afterDash = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// grdNext returns the next rune of s at i that is not an invisible format
// character, or -1.
func grdNext(s string, i int) rune {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.Is(unicode.Cf, r) {
			return r
		}
		i += n
	}
	return -1
}

// grdFragments splits a folded quote at ellipses and trims the fragments.
func grdFragments(q string) []string {
	q = strings.ReplaceAll(q, ". . .", "...")
	var out []string
	for _, f := range strings.Split(q, "...") {
		f = strings.TrimFunc(f, func(r rune) bool {
			return r == ' ' || strings.ContainsRune(".,;:!?-()[]'", r)
		})
		if strings.IndexFunc(f, grdWordRune) >= 0 {
			out = append(out, f)
		}
	}
	return out
}

// grdFind returns the index of the first match of f in text at or after from
// that sits on word boundaries, or -1.
func grdFind(text, f string, from int) int {
	first, _ := utf8.DecodeRuneInString(f)
	last, _ := utf8.DecodeLastRuneInString(f)
	for from <= len(text) {
		j := strings.Index(text[from:], f)
		if j < 0 {
			return -1
		}
		start := from + j
		end := start + len(f)
		if grdBoundary(text, start, end, first, last) {
			return start
		}
		_, n := utf8.DecodeRuneInString(text[start:])
		from = start + n
	}
	return -1
}

func grdBoundary(text string, start, end int, first, last rune) bool {
	if start > 0 {
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		if grdJoined(before, first) {
			return false
		}
	}
	if end < len(text) {
		after, _ := utf8.DecodeRuneInString(text[end:])
		if grdJoined(last, after) {
			return false
		}
	}
	return true
}

// grdJoined reports whether a and b, side by side, belong to one word.
func grdJoined(a, b rune) bool {
	return grdWordRune(a) && grdWordRune(b) && !grdNoSpaceScript(a) && !grdNoSpaceScript(b)
}

func grdWordRune(r rune) bool {
	return r >= 0 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// grdNoSpaceScripts are written without spaces between words.
var grdNoSpaceScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
}

func grdNoSpaceScript(r rune) bool {
	if r < 0x0E00 { // below Thai: Latin, Greek, Cyrillic, Arabic, Indic…
		return false
	}
	return unicode.In(r, grdNoSpaceScripts...)
}

func grdDoubleQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '‟', '«', '»', '‹', '›', '″', '‶', '〃',
		'「', '」', '『', '』', '〝', '〞', '＂':
		return true
	}
	return false
}

func grdSingleQuote(r rune) bool {
	switch r {
	case '\'', '‘', '’', '‚', '‛', '′', '‵', '`', '´', 'ʼ', '＇':
		return true
	}
	return false
}

func grdDash(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', '⁃', '﹘', '﹣', '－':
		return true
	}
	return false
}

// NoSpaceScript reports whether r belongs to a script written without
// spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar): text in it
// has no words to split on spaces.
func NoSpaceScript(r rune) bool { return grdNoSpaceScript(r) }
