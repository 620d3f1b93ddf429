// Package extractive is briefbot's offline engine: it builds an article's ledger
// from the article's own sentences, without a key or a network. Files go by
// stage: sentences (blocks, sentence splitting, tokens), cues and classify
// (statuses), actors (named entities), shorten (point text) and topics
// (selection and names). It imports summarize, never the reverse.
package extractive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"briefbot/summarize"
)

// ErrEmptyDocument is returned by Engine.Summarize for a document
// without text.
var ErrEmptyDocument = errors.New("summarize: document has no text")

// Limits of the extractive ledger. They keep a Discord reply readable.
const (
	xtrMaxActors     = 3   // actors per point
	xtrMinWords      = 5   // shorter sentences are labels, not statements
	xtrMaxWords      = 120 // longer "sentences" are lists or broken text; also bounds the work per sentence
	xtrQuoteWords    = 30  // longer sentences are quoted by the clauses around the cue
	xtrTextWords     = 40  // longer sentences are shortened in Text: the claim in a few words
	xtrQuoteSpan     = 60  // a quotation is kept whole up to this many words
	xtrHeadingWords  = 12  // a longer "heading" is not a section title
	xtrNegationReach = 3   // tokens looked back for a negation
)

// Engine is the offline engine: no key, no network, deterministic.
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
type Engine struct{}

var _ summarize.Engine = (*Engine)(nil)

// New returns the offline engine.
func New() *Engine { return &Engine{} }

// Name returns "extractive".
func (*Engine) Name() string { return "extractive" }

// Model returns "": there is no model.
func (*Engine) Model() string { return "" }

// PromptVersion names the algorithm version; bump it when the output for the
// same text changes, so cached summaries are rebuilt.
func (*Engine) PromptVersion() string { return "extractive-v4" }

// Summarize builds the ledger of doc. It returns ErrEmptyDocument when doc
// has no text, and ctx's error when ctx is done. Every point quotes the
// article verbatim; the Service grounds them (once, for every engine).
func (e *Engine) Summarize(ctx context.Context, doc *summarize.Document) (*summarize.Result, error) {
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
	res := &summarize.Result{Topics: topics}
	if len(topics) == 0 {
		res.Notes = append(res.Notes, "This page has no sentences of an article to summarize (a list of links, a form or a stub?).")
	}
	return res, nil
}

// xtrBlocksFromText splits plain text at blank lines. A one-line block of at
// most twelve words without final punctuation is taken as a heading.
func xtrBlocksFromText(text string) []summarize.Block {
	var out []summarize.Block
	for _, chunk := range xtrBlankLines.Split(text, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		b := summarize.Block{Text: chunk}
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
