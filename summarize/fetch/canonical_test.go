package fetch

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"briefbot/summarize"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://example.com", "https://example.com/"},
		{"https://example.com/", "https://example.com/"},
		{"  <https://example.com/a>  ", "https://example.com/a"},
		{"example.com/a", "https://example.com/a"},
		{"example.com", "https://example.com/"},
		{"//example.com/a", "https://example.com/a"},
		{"example.com:8080/a", "https://example.com:8080/a"},
		{"localhost:8080", "https://localhost:8080/"},
		{"HTTPS://EXAMPLE.COM/Path/To", "https://example.com/Path/To"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"http://example.com:443/a", "http://example.com:443/a"},
		{"https://example.com:08080/a", "https://example.com:8080/a"},
		{"https://example.com:/a", "https://example.com/a"},
		{"https://example.com/a#section-2", "https://example.com/a"},
		{"https://example.com/a?#x", "https://example.com/a"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://example.com/a?&&", "https://example.com/a"},
		{"https://example.com/a?utm_source=x&utm_medium=y&id=3", "https://example.com/a?id=3"},
		{"https://example.com/a?UTM_Campaign=x&id=3", "https://example.com/a?id=3"},
		{"https://example.com/a?fbclid=abc", "https://example.com/a"},
		{"https://example.com/a?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&igshid=6&yclid=7&_hsenc=8&_hsmi=9&ref_src=10&spm=11", "https://example.com/a"},
		{"https://example.com/a?utm%5Fsource=x&b=1", "https://example.com/a?b=1"},
		{"https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"},
		{"https://example.com/a?tag=z&id=1&tag=a", "https://example.com/a?id=1&tag=z&tag=a"},
		{"https://example.com/a?ref=main&source=rss", "https://example.com/a?ref=main&source=rss"},
		{"https://example.com/a?flag&x=", "https://example.com/a?flag&x="},
		{"https://example.com/a?q=a+b&r=%2f%3d", "https://example.com/a?q=a+b&r=%2F%3D"},
		{"https://example.com/a?q=%7e%41", "https://example.com/a?q=~A"},
		{"https://example.com//a///b/", "https://example.com/a/b/"},
		{"https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"https://example.com/a/b/..", "https://example.com/a/"},
		{"https://example.com/../../a", "https://example.com/a"},
		{"https://example.com/a/%2e%2E/b", "https://example.com/b"},
		{"https://example.com/a%2fb", "https://example.com/a%2Fb"},
		{"https://example.com/%7Euser/%41", "https://example.com/~user/A"},
		{"https://example.com/a b", "https://example.com/a%20b"},
		{"https://example.com/ünï", "https://example.com/%C3%BCn%C3%AF"},
		{"https://example.com/wiki/Fish_(food)", "https://example.com/wiki/Fish_(food)"},
		{"https://bücher.example/a", "https://xn--bcher-kva.example/a"},
		{"https://BÜCHER.example/a", "https://xn--bcher-kva.example/a"},
		{"https://xn--bcher-kva.example/a", "https://xn--bcher-kva.example/a"},
		{"https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"},
		{"https://example.com./a", "https://example.com/a"},
		{"https://my_site.example/a", "https://my_site.example/a"},
		{"https:example.com/a", "https://example.com/a"},
		{"https:\\\\example.com\\a\\b?x=\\", "https://example.com/a/b?x=%5C"},
		{"https://exa\nmple.com/a", "https://example.com/a"},
		{"http://0x7f.1/", "http://127.0.0.1/"},
		{"http://2130706433/", "http://127.0.0.1/"},
		{"http://１２７.０.０.１/", "http://127.0.0.1/"},
		{"http://[::FFFF:127.0.0.1]/", "http://[::ffff:127.0.0.1]/"},
		{"http://[2001:DB8:0:0::1]:8080/", "http://[2001:db8::1]:8080/"},
		{"http://[fe80::1%25eth0]/", "http://[fe80::1%25eth0]/"},
	}
	for _, tt := range tests {
		got, err := Canonicalize(tt.in)
		if err != nil {
			t.Errorf("Canonicalize(%q) error %v; want %q", tt.in, err, tt.want)
			continue
		}
		if got != tt.want {
			t.Errorf("Canonicalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
		again, err := Canonicalize(got)
		if err != nil || again != got {
			t.Errorf("Canonicalize(%q) = %q, %v; want it unchanged (idempotent)", got, again, err)
		}
	}
}

func TestCanonicalizeSameKey(t *testing.T) {
	groups := [][]string{
		{"https://a.com", "https://a.com/", "HTTPS://A.COM:443", "a.com", "<https://a.com/#top>", "https://a.com/?utm_source=x"},
		{"https://news.example/story?id=7&page=2", "https://news.example/story?page=2&id=7&utm_campaign=z", "news.example/story?page=2&fbclid=1&id=7#comments"},
	}
	for _, g := range groups {
		want, err := Canonicalize(g[0])
		if err != nil {
			t.Fatalf("Canonicalize(%q): %v", g[0], err)
		}
		for _, in := range g[1:] {
			if got, err := Canonicalize(in); err != nil || got != want {
				t.Errorf("Canonicalize(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"<>",
		"file:///etc/passwd",
		"ftp://example.com/a",
		"gopher://example.com:70/",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,<b>x</b>",
		"mailto:someone@example.com",
		"ws://example.com/",
		"https://user:pass@example.com/",
		"https://user@example.com/",
		"https://@example.com/",
		"https:///",
		"https://exa mple.com/",
		"https://example.com:99999/",
		"https://example.com:0/",
		"https://example.com:http/",
		"https://example..com/",
		"https://.example.com/",
		"https://ex%2Fample.com/",
		"https://ex<ample.com/",
		"http://1.2.3.256/",
		"http://0x100000000/",
		"http://08.0.0.1/",
		"http://[::1/",
		"http://[1.2.3.4]/",
		"http://[fe80::1%25e%2Fth0]/",
		"https://example.com/%zz",
		"https://example.com/a\x00b",
		"https://" + strings.Repeat("a.", 130) + "com/",
	} {
		got, err := Canonicalize(in)
		if err == nil {
			t.Errorf("Canonicalize(%q) = %q; want an error", in, got)
			continue
		}
		if !errors.Is(err, summarize.ErrBadURL) {
			t.Errorf("Canonicalize(%q) error %v; want ErrBadURL", in, err)
		}
		if !strings.HasPrefix(err.Error(), "summarize: ") {
			t.Errorf("Canonicalize(%q) error %q; want the summarize: prefix", in, err)
		}
	}
}

func TestFindURLs(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		limit   int
		want    []string
		skipped int
	}{
		{"none", "no links here, just example.com text", 0, nil, 0},
		{"one", "read https://a.example/x please", 0, []string{"https://a.example/x"}, 0},
		{"order", "https://b.example/1 then http://a.example/2", 0, []string{"https://b.example/1", "http://a.example/2"}, 0},
		{"sentence end", "See https://a.example/x.", 0, []string{"https://a.example/x"}, 0},
		{"comma and colon", "https://a.example/x, https://b.example/y: both", 0, []string{"https://a.example/x", "https://b.example/y"}, 0},
		{"question", "did you see https://a.example/x?", 0, []string{"https://a.example/x"}, 0},
		{"query kept", "https://a.example/x?id=3 ok", 0, []string{"https://a.example/x?id=3"}, 0},
		{"parenthesised", "(see https://a.example/x)", 0, []string{"https://a.example/x"}, 0},
		{"parenthesised then dot", "(see https://a.example/x).", 0, []string{"https://a.example/x"}, 0},
		{"wikipedia", "https://en.wikipedia.org/wiki/Fish_(food) is good", 0, []string{"https://en.wikipedia.org/wiki/Fish_(food)"}, 0},
		{"wikipedia in parens", "(https://en.wikipedia.org/wiki/Fish_(food))", 0, []string{"https://en.wikipedia.org/wiki/Fish_(food)"}, 0},
		{"markdown link", "[story](https://a.example/x)", 0, []string{"https://a.example/x"}, 0},
		{"suppressed embed", "look <https://a.example/x> now", 0, []string{"https://a.example/x"}, 0},
		{"spoiler and bold", "||https://a.example/x|| **https://b.example/y**", 0, []string{"https://a.example/x", "https://b.example/y"}, 0},
		{"quoted", `"https://a.example/x"`, 0, []string{"https://a.example/x"}, 0},
		{"code span", "`https://a.example/x` but https://b.example/y", 0, []string{"https://b.example/y"}, 0},
		{"code block", "```\ncurl https://a.example/x\n```\nhttps://b.example/y", 0, []string{"https://b.example/y"}, 0},
		{"double backtick span", "``a ` https://a.example/x`` https://b.example/y", 0, []string{"https://b.example/y"}, 0},
		{"unclosed backtick", "` https://a.example/x", 0, []string{"https://a.example/x"}, 0},
		{"dedup canonical", "https://a.example/x https://A.example/x?utm_source=t https://a.example/x#c", 0, []string{"https://a.example/x"}, 0},
		{"limit", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/2", 2, []string{"https://a.example/1", "https://a.example/2"}, 1},
		{"limit counts distinct", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4 https://a.example/3", 1, []string{"https://a.example/1"}, 3},
		{"word prefix", "xhttps://a.example/x", 0, nil, 0},
		{"upper scheme", "HTTPS://A.EXAMPLE/x", 0, []string{"HTTPS://A.EXAMPLE/x"}, 0},
		{"bare scheme", "https:// nothing", 0, nil, 0},
		{"not web", "ftp://a.example/x javascript:alert(1)", 0, nil, 0},
		{"newline separated", "https://a.example/x\nhttps://b.example/y", 0, []string{"https://a.example/x", "https://b.example/y"}, 0},
		{"after CJK text", "请看https://a.example/x 。", 0, []string{"https://a.example/x"}, 0},
		{"unicode path", "voir https://a.example/été !", 0, []string{"https://a.example/été"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, skipped := FindURLs(tt.text, tt.limit)
			if !slices.Equal(got, tt.want) || skipped != tt.skipped {
				t.Errorf("FindURLs(%q, %d) = %q, %d; want %q, %d", tt.text, tt.limit, got, skipped, tt.want, tt.skipped)
			}
		})
	}
}

var canonicalSeeds = []string{
	"https://example.com",
	"example.com/a?b=1&a=2#f",
	"HTTP://EXAMPLE.COM:80//a/./b/../c/?utm_source=x&z=%7e",
	"https://bücher.example/straße",
	"http://0x7f.1/",
	"http://[::ffff:127.0.0.1]:8080/",
	"http://[fe80::1%25eth0]/",
	"https:\\\\example.com\\a",
	"<https://example.com/x>",
	"https://example.com/%2e%2e/%2f?q=%zz",
	"javascript:alert(1)",
	"https://user@example.com/",
	"https://example.com/a?&&=&",
	"https://example.com/\xff\xfe",
	"https://xn--zz.example/",
	"https://١٢٣.example/",
	"%80", // a host of one invalid byte once became xn--zn7c, which does not parse back
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Canonicalize(in)
		if err != nil {
			if !errors.Is(err, summarize.ErrBadURL) {
				t.Fatalf("Canonicalize(%q) error %v; want ErrBadURL", in, err)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Canonicalize(%q) = %q; not valid UTF-8", in, got)
		}
		again, err := Canonicalize(got)
		if err != nil || again != got {
			t.Fatalf("Canonicalize(%q) = %q; Canonicalize of that = %q, %v; want the same", in, got, again, err)
		}
	})
}

func FuzzFindURLs(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add("see " + s + " and `https://code.example/x`")
	}
	f.Add("(https://en.wikipedia.org/wiki/Fish_(food)).")
	f.Add("\xe9\xe9\xe9\xe9http://") // invalid UTF-8 once shifted byte offsets
	f.Fuzz(func(t *testing.T, text string) {
		urls, skipped := FindURLs(text, 3)
		if len(urls) > 3 || skipped < 0 {
			t.Fatalf("FindURLs(%q, 3) = %d urls, %d skipped", text, len(urls), skipped)
		}
		seen := map[string]bool{}
		for _, u := range urls {
			c, err := Canonicalize(u)
			if err != nil {
				t.Fatalf("FindURLs(%q) returned %q, which does not canonicalize: %v", text, u, err)
			}
			if seen[c] {
				t.Fatalf("FindURLs(%q) returned %q twice", text, c)
			}
			seen[c] = true
		}
	})
}
