package extractive

import (
	"strings"
	"unicode/utf8"
)

// xtrShorten returns the sentence when it has at most limit words, else the
// clauses around its deciding cue (or its first clauses) up to limit words
// (a single clause of up to 1.5 × limit is kept whole), cut at commas,
// semicolons, colons and dashes. The result is a verbatim
// part of the sentence unless mark is set, which adds "…" where it was cut.
func xtrShorten(s *xtrSentence, limit int, mark bool) string {
	text := s.text
	if len(s.toks) <= limit {
		return text
	}
	type span struct{ start, end, words int }
	var clauses []span
	start := 0
	cut := func(end, next int) {
		if end > start {
			clauses = append(clauses, span{start: start, end: end})
		}
		start = next
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case strings.ContainsRune(",;:", r) && i+n < len(text) && text[i+n] == ' ':
			cut(i+n, i+n+1)
		case (r == '—' || r == '–' || r == '-') && i > 0 && text[i-1] == ' ' && i+n < len(text) && text[i+n] == ' ':
			cut(i-1, i+n+1)
		case r == '—':
			cut(i, i+n)
		}
		i += n
	}
	cut(len(text), len(text))
	at := 0
	for ci, c := range clauses {
		if s.cueStart >= c.start && s.cueStart < c.end {
			at = ci
		}
	}
	for ci, ti := 0, 0; ti < len(s.toks); ti++ {
		for ci < len(clauses)-1 && s.toks[ti].start >= clauses[ci].end {
			ci++
		}
		if s.toks[ti].start >= clauses[ci].start && s.toks[ti].start < clauses[ci].end {
			clauses[ci].words++
		}
	}
	lo, hi, words := at, at, clauses[at].words
	for grown := true; grown; {
		switch {
		case hi+1 < len(clauses) && words+clauses[hi+1].words <= limit:
			hi++
			words += clauses[hi].words
		case lo > 0 && words+clauses[lo-1].words <= limit:
			lo--
			words += clauses[lo].words
		default:
			grown = false
		}
	}
	from, to := clauses[lo].start, clauses[hi].end
	if words > limit+limit/2 {
		// One clause longer than limit: take limit words around the cue.
		var in []xtrToken
		for _, t := range s.toks {
			if t.start >= from && t.start < to {
				in = append(in, t)
			}
		}
		first := 0
		for i, t := range in {
			if t.start <= s.cueStart {
				first = max(0, i-limit/3)
			}
		}
		last := min(len(in), first+limit) - 1
		from, to = in[first].start, in[last].end
	}
	out := strings.TrimSpace(text[from:to])
	out = strings.TrimRight(out, ",;: -–—")
	out = strings.TrimLeft(out, "-–— ")
	if n := strings.Count(out, `"`) + strings.Count(out, "“") + strings.Count(out, "”"); n%2 == 1 {
		if r, size := utf8.DecodeRuneInString(out); strings.ContainsRune("\"“", r) {
			out = out[size:]
		} else if r, size := utf8.DecodeLastRuneInString(out); strings.ContainsRune("\"”", r) {
			out = out[:len(out)-size]
		}
	}
	if mark {
		if from > 0 {
			out = "…" + out
		}
		if to < len(text) {
			out += "…"
		}
	}
	return out
}
