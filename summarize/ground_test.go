package summarize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const grdTestText = "Putin declined to endorse the full 30\u00a0day ceasefire.\n\n" +
	"“Up until recently, we really didn’t have consensus around these two aspects - the energy and " +
	"infrastructure ceasefire and the Black Sea moratorium on firing - and today we got to that place,” " +
	"Witkoff told Fox News’ Hannity program.\n\n" +
	"German Marshall Fund think tank chief Kristine Berzina called the limited ceasefire \"a very small step forward.\"\n\n" +
	"Talks on the nego\u00adtiation   framework\twill\u200b begin in Jeddah. Russia's economy is under pressure.\n\n" +
	"Les négociateurs ont parlé d’un « accord de principe » à Genève.\n\n" +
	"He stands 6′2″ tall, the ﬁrst envoy to do so. The Putin–Trump call ended at 5 p.m.\n\n" +
	"普京同意暂停袭击能源设施。ΟΔΟΣ ΕΙΡΗΝΗΣ. ПУТИН ОТКАЗАЛСЯ."

func TestGroundIndexContains(t *testing.T) {
	idx := NewGroundIndex(grdTestText)
	tests := []struct {
		name  string
		quote string
		want  bool
	}{
		{"exact sentence", "Putin declined to endorse the full 30 day ceasefire.", true},
		{"case folded", "PUTIN DECLINED to endorse", true},
		{"NBSP in text, space in quote", "the full 30 day ceasefire", true},
		{"newline and tabs in quote", "Putin declined\n\tto   endorse", true},
		{"curly text, straight quote and apostrophe", `"Up until recently, we really didn't have consensus`, true},
		{"spaced hyphen in text, em dash in quote", "these two aspects—the energy and infrastructure ceasefire", true},
		{"spaced hyphen in text, spaced en dash in quote", "these two aspects – the energy", true},
		{"en dash in text, hyphen in quote", "The Putin-Trump call", true},
		{"across a closing quote mark", "we got to that place, Witkoff told", true},
		{"possessive with curly apostrophe", "Fox News' Hannity program", true},
		{"straight quotes in text, curly in quote", "called the limited ceasefire “a very small step forward.”", true},
		{"trailing period against closing quote", "a very small step forward.", true},
		{"soft hyphen in text", "negotiation framework will begin", true},
		{"zero-width space in text", "framework will begin in Jeddah", true},
		{"word before possessive", "Russia", true},
		{"guillemets against straight quotes", `d'un "accord de principe" à Genève`, true},
		{"guillemets in quote", "« accord de principe »", true},
		{"primes against straight marks", `He stands 6'2" tall`, true},
		{"ligature in text", "the first envoy", true},
		{"abbreviation", "ended at 5 p.m.", true},
		{"ellipsis character", "Putin declined … ceasefire", true},
		{"three dots", "Up until recently... we got to that place", true},
		{"spaced dots", "Berzina called . . . forward", true},
		{"leading and trailing ellipsis", "…the energy and infrastructure ceasefire…", true},
		{"bracketed ellipsis", "Talks on the negotiation framework [...] in Jeddah", true},
		{"ellipsis fragments out of order", "Witkoff told … Putin declined", false},
		{"ellipsis fragment invented", "Putin declined … to withdraw all troops", false},
		{"ellipsis fragments overlapping", "full 30 day … 30 day ceasefire", false},
		{"Han without word boundaries", "暂停袭击", true},
		{"Greek final sigma", "οδος ειρηνης", true},
		{"Cyrillic case", "Путин отказался", true},
		{"decomposed accent in quote", "Les ne\u0301gociateurs", true},
		{"mid-word fragment", "eas", false},
		{"word suffix", "fire", false},
		{"word prefix", "ceasefir", false},
		{"longer word", "ceasefires", false},
		{"invented quote", "Putin agreed to the full ceasefire", false},
		{"empty", "", false},
		{"only spaces", " \n\t ", false},
		{"only quote marks", `“”"''`, false},
		{"only an ellipsis", "…", false},
		{"only punctuation", " -- ; ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := idx.Contains(tt.quote); got != tt.want {
				t.Errorf("Contains(%q) = %v; want %v (folded %q)", tt.quote, got, tt.want, grdFold(tt.quote))
			}
		})
	}
}

func TestGroundFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Hello\u00a0 World ", "hello world"},
		{"“Quoted,” he said", "quoted, he said"},
		{"didn’t", "didn't"},
		{"‘Pantsirs’", "pantsirs"},
		{"a - b — c", "a-b-c"},
		{"a -- b", "a-b"},
		{"soft\u00adhyphen", "softhyphen"},
		{"dots…", "dots..."},
		{`word"word`, "word word"},
	}
	for _, tt := range tests {
		if got := grdFold(tt.in); got != tt.want {
			t.Errorf("grdFold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestGround(t *testing.T) {
	topics := []Topic{
		{Name: "A", Points: []Point{
			{Quote: "Putin declined to endorse"},
			{Quote: "Putin accepted everything", Grounded: true}, // a stale mark is reset
		}},
		{Name: "B", Points: []Point{
			{Quote: ""},
			{Quote: "Witkoff told Fox News’ Hannity program"},
		}},
	}
	Ground(topics, grdTestText)
	want := [][]bool{{true, false}, {false, true}}
	for i, tp := range topics {
		for j, p := range tp.Points {
			if p.Grounded != want[i][j] {
				t.Errorf("Ground: point %q Grounded = %v; want %v", p.Quote, p.Grounded, want[i][j])
			}
		}
	}
}

func FuzzGround(f *testing.F) {
	f.Add(grdTestText, "Putin declined … ceasefire")
	f.Add("a...b", "a … b")
	f.Add("“x” — ‘y’", "x-y")
	f.Add("\u00ad\u200b'\"", "'")
	f.Add("普京同意", "同意")
	f.Fuzz(func(t *testing.T, text, quote string) {
		idx := NewGroundIndex(text)
		_ = idx.Contains(quote)
		Ground([]Topic{{Points: []Point{{Quote: quote}}}}, text)
		if !utf8.ValidString(text) || strings.IndexFunc(text, func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r)
		}) < 0 {
			return
		}
		// A text always contains itself.
		if !idx.Contains(text) {
			t.Errorf("Contains(%q) on its own text = false; want true (folded %q)", text, grdFold(text))
		}
	})
}

func BenchmarkGround(b *testing.B) {
	text := strings.Repeat(grdTestText+"\n\n", 20)
	quotes := []string{"Putin declined … ceasefire", "the first envoy", "invented words here", "Witkoff told Fox News’ Hannity program"}
	b.ReportAllocs()
	for b.Loop() {
		idx := NewGroundIndex(text)
		for _, q := range quotes {
			idx.Contains(q)
		}
	}
}
