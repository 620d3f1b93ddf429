// Package ask answers a question from a server's stored points only. It
// ranks the points offline by the question's content words (Rank), and,
// with a model, asks one schema-checked question whose answer may cite
// only the points it was given (Model.Answer). It reads no store: the
// caller (bot) hands it the points of the asking server.
package ask

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/prompts"
	"briefbot/summarize"
	"briefbot/summarize/llm"
	"briefbot/summarize/textnorm"
)

// Point is one stored point a question may be answered from.
type Point struct {
	Topic  string
	Point  summarize.Point
	Source int // the caller's number for the point's article (1-based)
}

// maxQuestionWords bounds the content words a question is ranked by.
const maxQuestionWords = 16

// Words returns the content words of s: lower-case, plurals folded, no
// stopwords, each once, in order, at most maxQuestionWords.
func Words(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		w := stem(textnorm.Fold(f))
		if utf8.RuneCountInString(w) < 2 || textnorm.IsStopword("", w) || questionWords[w] || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == maxQuestionWords {
			break
		}
	}
	return out
}

// questionWords are the words of a question that say it is a question,
// not what it is about.
var questionWords = map[string]bool{
	"what": true, "who": true, "whom": true, "which": true, "when": true, "where": true, "why": true, "how": true,
	"did": true, "does": true, "do": true, "is": true, "are": true, "was": true, "were": true, "has": true, "have": true,
	"tell": true, "know": true, "say": true, "said": true, "about": true, "anything": true, "happened": true, "now": true,
}

// stem folds the common English inflections, so "strikes" meets "strike"
// and "agreed" meets "agree".
func stem(w string) string {
	for _, suf := range []string{"ies", "es", "s", "ed", "ing"} {
		if strings.HasSuffix(w, suf) && utf8.RuneCountInString(w)-len(suf) >= 4 {
			base := strings.TrimSuffix(w, suf)
			if suf == "ies" {
				base += "y"
			}
			return base
		}
	}
	return w
}

// Scored is a point with how well it covers a question.
type Scored struct {
	Point
	// Index is the point's position in Rank's input.
	Index int
	// Matched is the number of the question's content words the point's
	// topic, text or quote holds.
	Matched int
}

// Rank returns the points that cover the question, best first: a point
// covers it when its topic, text, quote or actors hold at least two
// thirds of the question's content words (at least one): one shared word
// ("facilities") is not an answer to "energy facilities". Ungrounded points never cover
// anything: an answer rests on verified quotes.
func Rank(question string, points []Point) []Scored {
	q := Words(question)
	if len(q) == 0 {
		return nil
	}
	need := max(1, (2*len(q)+2)/3)
	var out []Scored
	for i, p := range points {
		if !p.Point.Grounded || strings.TrimSpace(p.Point.Quote) == "" {
			continue
		}
		have := map[string]bool{}
		for _, w := range Words(p.Topic + " " + p.Point.Text + " " + p.Point.Quote + " " + strings.Join(p.Point.Actors, " ")) {
			have[w] = true
		}
		n := 0
		for _, w := range q {
			if have[w] || have[summarize.CanonicalTerm(w)] {
				n++
			}
		}
		if n >= need {
			out = append(out, Scored{Point: p, Index: i, Matched: n})
		}
	}
	slices.SortStableFunc(out, func(a, b Scored) int { return cmp.Compare(b.Matched, a.Matched) })
	return out
}

// Answer is a model's answer: its text, citing points as "[pN]" (the
// N-th point asked with), and the points it cites.
type Answer struct {
	// Covered is false when the model found no answer in the points.
	Covered bool
	// Text is the answer with each "[pN]" citation as given by the model;
	// Cited lists the cited points' indices into the points asked with,
	// each once, in the order the model gave them.
	Text  string
	Cited []int
	Usage summarize.Usage
}

// maxAnswerRunes bounds an answer's text taken from a model (the prompt
// asks for at most prompts.AskMaxWords words).
const maxAnswerRunes = 1500

// Model answers questions with one call to a language model.
type Model struct {
	engine *llm.Engine
	log    *slog.Logger
}

// NewModel returns a Model asking e's model; logger may be nil.
func NewModel(e *llm.Engine, logger *slog.Logger) *Model {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Model{engine: e, log: logger}
}

// Answer asks the model question of points, in one schema-checked call
// (with llm's one repair request). An answer that cites an id that was not
// listed, in its points or its text, or claims to be covered without
// citing a point, is rejected: the error then wraps llm.ErrBadAnswer.
// Other errors wrap llm.ErrUnavailable or are ctx's.
func (m *Model) Answer(ctx context.Context, question string, points []Point) (Answer, error) {
	listed := make([]prompts.AskPoint, len(points))
	for i, p := range points {
		listed[i] = prompts.AskPoint{Topic: p.Topic, Status: string(p.Point.Status), Text: p.Point.Text, Quote: p.Point.Quote}
	}
	system, user, err := prompts.Ask(question, listed)
	if err != nil {
		return Answer{}, fmt.Errorf("ask: %w", err)
	}
	var ans prompts.AskAnswer
	usage, err := m.engine.CompleteJSON(ctx, llm.JSONRequest{
		Name: "ask", System: system, User: user,
		Check: func() error { return checkCitations(ans, len(points)) },
	}, &ans)
	if err != nil {
		return Answer{Usage: usage}, fmt.Errorf("ask: %w", err)
	}
	out := Answer{Covered: ans.Covered, Usage: usage}
	if !ans.Covered {
		return out, nil
	}
	seen := map[int]bool{}
	for _, id := range ans.Points {
		i, _ := prompts.ParseAskPointID(id) // checked
		if !seen[i] && len(out.Cited) < prompts.AskMaxCited {
			seen[i] = true
			out.Cited = append(out.Cited, i)
		}
	}
	out.Text = strings.TrimSpace(ans.Answer)
	if utf8.RuneCountInString(out.Text) > maxAnswerRunes {
		r := []rune(out.Text)
		out.Text = string(r[:maxAnswerRunes-1]) + "…"
	}
	return out, nil
}

// checkCitations says what is wrong with an answer's citations, in words
// for the model's repair request.
func checkCitations(a prompts.AskAnswer, n int) error {
	var bad []string
	for _, id := range a.Points {
		if i, ok := prompts.ParseAskPointID(id); !ok || i >= n {
			bad = append(bad, fmt.Sprintf("points: %q is not a listed point", clip(id)))
		}
	}
	for _, m := range prompts.AskCiteRE.FindAllStringSubmatch(a.Answer, -1) {
		if i, ok := prompts.ParseAskPointID("p" + m[1]); !ok || i >= n {
			bad = append(bad, fmt.Sprintf("answer: %s cites a point that is not listed", clip(m[0])))
		} else if !slices.ContainsFunc(a.Points, func(id string) bool { j, ok := prompts.ParseAskPointID(id); return ok && j == i }) {
			bad = append(bad, fmt.Sprintf("answer: %s is cited but not in points", clip(m[0])))
		}
	}
	if a.Covered && (len(a.Points) == 0 || strings.TrimSpace(a.Answer) == "") {
		bad = append(bad, "covered is true but the answer or its points are empty")
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = bad[:5]
		}
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}
