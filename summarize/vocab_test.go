package summarize

import (
	"slices"
	"strings"
	"testing"
)

// TestVocabularyWellFormed checks what SynonymGroups promises its callers:
// lower-case entries of letters and digits separated by single spaces, no
// entry in two groups, and canonical phrases whose words map to
// themselves (so a caller that splits a canonical phrase into words and
// looks them up again gets the same words).
func TestVocabularyWellFormed(t *testing.T) {
	group := map[string]int{}
	for i, g := range vocabulary {
		if len(g.strict) == 0 {
			t.Fatalf("vocabulary[%d] = %q; want a canonical form first", i, g.loose)
		}
		for _, e := range slices.Concat(g.strict, g.loose) {
			if e != strings.Join(strings.Fields(e), " ") || e != strings.ToLower(e) ||
				strings.ContainsFunc(e, func(r rune) bool { return r != ' ' && !('a' <= r && r <= 'z') && !('0' <= r && r <= '9') }) {
				t.Errorf("entry %q; want lower-case words of letters and digits separated by single spaces", e)
			}
			if j, ok := group[e]; ok {
				t.Errorf("entry %q is in groups %q and %q; want one", e, vocabulary[j].strict[0], g.strict[0])
			}
			group[e] = i
		}
	}
	for _, g := range vocabulary {
		for _, w := range strings.Fields(g.strict[0]) {
			if c := CanonicalTerm(w); c != w {
				t.Errorf("CanonicalTerm(%q) = %q; want %q, a word of the canonical %q", w, c, w, g.strict[0])
			}
		}
	}
}

func TestCanonicalTerm(t *testing.T) {
	tests := []struct{ term, want string }{
		{"truce", "ceasefire"},
		{"ceasefire", "ceasefire"},
		{"cease fire", "ceasefire"},
		{"strike", "attack"},
		{"meeting", "talk"},
		{"discussion", "talk"}, // loose
		{"stop", "pause"},      // loose
		{"prisoner of war", "prisoner"},
		{"power station", "energy infrastructure"},
		{"mobilisation", "mobilization"},
		{"kyiv", "kyiv"},       // a party name, not a synonym
		{"strikes", "strikes"}, // looked up as given: callers fold plurals
		{"Truce", "Truce"},
		{"cease  fire", "cease  fire"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CanonicalTerm(tt.term); got != tt.want {
			t.Errorf("CanonicalTerm(%q) = %q; want %q", tt.term, got, tt.want)
		}
	}
}

func TestSynonymGroups(t *testing.T) {
	groups := SynonymGroups()
	in := map[string][]string{}
	for _, g := range groups {
		if len(g) < 2 {
			t.Errorf("SynonymGroups() has %q; want only groups of two or more", g)
		}
		for _, e := range g {
			in[e] = g
			if c := CanonicalTerm(e); c != g[0] {
				t.Errorf("CanonicalTerm(%q) = %q; want %q, the first entry of its group %q", e, c, g[0], g)
			}
		}
	}
	for _, tt := range []struct {
		term  string
		group []string // nil: in no group
	}{
		{"truce", []string{"ceasefire", "truce", "armistice", "cease fire"}},
		{"assistance", []string{"aid", "assistance"}},
		{"stop", nil},          // loose: not searched for
		{"discussion", nil},    // loose
		{"power station", nil}, // loose, and its group has no strict synonym
		{"energy infrastructure", nil},
		{"demand", nil},
	} {
		if got := in[tt.term]; !slices.Equal(got, tt.group) {
			t.Errorf("SynonymGroups() group of %q = %q; want %q", tt.term, got, tt.group)
		}
	}
	groups[0][0] = "changed"
	if again := SynonymGroups(); again[0][0] == "changed" {
		t.Errorf("SynonymGroups() returned the table itself; want a copy")
	}
}

func TestSynonymPhrases(t *testing.T) {
	got := SynonymPhrases()
	for _, want := range []string{"cease fire", "prisoner of war", "power plant", "power station", "power grid"} {
		if !slices.Contains(got, want) {
			t.Errorf("SynonymPhrases() = %q; want it to contain %q", got, want)
		}
	}
	for _, p := range got {
		if !strings.Contains(p, " ") || CanonicalTerm(p) == p {
			t.Errorf("SynonymPhrases() has %q; want only phrases that are not canonical", p)
		}
	}
}
