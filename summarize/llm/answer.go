package llm

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sashabaranov/go-openai/jsonschema"

	"briefbot/prompts"
	"briefbot/summarize"
	"briefbot/summarize/textnorm"
)

// parseAnswer turns a model's reply into topics, or says what is wrong
// with it in words fit to send back to the model in a repair request.
//
// The reply is read leniently first (code fences, a leading <think> block
// and text around the JSON object are dropped; statuses are lower-cased),
// then validated against the answer schema, then semantically: non-empty
// names, texts and quotes, and at least one topic with a point. Strings
// are cut to their bounds (see maxNameRunes). Then it is checked
// against c: the number of topics and points, actors that are names, the
// main news first. A first answer that breaks c is rejected (one repair
// follows); a repaired one is cut to fit instead, since a bounded answer
// from the model is worth more than the offline fallback.
func (e *Engine) parseAnswer(ans answer, c contract, repaired bool) ([]summarize.Topic, error) {
	var a prompts.Answer
	if err := decodeJSON(ans, e.ledgerSchema(), lowerStatuses, &a); err != nil {
		return nil, err
	}
	topics, actorProblems, err := readTopics(a)
	if err != nil {
		return nil, err
	}
	if problems := c.problems(topics, actorProblems); len(problems) > 0 && !repaired {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return c.enforce(topics), nil
}

// extractJSON returns the JSON object in a reply: without a leading
// <think>…</think> block (reasoning models served locally emit one), code
// fences, or prose before the first { and after the last }.
func extractJSON(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<think>") {
		if i := strings.Index(s, "</think>"); i >= 0 {
			s = strings.TrimSpace(s[i+len("</think>"):])
		}
	}
	if strings.HasPrefix(s, "```") {
		s = strings.TrimPrefix(s, "```")
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "```"))
	}
	if i := strings.IndexByte(s, '{'); i > 0 {
		s = s[i:]
	}
	if j := strings.LastIndexByte(s, '}'); j >= 0 && j < len(s)-1 {
		s = s[:j+1]
	}
	return s
}

// lowerStatuses lower-cases every "status" string in a decoded answer,
// so "Agreed" from a model in plain JSON mode is not worth a repair.
func lowerStatuses(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "status" {
				x[k] = strings.ToLower(strings.TrimSpace(s))
				continue
			}
			lowerStatuses(val)
		}
	case []any:
		for _, val := range x {
			lowerStatuses(val)
		}
	}
}

// schemaProblem returns the first place where v breaks def, as
// `path: problem`, or "" when it conforms. It checks what
// jsonschema.Validate checks, but says where.
func schemaProblem(def jsonschema.Definition, defs map[string]jsonschema.Definition, v any, path string) string {
	if def.Ref != "" {
		d, ok := defs[def.Ref]
		if !ok {
			return fmt.Sprintf("%s: unknown schema reference %s", pathName(path), def.Ref)
		}
		def = d
	}
	switch def.Type {
	case jsonschema.Object:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %s", pathName(path), kindOf(v))
		}
		for _, name := range def.Required {
			if _, ok := m[name]; !ok {
				return fmt.Sprintf("%s: missing %q", pathName(path), name)
			}
		}
		names := make([]string, 0, len(def.Properties))
		for name := range def.Properties {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if val, ok := m[name]; ok {
				if p := schemaProblem(def.Properties[name], defs, val, joinPath(path, name)); p != "" {
					return p
				}
			}
		}
	case jsonschema.Array:
		a, ok := v.([]any)
		if !ok {
			return fmt.Sprintf("%s: want an array, got %s", pathName(path), kindOf(v))
		}
		if def.Items != nil {
			for i, item := range a {
				if p := schemaProblem(*def.Items, defs, item, fmt.Sprintf("%s[%d]", path, i)); p != "" {
					return p
				}
			}
		}
	case jsonschema.String:
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("%s: want a string, got %s", pathName(path), kindOf(v))
		}
		if len(def.Enum) > 0 && !slices.Contains(def.Enum, s) {
			return fmt.Sprintf("%s: %q is not one of %s", pathName(path), s, strings.Join(def.Enum, ", "))
		}
	}
	return ""
}

func pathName(p string) string {
	if p == "" {
		return "the reply"
	}
	return p
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// readTopics checks an answer's meaning and turns it into topics: names,
// texts and quotes must be non-empty, statuses valid; strings are cut to
// their bounds and actors that are no names dropped (actorProblems says
// what was dropped, by the answer's indices). Topics without points are
// dropped; at least one must remain. Topics of the same name are merged.
func readTopics(a prompts.Answer) (topics []summarize.Topic, actorProblems []string, err error) {
	for i, t := range a.Topics {
		name := textnorm.Clip(strings.Join(strings.Fields(t.Name), " "), maxNameRunes, "…")
		if name == "" {
			return nil, nil, fmt.Errorf("topics[%d].name is empty", i)
		}
		topic := summarize.Topic{Name: name}
		for j, p := range t.Points {
			text := textnorm.Clip(strings.Join(strings.Fields(p.Text), " "), maxTextRunes, "…")
			if text == "" {
				return nil, nil, fmt.Errorf("topics[%d].points[%d].text is empty", i, j)
			}
			status, err := summarize.ParseStatus(strings.TrimSpace(p.Status))
			if err != nil {
				return nil, nil, fmt.Errorf("topics[%d].points[%d].status: %q is not one of agreed, unresolved, disputed, reported", i, j, p.Status)
			}
			quote := textnorm.Clip(cleanQuote(p.Quote), maxQuoteRunes, "")
			if quote == "" {
				return nil, nil, fmt.Errorf("topics[%d].points[%d].quote is empty: copy a short excerpt of the article verbatim", i, j)
			}
			actors, problems := namedActors(p.Actors, fmt.Sprintf("topics[%d].points[%d].actors", i, j))
			actorProblems = append(actorProblems, problems...)
			topic.Points = append(topic.Points, summarize.Point{Text: text, Status: status, Actors: actors, Quote: quote})
		}
		if len(topic.Points) > 0 {
			topics = append(topics, topic)
		}
	}
	if len(topics) == 0 {
		return nil, nil, errors.New("the reply has no topic with a point")
	}
	return mergeTopics([][]summarize.Topic{topics}), actorProblems, nil
}

// namedActors returns the actors of one point that are names (see
// actorProblem), without repeats, at most maxActors, and what is
// wrong with the others, in words for the model.
func namedActors(in []string, path string) (out []string, problems []string) {
	out = []string{}
	for _, a := range in {
		a = strings.Join(strings.Fields(a), " ")
		if a == "" || slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			continue
		}
		if p := actorProblem(a); p != "" {
			problems = append(problems, fmt.Sprintf("%s: %q %s; list only people, organisations, countries or groups", path, textnorm.Clip(a, maxActorRunes, "…"), p))
			continue
		}
		if len(out) == maxActors {
			problems = append(problems, fmt.Sprintf("%s: more than %d actors; name at most %d", path, maxActors, maxActors))
			break
		}
		out = append(out, a)
	}
	return out, problems
}

// joinActors joins actor lists (of points merged into one) without
// repeats, at most maxActors.
func joinActors(in []string) []string {
	out := []string{}
	for _, a := range in {
		a = strings.Join(strings.Fields(a), " ")
		if len(out) == maxActors {
			break
		}
		if a != "" && !slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			out = append(out, a)
		}
	}
	return out
}

// quoteMarks are stripped from both ends of a quote: models often wrap
// the excerpt in them, and the article's own text has them elsewhere.
const quoteMarks = "\"'`“”‘’«»„‚‹›「」『』"

// cleanQuote strips whitespace, quote marks and ellipses ("…", "...")
// from both ends of a quote. It does not check the quote: the Service's
// grounding step does.
func cleanQuote(q string) string {
	for {
		prev := q
		q = strings.TrimSpace(q)
		q = strings.Trim(q, quoteMarks)
		for _, ell := range []string{"…", "..."} {
			q = strings.TrimPrefix(q, ell)
			q = strings.TrimSuffix(q, ell)
		}
		if q == prev {
			return q
		}
	}
}

// mergeTopics merges topics by summarize.TopicKey of their names (the
// key the Service gives them) in order of first appearance, each
// topic's points in order, dropping repeated points (same text and status,
// case and whitespace folded: the first one's quote is kept) and merging
// their actors.
func mergeTopics(parts [][]summarize.Topic) []summarize.Topic {
	var out []summarize.Topic
	index := map[string]int{}
	points := map[string]map[string]int{}
	for _, topics := range parts {
		for _, t := range topics {
			key := summarize.TopicKey(t.Name)
			i, ok := index[key]
			if !ok {
				i = len(out)
				index[key] = i
				points[key] = map[string]int{}
				out = append(out, summarize.Topic{Name: t.Name})
			}
			for _, p := range t.Points {
				pk := fold(p.Text) + "\x00" + string(p.Status)
				if j, dup := points[key][pk]; dup {
					out[i].Points[j].Actors = joinActors(slices.Concat(out[i].Points[j].Actors, p.Actors))
					continue
				}
				points[key][pk] = len(out[i].Points)
				out[i].Points = append(out[i].Points, p)
			}
		}
	}
	return out
}

func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
