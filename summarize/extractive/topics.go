package extractive

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize"
	"briefbot/summarize/textnorm"
)

// Selection limits: a reply a reader can scan.
const (
	// xtrReplyPoints is how many points the engine gives: the lead and the
	// article's key facts after it (about a screen of Discord text).
	xtrReplyPoints = 8
	// xtrMaxPoints bounds the points of an article outlined by labels.
	xtrMaxPoints = 16
	// xtrLeadWindow: the lead is one of the article's first sentences;
	// news is written lead first.
	xtrLeadWindow = 3
	// xtrStandfirst is the lead bonus of a sentence before an article's
	// first subhead.
	xtrStandfirst = 1.5
	// xtrPositionHalf is the sentence position at which the position prior
	// of a sentence has halved: news puts the most important facts first
	// (the inverted pyramid), so the prior decays with position.
	xtrPositionHalf = 6
	// xtrRedundant is the share of a sentence's content words already
	// said by chosen points above which it adds nothing new.
	xtrRedundant = 0.7
)

// topics builds the ledger: the article's lead first, then its key
// sentences, grouped under the section (subhead) they stand in, or under a
// topic named after what the headline and the article are about.
func (a *xtrDoc) topics() []summarize.Topic {
	if len(a.sents) == 0 {
		return nil
	}
	chosen := a.choose()
	if len(chosen) == 0 {
		return nil
	}
	mainName := a.mainTopicName()
	about := a.aboutStems()
	var topics []summarize.Topic
	index := map[string]int{}
	for _, i := range chosen {
		s := a.sents[i]
		name := mainName
		if sec := a.sectionOf(s, about); sec >= 0 {
			name = a.sections[sec].name
		}
		key := summarize.TopicKey(name)
		at, ok := index[key]
		if !ok {
			at = len(topics)
			index[key] = at
			topics = append(topics, summarize.Topic{Name: name})
		}
		topics[at].Points = append(topics[at].Points, a.point(s))
	}
	return topics
}

// xtrJoinWords is how many words a sentence before the first subhead must
// share with a section to join its topic.
const xtrJoinWords = 3

// sectionOf is the section whose subhead names the topic of s: its own,
// or, for a sentence before the first subhead (a standfirst), the section
// whose subhead it names and with which it shares the most words, when
// that is at least xtrJoinWords and more than it shares with the headline:
// "Five days after the pause in attacks on energy facilities, each side
// says the other has broken it" joins "Energy infrastructure pause", while
// a standfirst that retells the headline stays in the main topic. It
// returns -1 for the main topic.
func (a *xtrDoc) sectionOf(s *xtrSentence, about map[string]bool) int {
	if s.section >= 0 {
		if a.namesTopic(a.sections[s.section].name, about) {
			return s.section
		}
		return -1
	}
	own := a.contentStems(s)
	headline := 0
	for w := range a.titleStems() {
		if own[w] {
			headline++
		}
	}
	best, bestN := -1, max(xtrJoinWords-1, headline)
	for si, sec := range a.sections {
		if !a.namesTopic(sec.name, about) {
			continue
		}
		named := false
		for _, t := range xtrTokenize(sec.name) {
			if w, ok := a.keyWord(t.low); ok && own[w] {
				named = true
			}
		}
		if !named {
			continue // the sentence does not say what the subhead names
		}
		shared := map[string]bool{}
		for _, i := range sec.sents {
			for w := range a.contentStems(a.sents[i]) {
				if own[w] {
					shared[w] = true
				}
			}
		}
		for _, t := range xtrTokenize(sec.name) {
			if w, ok := a.keyWord(t.low); ok && own[w] {
				shared[w] = true
			}
		}
		if len(shared) > bestN {
			best, bestN = si, len(shared)
		}
	}
	return best
}

// xtrSubheadWords bounds a subhead that names a topic: a longer one is a
// sentence (a second headline), not a name.
const xtrSubheadWords = 8

// namesTopic reports whether a subhead can name a topic: short, not a
// question (explainer furniture: "What happens next?"), and about the
// article's subject: it shares a word with the headline or with words the
// article uses again and again.
//
// In an article outlined by short labels (at least xtrOutlineLabels
// subheads of up to xtrLabelWords words), a label over a section where
// parties agree, refuse or contest something also names a topic
// ("Territory", "Aid"): the outline is the article's own ledger.
func (a *xtrDoc) namesTopic(subhead string, about map[string]bool) bool {
	toks := xtrTokenize(subhead)
	if len(toks) == 0 || len(toks) > xtrSubheadWords || strings.HasSuffix(strings.TrimSpace(subhead), "?") {
		return false
	}
	content := 0
	for _, t := range toks {
		w, ok := xtrContentWord(t.low)
		if !ok || textnorm.IsStopword(a.lang, t.low) {
			continue
		}
		content++
		if about[xtrPrefix(w)] {
			return true
		}
	}
	if content == 0 || len(toks) > xtrLabelWords || xtrOpensQuote(subhead) || a.labels() < xtrOutlineLabels {
		return false
	}
	for si, sec := range a.sections {
		if sec.name != subhead {
			continue
		}
		for _, i := range a.sections[si].sents {
			if a.sents[i].strength > 1 {
				return true
			}
		}
	}
	return false
}

// xtrLabelWords bounds a subhead read as a label; xtrOutlineLabels is how
// many labels make an outline (one or two are page furniture as often).
const (
	xtrLabelWords    = 3
	xtrOutlineLabels = 3
)

// labels counts the subheads of up to xtrLabelWords words.
func (a *xtrDoc) labels() int {
	n := 0
	for _, sec := range a.sections {
		if k := len(xtrTokenize(sec.name)); k > 0 && k <= xtrLabelWords {
			n++
		}
	}
	return n
}

// xtrPrefix is a word's first five letters: a light stemmer that also
// works across inflections the suffix stemmer misses ("territory",
// "territorial") and in languages it does not know.
func xtrPrefix(w string) string {
	r := []rune(w)
	if len(r) > 5 {
		return string(r[:5])
	}
	return w
}

// xtrAboutCount is in how many sentences a word must stand for the
// article to be about it.
const xtrAboutCount = 3

// aboutStems are the prefixes (see xtrPrefix) of the headline's content
// words and of the content words in at least xtrAboutCount sentences of
// the article.
func (a *xtrDoc) aboutStems() map[string]bool {
	about := map[string]bool{}
	for w := range a.titleStems() {
		about[xtrPrefix(w)] = true
	}
	count := map[string]int{}
	for _, s := range a.sents {
		seen := map[string]bool{}
		for w := range a.contentStems(s) {
			if p := xtrPrefix(w); !seen[p] {
				seen[p] = true
				count[p]++
			}
		}
	}
	for w, n := range count {
		if n >= xtrAboutCount {
			about[w] = true
		}
	}
	return about
}

// point is the ledger point of sentence s: its claim in a few words, the
// verbatim span backing it, its status (reported when no cue says
// otherwise) and its actors.
func (a *xtrDoc) point(s *xtrSentence) summarize.Point {
	status := s.status
	if status == "" {
		status = summarize.StatusReported
	}
	return summarize.Point{
		Text:   xtrShorten(s, xtrTextWords, false),
		Status: status,
		Actors: s.actors,
		Quote:  xtrShorten(s, xtrQuoteWords, false),
	}
}

// choose picks the sentences of the reply: the lead first, then up to
// xtrReplyPoints-1 key sentences in reading order.
func (a *xtrDoc) choose() []int {
	title := a.titleStems()
	freq := map[string]int{} // sentences per content stem
	stems := make([]map[string]bool, len(a.sents))
	keys := make([]map[string]bool, len(a.sents))
	for i, s := range a.sents {
		stems[i] = a.topicStems(s)
		keys[i] = a.contentStems(s)
		for w := range stems[i] {
			freq[w]++
		}
	}
	score := make([]float64, len(a.sents))
	for i, s := range a.sents {
		score[i] = a.salience(i, s, stems[i], keys[i], title, freq)
	}
	lead := a.lead(title, keys, score)
	said := map[string]bool{}
	for w := range stems[lead] {
		said[w] = true
	}
	chosen := []int{lead}
	// ordered is how many chosen sentences keep their place before the
	// rest, which is read in the article's order.
	ordered := 1
	rank := make([]int, 0, len(a.sents))
	for i := range a.sents {
		if i != lead {
			rank = append(rank, i)
		}
	}
	slices.SortStableFunc(rank, func(x, y int) int { return cmp.Compare(score[y], score[x]) })
	taken := map[int]bool{lead: true}
	// take adds sentence i unless it repeats what was said; a section's
	// first point is its topic's, said or not.
	take := func(i int, first bool) bool {
		if taken[i] || score[i] <= 0 || len(stems[i]) == 0 {
			return false
		}
		old := 0
		for w := range stems[i] {
			if said[w] {
				old++
			}
		}
		if !first && float64(old) > xtrRedundant*float64(len(stems[i])) {
			return false
		}
		for w := range stems[i] {
			said[w] = true
		}
		taken[i] = true
		chosen = append(chosen, i)
		return true
	}
	// The news the opening sets up comes right after the lead.
	if i := a.second(lead, score); i >= 0 && take(i, true) {
		ordered = 2
	}
	// Each subhead that names a topic gets its best sentence first: the
	// article's own structure is its outline.
	// An article outlined by labels is a ledger already: each section
	// gets up to two points, the reply grows with the outline (the
	// renderer pages it).
	about := a.aboutStems()
	budget, perSection := xtrReplyPoints, 1
	if a.labels() >= xtrOutlineLabels {
		named := 0
		for _, sec := range a.sections {
			if a.namesTopic(sec.name, about) {
				named++
			}
		}
		budget, perSection = min(max(xtrReplyPoints, 1+2*named), xtrMaxPoints), 2
	}
	for si, sec := range a.sections {
		if !a.namesTopic(sec.name, about) {
			continue
		}
		n := 0
		for _, i := range rank {
			if len(chosen) >= budget || n >= perSection {
				break
			}
			if a.sents[i].section == si && take(i, n == 0) {
				n++
			}
		}
	}
	for _, i := range rank {
		if len(chosen) >= budget {
			break
		}
		take(i, false)
	}
	slices.Sort(chosen[ordered:])
	return chosen
}

// lead finds the article's main news among its first sentences: the one
// sharing the most with the headline, the first one on a tie (news opens
// with its lead), a news peg (see xtrPegRows) tipping the balance. A
// sentence too short to state news is passed over.
func (a *xtrDoc) lead(title map[string]bool, stems []map[string]bool, score []float64) int {
	best, bestScore := 0, -1.0
	for i := 0; i < len(a.sents) && i < xtrLeadWindow; i++ {
		v := 0.0
		for w := range stems[i] {
			if title[w] {
				v++
			}
		}
		if v > 0 && a.sents[i].section < 0 && len(a.sections) > 0 {
			// The paragraph before the first subhead, when it says what
			// the headline says, is the article's standfirst: its lead.
			v += xtrStandfirst
		}
		if len(a.sents[i].toks) < 8 {
			v -= 2
		}
		v += xtrPegWeight * float64(xtrPegCount(a.sents[i].toks))
		v -= 0.75 * float64(i) // position counts: a later sentence needs a clearly better match
		if v > bestScore {
			best, bestScore = i, v
		}
	}
	return best
}

// salience scores how much sentence i says of the article's news: its
// position (news comes first), words shared with the headline, words
// shared with the rest of the article (what it is about), a status cue (a
// party agreeing, refusing, disputing), a figure, and a named actor.
func (a *xtrDoc) salience(i int, s *xtrSentence, stems, keys, title map[string]bool, freq map[string]int) float64 {
	if len(stems) == 0 || len(s.toks) < xtrMinWords+2 {
		return 0
	}
	v := xtrPositionPrior(i)
	hits, central := 0, 0.0
	for w := range keys {
		if title[w] {
			hits++
		}
	}
	for w := range stems {
		if n := freq[w]; n > 1 {
			central += math.Log(float64(n))
		}
	}
	if len(title) > 0 {
		v += 1.2 * float64(hits) / float64(len(title))
	}
	v += 0.25 * central / math.Sqrt(float64(len(stems))+4)
	if s.strength > 0 {
		v += 0.25 * float64(s.strength)
	}
	if len(s.actors) > 0 {
		v += 0.15
	}
	for _, t := range s.toks {
		if t.low != "" && t.low[0] >= '0' && t.low[0] <= '9' {
			v += 0.1
			break
		}
	}
	return v
}

// topicStems are the stems of the words of s that can name a topic (no
// stopwords or cue words): what the article keeps talking about.
func (a *xtrDoc) topicStems(s *xtrSentence) map[string]bool {
	m := map[string]bool{}
	for _, t := range s.toks {
		if textnorm.IsStopword(a.lang, t.low) {
			continue
		}
		if w, ok := xtrContentWord(t.low); ok {
			m[w] = true
		}
	}
	return m
}

// contentStems are the keys (see xtrPrefix) of the words of s that say
// what it is about: no stopwords, titles or verbs of saying. Cue words
// count here ("accord", "deal"): what was agreed is news.
func (a *xtrDoc) contentStems(s *xtrSentence) map[string]bool {
	m := map[string]bool{}
	for _, t := range s.toks {
		if w, ok := a.keyWord(t.low); ok {
			m[w] = true
		}
	}
	return m
}

// titleStems are the keys of the headline's words, without the site's
// name the title often carries ("… - BBC News"). A compound's parts count
// too: "Trump-Putin" is about Trump and Putin.
func (a *xtrDoc) titleStems() map[string]bool {
	m := map[string]bool{}
	for _, t := range xtrTokenize(a.headline()) {
		for _, w := range append(strings.Split(t.low, "-"), t.low) {
			if k, ok := a.keyWord(w); ok {
				m[k] = true
			}
		}
	}
	return m
}

// keyWord is the comparison key of a content word: its stem's first five
// letters, which also joins inflections in languages the stemmer does not
// know ("salarial", "salaires").
func (a *xtrDoc) keyWord(low string) (string, bool) {
	w := strings.TrimSuffix(low, "'s")
	if utf8.RuneCountInString(w) < 3 || textnorm.IsStopword(a.lang, w) || xtrStopwords[w] || xtrTitles[w] ||
		xtrSpeech[w] || xtrNotNames[w] {
		return "", false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			return "", false
		}
	}
	return xtrPrefix(xtrStem(w)), true
}

// headline is the document's title without a site name after a
// separator (" - ", " | ", " – ", " — ") when that part is short.
func (a *xtrDoc) headline() string {
	t := a.doc.Title
	for _, sep := range []string{" | ", " - ", " – ", " — "} {
		if i := strings.LastIndex(t, sep); i > 0 && len(strings.Fields(t[i+len(sep):])) <= 4 {
			t = t[:i]
		}
	}
	return t
}

// mainTopicName names the topic of the points outside any section: the
// headline's content word found in the most sentences of the article, with
// the next most frequent one when both are common ("Assange Investigation"),
// as written in the article.
func (a *xtrDoc) mainTopicName() string {
	type term struct {
		stem, word string
		n          int
		at         int
		name       bool            // a name of several words ("San Francisco")
		stems      map[string]bool // the stems of its words
	}
	var terms []term
	seen := map[string]bool{}
	head := a.headline()
	htoks := xtrTokenize(head)
	spans := map[string]bool{}
	for k, t := range htoks {
		if textnorm.IsStopword(a.lang, t.low) || xtrNotNames[t.low] || xtrMonthAbbrevs[t.low] || xtrConnectors[t.low] {
			continue
		}
		w, ok := xtrContentWord(t.low)
		if !ok || seen[w] {
			continue
		}
		seen[w] = true
		word := strings.TrimSuffix(strings.TrimSuffix(t.raw, "'s"), "’s")
		// A word of a name the article writes whole ("San" of "San
		// Francisco", "Black" of "Black Friday") stands for the name.
		span, last := a.nameSpan(head, htoks, k)
		if span != "" {
			if spans[span] {
				continue
			}
			spans[span] = true
			word = span
		}
		tm := term{stem: w, word: word, at: k, name: span != "", stems: map[string]bool{w: true}}
		if span != "" {
			// A name is counted by any of its words: the article repeats
			// "Assange" of "Julian Assange" alone.
			for j := last - len(strings.Fields(span)) + 1; j <= last; j++ {
				if sw, ok := xtrContentWord(htoks[j].low); ok {
					tm.stems[sw] = true
				}
			}
		}
		terms = append(terms, tm)
	}
	for i := range terms {
		for _, s := range a.sents {
			for _, t := range s.toks {
				if w, ok := xtrContentWord(t.low); ok && terms[i].stems[w] {
					terms[i].n++
					break
				}
			}
		}
	}
	// Verb forms ("killed", "drops", "launching") say what happened, not
	// what it is about: nouns and names come first.
	slices.SortStableFunc(terms, func(x, y term) int {
		if c := cmp.Compare(b2i(a.verbForm(x.word)), b2i(a.verbForm(y.word))); c != 0 {
			return c
		}
		return cmp.Compare(y.n, x.n)
	})
	if len(terms) == 0 || terms[0].n == 0 {
		return a.fallbackName()
	}
	pick := terms[:1]
	second := -1
	if len(terms) > 1 && terms[1].n >= 2 && terms[1].n*3 >= terms[0].n && !a.verbForm(terms[1].word) {
		second = 1
	}
	proper := func(t term) bool { return t.name || a.proper[strings.ToLower(t.word)] }
	if a.lang != "de" && !proper(terms[0]) {
		// A name in the headline that the article repeats says who the
		// story is about: "Nelson Goal", not "Goal".
		for k := 1; k < len(terms); k++ {
			if terms[k].n >= 2 && proper(terms[k]) {
				second = k
				break
			}
		}
	}
	if second < 0 && !proper(terms[0]) && a.lowered[strings.ToLower(terms[0].word)] {
		// A common noun alone ("Son", "Power", "Claim") says too little:
		// the headline's next noun or name the article uses joins it.
		for k := 1; k < len(terms); k++ {
			if terms[k].n >= 1 && !a.verbForm(terms[k].word) {
				second = k
				break
			}
		}
	}
	if second > 0 {
		pick = []term{terms[0], terms[second]}
		if len(strings.Fields(pick[0].word))+len(strings.Fields(pick[1].word)) > xtrNameWords+1 {
			pick = pick[:1] // two long names make a title, not a topic name
		}
	}
	if len(pick) == 2 {
		// A name before a noun ("Europa Plumes", "Indiana Teachers"),
		// else in the headline's order ("Helicopter Crash").
		// German capitalises every noun: there, the headline's order.
		p0, p1 := proper(pick[0]), proper(pick[1])
		if a.lang == "de" {
			p0, p1 = false, false
		}
		if (p1 && !p0) || (p0 == p1 && pick[1].at < pick[0].at) {
			pick = []term{pick[1], pick[0]}
		}
	}
	var words []string
	for _, p := range pick {
		words = append(words, p.word)
	}
	return xtrTitleCase(strings.Join(words, " "))
}

// xtrNameWords bounds a name of several words read from the headline.
const xtrNameWords = 3

// nameSpan is the name of several capitalised words around headline token
// k ("San Francisco", "South Dakota", "White House") when the article
// writes it whole with the same capitals, else "". Its first word alone
// ("San", "South", "White") names nothing.
func (a *xtrDoc) nameSpan(head string, htoks []xtrToken, k int) (string, int) {
	if a.lang == "de" || !xtrCapital(htoks[k].raw) {
		return "", -1 // German capitalises every noun
	}
	for n := xtrNameWords; n >= 2; n-- {
		for i := max(0, k-n+1); i <= k && i+n <= len(htoks); i++ {
			// A name neither starts nor ends with a function word or a
			// name particle ("The Doobie Brothers" is "Doobie Brothers",
			// "Van Der" no name), and a title ("Chief Strategy Officer")
			// is none.
			ok := !textnorm.IsStopword(a.lang, htoks[i].low) && !textnorm.IsStopword(a.lang, htoks[i+n-1].low) &&
				!xtrConnectors[htoks[i+n-1].low]
			for j := i; j < i+n && ok; j++ {
				ok = xtrCapital(htoks[j].raw) && (j == i || htoks[j].sep == " ") && !xtrTitles[htoks[j].low]
			}
			if !ok {
				continue
			}
			span := head[htoks[i].start:htoks[i+n-1].end]
			span = strings.TrimSuffix(strings.TrimSuffix(span, "'s"), "’s")
			// The word stands for the name when the article never
			// writes a word of it alone: "San" for "San Francisco",
			// "Black" for "Black Friday"; "Assange" of "Julian Assange"
			// is a name by itself.
			c := a.writes(span)
			alone := false
			for j := i; j < i+n && !alone && c > 0; j++ {
				alone = a.writes(htoks[j].raw) > c
			}
			if c > 0 && !alone {
				return span, i + n - 1
			}
		}
	}
	return "", -1
}

// writes counts where the article's sentences hold phrase as whole words,
// with the same capitals.
func (a *xtrDoc) writes(phrase string) int {
	n := 0
	for _, s := range a.sents {
		for from := 0; ; {
			i := strings.Index(s.text[from:], phrase)
			if i < 0 {
				break
			}
			i += from
			before, _ := utf8.DecodeLastRuneInString(s.text[:i])
			after, _ := utf8.DecodeRuneInString(s.text[i+len(phrase):])
			if (i == 0 || !xtrWordRune(before)) && (i+len(phrase) == len(s.text) || !xtrWordRune(after)) {
				n++
			}
			from = i + len(phrase)
		}
	}
	return n
}

// fallbackName names the main topic when the headline gives nothing: the
// content word in the most sentences.
func (a *xtrDoc) fallbackName() string {
	count := map[string]int{}
	shown := map[string]string{}
	best := ""
	for _, s := range a.sents {
		seen := map[string]bool{}
		for _, t := range s.toks {
			if textnorm.IsStopword(a.lang, t.low) || xtrNotNames[t.low] || xtrMonthAbbrevs[t.low] {
				continue
			}
			w, ok := xtrContentWord(t.low)
			if !ok || seen[w] {
				continue
			}
			seen[w] = true
			count[w]++
			if shown[w] == "" {
				shown[w] = t.raw
			}
			if best == "" || count[w] > count[best] {
				best = w
			}
		}
	}
	if best == "" {
		return "Main points"
	}
	return xtrTitleCase(shown[best])
}

// xtrContentWord returns the stem of a word that can name a topic.
func xtrContentWord(low string) (string, bool) {
	w := strings.TrimSuffix(low, "'s")
	if utf8.RuneCountInString(w) < 3 || xtrStopwords[w] || xtrCueWords[w] || xtrTitles[w] ||
		xtrSpeech[w] || xtrNotNames[w] {
		return "", false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			return "", false
		}
	}
	return xtrStem(w), true
}

// xtrStem strips common English endings so that "pledge", "pledges" and
// "pledged", or "automated" and "automation", share a key. The stem is only
// a key: topic names use the words as written.
func xtrStem(w string) string {
	for _, suf := range []string{"ations", "ation", "ated", "ating", "ings", "ing", "ies", "ied", "ed", "s"} {
		if !strings.HasSuffix(w, suf) || utf8.RuneCountInString(w)-len(suf) < 3 {
			continue
		}
		if suf == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
			break
		}
		w = w[:len(w)-len(suf)]
		if suf == "ies" || suf == "ied" {
			w += "y"
		}
		break
	}
	if strings.HasSuffix(w, "e") && utf8.RuneCountInString(w) > 3 {
		w = w[:len(w)-1]
	}
	return w
}

func xtrTitleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToTitle(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// xtrVerbForm reports whether a headline word reads as a verb form in
// English: a past participle or gerund ("killed", "launching") or a
// present third person of a verb the headline uses ("drops"), told by its
// ending. Names (capitalised inside the article) never are.
func xtrVerbForm(w string) bool {
	low := strings.ToLower(w)
	return strings.HasSuffix(low, "ed") || strings.HasSuffix(low, "ing")
}

// verbForm is xtrVerbForm for English articles; other languages' verb
// endings are not told apart from their nouns'.
func (a *xtrDoc) verbForm(w string) bool {
	return (a.lang == "" || a.lang == "en") && xtrVerbForm(w)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
