package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"briefbot/summarize"
)

func readExtractFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

func mustExtract(t *testing.T, body []byte, pageURL, contentType string) *summarize.Document {
	t.Helper()
	doc, err := Document(body, pageURL, contentType)
	if err != nil {
		t.Fatalf("Document(%s) error: %v", pageURL, err)
	}
	return doc
}

func headingTexts(doc *summarize.Document) []string {
	var hs []string
	for _, b := range doc.Blocks {
		if b.Heading {
			hs = append(hs, b.Text)
		}
	}
	return hs
}

func TestExtractHTMLStructure(t *testing.T) {
	doc := mustExtract(t, readExtractFixture(t, "headings.html"), "https://coastal-ledger.example/news/harbour-deal?utm_source=feed", "text/html; charset=utf-8")

	wantHeadings := []summarize.Block{
		{Heading: true, Level: 2, Text: "Dredging"},
		{Heading: true, Level: 2, Text: "Mooring fees"},
		{Heading: true, Level: 2, Text: "The ferry pier"},
		{Heading: true, Level: 3, Text: "What happens next"},
	}
	var gotHeadings []summarize.Block
	for _, b := range doc.Blocks {
		if b.Heading {
			gotHeadings = append(gotHeadings, b)
		}
	}
	if len(gotHeadings) != len(wantHeadings) {
		t.Fatalf("Document(headings.html) headings = %+v; want %+v", gotHeadings, wantHeadings)
	}
	for i := range wantHeadings {
		if gotHeadings[i] != wantHeadings[i] {
			t.Errorf("heading %d = %+v; want %+v", i, gotHeadings[i], wantHeadings[i])
		}
	}

	// Order: the lede, then a heading and its paragraphs; list items are
	// paragraphs of their own.
	if first := doc.Blocks[0]; first.Heading || !strings.HasPrefix(first.Text, "The councils of Northport") {
		t.Errorf("first block = %+v; want the lede paragraph", first)
	}
	for _, item := range []string{
		"Fees for visiting yachts stay at last year's level until the group reports.",
		"Fishing boats keep their current berths and their current rates.",
	} {
		if !hasBlock(doc, item) {
			t.Errorf("Document(headings.html) has no paragraph %q", item)
		}
	}
	// The title (kept in Title), byline, related links, navigation and
	// footer are not main text.
	for _, junk := range []string{"By Mara Quint", "Lifeboat crew", "All rights reserved", "Weather"} {
		if strings.Contains(doc.Text, junk) {
			t.Errorf("Document(headings.html).Text contains %q", junk)
		}
	}
	if doc.Blocks[0].Text == doc.Title {
		t.Errorf("title repeated as the first block")
	}
	texts := make([]string, len(doc.Blocks))
	for i, b := range doc.Blocks {
		texts[i] = b.Text
		if b.Text == "" {
			t.Errorf("block %d is empty", i)
		}
	}
	if want := strings.Join(texts, "\n\n"); doc.Text != want {
		t.Errorf("Text = %q; want the blocks joined by blank lines %q", doc.Text, want)
	}
	if doc.WordCount < 250 || doc.WordCount > 300 {
		t.Errorf("WordCount = %d; want about 270", doc.WordCount)
	}
	if doc.Quality != summarize.QualityFull {
		t.Errorf("Quality = %q; want %q", doc.Quality, summarize.QualityFull)
	}
}

func hasBlock(doc *summarize.Document, text string) bool {
	for _, b := range doc.Blocks {
		if b.Text == text {
			return true
		}
	}
	return false
}

func TestExtractMetadata(t *testing.T) {
	const page = "https://coastal-ledger.example/news/harbour-deal?utm_source=feed"
	doc := mustExtract(t, readExtractFixture(t, "headings.html"), page, "text/html")
	tests := []struct {
		field, got, want string
	}{
		{"URL", doc.URL, page},
		{"Title", doc.Title, "Harbour deal: what the two councils agreed"},
		{"Site", doc.Site, "The Coastal Ledger"},
		{"Author", doc.Author, "Mara Quint"},
		{"Language", doc.Language, "en"},
		// The relative <link rel=canonical> resolved against the page.
		{"Canonical", doc.Canonical, "https://coastal-ledger.example/news/harbour-deal"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Document(headings.html).%s = %q; want %q", tt.field, tt.got, tt.want)
		}
	}
	if want := time.Date(2025, 3, 19, 23, 14, 0, 0, time.UTC); !doc.Published.Equal(want) {
		t.Errorf("Document(headings.html).Published = %v; want %v", doc.Published, want)
	}
}

// nightTrainPage is a page with enough text to be an article, with head markup
// and a language attribute to vary.
func nightTrainPage(head, lang string) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html")
	if lang != "" {
		b.WriteString(` lang="` + lang + `"`)
	}
	b.WriteString("><head><meta charset=utf-8>" + head + "</head><body><article><h1>Night trains return</h1>")
	for i := 0; i < 8; i++ {
		b.WriteString("<p>The night train between the two capitals returns in December after a gap of eleven years, the rail companies of both countries said on Monday, with sleeping cars, a dining car and room for bicycles on every departure.</p>")
	}
	b.WriteString("</article></body></html>")
	return []byte(b.String())
}

func TestExtractMetadataSources(t *testing.T) {
	const page = "https://www.rail-news.example/2025/night-trains"
	tests := []struct {
		name, head, lang string
		want             summarize.Document
	}{
		{
			name: "og:url when there is no canonical link",
			head: `<title>Night trains return</title><meta property="og:url" content="https://rail-news.example/night-trains">`,
			want: summarize.Document{Canonical: "https://rail-news.example/night-trains", Site: "rail-news.example", Title: "Night trains return"},
		},
		{
			name: "canonical link wins over og:url",
			head: `<link rel="canonical" href="https://rail-news.example/a"><meta property="og:url" content="https://rail-news.example/b">`,
			want: summarize.Document{Canonical: "https://rail-news.example/a", Site: "rail-news.example", Title: "Night trains return"},
		},
		{
			name: "no canonical, site from og:site_name, title from og:title",
			head: `<title>Night trains | RN</title><meta property="og:title" content="The night trains are back"><meta property="og:site_name" content="Rail News">`,
			want: summarize.Document{Site: "Rail News", Title: "The night trains are back"},
		},
		{
			name: "canonical that is not http is ignored",
			head: `<link rel="canonical" href="javascript:alert(1)">`,
			want: summarize.Document{Site: "rail-news.example", Title: "Night trains return"},
		},
		{
			// The text decides; the attribute is only a hint (issue 9).
			name: "english text under html lang de-AT",
			lang: "de-AT",
			want: summarize.Document{Site: "rail-news.example", Title: "Night trains return", Language: "en"},
		},
		{
			name: "language guessed from the text without lang",
			want: summarize.Document{Site: "rail-news.example", Title: "Night trains return", Language: "en"},
		},
		{
			name: "date from JSON-LD",
			head: `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2025-11-03T08:00:00+01:00"}</script>`,
			want: summarize.Document{Site: "rail-news.example", Title: "Night trains return", Published: time.Date(2025, 11, 3, 7, 0, 0, 0, time.UTC)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustExtract(t, nightTrainPage(tt.head, tt.lang), page, "text/html")
			if tt.want.Language == "" {
				tt.want.Language = "en"
			}
			if doc.Canonical != tt.want.Canonical {
				t.Errorf("Canonical = %q; want %q", doc.Canonical, tt.want.Canonical)
			}
			if doc.Site != tt.want.Site {
				t.Errorf("Site = %q; want %q", doc.Site, tt.want.Site)
			}
			if doc.Title != tt.want.Title {
				t.Errorf("Title = %q; want %q", doc.Title, tt.want.Title)
			}
			if doc.Language != tt.want.Language {
				t.Errorf("Language = %q; want %q", doc.Language, tt.want.Language)
			}
			if !doc.Published.Equal(tt.want.Published) {
				t.Errorf("Published = %v; want %v", doc.Published, tt.want.Published)
			}
		})
	}
}

func TestExtractPlainText(t *testing.T) {
	doc := mustExtract(t, readExtractFixture(t, "trump-putin-call.txt"), "https://news.cgtn.com/news/trump-putin", "text/plain; charset=utf-8")
	want := []string{
		"Full temporary ceasefire", "Territory", "Energy facility attacks", "Aid",
		"Future talks", "Ukrainian response", "International response",
	}
	if got := headingTexts(doc); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Document(seed) headings = %q; want %q", got, want)
	}
	if doc.Title != "Trump-Putin: What exactly was agreed during phone call?" {
		t.Errorf("Document(seed).Title = %q; want the first line of the article", doc.Title)
	}
	// The consent notice above the article is not main text, and the
	// photo caption printed three times appears once.
	for _, junk := range []string{"By continuing to browse", "I agree", "Cookie Policy"} {
		if strings.Contains(doc.Text, junk) {
			t.Errorf("Document(seed).Text contains %q", junk)
		}
	}
	const caption = "Kremlin spokesman Dmitry Peskov accused Ukraine of not respecting the 30-day moratorium. /Yuri Kochetkov/Pool"
	if n := strings.Count(doc.Text, caption); n != 1 {
		t.Errorf("caption appears %d times; want 1", n)
	}
	if !hasBlock(doc, "Trump had hinted at Ukraine giving up territory, infuriating Kyiv.") {
		t.Errorf("Document(seed) lost a paragraph of the Territory section")
	}
	if doc.Quality != summarize.QualityFull || doc.Language != "en" || doc.Site != "news.cgtn.com" {
		t.Errorf("Document(seed) quality, language, site = %q, %q, %q; want full, en, news.cgtn.com", doc.Quality, doc.Language, doc.Site)
	}
}

func TestSplitParagraphs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One.\n\nTwo.", []string{"One.", "Two."}},
		{"One.\r\n\r\nTwo.\r\n", []string{"One.", "Two."}},
		{"A sentence broken\nin the middle.\n\nNext.", []string{"A sentence broken in the middle.", "Next."}},
		{"Line one.\nLine two.", []string{"Line one.\nLine two."}},
		{"Same line\nSame line\n\n \u00a0\n\nEnd", []string{"Same line", "End"}},
		{"\n\n\n", nil},
	}
	for _, tt := range tests {
		got := splitParagraphs(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("splitParagraphs(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsPlainHeading(t *testing.T) {
	const body = "Putin declined to endorse the full 30-day ceasefire that Trump hoped for."
	tests := []struct {
		p, next string
		want    bool
	}{
		{"Territory", body, true},
		{"Energy facility attacks", body, true},
		{"The Kremlin said so.", body, false},
		{"Territory", "Too short", false},
		{"lower case start", body, false},
		{"Updated 23:14, 19-Mar-2025", body, false},
		{"A heading that goes on and on for far too many words to be any heading at all", body, false},
		{"Two\nlines", body, false},
	}
	for _, tt := range tests {
		if got := isPlainHeading(tt.p, tt.next); got != tt.want {
			t.Errorf("isPlainHeading(%q, %q) = %v; want %v", tt.p, tt.next, got, tt.want)
		}
	}
}

func TestExtractQuality(t *testing.T) {
	seed := readExtractFixture(t, "trump-putin-call.txt")
	tests := []struct {
		name, fixture, contentType string
		body                       []byte
		want                       summarize.Quality
	}{
		{name: "full article", fixture: "headings.html", contentType: "text/html", want: summarize.QualityFull},
		{name: "paywall box and class", fixture: "paywall.html", contentType: "text/html", want: summarize.QualityTeaser},
		{name: "consent wall", fixture: "consent.html", contentType: "text/html", want: summarize.QualityTeaser},
		// A complete short brief is the whole article (issue 9).
		{name: "short real article", fixture: "short.html", contentType: "text/html", want: summarize.QualityFull},
		{name: "plain article with a consent notice", body: seed, contentType: "text/plain", want: summarize.QualityFull},
		{
			name:        "plain consent wall",
			body:        []byte("Our Privacy Statement & Cookie Policy\n\nBy continuing to browse our site you agree to our use of cookies, revised Privacy Policy and Terms of Use. You can change your cookie settings through your browser.\n\nI agree\n\nWorld"),
			contentType: "text/plain",
			want:        summarize.QualityTeaser,
		},
		{
			name:        "not free in structured data",
			body:        nightTrainPage(`<script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":false}</script>`, "en"),
			contentType: "text/html",
			want:        summarize.QualityTeaser,
		},
		{
			name:        "paywall class on a long free article",
			body:        []byte(strings.Replace(string(readExtractFixture(t, "headings.html")), "<main>", `<main><div class="paywall-login-link"></div>`, 1)),
			contentType: "text/html",
			want:        summarize.QualityFull,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if tt.fixture != "" {
				body = readExtractFixture(t, tt.fixture)
			}
			doc := mustExtract(t, body, "https://example.com/a", tt.contentType)
			if doc.Quality != tt.want {
				t.Errorf("Document(%s).Quality = %q (%d words); want %q", tt.name, doc.Quality, doc.WordCount, tt.want)
			}
		})
	}
}

func TestQualitySignals(t *testing.T) {
	tests := []struct {
		s    qualitySignals
		want summarize.Quality
	}{
		{qualitySignals{words: 800}, summarize.QualityFull},
		{qualitySignals{words: 120}, summarize.QualityFull},
		{qualitySignals{words: 120, truncated: true}, summarize.QualityPartial},
		{qualitySignals{words: 30}, summarize.QualityTeaser},
		{qualitySignals{words: 200, paywallText: true}, summarize.QualityTeaser},
		{qualitySignals{words: 900, paywallText: true}, summarize.QualityFull},
		{qualitySignals{words: 200, paywallMarkup: true}, summarize.QualityFull},
		{qualitySignals{words: 200, paywallMarkup: true, truncated: true}, summarize.QualityTeaser},
		{qualitySignals{words: 40, consentWords: 40}, summarize.QualityTeaser},
		{qualitySignals{words: 1000, consentWords: 40}, summarize.QualityFull},
	}
	for _, tt := range tests {
		if got := tt.s.quality(); got != tt.want {
			t.Errorf("%+v.quality() = %q; want %q", tt.s, got, tt.want)
		}
	}
}

func TestCleanBlocks(t *testing.T) {
	prose := "The committee approved the budget on Thursday after a long debate about the cost of the new library and the repairs to the swimming pool."
	blk := func(text string) rawBlock { return rawBlock{Block: summarize.Block{Text: text}} }
	tests := []struct {
		name string
		in   rawBlock
		rule string // ruleNone: kept
	}{
		{"prose", blk(prose), ruleNone},
		{"related link", blk("Related: Ten things to know about the budget"), ruleLead},
		{"read more in capitals", blk("READ MORE Council tax to rise by 5 percent"), ruleLead},
		{"newsletter box", blk("Sign up for our daily newsletter to get the top stories delivered to your inbox."), rulePromo},
		{"credit line", blk("Additional reporting by Jane Roe."), rulePromo},
		{"copyright line", blk("© 2025 The Ledger Ltd"), rulePromo},
		{"contact line", blk("Write to Al Root at al.root@example.com"), ruleContact},
		{"social profile link", blk("twitter.com/janeroe"), ruleURL},
		{"byline", blk("By Jerusalem Post Staff"), ruleByline},
		{"dateline", blk("Published 18 November 2019"), ruleDateline},
		{"dateline with time and name", blk("5:45 AM PST 11/19/2019 by Patrick Shanley"), ruleDateline},
		{"shouted promo", blk("SEE THE PHOTOS OF THE NEW LIBRARY IN OUR GALLERY"), ruleShouting},
		{"link list item", rawBlock{Block: summarize.Block{Text: "Lifeboat crew honoured"}, linkBytes: 22}, ruleLinks},
		{"cookie notice", blk("We use cookies to improve your experience. By continuing to browse you agree to our use of cookies."), ruleConsent},
		{"no words", blk("* * *"), ruleEmpty},
		{"a question in capitals is a subheading", blk("WHO IS THE FRONT-RUNNER IN THE RACE?"), ruleNone},
		{"a table row in capitals", rawBlock{Block: summarize.Block{Text: "HD THE HOME DEPOT INC. 225.86 -12.99 -5.44%"}, row: true}, ruleNone},
		{"a sentence with a year", blk("The plant closed in 2019 and reopened last spring after a change of owner."), ruleNone},
		{"a tweet's attribution", blk("— Rep. Jane Roe (@janeroe) November 19, 2019"), ruleNone},
		{"a word that starts like a label", blk("Shares in the company fell sharply after the report."), ruleNone},
		{"a label joined to a word", blk("Also-rans in the race included two former ministers."), ruleNone},
		{"a name after di", blk("Di Maio spoke for an hour"), ruleNone},
		{"share widget suffix is cut", blk("Growth compounds slowly, then suddenly.Click To Tweet"), ruleNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := []rawBlock{
				blk("The session opened at nine with a minute of silence for the former mayor, who died last week at the age of ninety."),
				tt.in,
				blk("Members then turned to the budget, which the finance committee had sent back twice since the spring."),
			}
			rule := ruleNone
			got := cleanBlocksWhy(blocks, nil, nil, func(b rawBlock, r string) {
				if strings.HasPrefix(tt.in.Text, b.Text) {
					rule = r
				}
			})
			if rule != tt.rule {
				t.Errorf("cleanBlocks dropped %q by rule %q; want %q", tt.in.Text, rule, tt.rule)
			}
			if tt.rule == ruleNone && (len(got) != 3 || strings.Contains(got[1].Text, "Click To Tweet")) {
				t.Errorf("cleanBlocks(%q) kept %+v", tt.in.Text, got)
			}
		})
	}
}

func TestCleanBlocksStructure(t *testing.T) {
	p := func(s string) rawBlock { return rawBlock{Block: summarize.Block{Text: s}} }
	h := func(s string) rawBlock { return rawBlock{Block: summarize.Block{Heading: true, Level: 2, Text: s}} }
	body := "The committee approved the budget on Thursday after a long debate about the new library."
	in := []rawBlock{
		h("Budget approved after long debate"), // the title again
		p(body),
		p(body), // printed twice in a row
		h("Library"),
		p(body + " It opens in May."),
		h("Most read"), h("Story one"), h("Story two"), h("Story three"), // a list of headlines
		p(body + " The pool reopens in June."),
		h("More from the site"), // heads nothing
	}
	got := cleanBlocks(in, []string{"Budget approved after long debate | The Ledger"}, nil)
	var texts []string
	for _, b := range got {
		texts = append(texts, b.Text)
	}
	want := []string{body, "Library", body + " It opens in May.", "Story three", body + " The pool reopens in June."}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("cleanBlocks = %q; want %q", texts, want)
	}
}

func TestChooseBlocks(t *testing.T) {
	para := func(n int) []rawBlock {
		var bs []rawBlock
		for i := 0; i < n; i++ {
			bs = append(bs, rawBlock{Block: summarize.Block{Text: strings.Repeat("word"+string(rune('a'+i%26))+" ", 5) + "sentence number " + strings.Repeat("x", i%7+1) + " ends here."}})
		}
		return bs
	}
	article := para(20)
	junk := []rawBlock{{Block: summarize.Block{Text: "Categories Tags Archives Login Menu Search Home Contact About Services Health Sport Culture Events Gallery Videos Downloads Forms Links Maps"}}}
	tests := []struct {
		name        string
		traf, read  []rawBlock
		listing     bool
		wantReadOne bool
	}{
		{"same text", article, article, false, false},
		{"trafilatura kept boilerplate", append(append([]rawBlock{}, junk...), article...), article, false, true},
		{"trafilatura stopped early", article[:4], article, false, true},
		{"readability took a listing", article[:4], article, true, false},
		{"readability found other text", article, []rawBlock{{Block: summarize.Block{Text: "Other words entirely, about weather and tides and the price of fish at the harbour market."}}}, false, false},
		{"trafilatura found nothing", nil, article, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chooseBlocks(tt.traf, tt.read, tt.listing); got != tt.wantReadOne {
				t.Errorf("chooseBlocks(%d blocks, %d blocks, %v) = %v; want %v", len(tt.traf), len(tt.read), tt.listing, got, tt.wantReadOne)
			}
		})
	}
}

func TestDoubtful(t *testing.T) {
	blk := func(text string, heading bool) rawBlock {
		b := rawBlock{Block: summarize.Block{Text: text, Heading: heading}, words: countWords(text)}
		if heading {
			b.Level = 2
		}
		return b
	}
	sentence := blk("The ferry runs every hour from the old pier to the island, and twice an hour in the summer months.", false)
	many := func(n int, b rawBlock) []rawBlock {
		var bs []rawBlock
		for i := 0; i < n; i++ {
			bs = append(bs, b)
		}
		return bs
	}
	tests := []struct {
		name   string
		blocks []rawBlock
		want   bool
	}{
		{"long prose", many(20, sentence), false},
		{"long prose with headings", append(many(20, sentence), blk("Timetable", true)), false},
		{"few blocks", many(3, sentence), true},
		{"short text", many(10, blk("Short sentence here.", false)), true},
		{"navigation", append(many(20, sentence), many(40, blk("Home News Sport Weather Culture Travel Video Audio Live", false))...), true},
		{"nothing", nil, true},
	}
	for _, tt := range tests {
		if got := doubtful(tt.blocks); got != tt.want {
			t.Errorf("doubtful(%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestIsListing(t *testing.T) {
	share := rawBlock{Block: summarize.Block{Text: "Whatsapp Facebook Pin Download"}}
	item := rawBlock{Block: summarize.Block{Text: "A long message about life and love that goes on for a while."}}
	if !isListing([]rawBlock{item, share, item, share, item, share}) {
		t.Errorf("isListing(items with a share bar each) = false; want true")
	}
	if isListing([]rawBlock{item, share, item}) {
		t.Errorf("isListing(one share bar) = true; want false")
	}
}

func TestContentKind(t *testing.T) {
	tests := []struct {
		body, contentType, want string
	}{
		{"<p>x</p>", "text/html; charset=utf-8", kindHTML},
		{"<p>x</p>", "TEXT/HTML", kindHTML},
		{"<p>x</p>", "application/xhtml+xml", kindHTML},
		{"<p>x</p>", "text/plain", kindPlain},
		{"<!DOCTYPE html><title>x</title>", "", kindHTML},
		{"<!-- generated --><div>x</div>", "", kindHTML},
		{`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>`, "", kindHTML},
		{"Just words.\n\nMore words.", "", kindPlain},
		{"%PDF-1.4 <div>", "", "application/pdf"},
		{"x", "application/pdf", "application/pdf"},
		{"x", "video/mp4; codecs=avc1", "video/mp4"},
	}
	for _, tt := range tests {
		if got := contentKind([]byte(tt.body), tt.contentType); got != tt.want {
			t.Errorf("contentKind(%q, %q) = %q; want %q", tt.body, tt.contentType, got, tt.want)
		}
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name, contentType string
		body              []byte
		wantType          string // NotArticleError.ContentType, "" for none
	}{
		{name: "empty html", contentType: "text/html", body: nil},
		{name: "empty, no type", contentType: "", body: []byte{}},
		{name: "only markup", contentType: "text/html", body: []byte("<html><head><title></title></head><body><div></div></body></html>")},
		{name: "only blank lines", contentType: "text/plain", body: []byte("\n \n\t\n")},
		{name: "pdf by type", contentType: "application/pdf", body: []byte("%PDF-1.4 binary"), wantType: "application/pdf"},
		{name: "pdf by sniffing", contentType: "", body: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"), wantType: "application/pdf"},
		{name: "image", contentType: "image/png; charset=binary", body: []byte("\x89PNG\r\n\x1a\n"), wantType: "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Document(tt.body, "https://example.com/x", tt.contentType)
			if !errors.Is(err, summarize.ErrNotArticle) {
				t.Fatalf("Document(%q) = %+v, %v; want an error wrapping ErrNotArticle", tt.body, doc, err)
			}
			var na *summarize.NotArticleError
			if tt.wantType != "" && (!errors.As(err, &na) || na.ContentType != tt.wantType) {
				t.Errorf("Document(%q) error = %v; want a NotArticleError for %q", tt.body, err, tt.wantType)
			}
		})
	}
}

func TestExtractGarbage(t *testing.T) {
	deep := strings.Repeat("<div>", 20000) + "deep text" + strings.Repeat("</div>", 20000)
	tests := map[string][]byte{
		"angle brackets":  []byte("<<<>>><</>><!--"),
		"invalid utf-8":   []byte("<p>caf\xe9 \xff\xfe ok</p>"),
		"nul bytes":       []byte("<p>a\x00b\x00c</p>"),
		"deep nesting":    []byte(deep),
		"unclosed tags":   []byte("<html><body><p><b><i><table><tr><td>cell"),
		"script only":     []byte("<script>document.write('x')</script>"),
		"entity bomb":     []byte(strings.Repeat("&nGt;", 5000)),
		"plain text only": []byte("just a line of text"),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			for _, ct := range []string{"text/html", "text/plain", ""} {
				doc, err := Document(body, "https://example.com/x", ct)
				if err != nil {
					if !errors.Is(err, summarize.ErrNotArticle) {
						t.Errorf("Document(%s, %q) error = %v; want nil or ErrNotArticle", name, ct, err)
					}
					continue
				}
				checkDocument(t, doc, body)
			}
		})
	}
}

// fuzzSlack is the length output may exceed input by: none, in fact, but
// the promise to callers is "bounded by the input plus a constant".
const fuzzSlack = 16

// checkDocument asserts what any Document from body must satisfy.
func checkDocument(t *testing.T, doc *summarize.Document, body []byte) {
	t.Helper()
	for name, s := range map[string]string{"Text": doc.Text, "Title": doc.Title, "Author": doc.Author, "Site": doc.Site, "Language": doc.Language, "Canonical": doc.Canonical} {
		if !utf8.ValidString(s) {
			t.Errorf("%s = %q is not valid UTF-8", name, s)
		}
	}
	if len(doc.Text) > len(body)+fuzzSlack {
		t.Errorf("len(Text) = %d; want at most len(body)+%d = %d", len(doc.Text), fuzzSlack, len(body)+fuzzSlack)
	}
	if len(doc.Title) > len(body)+fuzzSlack {
		t.Errorf("len(Title) = %d; want at most %d", len(doc.Title), len(body)+fuzzSlack)
	}
	if len(doc.Blocks) == 0 || doc.Text == "" {
		t.Errorf("Document with no text: %+v", doc)
	}
	for i, b := range doc.Blocks {
		if strings.TrimSpace(b.Text) == "" {
			t.Errorf("block %d is empty", i)
		}
		if b.Heading != (b.Level > 0) || b.Level > 6 {
			t.Errorf("block %d: heading %v level %d", i, b.Heading, b.Level)
		}
	}
	switch doc.Quality {
	case summarize.QualityFull, summarize.QualityPartial, summarize.QualityTeaser:
	default:
		t.Errorf("Quality = %q", doc.Quality)
	}
}

func FuzzExtract(f *testing.F) {
	for _, name := range []string{"headings.html", "paywall.html", "consent.html", "short.html"} {
		f.Add(readExtractFixture(f, name), "text/html")
	}
	f.Add(readExtractFixture(f, "trump-putin-call.txt"), "text/plain")
	f.Add([]byte("<p>caf\xe9</p><table><tr><td>a<td>b</table><ul><li>x<li>y</ul>"), "")
	f.Add([]byte("Heading\n\nA paragraph that follows the heading and ends here.\n"), "text/plain")
	f.Add([]byte("&nGt;&ThickSpace;&#x80;&#0;"), "text/html")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		doc, err := Document(body, "https://example.com/fuzz", contentType)
		if err != nil {
			return
		}
		checkDocument(t, doc, body)
	})
}
