package extractive

import "strings"

// A news peg is a phrase by which a reporter marks the sentence that states
// what is new: the event is the first of its kind, it has just happened,
// it was announced, a fresh study found it, or it happened on a named day.
// An article's opening sentences often set the scene ("Europa's plumes seem
// to be real"); the sentence with the peg is the news ("researchers have
// now detected … for the first time, a new study reports").
type xtrPegRow struct {
	reason  string
	phrases string // "|"-separated, lower case, matched on whole tokens
}

// xtrPegRows are the news pegs of the six languages the engine reads.
var xtrPegRows = []xtrPegRow{
	{"novelty: an event presented as the first of its kind is news by definition, and the phrase stands in the sentence that reports it",
		"for the first time|first-ever|zum ersten mal|erstmals|erstmalig|pour la première fois|" +
			"por primera vez|per la prima volta|pela primeira vez|pela 1ª vez"},
	{"a fresh source: naming a new study or report (as the subject or the 'a new study reports' tag) marks the finding it brings",
		"new study|new research|new report|new analysis|new data|neue studie|neuen studie|neuer studie|" +
			"nouvelle étude|nouveau rapport|nuevo estudio|nuevo informe|nuovo studio|nuovo rapporto|novo estudo|novo relatório"},
	{"recent past: 'has now', 'venir de', 'acabar de', 'appena' are the grammatical forms of what just changed, the news tense",
		"has now|have now|had now|hat nun|haben nun|hat jetzt|haben jetzt|ist nun|sind nun|" +
			"vient de|viennent de|acaba de|acaban de|ha appena|hanno appena|è appena|acabam de|acabou de"},
	{"announcement: an act made to be reported; the sentence that says it was announced states the decision",
		"announced|announces|unveiled|unveils|kündigte|kündigt|gab bekannt|gibt bekannt|a annoncé|ont annoncé|annonce|" +
			"anunció|anunciaron|anuncia|ha annunciato|hanno annunciato|è stato annunciato|annuncia|anunciou|anunciaram"},
	{"a dated event: hard news ties its event to the day it happened ('on Tuesday', 'heute', 'ce lundi'), in the sentence that reports it",
		"on monday|on tuesday|on wednesday|on thursday|on friday|on saturday|on sunday|today|this morning|" +
			"am montag|am dienstag|am mittwoch|am donnerstag|am freitag|am samstag|am sonntag|heute|" +
			"ce lundi|ce mardi|ce mercredi|ce jeudi|ce vendredi|ce samedi|ce dimanche|aujourd'hui|" +
			"el lunes|el martes|el miércoles|el jueves|el viernes|el sábado|el domingo|hoy|este lunes|este martes|este miércoles|este jueves|este viernes|" +
			"lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|oggi|in queste ore|" +
			"segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira|nesta manhã|hoje"},
}

// xtrPegs maps a phrase's first word to the phrases starting with it, and
// each phrase to its row.
var xtrPegs = func() map[string][]xtrPeg {
	m := map[string][]xtrPeg{}
	for row, r := range xtrPegRows {
		for _, p := range strings.Split(r.phrases, "|") {
			w := strings.Fields(p)
			m[w[0]] = append(m[w[0]], xtrPeg{words: w, row: row})
		}
	}
	return m
}()

type xtrPeg struct {
	words []string
	row   int
}

// xtrPegCount is how many kinds of news peg (rows) sentence toks carries.
// A peg inside a quotation is a speaker's, not the reporter's.
func xtrPegCount(toks []xtrToken) int {
	rows := map[int]bool{}
	for k, t := range toks {
		if t.inQuote {
			continue
		}
		for _, p := range xtrPegs[t.low] {
			if k+len(p.words) > len(toks) {
				continue
			}
			match := true
			for i := 1; i < len(p.words) && match; i++ {
				match = toks[k+i].low == p.words[i]
			}
			if match {
				rows[p.row] = true
			}
		}
	}
	return len(rows)
}

// Lead weights.
const (
	// xtrPegWeight is what a news peg adds to an opening sentence's lead
	// score: less than a headline word and a half, so the peg decides
	// between openings that say the headline about as well.
	xtrPegWeight = 0.5
	// xtrNutWindow: a feature sets the scene in its first paragraphs
	// and states its news (the "nut graf") within about ten sentences.
	xtrNutWindow = 10
	// xtrNutMargin: a later sentence must say clearly more (by a
	// quarter) of what the article is about than its opening to come
	// before the rest; one that says about as much is one more fact.
	xtrNutMargin = 1.25
)

// second is the sentence that comes right after the lead, or -1: the news
// the opening sets up. It is
//
//   - an opening sentence (among the first xtrLeadWindow) with more kinds
//     of news peg than the lead: the opening set the scene, this sentence
//     says what is new;
//   - else, in an article whose opening sentences say less of what it is
//     about than a later one, that later sentence (among the first
//     xtrNutWindow): a feature's nut graf. "What it is about" is a
//     sentence's salience without its position prior: words shared with
//     the headline and with the rest of the article, its cue, figures
//     and actors. A quotation is a voice in the scene, not the nut graf.
func (a *xtrDoc) second(lead int, score []float64) int {
	leadPegs := xtrPegCount(a.sents[lead].toks)
	best, bestPegs := -1, leadPegs
	for i := 0; i < len(a.sents) && i < xtrLeadWindow; i++ {
		if i == lead || score[i] <= 0 || a.sents[i].section != a.sents[lead].section {
			continue
		}
		if n := xtrPegCount(a.sents[i].toks); n > bestPegs {
			best, bestPegs = i, n
		}
	}
	if best >= 0 {
		return best
	}
	content := func(i int) float64 { return score[i] - xtrPositionPrior(i) }
	top := 0.0
	for i := 0; i < len(a.sents) && i < xtrLeadWindow; i++ {
		top = max(top, content(i))
	}
	opening := top
	for i := xtrLeadWindow; i < len(a.sents) && i < xtrNutWindow; i++ {
		s := a.sents[i]
		if score[i] <= 0 || s.section >= 0 || xtrOpensQuote(s.text) {
			continue
		}
		if c := content(i); c > top {
			best, top = i, c
		}
	}
	if top < xtrNutMargin*opening {
		return -1
	}
	return best
}

// xtrPositionPrior is the position part of a sentence's salience: news
// puts the most important facts first (the inverted pyramid), so the
// prior halves at sentence xtrPositionHalf.
func xtrPositionPrior(i int) float64 {
	return 1.0 / (1 + float64(i)/xtrPositionHalf)
}
