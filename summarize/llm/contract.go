package llm

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/prompts"
	"briefbot/summarize"
)

// What is accepted from a model. An answer is untrusted input: one that
// ignores the prompt (300 topics × 100 points, a megabyte in one string)
// must not become 700 channel messages or a 7 MB stored row. Strings over
// their bound are cut (a cut quote is still a verbatim prefix, so it
// still grounds); counts and actors over their bounds are sent back once
// for repair, and cut from the repaired answer if it still breaks them.
const (
	// maxNameRunes: a topic name is a heading of a few words; 80
	// characters is a long headline, and a third of a Discord embed
	// field name (256).
	maxNameRunes = 80
	// maxTextRunes: a point's text is the claim in a few words; 300
	// characters is two full sentences.
	maxTextRunes = 300
	// maxQuoteRunes: the prompt asks for at most 25 words (about 170
	// characters of English, more in long-word languages); 300 leaves
	// room. Text, quote and five actors stay under Discord's 1,024
	// characters per embed field.
	maxQuoteRunes = 300
	// maxActors, maxActorRunes and maxActorWords: a point
	// concerns a few parties; the longest names of organisations
	// ("International Atomic Energy Agency") take five words.
	maxActors     = 5
	maxActorRunes = 60
	maxActorWords = 6
	// maxStoredPoints bounds a long article's merged summary: each
	// part may bring prompts.MaxPoints points; past six pages of eight
	// behind the reply's "more", each part keeps its most important
	// points (see capParts).
	maxStoredPoints = 48
	// maxResponseBytes bounds the HTTP body read from the endpoint. A
	// part's answer within every bound above is at most about 8 × 1,000
	// characters, 50 KB even with every character \u-escaped; a
	// megabyte leaves room for a local reasoning model's <think> block.
	maxResponseBytes = 1 << 20
)

// contract is what one part's answer is checked against beyond its
// schema: the bounds above, actors that are names, and (for the first
// part) the article's main news as the first point.
type contract struct {
	// lead: the first point must be the article's main news.
	lead bool
	// titleWords are the title's content words (see contentWords).
	titleWords map[string]bool
	// opening holds the part's first paragraphs (with their headings);
	// text the whole part. The title is not among them: a quote from it
	// would not ground in the article's text.
	opening, text *summarize.GroundIndex
}

// openingParagraphs is how much of an article counts as its opening:
// news leads with its main fact in the first paragraph or two (the
// inverted pyramid), a third leaves room for a scene-setting intro.
const openingParagraphs = 3

// newContract builds the contract of one part of doc; text is the
// part as the model sees it.
func newContract(doc *summarize.Document, part int, text string) contract {
	c := contract{lead: part == 1}
	if !c.lead {
		return c
	}
	var opening []string
	paras := 0
	for _, p := range strings.Split(text, "\n\n") {
		if paras == openingParagraphs {
			break
		}
		opening = append(opening, p)
		if !strings.HasPrefix(strings.TrimSpace(p), "#") {
			paras++
		}
	}
	c.opening = summarize.NewGroundIndex(strings.Join(opening, "\n\n"))
	c.text = summarize.NewGroundIndex(text)
	c.titleWords = map[string]bool{}
	for _, w := range contentWords(doc.Title) {
		c.titleWords[w] = true
	}
	return c
}

// problems returns what is wrong with topics (merged, strings bounded) in
// words for the model: too many topics or points, an actor that is no
// name, a first point that is not the main news. actorProblems are those
// found while reading the answer, by the model's own indices.
func (c contract) problems(topics []summarize.Topic, actorProblems []string) []string {
	var out []string
	if len(topics) > prompts.MaxTopics {
		out = append(out, fmt.Sprintf("the reply has %d topics; give at most %d", len(topics), prompts.MaxTopics))
	}
	if n := countPoints(topics); n > prompts.MaxPoints {
		out = append(out, fmt.Sprintf("the reply has %d points in all; give at most %d, the most important first", n, prompts.MaxPoints))
	}
	if len(actorProblems) > 0 {
		out = append(out, actorProblems[0])
	}
	if p := c.leadProblem(topics); p != "" {
		out = append(out, p)
	}
	return out
}

// leadProblem checks that the first point is the article's main news: its
// quote is in the opening paragraphs, or it is in the article and the
// point shares a content word with the title (any grounded quote when the
// title has no content word to share).
func (c contract) leadProblem(topics []summarize.Topic) string {
	if !c.lead || len(topics) == 0 || len(topics[0].Points) == 0 {
		return ""
	}
	p := topics[0].Points[0]
	if c.opening.Contains(p.Quote) {
		return ""
	}
	if c.text.Contains(p.Quote) {
		if len(c.titleWords) == 0 {
			return ""
		}
		for _, w := range contentWords(p.Text + " " + p.Quote) {
			if c.titleWords[w] {
				return ""
			}
		}
	}
	return "topics[0].points[0] must be the article's main news, as its headline and opening report it, with its quote copied verbatim from the article"
}

// enforce cuts topics to the bounds: at most prompts.MaxTopics topics and
// prompts.MaxPoints points, in order. Actors were already cut when read.
func (c contract) enforce(topics []summarize.Topic) []summarize.Topic {
	topics = topics[:min(len(topics), prompts.MaxTopics)]
	left := prompts.MaxPoints
	out := topics[:0]
	for _, t := range topics {
		if left == 0 {
			break
		}
		t.Points = t.Points[:min(len(t.Points), left)]
		left -= len(t.Points)
		out = append(out, t)
	}
	return out
}

func countPoints(topics []summarize.Topic) int {
	n := 0
	for _, t := range topics {
		n += len(t.Points)
	}
	return n
}

// capParts keeps at most limit points over the parts of a long
// article: each part keeps its first k points (the model lists the most
// important first) for the largest k that fits, and the earliest parts
// one more while room is left. Topics left without a point are dropped.
func capParts(parts [][]summarize.Topic, limit int) [][]summarize.Topic {
	counts := make([]int, len(parts))
	total := 0
	for i, p := range parts {
		counts[i] = countPoints(p)
		total += counts[i]
	}
	if total <= limit {
		return parts
	}
	keepOf := func(k int) int {
		n := 0
		for _, c := range counts {
			n += min(c, k)
		}
		return n
	}
	k := 0
	for keepOf(k+1) <= limit {
		k++
	}
	room := limit - keepOf(k)
	out := make([][]summarize.Topic, len(parts))
	for i, p := range parts {
		keep := min(counts[i], k)
		if room > 0 && counts[i] > k {
			keep++
			room--
		}
		var kept []summarize.Topic
		for _, t := range p {
			if keep == 0 {
				break
			}
			t.Points = t.Points[:min(len(t.Points), keep)]
			keep -= len(t.Points)
			kept = append(kept, t)
		}
		out[i] = kept
	}
	return out
}

// actorProblem says why a is not a named actor (a person,
// organisation, country or group), or "" when it is one.
func actorProblem(a string) string {
	words := strings.Fields(a)
	switch {
	case utf8.RuneCountInString(a) > maxActorRunes || len(words) > maxActorWords:
		return "is too long for a name"
	case isByline(a):
		return "is a byline, not a party to the news"
	case isDate(words):
		return "is a date, not a person, organisation, country or group"
	case !hasNameLetter(a):
		return "is not a name (a name has a capital letter)"
	}
	return ""
}

// isByline reports a byline: "By Jane Doe", or a reporter's job title
// ("Caroline Hawley, BBC diplomatic correspondent").
func isByline(a string) bool {
	l := strings.ToLower(a)
	return strings.HasPrefix(l, "by ") || strings.Contains(l, "correspondent") ||
		strings.Contains(l, "reporter") || strings.Contains(l, "staff writer")
}

// isDate reports words made only of calendar words and numbers ("Dec",
// "Tuesday", "March 18", "2025"), with at least one of them.
func isDate(words []string) bool {
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		w = strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) }))
		if w == "" || calendarWords[w] {
			continue
		}
		if strings.TrimLeftFunc(strings.TrimRight(w, "stndrh"), unicode.IsDigit) == "" {
			continue // 18, 2025, 18th, 1st
		}
		return false
	}
	return true
}

// hasNameLetter reports whether a has an upper-case letter or a letter
// of a script without case (Han, Arabic, Hebrew …): names are written so;
// "officials" and "the government" are not names.
func hasNameLetter(a string) bool {
	for _, r := range a {
		if unicode.IsUpper(r) || unicode.IsTitle(r) || (unicode.IsLetter(r) && !unicode.IsLower(r)) {
			return true
		}
	}
	return false
}

// calendarWords are the month and weekday names (and the usual month
// abbreviations) of the six languages the engines handle, and the
// relative days of English: a date, never a party to the news. "May" is
// left out: it is as often a surname (Theresa May).
var calendarWords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []string{
		// English
		"january february march april june july august september october november december " +
			"jan feb mar apr jun jul aug sep sept oct nov dec " +
			"monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow",
		// German
		"januar februar märz mai juni juli oktober dezember " +
			"montag dienstag mittwoch donnerstag freitag samstag sonntag",
		// French
		"janvier février mars avril juin juillet août septembre octobre novembre décembre " +
			"lundi mardi mercredi jeudi vendredi samedi dimanche",
		// Spanish
		"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre " +
			"lunes martes miércoles jueves viernes sábado domingo",
		// Italian
		"gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre " +
			"lunedì martedì mercoledì giovedì venerdì sabato domenica",
		// Portuguese
		"janeiro fevereiro março maio junho julho setembro outubro novembro dezembro " +
			"segunda-feira terça-feira quarta-feira quinta-feira sexta-feira",
	} {
		for _, w := range strings.Fields(list) {
			m[w] = true
		}
	}
	return m
}()

// contentWords returns s's words of at least five letters, lower-cased,
// without the common English function words of that length: the words a
// headline and its main news share. Scripts written without spaces (Han,
// kana, Thai …) have no words to split, so they give none.
func contentWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if strings.ContainsFunc(w, summarize.NoSpaceScript) {
			continue
		}
		if utf8.RuneCountInString(w) >= 5 && !functionWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// functionWords are English function words of five letters or more:
// they carry no subject, so sharing one says nothing.
var functionWords = map[string]bool{
	"about": true, "above": true, "after": true, "again": true, "against": true, "because": true,
	"before": true, "being": true, "between": true, "could": true, "during": true, "other": true,
	"should": true, "their": true, "there": true, "these": true, "those": true, "through": true,
	"under": true, "until": true, "where": true, "which": true, "while": true, "would": true,
}
