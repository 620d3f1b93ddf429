package extractive

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize/textnorm"
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
	var flushLeft func(possessive bool)
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
		for len(run) > 0 && (xtrConnectors[toks[run[len(run)-1]].low] || xtrTitles[xtrBareWord(toks[run[len(run)-1]].low)]) {
			run = run[:len(run)-1]
		}
		// A title inside the run separates an organisation from a person:
		// "Indiana State Teachers Association President Keith Gambill".
		for j := len(run) - 1; j > 0; j-- {
			if !xtrTitles[xtrBareWord(toks[run[j]].low)] {
				continue
			}
			if left := run[:j]; len(left) >= 1 {
				keep := cur
				cur = slices.Clone(left)
				flushLeft(false)
				cur = keep
			}
			run = run[j+1:]
			from = run[0]
			break
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
	flushLeft = flush
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
		// Only a person's name shortens to its last word: not an
		// organisation or a building ("Premier League", "Indiana
		// Statehouse"), nor a name whose first word stands alone as a
		// name of its own (a place qualifying it).
		if a.standalone[last] && !xtrOrgHeads[strings.ToLower(last)] && !a.standalone[e.words[0]] {
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

// resolveSpeaker finds who speaks in s: a name before or after a verb of
// saying, or a pronoun speaker ("he wrote", "it said") taken from the
// sentence before.
func (a *xtrDoc) resolveSpeaker(s, prev *xtrSentence) {
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
}

// resolveActors picks up to three actors for s: its speaker first, then
// names outside quotations, then names inside them, among the names the
// article shows acting.
func (a *xtrDoc) resolveActors(s *xtrSentence) {
	var actors []string
	add := func(name string) {
		if name != "" && len(actors) < xtrMaxActors && !slices.Contains(actors, name) {
			actors = append(actors, name)
		}
	}
	if xtrActorName(s.speaker) {
		add(s.speaker)
	}
	// Names outside quotations, then inside them; a one-word name counts
	// only when the article names it again (a one-off capitalised word is
	// as often a place, a product or a heading as an actor).
	name := func(e xtrEnt) bool {
		if !xtrActorName(e.name) {
			return false
		}
		if len(e.words) == 1 {
			// A one-word "name" the article also writes in lower case
			// is a common noun at a sentence's start ("Teachers",
			// "Strategy"); a function word ("Die") is none.
			low := strings.ToLower(e.words[0])
			return !a.lowered[low] && !textnorm.IsStopword(a.lang, low)
		}
		return true
	}
	for _, pass := range []func(e xtrEnt) bool{
		func(e xtrEnt) bool { return !e.inQuote && a.agents[e.name] && (a.freq[e.name] > 1 || len(e.words) > 1) },
		func(e xtrEnt) bool { return e.inQuote && a.agents[e.name] && a.freq[e.name] > 1 },
	} {
		for _, e := range s.ents {
			if !e.excluded && pass(e) && name(e) {
				add(e.name)
			}
		}
	}
	s.actors = actors
}

// xtrActorName reports whether name can name a person, organisation,
// country or group: not a date ("Nov", "Aug."), not a single letter ("S"
// of "S&P"), not a dotted abbreviation of a state or district written after
// a city ("D.C.", "Mass."), which is a place, and not a wire service
// ("Reuters"), which reports the news rather than acts in it. Nor is a
// celestial body ("Europa", "Jupiter"), an event or holiday ("World Cup",
// "Black Friday"), a product's model ("MacBook Pro", "Powerbeats3") or a
// market index ("Dow Jones Industrial Average"): things and occasions the
// news is about, not parties acting in it.
func xtrActorName(name string) bool {
	if name == "" {
		return false
	}
	low := strings.ToLower(strings.TrimSuffix(name, "."))
	if xtrNotNames[low] || xtrMonthAbbrevs[low] || utf8.RuneCountInString(strings.ReplaceAll(low, ".", "")) < 2 {
		return false
	}
	if xtrPlaceAbbrevs[low] || xtrWireServices[low] || xtrCelestial[low] {
		return false
	}
	words := strings.Fields(low)
	last := words[len(words)-1]
	if xtrEventHeads[last] || xtrModelWords[last] || xtrIndexHeads[last] {
		return false
	}
	for _, w := range words {
		if xtrModelNumber(w) {
			return false
		}
	}
	return true
}

// xtrModelNumber reports whether w mixes letters and digits the way a
// product's model designation does ("powerbeats3", "mx3", "a13"): a good,
// not a party. Ordinals ("5th", "21st") and decades ("1990s") are not.
func xtrModelNumber(w string) bool {
	letters, digits := 0, 0
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if letters == 0 || digits == 0 {
		return false
	}
	for _, suf := range []string{"st", "nd", "rd", "th", "s"} {
		if strings.HasSuffix(w, suf) && strings.Trim(strings.TrimSuffix(w, suf), "0123456789") == "" {
			return false
		}
	}
	return true
}

func xtrOpensQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("\"“«„", r)
}

// findAgents marks the names the article shows acting: the subject of a
// verb somewhere in it (the name followed by an auxiliary, a modal, a verb
// of saying or a verb in the past or third person: "Putin agreed", "the
// Kremlin says", "Hamas has"), or a speaker. A name only ever mentioned as
// a place, a date, a title or an object ("flew to Qatar") is not an actor.
func (a *xtrDoc) findAgents() {
	subject, place := map[string]float64{}, map[string]float64{}
	for _, s := range a.sents {
		if s.speaker != "" {
			subject[s.speaker]++
		}
		for _, e := range s.ents {
			if e.excluded {
				place[e.name]++
				continue
			}
			if xtrMotion(s.toks, e.from) {
				// "flew to Qatar"; but a full name ("spoke to Vladimir
				// Putin") is as often a person: half a place.
				place[e.name] += 1 / float64(len(e.words))
				continue
			}
			if e.last+1 >= len(s.toks) {
				continue
			}
			next := s.toks[e.last+1]
			if strings.ContainsAny(next.sep, ",;:()") && !e.possessive {
				continue
			}
			w := next.low
			if e.possessive || xtrAux[w] || xtrModals[w] || xtrSpeech[w] || xtrVerbLike(w) ||
				(xtrTitles[strings.TrimSuffix(w, ".")] && !xtrAdjectival(e.words)) {
				// A name before a title speaks through that person:
				// "Kremlin spokesman Dmitry Peskov".
				subject[e.name]++
			}
		}
	}
	for name, n := range subject {
		// A name mostly written as where things happen is a place, even
		// when a sentence makes it a subject ("Ukraine has been").
		if n > place[name] {
			a.agents[name] = true
		}
	}
}

// xtrMotion reports whether the name at token k follows "to" or "from"
// (through "the"): where something goes or comes from.
func xtrMotion(toks []xtrToken, k int) bool {
	i := k - 1
	if i >= 0 && toks[i].low == "the" {
		i--
	}
	return i >= 0 && (toks[i].low == "to" || toks[i].low == "from") && !strings.ContainsAny(toks[i+1].sep, ",;:")
}

// xtrVerbLike reports whether a lower-case word reads as a finite verb
// after a name: a past form ("agreed", "struck" aside) or a third-person
// present ("says", "wants"); a few common irregular pasts too.
func xtrVerbLike(w string) bool {
	if w == "" || !unicode.IsLower([]rune(w)[0]) {
		return false
	}
	if xtrIrregularPast[w] {
		return true
	}
	return (strings.HasSuffix(w, "ed") || (strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "'s"))) &&
		!xtrStopwords[w] && utf8.RuneCountInString(w) > 3
}

// xtrAdjectival reports whether a one-word name reads as an adjective
// ("Republican Gov.", "Democratic Sen."): it ends like one.
func xtrAdjectival(words []string) bool {
	if len(words) != 1 {
		return false
	}
	w := strings.ToLower(words[0])
	return strings.HasSuffix(w, "an") || strings.HasSuffix(w, "ic") || strings.HasSuffix(w, "al")
}
