package feed

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseFormatsAndBounds(t *testing.T) {
	var atom strings.Builder
	atom.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>`)
	for i := range 150 {
		fmt.Fprintf(&atom, `<entry><id>urn:%d</id><title>E%d</title><link href="/p/%d"/></entry>`, i, i, i)
	}
	atom.WriteString(`</feed>`)
	items := make([]string, 150)
	for i := range items {
		items[i] = fmt.Sprint("s", i)
	}
	json := `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://x.example/1","title":"One"}]}`
	for _, tc := range []struct {
		name, body      string
		entries, total  int
		firstKey, first string
	}{
		{"atom", atom.String(), MaxEntries, 150, "urn:0", "https://x.example/p/0"},
		{"rss", rssOf("https://x.example", items), MaxEntries, 150, "s0", "https://x.example/a/s0"},
		{"json feed", json, 1, 1, "1", "https://x.example/1"},
	} {
		p, err := Parse([]byte(tc.body), "https://x.example/feed")
		if err != nil || len(p.Entries) != tc.entries || p.Total != tc.total || p.Entries[0].Key != tc.firstKey || p.Entries[0].Link != tc.first {
			t.Errorf("Parse(%s) = %+v, %v; want %d of %d entries, first %s %s", tc.name, p, err, tc.entries, tc.total, tc.firstKey, tc.first)
		}
	}
	for _, bad := range []string{"<rss><channel><item><title>broken", "not a feed at all", `{"items": 3}`} {
		if _, err := Parse([]byte(bad), "https://x.example/"); !errors.Is(err, ErrNotFeed) {
			t.Errorf("Parse(%q) = %v; want ErrNotFeed", bad, err)
		}
	}
	if got := Discover([]byte(`<html><head><link rel="alternate" type="application/atom+xml" href="/a.xml"><link rel="alternate" type="application/rss+xml" href="https://x.example/r.xml"></head></html>`), "https://x.example/news/"); got != "https://x.example/r.xml" {
		t.Errorf("Discover = %q; want the RSS link", got)
	}
}
