package extractive

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize"
)

var xtrBlankLines = regexp.MustCompile(`\n[ \t\r\f\v\x{a0}]*\n`)

// A token is one word of a sentence.
type xtrToken struct {
	raw        string // as written
	low        string // lower case, apostrophes straightened
	start, end int    // byte offsets in the sentence
	sep        string // what lies between the previous token and this one
	inQuote    bool   // inside a quotation
}

type xtrSentence struct {
	text    string
	pos     int // order in the document
	section int // index into xtrDoc.sections, -1 outside any section
	toks    []xtrToken

	status   summarize.Status // "" without a cue
	strength int              // 0 no cue, 1 weak cue, 2 strong cue
	cueStart int              // byte offsets of the deciding cue, -1 without one
	cueEnd   int

	ents    []xtrEnt
	speaker string // resolved speaker, "" when none
	actors  []string
}

type xtrSection struct {
	name  string
	sents []int
}

type xtrDoc struct {
	doc      *summarize.Document
	lang     string // the article's language, ISO 639-1
	sents    []*xtrSentence
	sections []xtrSection
	pool     []int // sentences outside any section

	proper     map[string]bool // capitalised words seen inside sentences
	standalone map[string]bool // one-word entities
	freq       map[string]int  // mentions per entity name
	agents     map[string]bool // names the article shows acting (see findAgents)
	lowered    map[string]bool // words the article writes in lower case
}

// xtrAnalyze reads the blocks into sections of sentences and classifies
// them.
func xtrAnalyze(doc *summarize.Document, blocks []summarize.Block) *xtrDoc {
	a := &xtrDoc{doc: doc, lang: doc.Language, proper: map[string]bool{}, standalone: map[string]bool{}, freq: map[string]int{}, agents: map[string]bool{}, lowered: map[string]bool{}}

	lineCount := map[string]int{}
	for _, b := range blocks {
		if b.Heading {
			continue
		}
		for _, line := range strings.Split(b.Text, "\n") {
			if k := xtrKey(line); k != "" {
				lineCount[k]++
			}
		}
	}

	section, skipping := -1, false
	seen := map[string]bool{}
	titleKey := xtrKey(doc.Title)
	for _, b := range blocks {
		if b.Heading {
			switch name, kind := xtrHeading(b.Text, doc); kind {
			case xtrHeadingTopic:
				a.sections = append(a.sections, xtrSection{name: name})
				section, skipping = len(a.sections)-1, false
			case xtrHeadingBoilerplate:
				skipping = true
			default:
				section, skipping = -1, false
			}
			continue
		}
		if skipping {
			continue
		}
		// Lines of furniture are dropped; the lines around one are read as
		// separate paragraphs, since they do not follow each other in the
		// text.
		var kept []string
		for _, line := range strings.Split(b.Text, "\n") {
			k := xtrKey(line)
			if k == "" || xtrBoilerplate(k) || xtrCaption(strings.TrimSpace(line)) ||
				(lineCount[k] > 1 && len(strings.Fields(k)) >= 4) {
				a.paragraph(kept, section, titleKey, seen)
				kept = kept[:0]
				continue
			}
			kept = append(kept, line)
		}
		a.paragraph(kept, section, titleKey, seen)
	}

	for _, s := range a.sents {
		for k, t := range s.toks {
			if r, _ := utf8.DecodeRuneInString(t.raw); unicode.IsLower(r) {
				a.lowered[strings.TrimSuffix(t.low, "'s")] = true
			}
			if !xtrInitial(s.toks, k) && xtrCapital(t.raw) {
				a.proper[strings.TrimSuffix(t.low, "'s")] = true
			}
		}
	}
	for _, s := range a.sents {
		s.status, s.strength, s.cueStart, s.cueEnd = xtrClassify(s.toks)
		s.ents = a.entities(s)
		for _, e := range s.ents {
			if len(e.words) == 1 {
				a.standalone[e.words[0]] = true
			}
		}
	}
	for _, s := range a.sents {
		for i := range s.ents {
			s.ents[i].name = a.reduce(s.ents[i])
			a.freq[s.ents[i].name]++
		}
	}
	var prev *xtrSentence
	for _, s := range a.sents {
		a.resolveSpeaker(s, prev)
		prev = s
	}
	a.findAgents()
	for _, s := range a.sents {
		a.resolveActors(s)
	}
	return a
}

// paragraph adds the sentences of a paragraph's lines to section (-1: the
// pool), skipping sentences already seen.
func (a *xtrDoc) paragraph(lines []string, section int, titleKey string, seen map[string]bool) {
	para := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	if para == "" || (titleKey != "" && len(para) <= 2*len(titleKey)+8 && xtrKey(para) == titleKey) {
		return // nothing, or the title repeated as the first paragraph
	}
	if xtrHeadlineLine(para) {
		return // a link to another story: a headline, not a sentence
	}
	if head := para[:min(len(para), 80)]; strings.Contains(head, "- ") || strings.Contains(head, "— ") || strings.Contains(head, "– ") {
		if m := xtrDatelinePrefix.FindStringIndex(para); m != nil {
			para = para[m[1]:] // "HARBOR CITY (Reuters) — The union…"
		}
	}
	for _, st := range xtrSplitSentences(para) {
		k := xtrKey(st)
		// The paragraph passed xtrBoilerplate; a sentence of it can still
		// open like furniture ("Source: …", "Updated 9:14").
		if seen[k] || xtrBoilerPrefix(k) || !xtrStatement(st) {
			continue
		}
		seen[k] = true
		s := &xtrSentence{text: st, pos: len(a.sents), section: section, toks: xtrTokenize(st), cueStart: -1, cueEnd: -1}
		if len(s.toks) < xtrMinWords || len(s.toks) > xtrMaxWords {
			continue
		}
		a.sents = append(a.sents, s)
		if section >= 0 {
			a.sections[section].sents = append(a.sections[section].sents, s.pos)
		} else {
			a.pool = append(a.pool, s.pos)
		}
	}
}

// xtrKey is the comparison form of a line: lower case, single spaces.
func xtrKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if (r < utf8.RuneSelf && (r == ' ' || ('\t' <= r && r <= '\r'))) || (r >= utf8.RuneSelf && unicode.IsSpace(r)) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// xtrStatement reports whether a sentence can be a point: not a question,
// not shouting or a dateline (it has lower-case letters).
func xtrStatement(s string) bool {
	t := strings.TrimRight(s, "\"”’') !")
	if strings.HasSuffix(t, "?") {
		return false
	}
	return strings.IndexFunc(s, unicode.IsLower) >= 0
}

type xtrHeadingKind int

const (
	xtrHeadingTopic       xtrHeadingKind = iota
	xtrHeadingBoilerplate                // what follows is boilerplate too
	xtrHeadingJunk                       // not a section title; what follows is text
)

// xtrHeading cleans a heading and says what kind it is.
func xtrHeading(h string, doc *summarize.Document) (string, xtrHeadingKind) {
	name := strings.Join(strings.Fields(h), " ")
	name = strings.TrimRight(name, ":;,.-–— ")
	low := strings.ToLower(name)
	switch {
	case name == "":
		return "", xtrHeadingJunk
	case xtrConsent[low] || xtrBoilerHeading(low):
		return name, xtrHeadingBoilerplate
	case strings.EqualFold(name, strings.TrimSpace(doc.Title)) || strings.EqualFold(name, strings.TrimSpace(doc.Site)):
		return name, xtrHeadingJunk
	case len(strings.Fields(name)) > xtrHeadingWords, xtrDateline(low):
		return name, xtrHeadingJunk
	}
	letters := 0
	for _, r := range name {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 3 {
		return name, xtrHeadingJunk
	}
	return name, xtrHeadingTopic
}

// xtrConsent are the buttons of consent banners.
var xtrConsent = map[string]bool{
	"i agree": true, "agree": true, "accept": true, "accept all": true, "accept cookies": true,
	"reject all": true, "ok": true, "got it": true, "allow all": true, "manage cookies": true,
	"manage preferences": true, "continue": true, "i accept": true, "consent": true,
}

// xtrBoilerHeading reports whether a heading (lower case) titles page
// furniture rather than a section of the article. Words an article section
// could be titled with ("Comments from Kyiv", "Privacy concerns") only count
// alone.
func xtrBoilerHeading(low string) bool {
	if xtrFurnitureHeadings[low] {
		return true
	}
	for _, p := range []string{
		"read more", "more from", "more stories", "more on this", "most read", "most popular",
		"you may also like", "related articles", "related stories", "related content",
		"related coverage", "share this", "sign up", "follow us", "about the author",
		"editor's picks", "top stories", "latest news", "search trends",
	} {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	return xtrConsentBanner(low)
}

var xtrFurnitureHeadings = xtrSet("related comments trending recommended advertisement newsletter " +
	"newsletters subscribe source sources source(s) share tags topics")

// xtrConsentBanner reports whether a line (lower case) belongs to a cookie
// or privacy banner. An article about cookie rules does not: it takes the
// banner's own phrasing.
func xtrConsentBanner(k string) bool {
	for _, w := range []string{"privacy statement", "cookie policy", "cookies policy", "cookie settings", "cookie preferences", "privacy settings"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	if !strings.Contains(k, "cookie") {
		return false
	}
	for _, w := range []string{
		"by continuing", "you agree", "you consent", "we use", "our use", "our site", "our website",
		"this site", "this website", "your browser", "accept all", "accept cookies", "manage cookies",
	} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// xtrCaption reports whether a line ends with a photo credit: "… on
// Wednesday. /Maxim Shemetov/Reuters".
func xtrCaption(line string) bool {
	for i := 0; i < len(line); i++ {
		if line[i] != '/' || (i > 0 && line[i-1] != ' ' && line[i-1] != '.') {
			continue
		}
		rest := line[i+1:]
		if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsUpper(r) {
			continue
		}
		parts := strings.Split(rest, "/")
		short := len(parts) <= 4
		for _, p := range parts {
			short = short && len(p) <= 80
		}
		if short {
			return true
		}
	}
	return false
}

// xtrDateline reports whether a line (lower case) starts with "updated
// 23:14, 19-Mar-2025" or the like.
func xtrDateline(low string) bool {
	t := strings.TrimLeftFunc(low, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range []string{"updated", "published", "posted", "last modified"} {
		if rest, ok := strings.CutPrefix(t, w); ok {
			if rest != "" && (unicode.IsLetter(rune(rest[0])) || unicode.IsDigit(rune(rest[0]))) {
				return false // "updates", "postedness"
			}
			return strings.IndexFunc(rest[:min(len(rest), 24)], unicode.IsDigit) >= 0
		}
	}
	return false
}

var (
	// xtrDatelinePrefix matches the place that opens a wire story:
	// "WASHINGTON (Reuters) - ", "Harbor City — ".
	xtrDatelinePrefix = regexp.MustCompile(`^\p{Lu}[\p{L}.'’]*(?:,? \p{Lu}[\p{L}.'’]*){0,3}(?: \([^)]{1,30}\))? ?[—–-] `)
)

// xtrBoilerplate reports whether a line (in xtrKey form) is page furniture:
// a consent banner, a translation notice, a credit line, a dateline.
func xtrBoilerplate(k string) bool {
	if xtrBoilerPrefix(k) || xtrConsentBanner(k) {
		return true
	}
	for _, w := range []string{
		"all rights reserved", "automatically generated by", "responsible for any of the translations",
		"enable javascript", "javascript is disabled",
	} {
		if strings.Contains(k, w) {
			return true
		}
	}
	// Links to legal pages, but not a sentence about a privacy policy.
	if len(strings.Fields(k)) <= 12 {
		for _, w := range []string{"privacy policy", "terms of use", "terms of service", "terms and conditions"} {
			if strings.Contains(k, w) {
				return true
			}
		}
	}
	return false
}

// xtrBoilerPrefix reports whether a line (in xtrKey form) opens like page
// furniture: "Source(s): …", "Reporting by …", "Updated 23:14",
// "Translating...".
func xtrBoilerPrefix(k string) bool {
	t := strings.TrimLeftFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && r != '©' })
	for _, p := range []string{
		"source:", "sources:", "source(s):", "photo:", "photos:", "image:", "picture:", "credit:",
		"file photo", "reporting by", "editing by", "writing by", "additional reporting by",
		"copyright ©", "copyright (c)", "©", "read more:", "read also:", "related:", "see also:",
		"click here", "follow us on", "share this article", "search trends",
		// "Read also" and byline furniture in German, French, Spanish,
		// Italian and Portuguese.
		"lesen sie auch", "mehr zum thema", "lire aussi", "à lire aussi", "voir aussi", "lea también",
		"leer más", "vea también", "leggi anche", "potrebbe interessarti", "leia também", "leia mais",
		"veja também", "publicado por", "pubblicato da", "publié par", "veröffentlicht von",
	} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	// A metadata line: three or more fields joined by " - " or " | "
	// with a label ("Category:", "Tags:", "Publicado por:").
	if strings.Count(t, " - ")+strings.Count(t, " | ") >= 2 && strings.Count(t, ": ") >= 2 {
		return true
	}
	// One or two words alone on a line: "Advertisement", "Translating...".
	switch strings.TrimRight(t, ".…!: ") {
	case "advertisement", "translating", "loading", "subscribe", "sign up", "read more", "share":
		return true
	}
	return xtrDateline(t)
}

// xtrSplitSentences splits a paragraph (single spaces) into sentences. It
// does not split after abbreviations and initials ("U.S.", "Mr.", "J.") nor
// inside a quotation shorter than xtrQuoteSpan words.
func xtrSplitSentences(p string) []string {
	var out []string
	start, words := 0, 0
	inQ := false
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		inQ = xtrQuoted(r, inQ)
		if r == ' ' {
			words++
		}
		if r != '.' && r != '!' && r != '?' && r != '…' {
			i += n
			continue
		}
		j := i + n
		for j < len(p) {
			r2, n2 := utf8.DecodeRuneInString(p[j:])
			switch {
			case strings.ContainsRune(".!?…", r2):
			case r2 == '"':
				inQ = !inQ
			case r2 == '”' || r2 == '»':
				inQ = false
			case strings.ContainsRune("’')]", r2):
			default:
				n2 = 0
			}
			if n2 == 0 {
				break
			}
			j += n2
		}
		term := i
		i = j
		if j >= len(p) || p[j] != ' ' || j+1 >= len(p) {
			continue
		}
		next, _ := utf8.DecodeRuneInString(p[j+1:])
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) && !strings.ContainsRune("\"“‘'(«[¿¡„", next) {
			continue
		}
		if r == '.' && (xtrAbbreviation(p[start:term]) || xtrOrdinalDate(p[start:term], p[j+1:])) {
			continue
		}
		if inQ && words < xtrQuoteSpan {
			continue
		}
		out = append(out, p[start:j])
		start, words, inQ = j+1, 0, false
	}
	if rest := strings.TrimSpace(p[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// xtrQuoted reports whether the text after rune r is inside a quotation,
// given whether the text before r was.
func xtrQuoted(r rune, inQ bool) bool {
	switch r {
	case '"':
		return !inQ
	case '“', '«':
		return true
	case '”', '»':
		return false
	}
	return inQ
}

// xtrAbbreviation reports whether s, the text before a period, ends with an
// abbreviation or an initial, so the period does not end a sentence.
func xtrAbbreviation(s string) bool {
	w := s[strings.LastIndexByte(s, ' ')+1:]
	w = strings.TrimLeft(w, "\"“‘'([")
	if w == "" || strings.ContainsRune(w, '.') {
		return w != ""
	}
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r)
	}
	return xtrAbbrevs[strings.ToLower(w)]
}

// xtrAbbrevs are abbreviations written with a period that does not end a
// sentence: English titles, months and business words, and the common
// ones of German (bzw, ca, vgl, usw, Nr), French (M., Mme, av, env),
// Spanish (Sr., Sra., Dña., núm), Italian (Sig., Dott., Avv., ecc) and
// Portuguese (Sr., Dra., nº, av).
var xtrAbbrevs = xtrSet("mr mrs ms dr prof st gen sen rep gov lt col sgt capt cmdr adm jr sr inc ltd co corp no vs etc approx dept est fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd rd pres hon rev messrs " +
	"bzw ca vgl usw nr hr fr dipl ing abs jh mio mrd " +
	"mme mlle mm env av bd éd " +
	"sra srta dra dña núm tel " +
	"sig sigg dott avv ecc pag " +
	"nº exmo exma")

// xtrMonths are month names of the six languages: "am 3. Oktober", "le
// 1er mai" and "el 5 de mayo" keep their numbers' periods inside the
// sentence.
var xtrMonths = xtrSet("january february march april may june july august september october november december " +
	"januar februar märz april mai juni juli august september oktober november dezember jänner " +
	"janvier février mars avril mai juin juillet août septembre octobre novembre décembre " +
	"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre " +
	"gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre " +
	"janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro")

// xtrOrdinalDate reports whether the period at the end of s follows a day
// number and the text after it (next) opens with a month: "am 3. Oktober".
func xtrOrdinalDate(s, next string) bool {
	w := s[strings.LastIndexByte(s, ' ')+1:]
	if w == "" || len(w) > 2 || strings.TrimFunc(w, unicode.IsDigit) != "" {
		return false
	}
	m := next
	if i := strings.IndexFunc(next, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		m = next[:i]
	}
	return xtrMonths[strings.ToLower(m)]
}

// xtrTokenize splits a sentence into words. Apostrophes, hyphens and periods
// between letters stay inside a word ("didn't", "30-day", "U.S").
func xtrTokenize(s string) []xtrToken {
	var toks []xtrToken
	inQ := false
	sepStart := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xtrWordRune(r) {
			inQ = xtrQuoted(r, inQ)
			i += n
			continue
		}
		start, j := i, i+n
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if xtrWordRune(r2) {
				j += n2
				continue
			}
			if strings.ContainsRune("'’-‐.", r2) && j+n2 < len(s) {
				if r3, _ := utf8.DecodeRuneInString(s[j+n2:]); xtrWordRune(r3) {
					j += n2
					continue
				}
			}
			break
		}
		if j < len(s) && s[j] == '.' && xtrDotted(s[start:j]) {
			j++
		}
		raw := s[start:j]
		toks = append(toks, xtrToken{
			raw: raw, low: xtrLower(raw),
			start: start, end: j, sep: s[sepStart:start], inQuote: inQ,
		})
		i, sepStart = j, j
	}
	return toks
}

// xtrLower lower-cases a word and straightens its apostrophes.
func xtrLower(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ReplaceAll(strings.ToLower(w), "’", "'")
		}
	}
	return w
}

func xtrWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// xtrDotted reports whether w is a dotted abbreviation such as "U.S" or "e.g".
func xtrDotted(w string) bool {
	if !strings.Contains(w, ".") {
		return false
	}
	for _, part := range strings.Split(w, ".") {
		if n := utf8.RuneCountInString(part); n == 0 || n > 2 {
			return false
		}
	}
	return true
}

// xtrCapital reports whether a word starts with a capital letter.
func xtrCapital(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) || unicode.IsTitle(r)
}

// xtrInitial reports whether token k starts its sentence or a quotation, so
// a capital letter says nothing about it being a name.
func xtrInitial(toks []xtrToken, k int) bool {
	if k == 0 {
		return true
	}
	sep := strings.TrimSpace(toks[k].sep)
	if sep == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(sep)
	switch {
	case strings.ContainsRune("“‘«(:.!?…", last):
		return true
	case last == '"':
		return toks[k].inQuote // an opening quote mark, not a closing one
	}
	// An opening single quote, not a possessive one: " 'Word".
	return (last == '\'' || last == '’') && strings.HasPrefix(toks[k].sep, " ")
}

// xtrHeadlineWords bounds a paragraph read as a headline.
const xtrHeadlineWords = 25

// xtrHeadlineLine reports whether a paragraph is a headline (a related
// story's link): one short line that does not end like a sentence.
func xtrHeadlineLine(para string) bool {
	if len(strings.Fields(para)) > xtrHeadlineWords {
		return false
	}
	t := strings.TrimRight(para, " ")
	last, _ := utf8.DecodeLastRuneInString(t)
	return !strings.ContainsRune(".!?…:;\"”’»)“。．！？」』", last) && len(xtrSplitSentences(para)) == 1
}
