package extract

import (
	"strings"

	"github.com/RadhiFadlillah/whatlanggo"

	"briefbot/summarize"
)

// detectLanguage decides the language of an article from its text; hint
// (the page's lang attribute or metadata) decides only when the text does
// not: pages built from one template carry one attribute whatever the
// language of the article in them. It returns an ISO 639-1 code, or "".
func detectLanguage(blocks []summarize.Block, hint string) string {
	var b strings.Builder
	for _, bl := range blocks {
		if b.Len() >= langSample {
			break
		}
		if bl.Heading {
			continue
		}
		b.WriteString(bl.Text)
		b.WriteByte('\n')
	}
	info := whatlanggo.Detect(b.String())
	code := info.Lang.Iso6391()
	switch {
	case code == "":
		return hint
	case info.IsReliable(), hint == "":
		return code
	case code == hint:
		return hint
	case info.Confidence >= langConfident:
		return code
	}
	return hint
}

// langConfident is the whatlanggo confidence above which the text
// overrules the page's attribute even when the guess is not "reliable"
// (whatlanggo calls a guess reliable only well above it on short texts).
const langConfident = 0.5
