package openaitest

import (
	"strings"
	"unicode"

	"briefbot/prompts"
)

// Limits of BuildAnswer's ledger, matching what the prompt asks a model
// for: at most prompts.MaxTopics topics and prompts.MaxPoints points in
// all (at most 3 per topic), quotes of at most 25 words.
const (
	maxTopics      = prompts.MaxTopics
	maxPoints      = 3 // per topic
	maxQuoteWords  = 25
	maxActors      = 3
	paragraphsPerT = 3 // paragraphs per topic when the article has no headings
)

// Article returns the text between the article delimiters of a user
// message (see package prompts), without the Title/Site/URL lines that
// open it; "" when the message has no delimited article.
func Article(user string) string {
	i := strings.Index(user, prompts.ArticleOpen)
	j := strings.LastIndex(user, prompts.ArticleClose)
	if i < 0 || j < i+len(prompts.ArticleOpen) {
		return ""
	}
	body := strings.TrimSpace(user[i+len(prompts.ArticleOpen) : j])
	lines := strings.Split(body, "\n")
	k := 0
	for k < len(lines) && (strings.HasPrefix(lines[k], "Title:") || strings.HasPrefix(lines[k], "Site:") || strings.HasPrefix(lines[k], "URL:")) {
		k++
	}
	return strings.TrimSpace(strings.Join(lines[k:], "\n"))
}

// BuildAnswer makes a plausible ledger from an article's text without a
// model, deterministically:
//
//   - topics are the article's sections (paragraphs starting with #, named
//     after the heading) or, without headings, groups of three paragraphs
//     named after the first words of their first sentence; at most 8;
//   - each topic's points are the first sentences of its section, at most
//     three, and prompts.MaxPoints in all: each topic gets its first
//     sentence, then its second while room is left, then its third; so
//     the first point is the article's first sentence, its lead;
//   - a point's text is the sentence, its quote the sentence's first 25
//     words copied verbatim (so it is grounded);
//   - the status comes from cue words: "accus", "disput", "violat", "deni",
//     "contest", "breach" → disputed; "agreed", "agree to", "committed",
//     "signed", "accepted", "would begin", "will begin" → agreed;
//     "demand", "propos", "condition", "plan", "declin", "hope", "urge",
//     "unclear", "would", "could", "must", "?" → unresolved; anything else
//     → reported (a plain fact);
//   - actors are runs of capitalised words after a sentence's first word,
//     at most three, leaving out month and weekday names.
func BuildAnswer(article string) prompts.Answer {
	type section struct {
		name      string
		sentences []string
	}
	var sections []section
	paras := 0
	for _, p := range strings.Split(article, "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, "#") {
			sections = append(sections, section{name: strings.TrimSpace(strings.TrimLeft(p, "#"))})
			paras = 0
			continue
		}
		if len(sections) == 0 || (sections[len(sections)-1].name == "" && paras == paragraphsPerT) {
			sections = append(sections, section{})
			paras = 0
		}
		s := &sections[len(sections)-1]
		s.sentences = append(s.sentences, Sentences(p)...)
		paras++
	}
	var kept []section
	for _, s := range sections {
		if len(s.sentences) > 0 && len(kept) < maxTopics {
			kept = append(kept, s)
		}
	}
	quota := make([]int, len(kept))
	for round, total := 0, 0; round < maxPoints; round++ {
		for i, s := range kept {
			if total < prompts.MaxPoints && len(s.sentences) > round {
				quota[i]++
				total++
			}
		}
	}
	answer := prompts.Answer{Topics: []prompts.AnswerTopic{}}
	for i, s := range kept {
		if quota[i] == 0 {
			break
		}
		name := s.name
		if name == "" {
			name = strings.TrimRight(firstWords(s.sentences[0], 4), ".,;:!?\"'”’")
		}
		t := prompts.AnswerTopic{Name: name}
		for _, sent := range s.sentences[:quota[i]] {
			t.Points = append(t.Points, prompts.AnswerPoint{
				Text:   sent,
				Status: cueStatus(sent),
				Actors: actors(sent),
				Quote:  firstWords(sent, maxQuoteWords),
			})
		}
		answer.Topics = append(answer.Topics, t)
	}
	return answer
}

// Sentences splits a paragraph after ".", "!" or "?" (and any closing
// quote marks) followed by a space and an upper-case letter, digit or
// opening quote.
func Sentences(p string) []string {
	var out []string
	rs := []rune(p)
	start := 0
	for i := 0; i < len(rs); i++ {
		if rs[i] != '.' && rs[i] != '!' && rs[i] != '?' {
			continue
		}
		j := i + 1
		for j < len(rs) && strings.ContainsRune("\"'”’)", rs[j]) {
			j++
		}
		if j+1 < len(rs) && rs[j] == ' ' && (unicode.IsUpper(rs[j+1]) || unicode.IsDigit(rs[j+1]) || strings.ContainsRune("\"“‘", rs[j+1])) {
			out = append(out, strings.TrimSpace(string(rs[start:j])))
			start = j + 1
			i = j
		}
	}
	if rest := strings.TrimSpace(string(rs[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	return strings.Join(w[:min(len(w), n)], " ")
}

func cueStatus(sentence string) string {
	s := strings.ToLower(sentence)
	switch {
	case hasAny(s, "accus", "disput", "violat", "deni", "contest", "breach"):
		return "disputed"
	case hasAny(s, "agreed", "agree to", "committed", "signed", "accepted", "would begin", "will begin"):
		return "agreed"
	case hasAny(s, "demand", "propos", "condition", "plan", "declin", "hope", "urge", "unclear", "would", "could", "must", "?"):
		return "unresolved"
	default:
		return "reported"
	}
}

func actors(sentence string) []string {
	out := []string{}
	seen := map[string]bool{}
	words := strings.Fields(sentence)
	var run []string
	flush := func() {
		if len(run) > 0 {
			a := strings.Join(run, " ")
			if !seen[a] && len(out) < maxActors {
				seen[a] = true
				out = append(out, a)
			}
			run = run[:0]
		}
	}
	for i, w := range words {
		clean := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '.' && r != '-' })
		clean = strings.TrimRight(clean, ".")
		clean = strings.TrimSuffix(clean, "'s")
		rs := []rune(clean)
		if i > 0 && len(rs) > 1 && unicode.IsUpper(rs[0]) && !calendar[strings.ToLower(clean)] {
			run = append(run, clean)
		} else {
			flush()
		}
		if strings.ContainsAny(w, ",.;:!?\"”") {
			flush()
		}
	}
	flush()
	return out
}

// calendar holds the English month and weekday names: capitalised, but
// dates, never actors (the prompt says so; the engine checks it).
var calendar = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("january february march april may june july august september october november december " +
		"jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday") {
		m[w] = true
	}
	return m
}()
