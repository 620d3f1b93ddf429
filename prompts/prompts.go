// Package prompts renders briefbot's versioned prompt templates. The
// templates are embedded in the binary; this package does no I/O.
//
// Version names the current prompts and answer shape. It is part of every
// summary's cache key, so any change to a template, to the answer types or
// to how the article is rendered into a prompt must change Version.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Version names the prompt templates and the answer shape below. Bump it
// whenever either changes: old cached summaries then stop matching.
const Version = "summarize-v2"

// The delimiters around the article in the user message. Everything between
// them is untrusted data; any occurrence of either in the article is
// neutralised (see Neutralize).
const (
	ArticleOpen  = "<article>"
	ArticleClose = "</article>"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(templateFS, "templates/*.tmpl"))

// Answer is the JSON shape the model must reply with. Its JSON schema is
// sent with the request (see the summarize package); the system prompt
// describes the same shape in one line for servers without schema support.
// No field is omitempty: strict structured output requires every property.
type Answer struct {
	Topics []AnswerTopic `json:"topics"`
}

// AnswerTopic is one subject of the article.
type AnswerTopic struct {
	Name   string        `json:"name"`
	Points []AnswerPoint `json:"points"`
}

// AnswerPoint is one claim about a topic, with its status, the actors it
// concerns and a verbatim quote backing it. Status is one of the four
// statuses of package summarize: agreed, unresolved, disputed, reported.
type AnswerPoint struct {
	Text   string   `json:"text"`
	Status string   `json:"status" enum:"agreed,unresolved,disputed,reported"`
	Actors []string `json:"actors"`
	Quote  string   `json:"quote"`
}

// SummarizeInput is what the summarize prompt is rendered from. Every
// string field is untrusted article data except Language, which comes from
// configuration or a server setting and is checked.
type SummarizeInput struct {
	Title string
	Site  string
	URL   string
	// Language is the language to write the summary in, as a BCP 47 tag
	// ("de", "pt-BR") or an English name ("German"); "" means the
	// article's own language.
	Language string
	// Part and Parts place a chunk within a long article (1-based). Parts
	// of 0 or 1 means the whole article.
	Part, Parts int
	// Text is the article's main text; headings are lines starting with #.
	Text string
}

// The size of the answer the prompt asks for (per part of a long
// article). MaxPoints: a reply a reader takes in at a glance, the
// article's main news and its key facts; more stays one tap away only if
// it exists, so the model is asked to choose. MaxTopics: with eight
// points, more topics would mean topics without a point.
const (
	MaxPoints = 8
	MaxTopics = 8
)

// Summarize renders the system and user messages asking for the ledger of
// one article (or one part of a long article).
//
// The system message depends only on the language, so it is identical for
// every article and part and servers can cache it as a prompt prefix.
func Summarize(in SummarizeInput) (system, user string, err error) {
	lang, err := LanguageName(in.Language)
	if err != nil {
		return "", "", err
	}
	if in.Parts > 1 && (in.Part < 1 || in.Part > in.Parts) {
		return "", "", fmt.Errorf("prompts: part %d of %d out of range", in.Part, in.Parts)
	}
	system, err = render("summarize_system.tmpl", map[string]any{
		"Open":      ArticleOpen,
		"Close":     ArticleClose,
		"Language":  lang,
		"Translate": strings.TrimSpace(in.Language) != "",
		"MaxPoints": MaxPoints,
		"MaxTopics": MaxTopics,
	})
	if err != nil {
		return "", "", err
	}
	user, err = render("summarize_user.tmpl", map[string]any{
		"Open":  ArticleOpen,
		"Close": ArticleClose,
		"Part":  in.Part,
		"Parts": in.Parts,
		"Title": oneLine(Neutralize(in.Title)),
		"Site":  oneLine(Neutralize(in.Site)),
		"URL":   oneLine(Neutralize(in.URL)),
		"Text":  strings.TrimSpace(Neutralize(in.Text)),
	})
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}

// Repair renders the follow-up user message sent once when the model's
// answer could not be used: it names the problem and asks again for the
// whole answer as JSON.
func Repair(problem string) (string, error) {
	return render("repair.tmpl", map[string]any{"Problem": oneLine(problem)})
}

func render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("prompts: render %s: %w", name, err)
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// delimiterRE matches anything a model could read as the start of an
// article delimiter: "<article", "</article", "< / ARTICLE" and so on.
var delimiterRE = regexp.MustCompile(`(?i)<(\s*/?\s*article)`)

// Neutralize makes s safe to place between the article delimiters: every
// "<" that starts something reading as <article or </article becomes "‹"
// (U+2039), so the article cannot close its own data block early. Nothing
// else changes, so quotes copied from the rest of the text stay verbatim.
func Neutralize(s string) string {
	return delimiterRE.ReplaceAllString(s, "‹$1")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// maxLanguageLen bounds a language setting: the longest English language
// names ("Scottish Gaelic", "Brazilian Portuguese") fit easily.
const maxLanguageLen = 40

// LanguageName returns how the prompt names the summary language: the
// English name of a BCP 47 tag ("de" → "German"), a plain name as given
// ("German"), and "the article's own language" for "". Anything but
// letters, spaces and hyphens is refused, since the value ends up in the
// system prompt.
func LanguageName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "the article's own language", nil
	}
	if len(s) > maxLanguageLen {
		return "", fmt.Errorf("prompts: language %q too long", s)
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '_' {
			return "", fmt.Errorf("prompts: language %q: only letters, spaces and hyphens allowed", s)
		}
	}
	if tag, err := language.Parse(s); err == nil && len(s) <= 11 {
		if name := display.English.Tags().Name(tag); name != "" {
			return name, nil
		}
	}
	return s, nil
}
