package extract

import "briefbot/summarize"
import "testing"

func TestDetectLanguage(t *testing.T) {
	para := func(s string) []summarize.Block { return []summarize.Block{{Heading: true, Text: "Titel"}, {Text: s}} }
	de := "Die Bundesregierung hat am Mittwoch beschlossen, die Förderung für Elektroautos zu verlängern. " +
		"Die Opposition kritisierte den Beschluss als zu spät und forderte mehr Geld für den Nahverkehr."
	en := "The government decided on Wednesday to extend support for electric cars. The opposition " +
		"criticised the decision as too late and called for more money for public transport."
	for _, tt := range []struct {
		name   string
		blocks []summarize.Block
		hint   string
		want   string
	}{
		{"german text under lang=en", para(de), "en", "de"},
		{"english text under lang=de", para(en), "de", "en"},
		{"text without hint", para(en), "", "en"},
		{"no text keeps the hint", nil, "pt", "pt"},
		{"too little text keeps the hint", para("Ok."), "it", "it"},
	} {
		if got := detectLanguage(tt.blocks, tt.hint); got != tt.want {
			t.Errorf("%s: detectLanguage(…, %q) = %q; want %q", tt.name, tt.hint, got, tt.want)
		}
	}
}
