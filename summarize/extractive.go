package summarize

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrEmptyDocument is returned by ExtractiveEngine.Summarize for a document
// without text.
var ErrEmptyDocument = errors.New("summarize: document has no text")

// Limits of the extractive ledger. They keep a Discord reply readable.
const (
	xtrMaxTopics     = 8
	xtrMaxPoints     = 5
	xtrMinPoints     = 3   // a topic with fewer cued sentences is filled with context
	xtrMaxActors     = 3   // actors per point
	xtrMinWords      = 5   // shorter sentences are labels, not statements
	xtrMaxWords      = 120 // longer "sentences" are lists or broken text; also bounds the work per sentence
	xtrQuoteWords    = 30  // longer sentences are quoted by the clauses around the cue
	xtrTextWords     = 45  // longer sentences are shortened in Text
	xtrQuoteSpan     = 60  // a quotation is kept whole up to this many words
	xtrHeadingWords  = 12  // a longer "heading" is not a section title
	xtrNegationReach = 3   // tokens looked back for a negation
)

// ExtractiveEngine is the offline engine: no key, no network, deterministic.
// It builds the ledger from the article's own sentences:
//
//   - topics are the article's section headings when it has them, and
//     clusters of sentences sharing salient words (named by those words) for
//     text outside any section; boilerplate (consent banners, repeated photo
//     captions, credits, translation notices, "Source(s):") is skipped;
//   - each point is one sentence, quoted verbatim (whole, or the clauses
//     around its status cue when it is long), so every point is grounded;
//   - the status comes from cue phrases (English, with some French, German
//     and Spanish): "agreed to", "would begin", "struck a deal" → agreed;
//     "declined", "rejected the offer", "made no mention", "unclear", "talks
//     collapsed" → unresolved; "accused", "denied", "violated", "has broken
//     it", "the truce is in tatters" → disputed. A commitment that is only
//     asked for, hoped for, offered, expected or conditional ("called for
//     Moscow to accept", "are expected to sign", "would accept … if") is
//     unresolved. See xtrClassify for how several cues in one sentence
//     combine;
//   - actors are the named people and institutions of the sentence, its
//     speaker first.
//
// Sentences with cues are preferred: at most 5 points a topic, 8 topics.
type ExtractiveEngine struct{}

var _ Engine = (*ExtractiveEngine)(nil)

// NewExtractiveEngine returns the offline engine.
func NewExtractiveEngine() *ExtractiveEngine { return &ExtractiveEngine{} }

// Name returns "extractive".
func (*ExtractiveEngine) Name() string { return "extractive" }

// Model returns "": there is no model.
func (*ExtractiveEngine) Model() string { return "" }

// PromptVersion names the algorithm version; bump it when the output for the
// same text changes, so cached summaries are rebuilt.
func (*ExtractiveEngine) PromptVersion() string { return "extractive-v2" }

// Summarize builds the ledger of doc. It returns ErrEmptyDocument when doc
// has no text, and ctx's error when ctx is done. Every point is checked with
// Ground before it is returned.
func (e *ExtractiveEngine) Summarize(ctx context.Context, doc *Document) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("summarize: extractive: %w", err)
	}
	if doc == nil {
		return nil, ErrEmptyDocument
	}
	blocks := doc.Blocks
	if len(blocks) == 0 {
		blocks = xtrBlocksFromText(doc.Text)
	}
	text := doc.Text
	if strings.TrimSpace(text) == "" {
		parts := make([]string, 0, len(blocks))
		for _, b := range blocks {
			parts = append(parts, b.Text)
		}
		text = strings.Join(parts, "\n\n")
	}
	if strings.TrimSpace(text) == "" {
		return nil, ErrEmptyDocument
	}
	a := xtrAnalyze(doc, blocks)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("summarize: extractive: %w", err)
	}
	topics := a.topics()
	Ground(topics, text)
	res := &Result{Topics: topics}
	if len(topics) == 0 {
		res.Notes = append(res.Notes, "No statement of agreement, refusal or dispute was found in this article.")
	}
	return res, nil
}

// xtrBlocksFromText splits plain text at blank lines. A one-line block of at
// most twelve words without final punctuation is taken as a heading.
func xtrBlocksFromText(text string) []Block {
	var out []Block
	for _, chunk := range xtrBlankLines.Split(text, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		b := Block{Text: chunk}
		if !strings.Contains(chunk, "\n") && len(strings.Fields(chunk)) <= xtrHeadingWords {
			last, _ := utf8.DecodeLastRuneInString(chunk)
			if !strings.ContainsRune(".!?:;,\"”’)…", last) {
				b.Heading, b.Level = true, 2
			}
		}
		out = append(out, b)
	}
	return out
}

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

	status   Status // "" without a cue
	strength int    // 0 no cue, 1 weak cue, 2 strong cue
	cueStart int    // byte offsets of the deciding cue, -1 without one
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
	doc      *Document
	sents    []*xtrSentence
	sections []xtrSection
	pool     []int // sentences outside any section

	proper     map[string]bool // capitalised words seen inside sentences
	standalone map[string]bool // one-word entities
	freq       map[string]int  // mentions per entity name
}

// xtrAnalyze reads the blocks into sections of sentences and classifies
// them.
func xtrAnalyze(doc *Document, blocks []Block) *xtrDoc {
	a := &xtrDoc{doc: doc, proper: map[string]bool{}, standalone: map[string]bool{}, freq: map[string]int{}}

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
		a.resolveActors(s, prev)
		prev = s
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
	t := strings.TrimRight(s, "\"”’') ")
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
func xtrHeading(h string, doc *Document) (string, xtrHeadingKind) {
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
	} {
		if strings.HasPrefix(t, p) {
			return true
		}
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
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) && !strings.ContainsRune("\"“‘'(«[", next) {
			continue
		}
		if r == '.' && xtrAbbreviation(p[start:term]) {
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

var xtrAbbrevs = xtrSet("mr mrs ms dr prof st gen sen rep gov lt col sgt capt cmdr adm jr sr inc ltd co corp no vs etc approx dept est fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd rd pres hon rev messrs")

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

// xtrClass is the kind of a status cue.
type xtrClass int

const (
	xtrWeak     xtrClass = iota + 1 // a hope, demand, offer or condition: open
	xtrAgreed                       // a commitment
	xtrRefusal                      // a refusal or failure to commit
	xtrHedge                        // the matter is open whatever else is said
	xtrDisputed                     // a claim contested, an accusation
)

// xtrRule refines a cue by the words around it.
type xtrRule int

const (
	xtrPlain xtrRule = iota
	// xtrNeedsDeal: a commitment only beside an agreement noun: "struck a
	// deal", "welcomed the agreement", "the consensus reached in Geneva",
	// but not "missiles struck the plant".
	xtrNeedsDeal
	// xtrNeedsTruce: a commitment only after a truce noun: "the ceasefire
	// has largely held", but not "held talks".
	xtrNeedsTruce
	// xtrBySubject: "collapsed", "in tatters": disputed when what fails is
	// an agreement ("the truce collapsed"), open when it is talks.
	xtrBySubject
	// xtrByObject: "rejected", "dismissed": disputed when a claim is
	// rejected ("a claim the union rejected"), a refusal when a proposal is.
	xtrByObject
	// xtrNotBefore: no cue before certain words: "signs of".
	xtrNotBefore
	// xtrNotAfter: no cue after certain words: "settle the dispute".
	xtrNotAfter
	// xtrNeedsTopic: a common word ("whether", "won't", "offered") is a cue
	// only in a sentence about something negotiated (a deal, talks, a
	// proposal, a strike, tariffs …), and not in "won't be able", "would
	// not only".
	xtrNeedsTopic
	// xtrDemand: "wants", "urged", "pressed" are cues in a sentence about
	// something negotiated, or when they ask a named party to act: "wants
	// Beijing to open its market", "urged the EU to".
	xtrDemand
	// xtrBreakObject: "broke", "broken", "breaking" dispute an agreement or
	// a promise ("has already broken it", "the truce was broken"), not a
	// keyboard or a trend line.
	xtrBreakObject
	// xtrTruceAfter: disputed before a truce noun: "fighting continued
	// despite the ceasefire".
	xtrTruceAfter
	// xtrCompliance: a commitment kept beside an agreement noun ("both
	// sides respected the truce"), broken when negated ("failed to honour
	// the deal").
	xtrCompliance
)

type xtrCue struct {
	class xtrClass
	rule  xtrRule
	words []string
}

// xtrCueTable lists the cue phrases by class.
var xtrCueTable = map[xtrClass][]string{
	xtrAgreed: {
		"agreed", "agree", "agrees", "agreeing", "signed", "signs", "will sign", "would sign", "to sign",
		"committed to", "commit to", "commits to", "pledged", "promised to", "will begin", "would begin",
		"will start", "would start", "will resume", "would resume", "will take place", "would take place",
		"will be held", "would be held", "will take effect", "would take effect", "takes effect",
		"reached", "reach", "reaches", "reaching", "struck", "sealed", "clinched", "secured", "hammered out",
		"brokered", "welcomed", "welcomes", "welcoming", "under the", "held", "holding", "holds",
		"tentative deal", "tentative agreement", "deal was reached", "agreement was reached",
		"reaffirmed", "reaffirm", "reaffirms", "got to that place", "consensus", "endorsed", "endorse",
		"endorses", "approved", "approve", "approves", "accepted", "accept", "accepts", "would support",
		"will support", "ratified", "ratify", "ratifies", "breakthrough", "in agreement", "on board",
		"will abide", "would abide", "will honour", "will honor", "broke the deadlock",
		"broken the deadlock", "break the deadlock", "broke the impasse", "break the impasse",
		"adopted", "adopts", "in place", "into force", "in force", "into effect", "took effect",
		"take effect", "ended with an agreement", "ended with a deal", "ended in agreement",
		"respected", "respecting", "respect", "respects", "observe", "observed", "observing", "complied with",
		"complying with", "comply with", "abided by", "abiding by", "abide by", "honoured", "honored",
		"honouring", "honoring", "honour", "honor", "adhered to", "adhering to",
		// French, German, Spanish.
		"se sont mis d'accord", "ont convenu", "a convenu", "sont convenus", "ont accepté",
		"a accepté", "ont signé", "a signé", "accord conclu", "sont tombés d'accord",
		"einigten sich", "geeinigt", "vereinbart", "vereinbarten", "zugestimmt", "stimmte zu",
		"stimmten zu", "unterzeichnet", "unterzeichneten", "acordaron", "acordó", "firmaron",
		"firmó", "aceptó", "aceptaron", "alcanzaron un acuerdo", "llegaron a un acuerdo",
	},
	xtrHedge: {
		"unclear", "not clear", "uncertain", "remains to be seen", "remain to be seen",
		"no mention", "made no mention", "not come up", "did not come up", "didn't come up",
		"not mentioned", "was not discussed", "were not discussed", "yet to", "not yet",
		"still open", "remains open", "remain open", "left open", "undecided", "unresolved",
		"stalled", "deadlock", "deadlocked", "impasse", "no agreement", "no deal",
		"no decision", "postponed", "put off", "on hold", "sticking point", "sticking points",
		"open question", "open questions", "not been told", "not told", "no date", "no timetable",
		"no timeline", "no details", "no extension", "not said", "did not say", "would not say",
		"will not say", "would not comment", "would not confirm", "within reach", "close to a deal",
		"close to an agreement", "close to agreement", "closer to a deal", "closer to an agreement",
		"near a deal", "nearing a deal", "nearing an agreement", "differences remain",
		"differences remained", "gaps remain", "gaps remained", "expired", "lapsed", "vote on",
		"votes on", "voted on", "voting on", "will vote", "would vote", "walked out", "walked away",
		"pulled out", "broke off", "broken off", "suspended", "withdrew from", "little progress",
		"no progress", "without progress", "without agreement", "without an agreement", "without a deal",
		"without a breakthrough", "haggling", "haggle", "wrangling", "not mention", "not address",
		"not addressed", "still needs", "still need", "still has to", "still have to", "still must",
		"must still", "still requires", "still require", "subject to",
		"collapsed", "collapse", "collapses", "collapsing", "broke down", "broken down", "break down",
		"breaking down", "fell apart", "fallen apart", "falls apart", "fell through", "in tatters",
		"unravelled", "unraveled", "unravelling", "unraveling", "foundered", "frayed", "fraying", "frays",
		"pas clair", "incertain", "pas encore", "reste à", "reporté", "aucun accord",
		"unklar", "noch nicht", "keine einigung", "bleibt offen", "vertagt",
		"no está claro", "todavía no", "aún no", "sin acuerdo", "pospuesto",
	},
	xtrRefusal: {
		"declined", "declines", "decline to", "refused", "refuses", "refuse to", "refusing", "refusal",
		"failed to", "fails to", "fail to", "failing to", "balked", "resisted", "ruled out", "rules out",
		"ruling out", "rule out", "blocked", "blocks", "blocking", "vetoed", "vetoes", "turned down",
		"turns down", "rebuffed", "voted against", "opposed to", "opposes", "would not", "will not",
		"won't", "wouldn't", "will never", "would never", "infuriating", "infuriated", "angered",
		"angering", "outraged", "rejected", "rejects", "rejecting", "rejection", "reject", "dismissed",
		"dismisses", "dismissing",
		"a refusé", "ont refusé", "refuse de", "lehnte ab", "lehnten ab", "weigerte sich",
		"verweigert", "se negó", "se negaron", "rejeté", "rejette", "abgelehnt", "rechazó", "rechaza",
	},
	xtrDisputed: {
		"accused", "accuses", "accusing", "accusation", "accusations", "violated", "violates",
		"violating", "violation", "violations", "breach", "breached", "breaches", "breaching",
		"broken", "broke", "breaking", "denied", "denies", "deny", "denying", "contested", "contests",
		"contesting", "refuted", "refutes", "refute", "refuting", "rebutted", "backtracking",
		"backtracked", "reneged", "reneging", "reneges", "went back on", "flouted", "flouting",
		"no reciprocity", "disputed", "disputes", "dispute", "disputing", "claimed", "blamed", "blames",
		"blaming", "not abated", "not respected", "not honoured", "not honored", "condemned", "condemns",
		"objected", "objects to", "disagree", "disagreed", "disagrees", "disagreement",
		"at odds", "far apart", "undermined", "undermining", "sabotaged", "protested", "contradicting",
		"contradicted", "contradicts", "contrary to", "despite the", "in defiance of",
		"accusé", "accuse", "a violé", "violé", "conteste", "contesté", "dément", "démenti",
		"beschuldigt", "beschuldigte", "vorgeworfen", "verletzt",
		"verletzte", "bestritten", "bestreitet", "wies zurück", "acusó", "acusa",
		"acusaron", "violó", "violación", "negó", "denunció",
	},
	xtrWeak: {
		"hoped", "hopes", "hope", "hoping", "would have to", "will have to", "condition",
		"conditions", "precondition", "preconditions", "must", "demand", "demands", "demanded",
		"demanding", "insisted", "insists", "insist", "called for", "calls for", "calling for",
		"call for", "called on", "calls on", "calling on", "call on", "urged", "urges", "urging", "urge",
		"wants", "want", "wanted", "asked for", "asks for", "asking for", "pressed", "pressing for",
		"pushed for", "pushing for", "offered", "offers to", "offering to", "offer to", "hinted",
		"floated", "would only", "will only", "only if", "unless", "expected to", "likely to",
		"unlikely to", "plans to", "planned to", "ready to", "willing to", "prepared to", "appealed",
		"signalled", "signaled", "whether", "would like to", "not negotiable", "non-negotiable",
		"avoided", "unwilling", "unwillingness", "reluctant", "proposed", "proposes", "proposal",
		"sought", "seeks", "seeking", "discussed", "discuss", "to be negotiated", "under discussion",
		"would need to", "needs to",
		"espère", "exige", "hofft", "fordert", "forderte", "bedingung", "espera", "exige",
		"condición",
	},
}

// xtrCueRules are the cues the words around them refine.
var xtrCueRules = func() map[string]xtrRule {
	m := map[string]xtrRule{}
	for rule, phrases := range map[xtrRule]string{
		xtrNeedsDeal: "reached|reach|reaches|reaching|struck|sealed|clinched|secured|hammered out|" +
			"brokered|welcomed|welcomes|welcoming|under the|in place",
		xtrNeedsTruce: "held|holding|holds",
		xtrBySubject: "collapsed|collapse|collapses|collapsing|broke down|broken down|break down|" +
			"breaking down|fell apart|fallen apart|falls apart|fell through|in tatters|unravelled|" +
			"unraveled|unravelling|unraveling|foundered|frayed|fraying|frays",
		xtrByObject: "rejected|rejects|rejecting|rejection|reject|dismissed|dismisses|dismissing|" +
			"rejeté|rejette|abgelehnt|rechazó|rechaza",
		xtrNotBefore:   "signs",
		xtrBreakObject: "broken|broke|breaking",
		xtrDemand:      "wants|want|wanted|urged|urges|urging|urge|pressed",
		xtrNeedsTopic: "would not|will not|won't|wouldn't|will never|would never|would take place|" +
			"offered|offers to|offering to|offer to|whether|expected to|likely to|unlikely to|plans to|" +
			"planned to|ready to|willing to|prepared to|blocked|blocks|blocking|vetoed|vetoes|adopted|adopts|" +
			"suspended|hinted|floated|signalled|signaled|appealed|would only|will only|only if|unless|" +
			"haggling|haggle|wrangling|in force|into force|into effect|took effect|take effect|expired|lapsed|" +
			"withdrew from|pulled out|walked out|walked away|little progress|no progress|without progress|" +
			"not mention|not address|not addressed|subject to|refusal|opposed to|opposes|turned down|turns down|" +
			"rebuffed|angered|angering|outraged|infuriating|infuriated|called on|" +
			"calls on|calling on|call on|asked for|asks for|asking for|pushed for|pushing for|pressing for|" +
			"no details|vote on|votes on|voted on|voting on|will vote|would vote|still needs|still need|" +
			"still has to|still have to|still must|must still|still requires|still require|contradicting|" +
			"contradicted|contradicts|contrary to",
		xtrNotAfter:   "dispute|disputes",
		xtrTruceAfter: "despite the|in defiance of",
		xtrCompliance: "respected|respecting|respect|respects|observe|observed|observing|complied with|" +
			"complying with|comply with|abided by|abiding by|abide by|honoured|honored|honouring|honoring|" +
			"honour|honor|adhered to|adhering to",
	} {
		for _, p := range strings.Split(phrases, "|") {
			m[p] = rule
		}
	}
	return m
}()

// xtrCues maps a cue's first word to the cues starting with it, longest
// first.
var xtrCues = func() map[string][]xtrCue {
	m := map[string][]xtrCue{}
	for class, phrases := range xtrCueTable {
		for _, p := range phrases {
			w := strings.Fields(p)
			m[w[0]] = append(m[w[0]], xtrCue{class: class, rule: xtrCueRules[p], words: w})
		}
	}
	for k := range m {
		slices.SortFunc(m[k], func(a, b xtrCue) int {
			if c := cmp.Compare(len(b.words), len(a.words)); c != 0 {
				return c
			}
			return cmp.Compare(a.class, b.class)
		})
	}
	return m
}()

// xtrCueWords are the words of the cues that say something by themselves,
// kept out of topic names. The nouns that only refine a cue ("no date",
// "close to a deal", "differences remain") can name a topic.
var xtrCueWords = func() map[string]bool {
	m := map[string]bool{}
	for _, cues := range xtrCues {
		for _, c := range cues {
			for _, w := range c.words {
				if !xtrCueNouns[w] {
					m[w] = true
				}
			}
		}
	}
	return m
}()

var xtrCueNouns = xtrSet("date timetable timeline details extension differences gaps reach vote " +
	"tentative under close closer near nearing within")

var (
	// xtrDealNouns name what parties agree on.
	xtrDealNouns = xtrSet("deal deals agreement agreements accord accords compromise consensus " +
		"understanding settlement pact truce truces ceasefire ceasefires cease-fire armistice treaty " +
		"contract framework pause moratorium arrangement bargain memorandum terms")
	// xtrTruceNouns name agreements that can hold or be broken.
	xtrTruceNouns = xtrSet("deal agreement accord pact truce ceasefire cease-fire armistice treaty " +
		"pause moratorium arrangement")
	// xtrTalkNouns name talks, whose failure leaves the matter open.
	xtrTalkNouns = xtrSet("talks negotiations negotiation dialogue process mediation discussions " +
		"summit hopes hope efforts effort bid plan plans")
	// xtrTopicWords name what is negotiated: a sentence with one of them
	// (or a noun of xtrDealNouns) is about a negotiation.
	xtrTopicWords = xtrSet("talks negotiations negotiation proposal proposals demand demands concession " +
		"concessions negotiator negotiators negotiating negotiated mediator mediators mediation " +
		"delegation delegations delegates sanctions tariff tariffs coalition union unions strike " +
		"strikes walkout pension pensions wage wages prisoners hostages withdraw withdrawal troops " +
		"territory declaration pledge pledges summit")
	// xtrBreakObjects are what can be broken in a dispute, besides
	// agreement nouns: "broken it", "broke its promise".
	xtrBreakObjects = xtrSet("it them promise promises pledge pledges word commitment commitments terms " +
		"rules law vow")
	// xtrClaimNouns name claims: rejecting one disputes it.
	xtrClaimNouns = xtrSet("claim claims allegation allegations accusation accusations account " +
		"accounts charge charges assertion assertions report reports suggestion suggestions notion " +
		"characterisation characterization criticism criticisms version allégations vorwürfe " +
		"acusaciones")
	// xtrNotBeforeWords cancel the cue one or two words before them:
	// "signs of", "signs that".
	xtrNotBeforeWords = xtrSet("of that are were point")
	// xtrNounBefore make the word after them a noun: "with respect to",
	// "in honour of".
	xtrNounBefore = xtrSet("in with of the a an mutual")
	// xtrNotMeantWords cancel a common word's cue one or two words before
	// them: "won't be able", "would not only".
	xtrNotMeantWords = xtrSet("able only")
	// xtrNotAfterWords cancel the cue they precede (one or two words after
	// them): "settle the dispute", "end the disputes".
	xtrNotAfterWords = xtrSet("settle settled settles settling resolve resolved resolves resolving " +
		"end ended ends ending defuse defused defusing")
	// xtrAux are the words a negation reaches across without counting them:
	// "no extension has been agreed".
	xtrAux = xtrSet("has have had been be being is are was were will would yet still so ever also " +
		"formally officially actually really previously largely mostly broadly")
	// xtrModals make a commitment depend on a condition in its clause:
	// "would accept … if".
	xtrModals = xtrSet("would will could might may can 'd")
)

// xtrScopeReach is how many words (auxiliaries not counted) a hope, demand,
// offer or expectation reaches forward over a commitment it governs:
// "called for Moscow to accept an unconditional truce".
const xtrScopeReach = 8

// An xtrOp makes the commitments after it in its clause unreal: hoped for,
// asked for, offered, expected, conditional.
type xtrOp struct {
	words []string
	reach int // 0: xtrScopeReach
}

// xtrOps maps an operator's first word to the operators starting with it.
var xtrOps = func() map[string][]xtrOp {
	m := map[string][]xtrOp{}
	add := func(reach int, phrases string) {
		for _, p := range strings.Split(phrases, "|") {
			w := strings.Fields(p)
			m[w[0]] = append(m[w[0]], xtrOp{words: w, reach: reach})
		}
	}
	add(0, "hope|hopes|hoped|hoping|hopeful|want|wants|wanted|wanting|expected|expects|expect|"+
		"expecting|likely|unlikely|could|might|may|should|must|need|needs|needed|urge|urged|urges|urging|"+
		"called for|called on|calls for|calls on|calling for|calling on|call for|call on|ask|asked|asks|"+
		"asking|pressed|pressing|presses|pushed|pushing|pushes|pressure|demand|demanded|demands|"+
		"demanding|insist|insisted|insists|insisting|proposed to|proposes to|propose to|proposing to|"+
		"proposal to|proposed that|offered to|offers to|offer to|offering to|seek|seeks|sought|seeking|"+
		"try|tries|tried|trying|attempt to|attempts to|attempted to|attempting to|effort to|efforts to|"+
		"aim to|aims to|aimed to|aiming to|plan to|plans to|planned to|planning to|intend to|intends to|"+
		"intended to|ready to|willing to|prepared to|close to|closer to|whether|if|unless|pending|"+
		"awaiting|await|appealed|appeal|invited|encouraged|encourage|lobbied|lobbying|would only|will only")
	add(4, "before|until")
	return m
}()

// xtrScopeStops end the clause a hope or demand governs: "called for a
// truce, and Moscow agreed".
var xtrScopeStops = xtrSet("but while whereas although though because after since when and or " +
	"which who whom")

// xtrClauseWords start a new clause: a negation before them does not reach
// past them ("counted for nothing and Trump would have to").
var xtrClauseWords = xtrSet("and but or while whereas although though that which who whom because")

var xtrNegators = xtrSet("not no never without neither nor cannot can't failed fail fails failing " +
	"declined refused refuses refusing unable nothing lack lacked lacking little hardly barely " +
	"pas ni jamais aucun sans nicht kein keine keinen nie ohne nunca sin")

type xtrHit struct {
	class      xtrClass
	start, end int // byte offsets in the sentence
	negated    bool
	unreal     bool // a commitment hoped for, asked for, offered or conditional
}

// xtrClassify finds the status of a sentence from its cues. Some cues are
// read with the words around them (see xtrRule): "reached" and "welcomed"
// count beside an agreement noun, "held" after a truce noun; "collapsed"
// and "in tatters" dispute an agreement but leave talks open; "rejected"
// disputes a claim but refuses a proposal; common words ("want", "whether",
// "won't", "offered") count only in a sentence about something negotiated.
// A negation ("did not agree", "failed to agree", "no extension has been
// agreed") in the three words before a cue, within its clause, turns a
// commitment into a refusal (a kept one into a breach: "failed to honour
// the truce") and cancels any other cue. A commitment governed by a hope,
// demand, offer or expectation before it in its clause ("called for Moscow
// to accept", "are expected to sign"), or made with a modal under a
// condition ("would accept … if", "will sign only if"), is unreal: the
// matter is open. Then:
//
//  1. an accusation or contest makes the sentence disputed, even beside a
//     commitment ("accused Russia of rejecting the ceasefire … after Moscow
//     agreed");
//  2. else a hedge ("unclear whether", "made no mention", "yet to") makes it
//     unresolved, whatever it reports as agreed ("It was unclear whether
//     Ukraine would be involved in those talks, which … will take place");
//  3. else commitments, unreal commitments and refusals are read in order
//     and the last one wins: "didn't have consensus … and today we got to
//     that place" is agreed, "declined to endorse" and "called for Moscow
//     to accept" are unresolved;
//  4. else a hope, demand or condition makes it unresolved (weakly).
//
// It returns the status, its strength (2 for 1–3 but 1 for an unreal
// commitment, 1 for 4, 0 without a cue) and the byte offsets of the
// deciding cue.
func xtrClassify(toks []xtrToken) (Status, int, int, int) {
	var hits []xtrHit
	for k := 0; k < len(toks); k++ {
		for _, c := range xtrCues[toks[k].low] {
			n := len(c.words)
			if k+n > len(toks) {
				continue
			}
			match := true
			for i := 1; i < n && match; i++ {
				match = toks[k+i].low == c.words[i]
			}
			if !match {
				continue
			}
			class, ok := xtrRefine(toks, k, k+n, c)
			if !ok {
				continue
			}
			h := xtrHit{class: class, start: toks[k].start, end: toks[k+n-1].end, negated: xtrNegated(toks, k)}
			if c.rule == xtrCompliance && h.negated {
				h.class, h.negated = xtrDisputed, false // "failed to honour the truce"
			}
			if class == xtrAgreed && !h.negated {
				h.unreal = xtrUnreal(toks, k) || xtrConditional(toks, k, c)
			}
			hits = append(hits, h)
			k += n - 1
			break
		}
	}
	first := func(class xtrClass) (xtrHit, bool) {
		for _, h := range hits {
			if h.class == class && !h.negated {
				return h, true
			}
		}
		return xtrHit{}, false
	}
	if h, ok := first(xtrDisputed); ok {
		return StatusDisputed, 2, h.start, h.end
	}
	if h, ok := first(xtrHedge); ok {
		return StatusUnresolved, 2, h.start, h.end
	}
	for i := len(hits) - 1; i >= 0; i-- {
		h := hits[i]
		switch {
		case h.class == xtrAgreed && h.unreal:
			return StatusUnresolved, 1, h.start, h.end
		case h.class == xtrAgreed && !h.negated:
			return StatusAgreed, 2, h.start, h.end
		case h.class == xtrAgreed || h.class == xtrRefusal:
			return StatusUnresolved, 2, h.start, h.end
		}
	}
	if h, ok := first(xtrWeak); ok {
		return StatusUnresolved, 1, h.start, h.end
	}
	return "", 0, -1, -1
}

// xtrRefine applies cue c's rule to its match toks[k:end]: the class it
// has there, or false when it is no cue there.
func xtrRefine(toks []xtrToken, k, end int, c xtrCue) (xtrClass, bool) {
	switch c.rule {
	case xtrNeedsDeal, xtrCompliance:
		if c.rule == xtrCompliance && k > 0 && xtrNounBefore[toks[k-1].low] {
			return 0, false // "with respect to the deal", "in honour of"
		}
		// An agreement noun in the four words after the cue, or the three
		// before it: "struck a tentative deal", "the deal brokered by Qatar".
		if xtrFollowedBy(toks, end, 4, xtrDealNouns) ||
			(c.words[0] != "under" && xtrPrecededBy(toks, k, 3, xtrDealNouns)) {
			return c.class, true
		}
		return 0, false
	case xtrNeedsTruce:
		return c.class, xtrPrecededBy(toks, k, 3, xtrTruceNouns)
	case xtrBySubject:
		// The first agreement or talks noun of the clause is what failed.
		from := k
		for from > 0 && !xtrClauseBreak(toks, from) && !xtrScopeStop(toks, from-1) {
			from--
		}
		for i := from; i < k; i++ {
			switch w := toks[i].low; {
			case xtrTruceNouns[w]:
				return xtrDisputed, true
			case xtrTalkNouns[w]:
				return c.class, true
			}
		}
		// "the building collapsed" says nothing about a negotiation.
		return c.class, xtrTopical(toks, k, end)
	case xtrTruceAfter:
		return c.class, xtrFollowedBy(toks, end, 3, xtrTruceNouns)
	case xtrByObject:
		// "rejected the claim", "a claim the union rejected", "the
		// employer's claim that … was rejected".
		for i := max(0, k-6); i < len(toks) && i < end+4; i++ {
			if i >= k && i < end {
				continue
			}
			if xtrClaimNouns[toks[i].low] {
				return xtrDisputed, true
			}
		}
		return c.class, true
	case xtrBreakObject:
		return c.class, xtrFollowedBy(toks, end, 3, xtrTruceNouns) ||
			xtrFollowedBy(toks, end, 3, xtrBreakObjects) ||
			xtrPrecededBy(toks, k, 3, xtrTruceNouns)
	case xtrDemand:
		if xtrTopical(toks, k, end) {
			return c.class, true
		}
		// A named party, then "to", in the four words after the cue.
		named := false
		for i := end; i < len(toks) && i < end+4 && !xtrClauseBreak(toks, i); i++ {
			if toks[i].low == "to" && named {
				return c.class, true
			}
			named = named || xtrCapital(toks[i].raw)
		}
		return 0, false
	case xtrNeedsTopic:
		if !xtrTopical(toks, k, end) || xtrFollowedBy(toks, end, 2, xtrNotMeantWords) {
			return 0, false
		}
	case xtrNotBefore:
		if xtrFollowedBy(toks, end, 2, xtrNotBeforeWords) {
			return 0, false
		}
	case xtrNotAfter:
		for i := k - 1; i >= 0 && i >= k-2 && !xtrClauseBreak(toks, i+1); i-- {
			if xtrNotAfterWords[toks[i].low] {
				return 0, false
			}
		}
	}
	return c.class, true
}

// xtrFollowedBy reports whether one of words is among the n tokens from
// toks[i], within the clause.
func xtrFollowedBy(toks []xtrToken, i, n int, words map[string]bool) bool {
	for j := i; j < len(toks) && j < i+n && !xtrClauseBreak(toks, j); j++ {
		if words[toks[j].low] {
			return true
		}
	}
	return false
}

// xtrPrecededBy reports whether one of words is among the n words before
// token k, within the clause. Auxiliaries are not counted: "the truce has
// been broken".
func xtrPrecededBy(toks []xtrToken, k, n int, words map[string]bool) bool {
	for i, seen := k-1, 0; i >= 0 && seen < n && !xtrClauseBreak(toks, i+1); i-- {
		if words[toks[i].low] {
			return true
		}
		if !xtrAux[toks[i].low] {
			seen++
		}
	}
	return false
}

// xtrTopical reports whether a sentence is about something negotiated: a
// word outside the cue toks[k:end] names a deal or what is negotiated.
func xtrTopical(toks []xtrToken, k, end int) bool {
	for i, t := range toks {
		if (i < k || i >= end) && (xtrTopicWords[t.low] || xtrDealNouns[t.low]) {
			return true
		}
	}
	return false
}

// xtrClauseBreak reports whether punctuation that ends a clause stands
// before token i.
func xtrClauseBreak(toks []xtrToken, i int) bool {
	return strings.ContainsAny(toks[i].sep, ",;:()—–") || strings.Contains(toks[i].sep, " - ")
}

// xtrScopeStop reports whether token i starts a new clause. "and" does
// only before a lower-case word: "urged Russia and Ukraine to accept" is
// one clause.
func xtrScopeStop(toks []xtrToken, i int) bool {
	w := toks[i].low
	if !xtrScopeStops[w] {
		return false
	}
	return w != "and" || i+1 >= len(toks) || !xtrCapital(toks[i+1].raw)
}

// xtrUnreal reports whether a hope, demand, offer, expectation or
// condition governs the commitment at token k: it stands before k in its
// clause, at most xtrScopeReach words away (auxiliaries not counted).
func xtrUnreal(toks []xtrToken, k int) bool {
	for i, n := k-1, 0; i >= 0 && n < xtrScopeReach; i-- {
		if xtrClauseBreak(toks, i+1) || xtrScopeStop(toks, i) {
			return false
		}
		for _, op := range xtrOps[toks[i].low] {
			last := i + len(op.words) - 1
			if last >= k || (op.reach > 0 && k-i > op.reach) || (op.words[0] == "may" && toks[i].raw != "may") {
				continue
			}
			match := true
			for j := 1; j < len(op.words) && match; j++ {
				match = toks[i+j].low == op.words[j]
			}
			if match {
				return true
			}
		}
		if !xtrAux[toks[i].low] {
			n++
		}
	}
	return false
}

// xtrConditional reports whether the commitment at token k, made with a
// modal ("would accept", "will sign"), depends on a condition: "if" or
// "unless" in its clause, or a sentence that opens with one ("If Russia
// agrees, the truce will begin").
func xtrConditional(toks []xtrToken, k int, c xtrCue) bool {
	modal := xtrModals[c.words[0]]
	for i := k - 1; i >= 0 && i >= k-2 && !modal; i-- {
		modal = xtrModals[toks[i].low]
	}
	if !modal {
		return false
	}
	if w := toks[0].low; w == "if" || w == "unless" {
		return true
	}
	for i := k + len(c.words); i < len(toks) && !xtrClauseBreak(toks, i) && !xtrScopeStop(toks, i); i++ {
		if w := toks[i].low; w == "if" || w == "unless" {
			return true
		}
	}
	return false
}

// xtrNegated reports whether a negation stands in the few words before
// token k, within its clause. Auxiliaries ("has", "been", "yet") are not
// counted: "no extension has been agreed".
func xtrNegated(toks []xtrToken, k int) bool {
	for i, n := k-1, 0; i >= 0 && n < xtrNegationReach; i-- {
		if strings.ContainsAny(toks[i+1].sep, ",;:") {
			return false
		}
		w := toks[i].low
		if xtrNegators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
		if xtrClauseWords[w] {
			return false
		}
		if !xtrAux[w] {
			n++
		}
	}
	return false
}

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

// topics builds the ledger: one topic per section, then clusters of the
// sentences outside sections.
func (a *xtrDoc) topics() []Topic {
	type cand struct {
		name  string
		sents []int
	}
	var cands []cand
	byKey := map[string]int{}
	addCand := func(name string, sents []int) {
		key := TopicKey(name)
		if i, ok := byKey[key]; ok {
			cands[i].sents = append(cands[i].sents, sents...)
			slices.Sort(cands[i].sents)
			return
		}
		byKey[key] = len(cands)
		cands = append(cands, cand{name: name, sents: sents})
	}
	cued := func(sents []int) (strong, any int) {
		for _, i := range sents {
			if s := a.sents[i]; s.strength > 0 {
				any++
				if s.strength > 1 {
					strong++
				}
			}
		}
		return strong, any
	}
	sectionTopics := 0
	for _, sec := range a.sections {
		if _, n := cued(sec.sents); n > 0 {
			addCand(sec.name, sec.sents)
			sectionTopics++
		}
	}
	if room := xtrMaxTopics - sectionTopics; room > 0 && len(a.pool) > 0 {
		for _, c := range a.cluster(a.pool, room, sectionTopics == 0) {
			addCand(c.name, c.sents)
		}
	}
	// Keep the topics with the most cued points, in reading order.
	kept := make([]cand, 0, len(cands))
	for _, c := range cands {
		if _, n := cued(c.sents); n > 0 {
			kept = append(kept, c)
		}
	}
	if len(kept) > xtrMaxTopics {
		rank := slices.Clone(kept)
		slices.SortStableFunc(rank, func(x, y cand) int {
			xs, xa := cued(x.sents)
			ys, ya := cued(y.sents)
			if c := cmp.Compare(ys, xs); c != 0 {
				return c
			}
			return cmp.Compare(ya, xa)
		})
		rank = rank[:xtrMaxTopics]
		kept = slices.DeleteFunc(kept, func(c cand) bool {
			return !slices.ContainsFunc(rank, func(r cand) bool { return r.name == c.name })
		})
	}
	slices.SortStableFunc(kept, func(x, y cand) int { return cmp.Compare(x.sents[0], y.sents[0]) })

	topics := make([]Topic, 0, len(kept))
	for _, c := range kept {
		topics = append(topics, Topic{Name: c.name, Key: TopicKey(c.name), Points: a.points(c.sents)})
	}
	return topics
}

// points picks up to five sentences of a topic, those with strong cues
// first, then weak ones, in reading order; a topic with fewer than three is
// filled with the sentences without a cue that come first. Such a sentence
// continues the claim before it and takes the status of the nearest cued
// sentence before it (after it, when none is before).
func (a *xtrDoc) points(sents []int) []Point {
	ranked := slices.Clone(sents)
	slices.SortStableFunc(ranked, func(x, y int) int { return cmp.Compare(a.sents[y].strength, a.sents[x].strength) })
	var chosen []int
	for _, i := range ranked {
		if len(chosen) < xtrMaxPoints && a.sents[i].strength > 0 {
			chosen = append(chosen, i)
		}
	}
	for _, i := range sents {
		if len(chosen) >= xtrMinPoints {
			break
		}
		if a.sents[i].strength == 0 {
			chosen = append(chosen, i)
		}
	}
	slices.Sort(chosen)
	points := make([]Point, 0, len(chosen))
	for _, i := range chosen {
		s := a.sents[i]
		status := s.status
		if status == "" {
			status = a.contextStatus(sents, i)
		}
		points = append(points, Point{
			Text:   xtrShorten(s, xtrTextWords, true),
			Status: status,
			Actors: s.actors,
			Quote:  xtrShorten(s, xtrQuoteWords, false),
		})
	}
	return points
}

func (a *xtrDoc) contextStatus(sents []int, i int) Status {
	at := slices.Index(sents, i)
	for j := at - 1; j >= 0; j-- {
		if st := a.sents[sents[j]].status; st != "" {
			return st
		}
	}
	for j := at + 1; j < len(sents); j++ {
		if st := a.sents[sents[j]].status; st != "" {
			return st
		}
	}
	return StatusUnresolved
}

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

type xtrCluster struct {
	name  string
	sents []int
}

type xtrTerm struct {
	key      string
	bigram   bool
	proper   bool
	sents    []int          // sentence indexes, in order
	surfaces []string       // the ways it is written, in order of appearance
	count    map[string]int // uses of each surface
}

// display is the term as most often written (the first such on a tie).
func (t *xtrTerm) display() string {
	best := t.surfaces[0]
	for _, s := range t.surfaces[1:] {
		if t.count[s] > t.count[best] {
			best = s
		}
	}
	return best
}

// cluster groups sentences by shared salient words, at most limit groups.
// Each round takes the word or word pair found in the most sentences not yet
// grouped (sentences with a status cue count double, pairs weigh more;
// names and words in more than a third of the sentences are left out),
// groups those sentences and names the group by that pair, or by the word
// and a word found in every sentence of the group, in Title Case.
// A group needs two sentences and a status cue. Cued sentences left over
// join the group they share most (at least two) of those words with; a
// strong one that joins none stands alone, named by its first word pair,
// while there is room. When nothing groups and
// whole is set (the article has no sections), the cued sentences form one
// topic named by the article's most frequent words.
func (a *xtrDoc) cluster(pool []int, limit int, whole bool) []xtrCluster {
	terms := map[string]*xtrTerm{}
	var order []string
	sentTerms := map[int][]string{}
	for _, si := range pool {
		s := a.sents[si]
		var prevKey, prevDisplay string
		prevProper := false
		seen := map[string]bool{}
		add := func(key, display string, bigram, proper bool) {
			t := terms[key]
			if t == nil {
				t = &xtrTerm{key: key, bigram: bigram, proper: proper, count: map[string]int{}}
				terms[key] = t
				order = append(order, key)
			}
			if t.count[display] == 0 {
				t.surfaces = append(t.surfaces, display)
			}
			t.count[display]++
			if seen[key] {
				return
			}
			seen[key] = true
			t.sents = append(t.sents, si)
			sentTerms[si] = append(sentTerms[si], key)
		}
		for k, t := range s.toks {
			key, ok := xtrContentWord(t.low)
			if !ok || k > 0 && strings.ContainsAny(t.sep, ",;:.!?()\"“”") {
				prevKey = ""
			}
			if !ok {
				continue
			}
			proper := a.proper[t.low]
			display := t.low
			if proper {
				display = t.raw
			}
			add(key, display, false, proper)
			if prevKey != "" {
				add(prevKey+" "+key, prevDisplay+" "+display, true, proper || prevProper)
			}
			prevKey, prevDisplay, prevProper = key, display, proper
		}
	}

	// A word in more than a third of the sentences is the article's subject
	// or its parties ("ceasefire", "union"), not one of its topics.
	general := max(2, len(pool)/3)
	assigned := map[int]bool{}
	var out []xtrCluster
	var outTerms []map[string]bool
	for len(out) < limit {
		var best *xtrTerm
		bestScore := 0.0
		for _, key := range order {
			t := terms[key]
			n, cuedN := 0, 0
			for _, si := range t.sents {
				if !assigned[si] {
					n++
					if a.sents[si].strength > 0 {
						cuedN++
					}
				}
			}
			if n < 2 || cuedN == 0 || len(t.sents) > general || t.proper {
				continue
			}
			score := float64(n + cuedN)
			if t.bigram {
				score *= 1.5
			}
			if score > bestScore {
				best, bestScore = t, score
			}
		}
		if best == nil {
			break
		}
		var group []int
		for _, si := range best.sents {
			if !assigned[si] {
				assigned[si] = true
				group = append(group, si)
			}
		}
		name := best.display()
		if !best.bigram {
			name = a.coName(best, group, sentTerms, terms, general)
		}
		members := map[string]bool{}
		for _, si := range group {
			for _, k := range sentTerms[si] {
				members[k] = true
			}
		}
		out = append(out, xtrCluster{name: xtrTitleCase(name), sents: group})
		outTerms = append(outTerms, members)
	}
	for _, si := range pool {
		if assigned[si] || a.sents[si].strength == 0 {
			continue
		}
		best, bestShared := -1, 1
		for ci, members := range outTerms {
			shared := 0
			for _, k := range sentTerms[si] {
				if !strings.Contains(k, " ") && members[k] && len(terms[k].sents) <= general && !terms[k].proper {
					shared++
				}
			}
			if shared > bestShared {
				best, bestShared = ci, shared
			}
		}
		switch {
		case best >= 0:
			out[best].sents = append(out[best].sents, si)
			slices.Sort(out[best].sents)
			assigned[si] = true
		case len(out) < limit && a.sents[si].strength > 1:
			if name := xtrSingleName(sentTerms[si], terms, general); name != "" {
				out = append(out, xtrCluster{name: xtrTitleCase(name), sents: []int{si}})
				outTerms = append(outTerms, map[string]bool{})
				assigned[si] = true
			}
		}
	}
	if len(out) == 0 && whole {
		var group []int
		count := map[string]int{}
		for _, si := range pool {
			if a.sents[si].strength > 0 {
				group = append(group, si)
				for _, k := range sentTerms[si] {
					if !strings.Contains(k, " ") {
						count[k]++
					}
				}
			}
		}
		if len(group) > 0 {
			var top []string
			for _, key := range order {
				if count[key] > 0 {
					top = append(top, key)
				}
			}
			slices.SortStableFunc(top, func(x, y string) int { return cmp.Compare(count[y], count[x]) })
			var words []string
			for _, k := range top[:min(2, len(top))] {
				words = append(words, terms[k].display())
			}
			name := strings.Join(words, " ")
			if name == "" {
				name = "main points"
			}
			out = append(out, xtrCluster{name: xtrTitleCase(name), sents: group})
		}
	}
	return out
}

// xtrSingleName names a one-sentence group by its first word pair of
// topic words, or its first topic word.
func xtrSingleName(keys []string, terms map[string]*xtrTerm, general int) string {
	var single string
	for _, k := range keys {
		t := terms[k]
		if t.proper || len(t.sents) > general {
			continue
		}
		if t.bigram {
			return t.display()
		}
		if single == "" {
			single = t.display()
		}
	}
	return single
}

// coName names a group by its seed word and the word found in every one of
// its sentences (the most frequent in the article when several are), in the
// order they first appear; by the seed alone when there is none.
func (a *xtrDoc) coName(seed *xtrTerm, group []int, sentTerms map[int][]string, terms map[string]*xtrTerm, general int) string {
	count := map[string]int{}
	var order []string
	for _, si := range group {
		for _, k := range sentTerms[si] {
			if k == seed.key || strings.Contains(k, " ") {
				continue
			}
			if count[k] == 0 {
				order = append(order, k)
			}
			count[k]++
		}
	}
	co := ""
	for _, k := range order {
		if count[k] == len(group) && len(group) >= 2 && !terms[k].proper && len(terms[k].sents) <= general &&
			(co == "" || len(terms[k].sents) > len(terms[co].sents)) {
			co = k
		}
	}
	if co == "" {
		return seed.display()
	}
	// Order the two as they first appear in the group's text.
	for _, si := range group {
		for _, k := range sentTerms[si] {
			switch k {
			case seed.key:
				return seed.display() + " " + terms[co].display()
			case co:
				return terms[co].display() + " " + seed.display()
			}
		}
	}
	return seed.display()
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

func xtrSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var (
	xtrTitles = xtrSet("president presidents prime minister ministers foreign defense defence interior finance " +
		"secretary chancellor spokesman spokeswoman spokesperson envoy senator sen rep gov governor " +
		"king queen prince princess general gen mr mrs ms dr prof chief director chairman chairwoman " +
		"chair ceo ambassador vice deputy premier mayor judge justice pope sheikh lord sir dame " +
		"commissioner speaker leader senior former acting state national security adviser advisor " +
		"head special representative colonel admiral lieutenant captain sergeant officer")
	xtrNationalities = xtrSet("american british french dutch german greek swiss thai irish israeli iraqi " +
		"saudi pakistani afghan turkish polish czech chinese japanese u.s. us u.k. uk western eastern " +
		"european african asian arab nordic baltic")
	xtrConnectors = xtrSet("of for de del da la le von van der den al bin ibn and")
	xtrPlaces     = xtrSet("in at near inside outside across throughout around into toward towards")
	xtrSpeech     = xtrSet("said says told tells wrote writes added adds stated noted warned argued " +
		"explained asked declared announced posted tweeted according")
	xtrPronouns = xtrSet("he she it they")
	xtrArticles = xtrSet("the a an") // never part of an actor's name: "The Red Cross" is "Red Cross"
	xtrNotNames = xtrSet("monday tuesday wednesday thursday friday saturday sunday january february " +
		"march april may june july august september october november december i i'm i've i'd i'll " +
		"i’m i’ve i’d i’ll we you he she it " +
		"they the a an this that these those but and or however today yesterday tomorrow " +
		"unfortunately meanwhile")
	xtrStopwords = xtrSet("a about above after again against all also am an and any are aren't as at " +
		"be because been before being below between both but by can could couldn't did didn't do " +
		"does doesn't doing don't down during each even ever every few for from further get gets got " +
		"had hadn't has hasn't have haven't having he her here hers herself him himself his how i if " +
		"in into is isn't it it's its itself just least less let like made make makes many may me " +
		"might more most much must my myself near never new next no nor not now of off often on once " +
		"one only or other others our ours ourselves out over own part per rather same says said see " +
		"seen several shall she should shouldn't since so some still such than that that's the their " +
		"theirs them themselves then there there's these they they're this those though through thus " +
		"to too under until up upon us very via was wasn't way we well were weren't what when where " +
		"whether which while who whom whose why will with within without won't would wouldn't yet you " +
		"your yours yourself two three four five six seven eight nine ten first second third last " +
		"year years month months week weeks day days time times today yesterday tomorrow people " +
		"percent according including told tell tells added also around another among back because " +
		"call called come came going goes told took take takes taken want wanted wants way ways " +
		"thing things something nothing everything anyone someone lot lots really already however " +
		"meanwhile later earlier recently instead statement statements report reports reported " +
		"official officials news side sides")
)
