package textnorm

import "testing"

func TestFold(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"  Donald  TRUMP\n", "donald trump"},
		{"“Cease‑fire” — now", `"cease-fire" - now`},
		{"Putin’s", "putin's"},
		{"ÉTATS-UNIS", "états-unis"},
	} {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuotes(t *testing.T) {
	if got, want := NormalizeQuotes("«Oui» – ‘no’"), `"Oui" - 'no'`; got != want {
		t.Errorf("NormalizeQuotes = %q; want %q", got, want)
	}
	if got, want := StripQuotes(" “Deal done.” "), "Deal done."; got != want {
		t.Errorf("StripQuotes = %q; want %q", got, want)
	}
	if got, want := StripQuotes("Putin's"), "Putin's"; got != want {
		t.Errorf("StripQuotes = %q; want %q", got, want)
	}
}

func TestIsStopword(t *testing.T) {
	for _, tt := range []struct {
		lang, w string
		want    bool
	}{
		{"en", "The", true}, {"en", "Moreover", true}, {"en", "ceasefire", false},
		{"de", "über", true}, {"de", "Waffenruhe", false},
		{"fr", "les", true}, {"es", "según", true}, {"it", "della", true}, {"pt", "não", true},
		{"", "which", true}, {"xx", "which", true}, {"it", "the", false},
	} {
		if got := IsStopword(tt.lang, tt.w); got != tt.want {
			t.Errorf("IsStopword(%q, %q) = %v; want %v", tt.lang, tt.w, got, tt.want)
		}
	}
	for _, l := range Languages() {
		if len(stopwords[l]) < 50 {
			t.Errorf("stopwords[%q] has %d words; want a full closed-class list", l, len(stopwords[l]))
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		mark string
		want string
	}{
		{"short", 10, "…", "short"},
		{"one two three four", 12, "…", "one two…"},
		{"one two three four", 12, "", "one two"},
		{"abcdefghij", 4, "", "abcd"},
		{"普京普京普京", 3, "", "普京普"},
		{"one, two three", 6, "…", "one…"},
	}
	for _, tt := range tests {
		if got := Clip(tt.in, tt.n, tt.mark); got != tt.want {
			t.Errorf("Clip(%q, %d, %q) = %q; want %q", tt.in, tt.n, tt.mark, got, tt.want)
		}
	}
}
