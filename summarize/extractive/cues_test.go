package extractive

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// xtrMinReason is the length below which a reason says nothing.
const xtrMinReason = 20

// TestCueRowsHaveReasons enforces issue 9, item 7: every cue row says why
// its phrases signal its class (a linguistic reason, not an article), every
// phrase is a clean lower-case phrase, and no phrase sits in two classes.
// With -v it prints how often each row occurs in the corpus's true texts
// (when ../shared is present): the support the reasons are read against.
func TestCueRowsHaveReasons(t *testing.T) {
	class := map[string]xtrClass{}
	for i, r := range xtrCueRows {
		if len(strings.TrimSpace(r.reason)) < xtrMinReason {
			t.Errorf("cue row %d (%.40s…) has no reason; every row needs a written linguistic reason", i, r.phrases)
		}
		for _, p := range strings.Split(r.phrases, "|") {
			if p == "" || p != strings.ToLower(p) || p != strings.Join(strings.Fields(p), " ") {
				t.Errorf("cue row %d: phrase %q; want a lower-case phrase with single spaces", i, p)
			}
			if c, ok := class[p]; ok && c != r.class {
				t.Errorf("cue %q is in two classes (%d and %d)", p, c, r.class)
			}
			class[p] = r.class
		}
	}
	for p := range xtrCueRules {
		if _, ok := class[p]; !ok {
			t.Errorf("rule for %q, which no cue row holds", p)
		}
	}
	for _, wt := range xtrWordTables {
		if len(strings.TrimSpace(wt.reason)) < xtrMinReason || len(wt.words) == 0 {
			t.Errorf("word table %s: reason %q, %d words; want a written reason and words", wt.name, wt.reason, len(wt.words))
		}
	}
	// Rows fitted to one article are gone for good.
	for _, p := range []string{"got to that place", "no reciprocity", "not abated", "in tatters"} {
		if _, ok := class[p]; ok {
			t.Errorf("cue %q was fitted to the seed article; want it gone", p)
		}
	}
	if !testing.Verbose() {
		return
	}
	dir := filepath.Join(sharedDir(t), "corpus")
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Skipf("corpus: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatalf("ground-truth.json: %v", err)
	}
	var b strings.Builder
	for _, v := range truth {
		b.WriteString(" ")
		for _, tok := range xtrTokenize(v.ArticleBody) {
			b.WriteString(tok.low)
			b.WriteString(" ")
		}
	}
	text := b.String()
	for _, r := range xtrCueRows {
		n := 0
		for _, p := range strings.Split(r.phrases, "|") {
			n += strings.Count(text, " "+p+" ")
		}
		t.Logf("%5d corpus uses: %s", n, r.reason)
	}
}
