package ledger

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize"
)

// Word normalisation for merging: topic names and point texts become sets
// of content words, with inflections folded, news synonyms mapped to one
// word ("truce" → "ceasefire", "strikes" → "attack") and words that do not
// change the subject dropped ("full", "temporary", "30-day"). Two topics
// are the same when their word sets are equal, or close by weighted
// Jaccard similarity (see similarity).
//
// The synonyms are summarize's vocabulary (summarize.CanonicalTerm), which
// store's topic search shares. What is here are merge rules that are not
// synonyms: inflections (wordForms), the names that stand for a party
// (partyNames, partyPhrases), and the words a topic name can do without
// (dropWords, genericWords).

// wordForms fold the inflections singular does not ("attacking" →
// "attack", "agreed" → "agree") to the base form the vocabulary lists.
// store needs no such table: its full-text index stems.
var wordForms = map[string]string{
	"attacking": "attack", "attacked": "attack",
	"agreed": "agree", "agreeing": "agree",
	"negotiating": "negotiation",
	"halting":     "halt", "stopping": "stop",
	"rearmament": "rearm", "rearming": "rearm",
}

// partyNames map the names that stand for a party to one word: in a topic
// name "Kyiv" and "Ukraine" are one side of the table. They are no search
// synonyms: a search for "Moscow" wants Moscow, and "us" (the United
// States here) is a pronoun everywhere else.
var partyNames = map[string]string{
	"ukrainian": "ukraine", "kyiv": "ukraine", "kiev": "ukraine",
	"russian": "russia", "moscow": "russia", "kremlin": "russia",
	"american": "us", "washington": "us", "european": "europe", "eu": "europe",
}

// partyPhrases are the party names of several words.
var partyPhrases = []struct{ from, to string }{
	{"white house", "us"},
	{"united states", "us"},
	{"u s", "us"},
	{"european union", "europe"},
}

// phraseRule rewrites the words from (plurals folded) to the words to.
type phraseRule struct{ from, to []string }

// phraseRules rewrite multi-word names before the words are looked at,
// by their first word, longest first. They are the vocabulary's phrases
// ("prisoners of war" → "prisoner", "power station" → "energy
// infrastructure") and partyPhrases.
var phraseRules = func() map[string][]phraseRule {
	m := map[string][]phraseRule{}
	add := func(from, to string) {
		r := phraseRule{from: strings.Fields(from), to: strings.Fields(to)}
		for i, w := range r.from {
			r.from[i] = singular(w)
		}
		m[r.from[0]] = append(m[r.from[0]], r)
	}
	for _, p := range summarize.SynonymPhrases() {
		add(p, summarize.CanonicalTerm(p))
	}
	for _, p := range partyPhrases {
		add(p.from, p.to)
	}
	for _, rules := range m {
		sort.SliceStable(rules, func(i, j int) bool { return len(rules[i].from) > len(rules[j].from) })
	}
	return m
}()

// canonicalWord returns what w stands for: its canonical form after
// folding its inflection, party name or synonym, or w itself. w is a word
// as tokenize and singular make it; the result may be a phrase (the
// vocabulary allows canonical phrases).
func canonicalWord(w string) string {
	if f, ok := wordForms[w]; ok {
		w = f
	}
	if p, ok := partyNames[w]; ok {
		return p
	}
	return summarize.CanonicalTerm(w)
}

// dropWords are function words and modifiers that do not change what a
// topic is about: "Full temporary ceasefire", "30-day truce" and
// "Ceasefire" are one topic.
var dropWords = setOf(
	// function words
	"the", "a", "an", "of", "on", "in", "and", "to", "for", "with", "at", "by",
	"is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
	"that", "this", "these", "those", "it", "its", "as", "from", "after", "before",
	"over", "about", "into", "than", "then", "said", "say", "saying", "told", "tell",
	"would", "will", "could", "should", "may", "might", "can", "not", "no", "or",
	"but", "if", "also", "their", "they", "them", "he", "she", "his", "her", "we",
	"our", "you", "which", "who", "whom", "what", "when", "where", "while", "there",
	"here", "all", "any", "some", "such", "more", "most", "very", "just", "so", "up",
	"out", "during", "between", "each", "other", "both", "only", "own", "same",
	"did", "do", "does", "how", "why", "because", "until", "against", "again",
	"once", "per", "via", "mr", "ms", "whether", "yet", "still", "s",
	// modifiers
	"full", "complete", "temporary", "temporarily", "partial", "limited",
	"general", "comprehensive", "broad", "broader", "wide", "wider", "possible",
	"proposed", "potential", "initial", "first", "new", "future", "further",
	"immediate", "immediately", "permanent", "lasting", "day", "month", "week",
	"key", "main", "latest", "update", "overall", "total",
)

// genericWords name kinds of events rather than subjects: "energy
// ceasefire" and "Black Sea ceasefire" share "ceasefire" but are different
// topics, while "energy ceasefire" and "energy strikes" are one. They weigh
// genericWeight in similarity; every other word weighs 1.
var genericWords = setOf(
	"ceasefire", "attack", "talk", "agreement", "agree", "peace", "war", "pause",
	"response", "plan", "proposal", "statement", "call", "conflict", "issue",
	"question", "progress", "step", "russia", "ukraine", "us", "europe",
	"dispute", "crisis", "row", "tension", "situation", "demand", "concern",
)

// genericWeight is the weight of a generic word: low enough that a shared
// generic word alone (weight 0.25 against a distinct subject word's 1)
// never reaches mergeThreshold.
const genericWeight = 0.25

// mergeThreshold is the weighted Jaccard similarity at or above which two
// topic names (or two points) are the same. At 0.5, "Energy facility
// attacks" / "Energy strikes" (0.56) and "Territory" / "Territorial
// concessions" (0.5) merge while "Energy ceasefire" / "Ceasefire" (0.2)
// and "Future talks" / "Jeddah talks" (0.2) stay apart.
const mergeThreshold = 0.5

// anchorThreshold is the similarity a name must also have with the first
// name of the group it joins: single-link merging alone would chain
// "harbor bridge" → "harbor dam" → "dam fuel" into one topic.
const anchorThreshold = 0.25

// pointThreshold is the similarity at or above which two points of one
// topic say the same thing; higher than for names since sentences share
// more incidental words.
const pointThreshold = 0.6

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// singular folds a plural: "talks" → "talk", "facilities" → "facility".
func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") &&
		!strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

// tokenize splits s into lower-case runs of letters and digits, as
// summarize.TopicKey does (but keeping every word).
func tokenize(s string) []string {
	var out []string
	start := -1
	lower := true
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
				lower = true
			}
			if r >= utf8.RuneSelf || ('A' <= r && r <= 'Z') {
				lower = false
			}
			continue
		}
		if start >= 0 {
			out = append(out, lowerWord(s[start:i], lower))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, lowerWord(s[start:], lower))
	}
	return out
}

func lowerWord(w string, lower bool) string {
	if lower {
		return w
	}
	return strings.ToLower(w)
}

// contentWords returns the sorted, distinct content words of s. When
// every word is dropped it falls back to the plain words, so a name like
// "Update" still has a key.
func contentWords(s string) []string {
	tokens := tokenize(s)
	if len(tokens) == 0 {
		return nil
	}
	out := make([]string, 0, len(tokens))
	seen := func(w string) bool {
		for _, o := range out {
			if o == w {
				return true
			}
		}
		return false
	}
	keep := func(w string) {
		if len(w) >= 2 && !dropWords[w] && !seen(w) {
			out = append(out, w)
		}
	}
	addWord := func(w string) {
		if isDigits(w) || dropWords[w] {
			return
		}
		w = canonicalWord(singular(w))
		if strings.IndexByte(w, ' ') >= 0 {
			for _, p := range strings.Fields(w) {
				keep(p)
			}
			return
		}
		keep(w)
	}
	for i := 0; i < len(tokens); i++ {
		matched := false
		for _, p := range phraseRules[singular(tokens[i])] {
			if phraseAt(tokens[i:], p.from) {
				for _, w := range p.to {
					addWord(w)
				}
				i += len(p.from) - 1
				matched = true
				break
			}
		}
		if !matched {
			addWord(tokens[i])
		}
	}
	if len(out) == 0 {
		for _, w := range tokens {
			if !seen(w) {
				out = append(out, w)
			}
		}
	}
	sort.Strings(out)
	return out
}

// phraseAt reports whether tokens begin with the words of phrase, plurals
// folded ("prisoners of war" for "prisoner of war").
func phraseAt(tokens, phrase []string) bool {
	if len(tokens) < len(phrase) {
		return false
	}
	for i, w := range phrase {
		if singular(tokens[i]) != w {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func wordWeight(w string) float64 {
	if genericWords[w] {
		return genericWeight
	}
	return 1
}

// similarity is the weighted Jaccard similarity of two sorted word sets.
func similarity(a, b []string) float64 {
	var inter, union float64
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			union += wordWeight(a[i])
			i++
		case i >= len(a) || b[j] < a[i]:
			union += wordWeight(b[j])
			j++
		default:
			w := wordWeight(a[i])
			inter += w
			union += w
			i++
			j++
		}
	}
	if union == 0 {
		return 0
	}
	return inter / union
}

// wordIndex finds, among many word sets, those similar to a given one
// without comparing against all of them. Words are interned as integers
// with their weights; each set is posted under each of its words, and a
// query reads only the posting lists that can hold a match (see best).
type wordIndex struct {
	ids      map[string]int32
	weights  []float64 // by word id
	sets     []wset
	owners   []int // owner of each set (e.g. a cluster)
	postings [][]int32
	byKey    map[string]int // exact word set → owner
	stamp    []int32        // per set: the query that last saw it
	query    int32
}

// wset is an interned word set: ascending ids and their total weight.
type wset struct {
	ids    []int32
	weight float64
}

func newWordIndex() *wordIndex {
	return &wordIndex{ids: map[string]int32{}, byKey: map[string]int{}}
}

// intern returns words as a wset, adding unknown words when add is true
// (a query's unknown words match nothing, but still weigh).
func (x *wordIndex) intern(words []string, add bool) (wset, float64) {
	var ws wset
	unknown := 0.0
	for _, w := range words {
		id, ok := x.ids[w]
		if !ok {
			if !add {
				unknown += wordWeight(w)
				continue
			}
			id = int32(len(x.weights))
			x.ids[w] = id
			x.weights = append(x.weights, wordWeight(w))
			x.postings = append(x.postings, nil)
		}
		ws.ids = append(ws.ids, id)
		ws.weight += x.weights[id]
	}
	sort.Slice(ws.ids, func(i, j int) bool { return ws.ids[i] < ws.ids[j] })
	return ws, unknown
}

// add records that owner has the word set words.
func (x *wordIndex) add(owner int, words []string) {
	key := strings.Join(words, " ")
	if _, ok := x.byKey[key]; ok {
		return
	}
	x.byKey[key] = owner
	ws, _ := x.intern(words, true)
	id := int32(len(x.sets))
	x.sets = append(x.sets, ws)
	x.owners = append(x.owners, owner)
	x.stamp = append(x.stamp, 0)
	for _, w := range ws.ids {
		x.postings[w] = append(x.postings[w], id)
	}
}

// best returns the owner of the most similar set with similarity at least
// threshold, preferring the earliest added on ties, and ok=false when
// there is none. skip, when not nil, excludes owners.
//
// A set sharing none of a group P of the query's words has weighted
// Jaccard similarity at most (W(q) − W(P)) / W(q); so when W(P) exceeds
// (1 − threshold)·W(q), every match shares a word of P, and only the
// posting lists of P — the query's rarest words — are read. Sets whose
// weight is too far from the query's to reach threshold are not compared.
func (x *wordIndex) best(words []string, threshold float64, skip func(owner int) bool) (owner int, ok bool) {
	if o, found := x.byKey[strings.Join(words, " ")]; found && (skip == nil || !skip(o)) {
		return o, true
	}
	q, unknown := x.intern(words, false)
	total := q.weight + unknown
	if len(q.ids) == 0 || total == 0 {
		return 0, false
	}
	byRarity := append([]int32(nil), q.ids...)
	sort.SliceStable(byRarity, func(i, j int) bool { return len(x.postings[byRarity[i]]) < len(x.postings[byRarity[j]]) })
	need := (1 - threshold) * total
	x.query++
	bestSim, bestID := 0.0, int32(-1)
	covered := unknown // weight of the query words already read (unknown words post nothing)
	for _, w := range byRarity {
		if covered > need {
			break
		}
		covered += x.weights[w]
		for _, id := range x.postings[w] {
			if x.stamp[id] == x.query {
				continue
			}
			x.stamp[id] = x.query
			c := x.sets[id]
			if lo, hi := min(c.weight, total), max(c.weight, total); lo < threshold*hi {
				continue
			}
			if skip != nil && skip(x.owners[id]) {
				continue
			}
			sim := x.similarity(q, unknown, c)
			if sim >= threshold && (sim > bestSim || (sim == bestSim && id < bestID)) {
				bestSim, bestID = sim, id
			}
		}
	}
	if bestID < 0 {
		return 0, false
	}
	return x.owners[bestID], true
}

// similarity is the weighted Jaccard similarity of interned sets; extra is
// the weight of query words the index does not know.
func (x *wordIndex) similarity(a wset, extra float64, b wset) float64 {
	var inter float64
	i, j := 0, 0
	for i < len(a.ids) && j < len(b.ids) {
		switch {
		case a.ids[i] < b.ids[j]:
			i++
		case a.ids[i] > b.ids[j]:
			j++
		default:
			inter += x.weights[a.ids[i]]
			i++
			j++
		}
	}
	union := a.weight + extra + b.weight - inter
	if union == 0 {
		return 0
	}
	return inter / union
}
