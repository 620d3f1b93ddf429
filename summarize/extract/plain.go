package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"

	"briefbot/summarize"
)

// Limits of a plain-text heading: a short line without final punctuation
// that a paragraph follows.
const (
	headingMaxWords = 12
	headingMaxChars = 100
	// bodyMinWords is how long the paragraph after a heading must be.
	bodyMinWords = 8
	// titleMaxWords bounds a first line read as the title.
	titleMaxWords = 20
	// langSample bounds the text given to the language guesser.
	langSample = 4000
)

// extractPlain reads a text/plain page: paragraphs are separated by blank
// lines, a short line without final punctuation followed by a paragraph is
// a heading, and a short first line is the title.
func extractPlain(s string, pageURL string) *summarize.Document {
	paras := splitParagraphs(s)
	blocks := make([]rawBlock, 0, len(paras))
	for i, p := range paras {
		b := rawBlock{Block: summarize.Block{Text: p}, words: countWords(p)}
		if i+1 < len(paras) && isPlainHeading(p, paras[i+1]) {
			b.Heading, b.Level = true, 2
		}
		blocks = append(blocks, b)
	}
	raw := blocks
	blocks = cleanBlocks(blocks, nil, []string{pageURL})
	doc := &summarize.Document{}
	if len(blocks) > 1 && isPlainTitle(blocks[0].Text) {
		doc.Title = blocks[0].Text
		blocks = blocks[1:]
	}
	sig := qualitySignals{consentWords: consentWords(raw), paywallText: paywallWording(raw)}
	if len(blocks) == 0 {
		blocks = raw
	}
	doc.Blocks = blockList(blocks, len(s))
	for _, b := range blocks {
		sig.words += b.words
	}
	sig.words -= min(sig.words, consentWords(blocks))
	sig.truncated = endsTruncated(doc.Blocks)
	doc.Quality = sig.quality()
	doc.Language = guessLanguage(doc.Blocks)
	return doc
}

// splitParagraphs splits text on blank lines. Within a paragraph, a line
// repeated right after itself is dropped, and a line broken in the middle
// of a sentence (the next line starts in lower case) is joined with a
// space.
func splitParagraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, ""))
			cur = cur[:0]
		}
	}
	prev := ""
	for _, line := range strings.Split(s, "\n") {
		line = normalizeText(line, false)
		if line == "" {
			flush()
			prev = ""
			continue
		}
		if line == prev {
			continue
		}
		if len(cur) > 0 {
			if wrapped(prev, line) {
				cur = append(cur, " ")
			} else {
				cur = append(cur, "\n")
			}
		}
		cur = append(cur, line)
		prev = line
	}
	flush()
	return paras
}

// wrapped reports whether next continues the sentence prev breaks off.
func wrapped(prev, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(next)
	return !strings.ContainsRune(".!?:;\"”’)…", last) && (unicode.IsLower(first) || unicode.IsDigit(first))
}

// isPlainHeading reports whether p, followed by next, is a heading.
func isPlainHeading(p, next string) bool {
	if strings.Contains(p, "\n") || len(p) > headingMaxChars || countWords(p) > headingMaxWords {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(p)
	if strings.ContainsRune(".,;:!?…\"”’)", last) || unicode.IsDigit(last) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(p)
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) && !unicode.Is(unicode.Han, first) {
		return false
	}
	nextLast, _ := utf8.DecodeLastRuneInString(next)
	return countWords(next) >= bodyMinWords && strings.ContainsRune(".!?。！？\"”’)…:", nextLast)
}

// isPlainTitle reports whether a first paragraph reads as a title.
func isPlainTitle(p string) bool {
	return !strings.Contains(p, "\n") && countWords(p) <= titleMaxWords && !strings.HasSuffix(p, ".")
}

// guessLanguage guesses the language of blocks, or "" when unsure.
func guessLanguage(blocks []summarize.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		if b.Len() >= langSample {
			break
		}
		b.WriteString(bl.Text)
		b.WriteByte('\n')
	}
	info := whatlanggo.Detect(b.String())
	if !info.IsReliable() {
		return ""
	}
	return info.Lang.Iso6391()
}
