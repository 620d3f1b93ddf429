package discordtext

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"unicode/utf16"
	"unicode/utf8"
)

// refLen counts UTF-16 code units the slow way, an invalid byte as one.
func refLen(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// TestLen: Len counts UTF-16 code units, an invalid byte as one.
func TestLen(t *testing.T) {
	for _, s := range append(slices.Clone(hostile), "", "abcdefgh", "abcdefghi📰", "📰abcdefghijklmnop", "abcdefg\xffhijklmnop", "\xf0\x9f") {
		if got, want := Len(s), refLen(s); got != want {
			t.Errorf("Len(%q) = %d; want %d", s, got, want)
		}
	}
	if err := quick.Check(func(s string) bool { return Len(s) == refLen(s) }, nil); err != nil {
		t.Error(err)
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		in         string
		n          int
		head, tail string
	}{
		{"hello", 10, "hello", ""},
		{"hello", 5, "hello", ""},
		{"hello", 2, "he", "llo"},
		{"hello", 0, "", "hello"},
		{"📰📰", 3, "📰", "📰"}, // a surrogate pair is not split
		{"é📰", 2, "é", "📰"},
		{"a\xffb", 2, "a\xff", "b"},
		{"", 3, "", ""},
	} {
		head, tail := Cut(tc.in, tc.n)
		if head != tc.head || tail != tc.tail {
			t.Errorf("Cut(%q, %d) = %q, %q; want %q, %q", tc.in, tc.n, head, tail, tc.head, tc.tail)
		}
	}
	// The head is the longest prefix that fits, cut at a character.
	check := func(s string, n uint8) bool {
		head, tail := Cut(s, int(n))
		if head+tail != s || Len(head) > int(n) {
			return false
		}
		if tail == "" {
			return true
		}
		r, size := utf8.DecodeRuneInString(tail)
		return Len(head)+utf16.RuneLen(r) > int(n) && (r != utf8.RuneError || size == 1)
	}
	if err := quick.Check(check, nil); err != nil {
		t.Error(err)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"hello world", 8, "hello w…"},
		{"hello world", 7, "hello…"},
		{`ab\\\*cd`, 5, `ab\\…`},
		{"📰📰📰", 4, "📰…"},
		{`x\<` + zw + "@1>", 4, "x…"},
		{"ab @" + zw + "everyone", 5, "ab…"},
		{"anything", 1, "…"},
		{"anything", 0, ""},
	} {
		got := Truncate(tc.in, tc.limit)
		if got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q; want %q", tc.in, tc.limit, got, tc.want)
		}
		if n := Len(got); n > tc.limit {
			t.Errorf("Truncate(%q, %d) is %d long", tc.in, tc.limit, n)
		}
	}
}

// TestTruncateEscaped: cutting escaped text anywhere leaves it inert and
// within the limit.
func TestTruncateEscaped(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		e := Escape(randHostile(r, 12))
		for limit := range Len(e) + 2 {
			got := Truncate(e, limit)
			if n := Len(got); n > limit {
				t.Fatalf("Truncate(%q, %d) = %q is %d long", e, limit, got, n)
			}
			if what := inert(got); what != "" {
				t.Fatalf("Truncate(%q, %d) = %q holds %s", e, limit, got, what)
			}
			if autolinks(got) {
				t.Fatalf("Truncate(%q, %d) = %q holds an autolink", e, limit, got)
			}
		}
	}
}

func TestEscapeTruncate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"plain", 10, "plain"},
		{"**bold** text", 10, `\*\*bold…`}, // not a lone backslash
		{"@everyone now", 3, "@" + zw + "…"},
		{"a\n\n\nb", 10, "a b"},
		{strings.Repeat("word ", 1000), 12, "word word w…"},
		{strings.Repeat(" ", 5000) + "tail", 10, "…"},
	} {
		got := EscapeTruncate(tc.in, tc.limit)
		if got != tc.want {
			t.Errorf("EscapeTruncate(%q, %d) = %q; want %q", tc.in, tc.limit, got, tc.want)
		}
	}
	// On text without long runs of white space it is exactly
	// Truncate(Escape(s), limit), however long s is.
	r := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		var b strings.Builder
		for b.Len() < 3000 {
			b.WriteString(randHostile(r, 4))
			b.WriteString(strings.Repeat("x", r.IntN(50)))
		}
		s := b.String()
		limit := 1 + r.IntN(300)
		if got, want := EscapeTruncate(s, limit), Truncate(Escape(s), limit); got != want {
			t.Fatalf("EscapeTruncate(%q, %d) = %q; want %q", s, limit, got, want)
		}
	}
}
