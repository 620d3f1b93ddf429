// Package textnorm is the one place for the small text normalisations the
// engines share: case folding, quote marks and dashes, and stopwords in the
// languages the offline engine reads (en, de, fr, es, it, pt). It is a leaf:
// it imports only the standard library.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteMap straightens typographic quote marks: double marks (“ ” „ ‟ « » ‹
// › ″) become ", single marks and primes (‘ ’ ‚ ‛ ′ `) become '.
var quoteMap = map[rune]rune{
	'“': '"', '”': '"', '„': '"', '‟': '"', '«': '"', '»': '"', '‹': '"', '›': '"', '″': '"',
	'‘': '\'', '’': '\'', '‚': '\'', '‛': '\'', '′': '\'', '`': '\'',
}

// dashMap turns the dashes and hyphens (‐ ‑ ‒ – — ― −) into "-".
var dashMap = map[rune]rune{'‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-'}

// NormalizeQuotes straightens quote marks and dashes and leaves everything
// else as it is.
func NormalizeQuotes(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if q, ok := quoteMap[r]; ok {
			return q
		}
		if d, ok := dashMap[r]; ok {
			return d
		}
		return r
	}, s)
}

// StripQuotes removes the quote marks (straight or typographic, single or
// double) around s and the spaces inside them: `“Deal done.”` → `Deal done.`.
// Apostrophes inside words are kept.
func StripQuotes(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		if unicode.IsSpace(r) || r == '"' || r == '\'' {
			return true
		}
		_, ok := quoteMap[r]
		return ok
	})
}

// Fold is the comparison form of a word or phrase: quotes and dashes
// straightened, lower case, runs of white space as one space, trimmed.
func Fold(s string) string {
	s = NormalizeQuotes(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// IsStopword reports whether w (any case, quotes as typed) is a function
// word of language lang (an ISO 639-1 code: en, de, fr, es, it, pt): an
// article, pronoun, preposition, conjunction, auxiliary or a common adverb.
// Such words never name a topic or an actor. An unknown or empty lang is
// read as English.
func IsStopword(lang, w string) bool {
	w = Fold(w)
	if set, ok := stopwords[lang]; ok && set[w] {
		return true
	}
	if lang == "" || stopwords[lang] == nil {
		return stopwords["en"][w]
	}
	return false
}

// Languages lists the languages IsStopword knows.
func Languages() []string { return []string{"en", "de", "fr", "es", "it", "pt"} }

// stopwords are closed-class words (articles, pronouns, prepositions,
// conjunctions, auxiliaries and modals) and a few very common adverbs, per
// language: the grammar, not any article, supports every row.
var stopwords = map[string]map[string]bool{
	"en": set("a about above after again against all also am an and any are as at be because been " +
		"before being below between both but by can could did do does doing down during each either " +
		"even ever every few for from further had has have having he her here hers herself him himself " +
		"his how i if in into is it it's its itself just may me might more most much must my myself " +
		"neither no nor not now of off often on once only or other our ours ourselves out over own " +
		"rather same shall she should since so some still such than that the their theirs them " +
		"themselves then there these they this those though through thus to too under until up upon " +
		"us very via was we were what when where whether which while who whom whose why will with " +
		"within without would yet you your yours yourself yourselves isn't aren't wasn't weren't " +
		"don't doesn't didn't hasn't haven't hadn't won't wouldn't can't cannot couldn't shouldn't " +
		"that's there's they're we're i'm he's she's let's however meanwhile moreover furthermore " +
		"therefore also instead"),
	"de": set("der die das den dem des ein eine einer einen einem eines und oder aber doch sondern denn " +
		"weil dass daß ob wenn als wie auch noch schon nur nicht kein keine keinen keinem keiner " +
		"ich du er sie es wir ihr mich dich sich uns euch ihm ihn ihnen mein dein sein ihr unser euer " +
		"in im ins an am ans auf aus bei mit nach seit von vom zu zum zur über unter vor hinter neben " +
		"zwischen durch für gegen ohne um bis ab ist sind war waren wird werden wurde wurden worden " +
		"hat haben hatte hatten habe sei kann können konnte konnten muss müssen soll sollen will " +
		"wollen dies diese dieser dieses diesem diesen jener welche welcher welches so da dort hier " +
		"sehr mehr man nun denn jedoch sowie bereits"),
	"fr": set("le la les l un une des du de d au aux et ou mais donc or ni car que qu qui quoi dont où " +
		"ce cet cette ces son sa ses leur leurs mon ma mes ton ta tes notre nos votre vos je tu il " +
		"elle on nous vous ils elles se s me m te t lui y en ne pas plus dans sur sous par pour avec " +
		"sans chez entre vers contre depuis pendant avant après est sont était étaient été être a ont " +
		"avait avaient avoir sera seront fait comme aussi très tout tous toute toutes même si cela " +
		"ça c"),
	"es": set("el la los las lo un una unos unas y e o u pero sino ni que quien quienes cual cuales " +
		"cuyo donde como cuando porque pues si de del a al en con por para sin sobre entre hasta " +
		"desde hacia contra según durante ante bajo tras es son era eran fue fueron ser sido está " +
		"están estaba estar ha han había haber he hay se su sus mi mis tu tus nuestro nuestra yo " +
		"él ella ellos ellas nosotros usted ustedes le les me te nos no más muy ya también este " +
		"esta estos estas ese esa esos esas aquel todo todos toda todas"),
	"it": set("il lo la i gli le l un uno una un' e ed o ma però né che chi cui dove come quando " +
		"perché se di del dello della dei degli delle a al allo alla ai agli alle da dal dallo " +
		"dalla dai dagli dalle in nel nello nella nei negli nelle su sul sullo sulla sui sugli " +
		"sulle con per tra fra è sono era erano fu stato stata essere ha hanno aveva avere si suo " +
		"sua suoi sue loro mio mia io tu lui lei noi voi esso essa non più molto anche già questo " +
		"questa questi queste quello quella tutto tutti"),
	"pt": set("o a os as um uma uns umas e ou mas nem que quem cujo onde como quando porque se de do " +
		"da dos das em no na nos nas ao aos à às por pelo pela pelos pelas para com sem sobre entre " +
		"até desde contra durante é são era eram foi foram ser sido está estão estava estar há tem " +
		"têm tinha ter seu sua seus suas meu minha eu tu ele ela eles elas nós você vocês lhe lhes " +
		"me te não mais muito já também este esta estes estas esse essa esses essas aquele todo " +
		"todos toda todas"),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Clip cuts s to at most n runes, at the last space in the cut when there
// is one in its second half (so a quote stays a run of whole words and
// still grounds), with mark appended when something was cut.
func Clip(s string, n int, mark string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	head := s[:cut]
	if sp := strings.LastIndexFunc(head, unicode.IsSpace); sp > len(head)/2 {
		head = head[:sp]
	}
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r) }) + mark
}
