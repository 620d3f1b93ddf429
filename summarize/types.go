// Package summarize turns a link into a grounded ledger of what an article
// says was agreed, what is unresolved and what is disputed.
//
// It owns the domain types (Summary, Topic, Point, Status, Document, Page),
// the errors callers branch on, grounding verification and the cached,
// one-flight-per-URL Service. The Service reaches each stage through a
// small interface of its own (Fetcher, Extractor, Engine); the stages are
// sub-packages that import summarize, never the reverse: fetch (links and
// safe fetching), extract (main text), llm and extractive (the engines).
package summarize

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Status says where a point stands between the parties.
type Status string

// The four statuses a point can have. The zero value is not valid.
const (
	// StatusAgreed: the parties committed to it.
	StatusAgreed Status = "agreed"
	// StatusUnresolved: open, declined, not mentioned, or to be negotiated.
	StatusUnresolved Status = "unresolved"
	// StatusDisputed: claimed by one side and contested by another, or
	// agreed but accused of being broken.
	StatusDisputed Status = "disputed"
	// StatusReported: a plain fact the article reports (an event that
	// happened, a decision taken, a figure), not a matter between parties.
	StatusReported Status = "reported"
)

// Statuses lists every valid status, in the order readers see them.
var Statuses = []Status{StatusAgreed, StatusUnresolved, StatusDisputed, StatusReported}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	return s == StatusAgreed || s == StatusUnresolved || s == StatusDisputed || s == StatusReported
}

// ParseStatus reads a status case-insensitively.
func ParseStatus(s string) (Status, error) {
	st := Status(lowerASCII(s))
	if !st.Valid() {
		return "", fmt.Errorf("summarize: unknown status %q", s)
	}
	return st, nil
}

// Quality says how much of the article the extracted text holds.
type Quality string

// Extraction qualities.
const (
	QualityFull    Quality = "full"
	QualityPartial Quality = "partial"
	// QualityTeaser: a teaser, paywall or consent wall; the summary says so.
	QualityTeaser Quality = "teaser"
)

// Point is one claim of an article about a topic.
type Point struct {
	Text   string   `json:"text"`
	Status Status   `json:"status"`
	Actors []string `json:"actors"`
	// Quote is a short verbatim excerpt of the article backing the point.
	Quote string `json:"quote"`
	// Grounded reports whether Quote was found in the extracted text
	// (whitespace, quote marks and case folded).
	Grounded bool `json:"grounded"`
}

// Topic groups the points an article makes about one subject.
type Topic struct {
	Name string `json:"name"`
	// Key is the normalized form of Name used to merge topics across
	// articles (see TopicKey).
	Key    string  `json:"key"`
	Points []Point `json:"points"`
}

// Usage records the tokens an LLM call consumed.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	Calls            int `json:"calls"`
}

// Summary is the ledger of one article by one engine, model and prompt
// version. It is what the store keeps and what every transport renders.
type Summary struct {
	URL       string    `json:"url"`       // canonical URL the article was read at (after redirects): the cache key
	FinalURL  string    `json:"final_url"` // after redirects
	Title     string    `json:"title"`
	Site      string    `json:"site"`
	Language  string    `json:"language"`
	Published time.Time `json:"published,omitzero"`
	Quality   Quality   `json:"quality"`
	WordCount int       `json:"word_count"`
	TextHash  string    `json:"text_hash"`

	Engine        string `json:"engine"` // "llm" or "extractive"
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version"`
	Cached        bool   `json:"cached"`

	Topics []Topic `json:"topics"`
	// Notes are short remarks for the reader ("Only a teaser was
	// readable.", "The model was unavailable; this is the offline summary.").
	Notes []string `json:"notes,omitempty"`

	Usage     Usage         `json:"usage"`
	CreatedAt time.Time     `json:"created_at"`
	Elapsed   time.Duration `json:"elapsed_ns"`

	// SaveErr is why this fresh summary could not be stored (nil when it
	// was, or when it came from the cache). The reader still gets the
	// summary; the command line reports the failure in its exit code.
	SaveErr error `json:"-"`
}

// Key identifies a cached summary.
type Key struct {
	URL           string
	Engine        string
	Model         string
	PromptVersion string
}

// Key returns the cache key of s.
func (s *Summary) Key() Key {
	return Key{URL: s.URL, Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion}
}

// MarshalJSON keeps nil slices as [] so consumers of --json never see null.
func (t Topic) MarshalJSON() ([]byte, error) {
	type plain Topic
	if t.Points == nil {
		t.Points = []Point{}
	}
	return json.Marshal(plain(t))
}

// MarshalJSON keeps nil actors as [].
func (p Point) MarshalJSON() ([]byte, error) {
	type plain Point
	if p.Actors == nil {
		p.Actors = []string{}
	}
	return json.Marshal(plain(p))
}

// Block is one heading or paragraph of an article's main text.
type Block struct {
	Heading bool   `json:"heading,omitempty"`
	Level   int    `json:"level,omitempty"` // 1–6 for headings
	Text    string `json:"text"`
}

// Document is the main text of a page and what is known about it: what the
// engines see.
type Document struct {
	URL string `json:"url"` // final URL of the page
	// Canonical is the URL the page declares for itself (canonical link,
	// else og:url): a hint, never evidence of what another URL shows.
	Canonical string    `json:"canonical,omitempty"`
	Title     string    `json:"title"`
	Site      string    `json:"site"`
	Author    string    `json:"author,omitempty"`
	Published time.Time `json:"published,omitzero"`
	Language  string    `json:"language"`
	Quality   Quality   `json:"quality"`
	// Blocks are the headings and paragraphs in reading order.
	Blocks []Block `json:"-"`
	// Text is Blocks joined with blank lines between them.
	Text      string `json:"text"`
	WordCount int    `json:"word_count"`
	// TargetLanguage is the language the summary should be written in
	// ("" = the engine's default, else the article's own). The Service
	// sets it per request; engines that quote the article ignore it.
	TargetLanguage string `json:"-"`
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TopicKey normalizes a topic name so the same topic under slightly
// different names ("Energy facility attacks", "energy-facility attacks")
// merges: lower case, letters and digits only, single spaces, with common
// function words dropped. A name made only of function words keeps them
// ("The" → "the"), and one without a letter or digit is its own key,
// lower-cased with single spaces: only a blank name has an empty key, so
// unrelated topics never merge under "".
func TopicKey(name string) string {
	var words, all []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			w := string(cur)
			all = append(all, w)
			if !topicStopwords[w] {
				words = append(words, w)
			}
			cur = cur[:0]
		}
	}
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur = append(cur, unicode.ToLower(r))
		} else {
			flush()
		}
	}
	flush()
	switch {
	case len(words) > 0:
		return strings.Join(words, " ")
	case len(all) > 0:
		return strings.Join(all, " ")
	default:
		return strings.ToLower(strings.Join(strings.Fields(name), " "))
	}
}

var topicStopwords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "on": true, "in": true,
	"and": true, "to": true, "for": true, "with": true, "at": true, "by": true,
}
