package ledger

import (
	"slices"
	"strings"
	"testing"

	"briefbot/summarize"
)

func TestContentWords(t *testing.T) {
	tests := []struct {
		in   string
		want string // sorted, space-separated
	}{
		{"Full temporary ceasefire", "ceasefire"},
		{"30-day truce", "ceasefire"},
		{"Cease-fire", "ceasefire"},
		{"Attacking energy facilities", "attack energy infrastructure"},
		{"Power stations hit", "energy hit infrastructure"},
		{"Strikes on power plants", "attack energy infrastructure"},
		{"Prisoners of war", "prisoner"},
		{"POW swap", "exchange prisoner"},
		{"Negotiating a truce", "ceasefire talk"},
		{"Stopping the strikes", "attack pause"},
		{"Agreed terms", "agree term"},
		{"Kyiv's conditions", "demand ukraine"},
		{"White House and the Kremlin", "russia us"},
		{"U.S. sanctions", "sanction us"},
		{"European Union embargo", "europe sanction"},
		{"Peacekeeping forces", "peacekeeping troop"},
		{"Mobilisation", "mobilization"},
		{"Rearmament", "rearm"},
		{"Update", "update"}, // every word dropped: the plain words remain
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(contentWords(tt.in), " "); got != tt.want {
			t.Errorf("contentWords(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestContentWordsFollowVocabulary: every entry of summarize's vocabulary
// (strict synonyms and phrases), singular or plural, has the content words
// of its group's canonical form, so briefings merge what /topic search
// finds as one; and no merge rule of this package shadows an entry.
func TestContentWordsFollowVocabulary(t *testing.T) {
	entries := summarize.SynonymPhrases()
	for _, g := range summarize.SynonymGroups() {
		entries = append(entries, g...)
	}
	for _, e := range entries {
		want := strings.Join(contentWords(summarize.CanonicalTerm(e)), " ")
		forms := []string{e}
		if !strings.Contains(e, " ") {
			forms = append(forms, e+"s")
		} else {
			first, last := strings.Fields(e), strings.Fields(e)
			first[0] += "s"
			last[len(last)-1] += "s"
			forms = append(forms, strings.Join(first, " "), strings.Join(last, " ")) // "prisoners of war", "power stations"
		}
		for _, f := range forms {
			if got := strings.Join(contentWords(f), " "); got != want {
				t.Errorf("contentWords(%q) = %q; want %q", f, got, want)
			}
		}
		for _, w := range strings.Fields(e) {
			if to, ok := wordForms[w]; ok {
				t.Errorf("wordForms[%q] = %q shadows the vocabulary entry %q", w, to, e)
			}
			if to, ok := partyNames[w]; ok {
				t.Errorf("partyNames[%q] = %q shadows the vocabulary entry %q", w, to, e)
			}
		}
	}
	for from, to := range wordForms {
		if summarize.CanonicalTerm(from) != from {
			t.Errorf("wordForms[%q] = %q; want no vocabulary entry folded as an inflection", from, to)
		}
	}
	for from, to := range partyNames {
		if summarize.CanonicalTerm(from) != from || summarize.CanonicalTerm(to) != to {
			t.Errorf("partyNames[%q] = %q; want neither in the vocabulary", from, to)
		}
	}
	for _, p := range partyPhrases {
		if slices.Contains(entries, p.from) {
			t.Errorf("partyPhrases has %q, an entry of the vocabulary", p.from)
		}
	}
}
