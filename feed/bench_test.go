package feed

import (
	"fmt"
	"testing"
)

// BenchmarkParse10000 parses a feed of 10,000 entries: what one poll of a
// hostile feed costs before the MaxEntries bound.
func BenchmarkParse10000(b *testing.B) {
	items := make([]string, 10000)
	for i := range items {
		items[i] = fmt.Sprintf("story-%05d", i)
	}
	body := []byte(rssOf("https://news.example", items))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(body, "https://news.example/feed.xml")
		if err != nil || len(p.Entries) != MaxEntries || p.Total != 10000 {
			b.Fatalf("Parse = %d entries of %d, %v", len(p.Entries), p.Total, err)
		}
	}
}
