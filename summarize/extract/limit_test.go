package extract

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"briefbot/summarize"
	"briefbot/summarize/corpustest"
)

func TestStripMarkup(t *testing.T) {
	tests := []struct {
		name, in, want string
		elements, text int
	}{
		{"nothing to drop", "<p>Hello <b>world</b></p>", "<p>Hello <b>world</b></p>", 2, 11},
		{"script contents", "<p>a</p><script>var x = '<p>no</p>';</script><p>b</p>", "<p>a</p><script></script><p>b</p>", 3, 2},
		{"style and comment", "<STYLE>p{}</STYLE><!-- note --><P>a</P>", "<STYLE></STYLE><P>a</P>", 2, 1},
		{"JSON-LD kept", `<script type="application/ld+json">{"a":1}</script><script type=module>x()</script>`,
			`<script type="application/ld+json">{"a":1}</script><script type=module></script>`, 2, 7},
		{"unclosed script", "<p>a</p><script>endless", "<p>a</p><script>", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, elements, text := stripMarkup([]byte(tt.in))
			if string(out) != tt.want || elements != tt.elements || text != tt.text {
				t.Errorf("stripMarkup(%q) = %q, %d elements, %d text; want %q, %d, %d", tt.in, out, elements, text, tt.want, tt.elements, tt.text)
			}
		})
	}
}

// TestStripMarkupSameText: on every corpus page, the stripped markup
// parses to the same text outside scripts and styles as the page.
func TestStripMarkupSameText(t *testing.T) {
	pages := corpustest.Load(t, true)
	for _, pg := range pages {
		out, _, _ := stripMarkup(pg.HTML)
		if len(out) >= len(pg.HTML) && strings.Contains(string(pg.HTML), "<script") {
			t.Errorf("%s: nothing stripped from a page with scripts", pg.ID)
		}
		if a, b := visibleText(t, pg.HTML), visibleText(t, out); a != b {
			t.Errorf("%s: text differs after stripping (%d bytes, want %d)", pg.ID, len(b), len(a))
		}
	}
}

func visibleText(t *testing.T, page []byte) string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return b.String()
}

func TestExtractTooLarge(t *testing.T) {
	para := "<p>" + strings.Repeat("The talks went on. ", maxExtractText/19+1) + "</p>"
	cells := "<table>" + strings.Repeat("<tr><td>1</td></tr>", maxExtractElements/2+1) + "</table>"
	script := "<script>" + strings.Repeat("x", 4*maxExtractText) + "</script>"
	article := "<article><h1>Talks</h1><p>" + strings.Repeat("The parties agreed to meet again. ", 20) + "</p></article>"
	tests := []struct {
		name, page, contentType string
		tooLarge                bool
	}{
		{"one huge paragraph", para, "text/html", true},
		{"too many elements", cells, "text/html", true},
		{"huge plain text", strings.Repeat("The talks went on.\n\n", maxExtractText/20+1), "text/plain", true},
		{"article in a page of scripts", "<html><body>" + article + script + "</body></html>", "text/html", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Document([]byte(tt.page), "https://news.example/a", tt.contentType)
			var tl *summarize.TooLargeError
			if tt.tooLarge {
				if !errors.Is(err, summarize.ErrTooLarge) || !errors.As(err, &tl) || tl.Size != int64(len(tt.page)) || tl.Reason == "" {
					t.Fatalf("Extract = %v; want a *TooLargeError of %d bytes with a reason", err, len(tt.page))
				}
				return
			}
			if err != nil {
				t.Fatalf("Extract = %v", err)
			}
			if !strings.Contains(doc.Text, "agreed to meet again") {
				t.Errorf("Extract text = %q; want the article", doc.Text)
			}
		})
	}
}
