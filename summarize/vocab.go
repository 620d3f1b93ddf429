package summarize

import "strings"

// The vocabulary of news about negotiations: words and phrases such news
// uses for the same thing. Package store searches for a topic under every
// strict synonym of the words typed (a search for "truce" finds
// "Ceasefire"); package schedule maps every synonym, strict or loose, to
// its group's canonical form when it merges topics ("Truce" and
// "Ceasefire" are one topic). A word added here reaches both.

// synonymGroup is one group of the vocabulary.
type synonymGroup struct {
	// strict are the canonical form, first, and the words and phrases that
	// mean it wherever they appear in an article about negotiations.
	strict []string
	// loose mean the canonical form in a topic name, where the other words
	// of the name settle the sense, but are too common in other senses to
	// search for in point texts: "stop" (pause), "discussion" (talks),
	// "land" (territory).
	loose []string
}

// vocabulary lists the groups. Entries are lower-case base forms (singular
// nouns, verbs uninflected: "troop", not "troops"): store's full-text index
// stems both the query and the text, and schedule folds plurals before it
// looks a word up, so one form serves both. An entry of several words is a
// phrase. No entry is in two groups, and every word of a canonical phrase
// is canonical itself or in no group (vocab_test.go checks both).
var vocabulary = []synonymGroup{
	// fighting and its pauses
	{strict: []string{"ceasefire", "truce", "armistice", "cease fire"}},
	{strict: []string{"attack", "strike", "bombing", "bombardment", "shelling", "raid"}},
	{strict: []string{"pause", "halt", "moratorium", "suspension"}, loose: []string{"freeze", "stop"}},
	{strict: []string{"withdrawal", "pullout", "pullback", "retreat"}},
	{strict: []string{"troop", "force", "soldier"}},
	{strict: []string{"weapon", "arm", "munition"}},
	{strict: []string{"nuclear", "atomic"}},
	{strict: []string{"mobilization", "mobilisation"}},
	// targets
	{strict: []string{"infrastructure", "facility", "installation"}, loose: []string{"plant", "grid"}},
	{strict: []string{"energy", "power", "electricity"}},
	// "power station" names both subjects at once; "station" alone is no
	// infrastructure (train, police, space).
	{strict: []string{"energy infrastructure"}, loose: []string{"power plant", "power station", "power grid"}},
	{strict: []string{"sea", "maritime", "naval"}, loose: []string{"shipping"}},
	{strict: []string{"territory", "territorial"}, loose: []string{"land"}},
	// talks and deals
	{strict: []string{"talk", "negotiation", "dialogue", "summit", "meeting"}, loose: []string{"discussion"}},
	{strict: []string{"agreement", "deal", "accord", "pact"}},
	{strict: []string{"peace", "settlement"}},
	{strict: []string{"demand"}, loose: []string{"condition"}},
	// subjects
	{strict: []string{"aid", "assistance"}},
	{strict: []string{"sanction", "embargo"}},
	{strict: []string{"tariff", "duty", "levy"}},
	{strict: []string{"prisoner", "detainee", "pow", "captive", "prisoner of war"}},
	{strict: []string{"exchange", "swap"}},
	{strict: []string{"election", "vote", "ballot"}},
}

// canonicalForms maps every entry of the vocabulary to its group's
// canonical form.
var canonicalForms = func() map[string]string {
	m := map[string]string{}
	for _, g := range vocabulary {
		for _, e := range g.strict {
			m[e] = g.strict[0]
		}
		for _, e := range g.loose {
			m[e] = g.strict[0]
		}
	}
	return m
}()

// SynonymGroups returns the groups of strict synonyms, for search: in each
// the canonical form comes first, then the words and phrases that mean it.
// Loose synonyms (see CanonicalTerm) are left out, and with them the
// groups that have no strict synonym. Entries are lower-case base forms
// whose words are separated by single spaces, and no entry is in two
// groups. The result is a new copy on every call.
func SynonymGroups() [][]string {
	out := make([][]string, 0, len(vocabulary))
	for _, g := range vocabulary {
		if len(g.strict) > 1 {
			out = append(out, append([]string(nil), g.strict...))
		}
	}
	return out
}

// SynonymPhrases returns the entries of several words, strict or loose,
// that are not a canonical form ("cease fire", "power station"): the
// phrases a caller must find in a text before it looks at the words one
// by one.
func SynonymPhrases() []string {
	var out []string
	for _, g := range vocabulary {
		for i, e := range g.strict {
			if i > 0 && strings.Contains(e, " ") {
				out = append(out, e)
			}
		}
		for _, e := range g.loose {
			if strings.Contains(e, " ") {
				out = append(out, e)
			}
		}
	}
	return out
}

// CanonicalTerm returns the canonical form of term when a group holds it,
// as a strict or loose synonym ("truce" → "ceasefire", "stop" → "pause",
// "power station" → "energy infrastructure"), and term itself otherwise.
// term is looked up as given: a lower-case base form, words separated by
// single spaces.
func CanonicalTerm(term string) string {
	if c, ok := canonicalForms[term]; ok {
		return c
	}
	return term
}
