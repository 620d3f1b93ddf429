package discordtext

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"
)

const zw = ZeroWidthSpace

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain text, 42.", "plain text, 42."},
		{"@everyone look", "@" + zw + "everyone look"},
		{"hi @HERE", "hi @" + zw + "HERE"},
		{"@Everyone@here", "@" + zw + "Everyone@" + zw + "here"},
		{"mail a@b.example or @nytimes", "mail a@b.example or @nytimes"},
		{"ends with @", "ends with @" + zw},
		{"@", "@" + zw},
		{"@\u200beveryone", "@" + zw + "everyone"},
		{"<@123456789012345678>", `\<` + zw + "@123456789012345678>"},
		{"<@&42> <#7> <t:1700000000:F> <:pog:1>", `\<` + zw + `@&42> \<` + zw + `#7> \<` + zw + `t:1700000000:F> \<` + zw + ":pog:1>"},
		{"trailing <", `trailing \<` + zw},
		{"[click](https://evil.example)", `\[click\](https\://evil.example)`},
		{"see https://x.example/a_b", `see https\://x.example/a\_b`},
		{"a:b and 12:30", "a:b and 12:30"},
		{"**bold** __u__ ~~s~~ ||spoiler|| `code`", `\*\*bold\*\* \_\_u\_\_ \~\~s\~\~ \|\|spoiler\|\| \` + "`code\\`"},
		{"# heading", `\# heading`},
		{"> quote", `\> quote`},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"-# small", `\-# small`},
		{"x > y - z # 1", "x > y - z # 1"},
		{"12. item", `12\. item`},
		{"1.5 million", "1.5 million"},
		{"Trump-Putin", "Trump-Putin"},
		{`C:\path`, `C:\\path`},
		{"a\nb\r\n\tc  d", "a b c d"},
		{"\n# after a line break", `\# after a line break`},
		{"line\u2028sep\u0085nel", "line sep nel"},
		{"\u202eevil\u200b", "evil"},
		{"  trim  ", "trim"},
		{"bad\xffbyte", "badbyte"},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  a \t\n b\r\n\v\fc  ", "a b c"},
		{"no\u00a0break\u2003em\u202fnarrow\u3000ideographic\u1680ogham", "no break em narrow ideographic ogham"},
		{"line\u2028para\u2029next\u0085nel", "line para next nel"},
		{"bell\a esc\x1b del\x7f c1\u009b", "bell esc del c1"},
		{"zero\u200bwidth\u200c\u200d\u2060joiners\ufeff", "zerowidthjoiners"},
		{"\u202ebidi\u202c \u2066iso\u2069 \u200fmark", "bidi iso mark"},
		{"soft\u00adhyphen", "softhyphen"},
		{"tag\U000E0041\U000E007Fs", "tags"},
		{"invalid\xff\xfe bytes \ufffd", "invalid bytes"},
		{"日本語 📰", "日本語 📰"},
	} {
		if got := Clean(tc.in); got != tc.want {
			t.Errorf("Clean(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// hostile pieces the property tests build texts from.
var hostile = []string{
	"@everyone", "@here", "@EVERYONE", "@", "<@123456789012345678>", "<@&1>", "<#2>", "<t:1:F>", "<", ">",
	"[x](https://evil.example)", "**", "__", "~~", "||", "```", "`", "> ", "# ", "- ", "+ ", "1. ", "12.",
	"\n", "\r\n", "\t", "\u00a0", "\u2028", "\u0085", "\\", "\\\\", "https://a.example/x", "://", ":",
	"📰", "✅", "⚠️", "é", "\u0301", "\u202e", "\u200b", "\xff", "日本語", "ﷺ", "\U0001F3F3\uFE0F\u200D\U0001F308",
	"everyone", "here", "word", "a@b.example",
}

// randHostile joins up to n pieces of hostile text, with or without a
// space between them.
func randHostile(r *rand.Rand, n int) string {
	var b strings.Builder
	for range r.IntN(n + 1) {
		b.WriteString(hostile[r.IntN(len(hostile))])
		if r.IntN(2) == 0 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// inert returns what in s Discord would read as more than plain text on
// one line (a line break, a ping, a mention, unescaped markdown), or ""
// when s is inert.
func inert(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.ContainsAny(s, "\n\r"):
		return "a line break"
	case strings.Contains(lower, "@everyone"), strings.Contains(lower, "@here"):
		return "a ping"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			i++ // an escape pair
			continue
		}
		if strings.IndexByte("*_~`|[]<", c) >= 0 {
			return "an unescaped " + string(c)
		}
		if c == '@' && strings.HasSuffix(s[:i], "\\<") && !strings.HasPrefix(s[i:], zw) {
			return "a mention"
		}
	}
	for i := strings.Index(s, "\\<"); i >= 0; {
		if rest := s[i+2:]; rest != "" && !strings.HasPrefix(rest, zw) {
			return "\\< without a zero-width space"
		}
		j := strings.Index(s[i+2:], "\\<")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return ""
}

// autolinks reports whether s holds a "://" whose colon is not escaped.
func autolinks(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.HasPrefix(s[i:], "://") {
			continue
		}
		backslashes := len(s[:i]) - len(strings.TrimRight(s[:i], "\\"))
		if backslashes%2 == 0 {
			return true
		}
	}
	return false
}

// TestEscapeInert: escaped text reads as plain text in Discord, and so do
// two escaped texts joined: an "@" ending one cannot ping with "everyone"
// starting the other. (A URL's "://" is broken only within one text.)
func TestEscapeInert(t *testing.T) {
	check := func(a, b string) bool {
		return inert(Escape(a)+Escape(b)) == "" && !autolinks(Escape(a))
	}
	for _, a := range hostile {
		for _, b := range hostile {
			if !check(a, b) {
				t.Errorf("Escape(%q)+Escape(%q) = %q holds %s", a, b, Escape(a)+Escape(b), inert(Escape(a)+Escape(b)))
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a, b := randHostile(r, 8), randHostile(r, 8)
		if !check(a, b) {
			t.Errorf("Escape(%q)+Escape(%q) = %q holds %s", a, b, Escape(a)+Escape(b), inert(Escape(a)+Escape(b)))
		}
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// unescapeTest undoes Escape: it drops zero-width spaces and the
// backslash of each escape pair.
func unescapeTest(s string) string {
	s = strings.ReplaceAll(s, zw, "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestEscapeKeepsText: Escape only adds escapes to the cleaned text.
func TestEscapeKeepsText(t *testing.T) {
	check := func(s string) bool { return unescapeTest(Escape(s)) == Clean(s) }
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		if s := randHostile(r, 10); !check(s) {
			t.Errorf("unescape(Escape(%q)) = %q; want %q", s, unescapeTest(Escape(s)), Clean(s))
		}
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// TestPlainText: Escape's fast path is taken only for text escaping would
// leave unchanged, and is taken for ordinary prose.
func TestPlainText(t *testing.T) {
	for _, s := range []string{
		"Putin agreed to a 30-day pause, the Kremlin said.",
		"Zelensky: “We will not accept it” — officials in Kyiv (Ukraine) said 50% won't.",
		"Talks in Jeddah; 1.5 million people. a@b.c and 12:30",
		"日本語のテキスト 📰",
	} {
		if !plainText(s) {
			t.Errorf("plainText(%q) = false; want true", s)
		}
	}
	check := func(s string) bool {
		return !plainText(s) || escapeSlow(s) == s
	}
	extra := []string{"1. x", "12. y", "1.5", "a:b", "x://y", "a@everyone", "a@", "a\u00a0b", "a\ufffdb", "\xff", " a", "a ", "a  b", "#", "+1", "-1"}
	for _, s := range append(slices.Clone(hostile), extra...) {
		for _, in := range []string{s, "x" + s, s + "x", "x " + s + " y"} {
			if !check(in) {
				t.Errorf("plainText(%q) = true but Escape changes it to %q", in, escapeSlow(in))
			}
		}
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

func TestLinkURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://news.example/a/b?c=1#d", "https://news.example/a/b?c=1#d"},
		{"http://news.example/", "http://news.example/"},
		{"https://evil.example/a b<c>", "https://evil.example/a%20b%3Cc%3E"},
		{"https://x.example/\"q\"`t`|p|\\", "https://x.example/%22q%22%60t%60%7Cp%7C%5C"},
		{"https://x.example/café\n\x00", "https://x.example/caf%C3%A9%0A%00"},
		{"https://x.example/%20already", "https://x.example/%20already"},
		{"javascript:alert(1)", ""},
		{"ftp://x.example/", ""},
		{" https://x.example/", ""},
		{"", ""},
	} {
		if got := LinkURL(tc.in); got != tc.want {
			t.Errorf("LinkURL(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
