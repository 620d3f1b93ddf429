package extractive

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An xtrEnt is a named entity of a sentence.
type xtrEnt struct {
	words      []string // the name's words as written, possessive dropped
	name       string   // display name (reduced to a surname where the text does)
	from       int      // token index where the mention starts, titles included
	first      int      // token index of the name's first word
	last       int      // token index where it ends
	inQuote    bool
	excluded   bool // a place ("in Jeddah") or an audience ("told Fox News")
	possessive bool
}

// entities finds the capitalised names of a sentence.
func (a *xtrDoc) entities(s *xtrSentence) []xtrEnt {
	var ents []xtrEnt
	toks := s.toks
	var cur []int  // token indexes of the current run
	ofFor := false // the run has "of" or "for", so "and" may join it
	flush := func(possessive bool) {
		if len(cur) == 0 {
			return
		}
		run := cur
		from := cur[0]
		cur, ofFor = nil, false
		// Drop sentence-initial capitals that are not names ("The Kremlin"),
		// nationalities before titles ("U.S. President") and titles.
		for len(run) > 0 {
			w := xtrBareWord(toks[run[0]].raw)
			lw := strings.ToLower(w)
			notName := (xtrInitial(toks, run[0]) && !a.proper[lw]) || xtrTitles[lw] || xtrConnectors[lw] ||
				xtrArticles[lw] ||
				(len(run) > 1 && xtrNationality(w) && xtrTitles[strings.ToLower(xtrBareWord(toks[run[1]].raw))])
			if !notName {
				break
			}
			run = run[1:]
		}
		for len(run) > 0 && xtrConnectors[toks[run[len(run)-1]].low] {
			run = run[:len(run)-1]
		}
		if len(run) == 0 {
			return
		}
		words := make([]string, len(run))
		for i, k := range run {
			words[i] = xtrBareWord(toks[k].raw)
		}
		if len(words) == 1 {
			lw := strings.ToLower(words[0])
			if xtrNotNames[lw] || xtrNationality(words[0]) || xtrTitles[lw] ||
				strings.IndexFunc(words[0], unicode.IsLetter) < 0 {
				return
			}
		}
		ents = append(ents, xtrEnt{words: words, from: from, first: run[0], last: run[len(run)-1], inQuote: toks[run[0]].inQuote, possessive: possessive})
	}
	for k, t := range toks {
		joined := k > 0 && t.sep == " " && len(cur) > 0
		if strings.ContainsAny(t.raw, "-‐") {
			// "Putin-Trump" names two; "U.S.-backed" names none.
			flush(false)
			parts := strings.FieldsFunc(t.raw, func(r rune) bool { return r == '-' || r == '‐' })
			all := true
			for _, p := range parts {
				all = all && xtrCapital(p) && a.proper[strings.ToLower(p)]
			}
			if all {
				for _, p := range parts {
					if !xtrNotNames[strings.ToLower(p)] && !xtrNationality(p) {
						ents = append(ents, xtrEnt{words: []string{p}, from: k, first: k, last: k, inQuote: t.inQuote})
					}
				}
			}
			continue
		}
		switch {
		case xtrCapital(t.raw):
			if !joined {
				flush(false)
			}
			cur = append(cur, k)
		case joined && xtrConnectors[t.low] && k+1 < len(toks) && toks[k+1].sep == " " && xtrCapital(toks[k+1].raw) &&
			(t.low != "and" || ofFor):
			cur = append(cur, k)
			ofFor = ofFor || t.low == "of" || t.low == "for"
			continue
		default:
			flush(false)
			continue
		}
		if strings.HasSuffix(t.low, "'s") {
			flush(true)
		} else if k+1 < len(toks) && strings.ContainsAny(toks[k+1].sep, "'’") && !strings.ContainsAny(toks[k+1].sep, "\"“”") &&
			(strings.HasSuffix(t.low, "s") || strings.HasPrefix(toks[k+1].sep, "'") || strings.HasPrefix(toks[k+1].sep, "’")) {
			flush(true) // "Fox News' Hannity"
		}
	}
	flush(false)

	for i := range ents {
		ents[i].excluded = xtrPlaceOrAudience(toks, ents[i].from)
		// "told Fox News' Hannity program": the second name is the audience too.
		if i > 0 && ents[i-1].excluded && ents[i-1].possessive && ents[i-1].last+1 == ents[i].from {
			ents[i].excluded = true
		}
	}
	return ents
}

// xtrBareWord drops a possessive ending.
func xtrBareWord(w string) string {
	for _, suf := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// xtrPlaceOrAudience reports whether the name starting at token k follows a
// preposition of place ("in eastern Ukraine", "at the Presidential Palace")
// or "told" ("told German broadcaster ZDF"): it is then where something
// happened or who heard it, not an actor. Up to two words may stand between:
// for a place only "the", compass adjectives and nationalities, for "told"
// any noun.
func xtrPlaceOrAudience(toks []xtrToken, k int) bool {
	placeOK := true
	for i, skipped := k-1, 0; i >= 0 && skipped <= 2; i, skipped = i-1, skipped+1 {
		if strings.ContainsAny(toks[i+1].sep, ",;:\"“”") {
			return false
		}
		w := toks[i].low
		switch {
		case w == "told":
			return true
		case xtrPlaces[w]:
			return placeOK
		case (xtrStopwords[w] && w != "the") || (xtrCapital(toks[i].raw) && !xtrNationality(toks[i].raw)):
			return false
		}
		placeOK = placeOK && (w == "the" || strings.HasSuffix(w, "ern") || xtrNationality(toks[i].raw))
	}
	return false
}

func xtrNationality(w string) bool {
	lw := strings.ToLower(w)
	if xtrNationalities[lw] {
		return true
	}
	if !xtrCapital(w) || utf8.RuneCountInString(w) < 5 {
		return false
	}
	for _, suf := range []string{"ian", "ean", "ese", "ish"} {
		if strings.HasSuffix(lw, suf) {
			return true
		}
	}
	return false
}

// reduce names a person by surname when the text does ("Vladimir Putin" and
// "Putin" are both "Putin").
func (a *xtrDoc) reduce(e xtrEnt) string {
	if n := len(e.words); n >= 2 && n <= 3 {
		last := e.words[n-1]
		if a.standalone[last] {
			plain := true
			for _, w := range e.words {
				plain = plain && xtrCapital(w)
			}
			if plain {
				return last
			}
		}
	}
	return strings.Join(e.words, " ")
}

// resolveActors picks up to three actors for s: its speaker first (a pronoun
// speaker, "he wrote", "it said", is taken from the sentence before), then
// names outside quotations, then names inside them, names the article
// mentions more than once before the others.
func (a *xtrDoc) resolveActors(s, prev *xtrSentence) {
	toks := s.toks
	var pronoun string
	speaker := -1
	for k, t := range toks {
		if t.inQuote || !xtrSpeech[t.low] {
			continue
		}
		for i, e := range s.ents {
			if e.last == k-1 && !e.excluded {
				speaker = i
			}
		}
		if speaker < 0 && k > 0 && xtrPronouns[toks[k-1].low] {
			pronoun = toks[k-1].low
		}
		if speaker < 0 && pronoun == "" && strings.ContainsAny(t.sep, ",\"”") {
			// Inverted attribution: `…," said Kristine Berzina`.
			for i, e := range s.ents {
				if e.from == k+1 || (t.low == "according" && e.from == k+2) {
					speaker = i
				}
			}
		}
		if speaker >= 0 || pronoun != "" {
			break
		}
	}
	var actors []string
	add := func(name string) {
		if name != "" && len(actors) < xtrMaxActors && !slices.Contains(actors, name) {
			actors = append(actors, name)
		}
	}
	switch {
	case speaker >= 0:
		s.speaker = s.ents[speaker].name
	case pronoun != "" && prev != nil:
		// "…," he wrote: the speaker before, or else the first name before
		// (a person is the subject); "…," it said: the last name before
		// ("…, the Kremlin trumpeted further talks").
		s.speaker = prev.speaker
		for i := range prev.ents {
			if s.speaker != "" {
				break
			}
			e := prev.ents[i]
			if pronoun == "it" || pronoun == "they" {
				e = prev.ents[len(prev.ents)-1-i]
			}
			if !e.excluded {
				s.speaker = e.name
			}
		}
	case prev != nil && len(s.ents) == 0 && xtrOpensQuote(s.text):
		s.speaker = prev.speaker // a quotation continued
	}
	add(s.speaker)
	for _, pass := range []func(e xtrEnt) bool{
		func(e xtrEnt) bool { return !e.inQuote && a.freq[e.name] > 1 },
		func(e xtrEnt) bool { return e.inQuote && a.freq[e.name] > 1 },
		func(e xtrEnt) bool { return true },
	} {
		for _, e := range s.ents {
			if !e.excluded && pass(e) {
				add(e.name)
			}
		}
	}
	s.actors = actors
}

func xtrOpensQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("\"“«„", r)
}
