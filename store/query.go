package store

import (
	"strings"
	"unicode"

	"briefbot/summarize"
)

// termGroup is one word (or hyphenated compound) of a topic search and the
// alternatives that may stand for it. Every group must match.
type termGroup struct {
	// alts are the phrases that satisfy the group, each a list of lower-case
	// letter-and-digit tokens. The first own of them are the user's word
	// as typed (and, for "cease-fire", also written as one word); the rest
	// are synonyms.
	alts [][]string
	own  int
	// prefix: the user's own forms may end in an unfinished word (the last
	// word of the query, typed while autocompleting).
	prefix bool
}

// maxQueryGroups bounds the size of a search expression: a topic query is a
// few words (Discord options hold 100 characters), never a paragraph.
const maxQueryGroups = 12

// maxQueryBytes bounds the input parseQuery reads, for the same reason.
const maxQueryBytes = 1000

// queryStopwords are dropped from a query (unless it has nothing else):
// topic names rarely contain them, and every kept word must match. "or",
// "and", "not" and "near" also read as operators to a search engine; they
// are never passed on as such.
var queryStopwords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "on": true, "in": true,
	"and": true, "or": true, "not": true, "to": true, "for": true, "with": true,
	"at": true, "by": true, "near": true, "s": true,
}

// parseQuery splits user input into term groups. Only letters and digits
// survive: quotes, operators, parentheses, stars and the like are
// separators, so nothing the user types can change the shape of the search.
// Hyphenated or apostrophised words ("cease-fire", "Putin's") stay together
// as phrases.
func parseQuery(q string) []termGroup {
	if len(q) > maxQueryBytes {
		q = q[:maxQueryBytes] // a split rune decodes as a separator
	}
	var chunks [][]string
	for _, field := range strings.Fields(q) {
		toks := tokens(field)
		if len(toks) > 0 {
			chunks = append(chunks, toks)
		}
	}
	// Two words that together name a synonym ("cease fire") are one term.
	for i := 0; i+1 < len(chunks); i++ {
		pair := append(append([]string{}, chunks[i]...), chunks[i+1]...)
		if _, ok := synonymIndex[strings.Join(pair, " ")]; ok {
			chunks = append(append(chunks[:i:i], pair), chunks[i+2:]...)
		}
	}
	var kept [][]string
	for _, c := range chunks {
		if !allStopwords(c) {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		kept = chunks
	}
	if len(kept) > maxQueryGroups {
		kept = kept[:maxQueryGroups]
	}
	groups := make([]termGroup, 0, len(kept))
	for i, c := range kept {
		g := termGroup{alts: [][]string{c}, own: 1, prefix: i == len(kept)-1}
		if len(c) > 1 {
			g.alts = append(g.alts, []string{strings.Join(c, "")})
			g.own++
		}
		g.alts = append(g.alts, synonymsOf(c)...)
		groups = append(groups, g)
	}
	return groups
}

// tokens returns the lower-cased runs of letters and digits in s.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func allStopwords(toks []string) bool {
	for _, t := range toks {
		if !queryStopwords[t] {
			return false
		}
	}
	return true
}

// synonymGroups are the strict synonym groups of summarize's vocabulary
// (summarize.SynonymGroups): words that news about negotiations uses for
// the same thing, so a search for one finds topics named with another.
// They are base forms; the index stems both sides (porter), so "troop"
// also finds "troops". Loose synonyms ("stop" for "pause") are merge rules
// for briefings, too common in point texts to search for.
var synonymGroups = summarize.SynonymGroups()

// synonymIndex maps each synonym (its tokens joined by spaces) to its
// group; summarize puts no entry in two groups.
var synonymIndex = func() map[string]int {
	m := map[string]int{}
	for i, g := range synonymGroups {
		for _, w := range g {
			m[strings.Join(tokens(w), " ")] = i
		}
	}
	return m
}()

// synonymsOf returns the other phrases that stand for the phrase toks. It
// looks the phrase up as typed, then with or without a plural ending
// ("strikes", "facilities"), and also tries the joined form ("cease fire" →
// "ceasefire").
func synonymsOf(toks []string) [][]string {
	own := strings.Join(toks, " ")
	group := -1
	for _, k := range []string{own, strings.Join(toks, "")} {
		cands := []string{k, strings.TrimSuffix(k, "s"), strings.TrimSuffix(k, "es"), k + "s"}
		if stem, ok := strings.CutSuffix(k, "ies"); ok {
			cands = append(cands, stem+"y")
		}
		for _, cand := range cands {
			if g, ok := synonymIndex[cand]; ok {
				group = g
				break
			}
		}
		if group >= 0 {
			break
		}
	}
	if group < 0 {
		return nil
	}
	var out [][]string
	seen := map[string]bool{own: true, strings.Join(toks, ""): true}
	for _, w := range synonymGroups[group] {
		toks := tokens(w)
		k := strings.Join(toks, " ")
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, toks)
	}
	return out
}
