// Package feed follows news feeds into a server's record: /feed add finds
// the feed (RSS, Atom or JSON Feed, or one linked from a page), and the
// Poller polls each politely (ETag and Last-Modified, the feed's own TTL,
// at most every MinInterval, backoff with jitter on errors) through the
// SSRF-safe fetcher, summarizing new entries that match the feed's
// filter quietly into the server's record as shares marked from the feed.
// Parsing is github.com/mmcdole/gofeed: one parser for the three formats,
// maintained, and lenient with the malformed XML feeds often are.
package feed

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
)

// Entry is one feed entry.
type Entry struct {
	// Key identifies the entry within its feed: its id, else its link.
	Key       string
	Link      string
	Title     string
	Summary   string
	Published time.Time
}

// Parsed is a feed as read.
type Parsed struct {
	Title string
	// Entries are the feed's first MaxEntries entries, as listed (feeds
	// list the newest first).
	Entries []Entry
	// Total is how many entries the feed listed.
	Total int
	// TTL is the feed's own polling hint (RSS <ttl>), 0 when none.
	TTL time.Duration
}

// MaxEntries bounds the entries looked at per poll: a feed of 10,000
// entries costs the same as one of MaxEntries after parsing (the body's
// size is bounded by the fetcher's limit).
const MaxEntries = 100

// ErrNotFeed is returned for a body that is neither a feed nor a page
// linking one.
var ErrNotFeed = errors.New("feed: not a feed")

// Parse reads an RSS, Atom or JSON feed. base resolves relative links.
func Parse(body []byte, base string) (*Parsed, error) {
	total := -1
	if cut, n, ok := firstItems(body, MaxEntries); ok {
		body, total = cut, n
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFeed, err)
	}
	p := &Parsed{Title: strings.TrimSpace(f.Title), Total: len(f.Items), TTL: rssTTL(body)}
	if total > p.Total {
		p.Total = total
	}
	bu, _ := url.Parse(base)
	for _, it := range f.Items {
		if len(p.Entries) == MaxEntries {
			break
		}
		if it == nil {
			continue
		}
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = strings.TrimSpace(it.Links[0])
		}
		if bu != nil && link != "" {
			if u, err := bu.Parse(link); err == nil {
				link = u.String()
			}
		}
		key := strings.TrimSpace(it.GUID)
		if key == "" {
			key = link
		}
		if key == "" {
			continue
		}
		if len(key) > 500 {
			key = key[:500]
		}
		e := Entry{Key: key, Link: link, Title: clip(it.Title, 300), Summary: clip(it.Description, 1000)}
		if it.PublishedParsed != nil {
			e.Published = *it.PublishedParsed
		} else if it.UpdatedParsed != nil {
			e.Published = *it.UpdatedParsed
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// firstItems cuts an RSS 2.0 or Atom body after its n-th entry and closes
// its root, so a feed of 10,000 entries is parsed as one of n: gofeed
// builds every entry it reads (about 15 KB of allocation each), and only
// the first n are looked at. It reports the entries the whole body holds
// (counted by their closing tags) and false when the body is not cut:
// n entries or fewer, or a format it does not cut (JSON Feed, RSS 1.0).
func firstItems(body []byte, n int) (cut []byte, total int, ok bool) {
	head := body[:min(len(body), 4096)]
	var closeTag, root []byte
	switch {
	case bytes.Contains(head, []byte("<rss")):
		closeTag, root = []byte("</item>"), []byte("</channel></rss>")
	case bytes.Contains(head, []byte("<feed")):
		closeTag, root = []byte("</entry>"), []byte("</feed>")
	default:
		return nil, 0, false
	}
	total = bytes.Count(body, closeTag)
	if total <= n {
		return nil, total, false
	}
	end, rest := 0, body
	for range n {
		i := bytes.Index(rest, closeTag)
		end += i + len(closeTag)
		rest = body[end:]
	}
	cut = make([]byte, 0, end+len(root))
	return append(append(cut, body[:end]...), root...), total, true
}

// rssTTL reads an RSS channel's <ttl> (minutes) from the start of body.
func rssTTL(body []byte) time.Duration {
	head := body[:min(len(body), 64<<10)]
	i := bytes.Index(head, []byte("<ttl>"))
	if i < 0 {
		return 0
	}
	rest := head[i+len("<ttl>"):]
	j := bytes.Index(rest, []byte("</ttl>"))
	if j < 0 || j > 10 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(rest[:j])))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 7*24*60)) * time.Minute
}

// feedTypes are the link types of a page's feed links, best first.
var feedTypes = []string{"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}

// Discover returns the first feed a page links with <link rel="alternate"
// type="…">, resolved against base; "" when it links none.
func Discover(page []byte, base string) string {
	z := html.NewTokenizer(bytes.NewReader(page))
	bu, err := url.Parse(base)
	if err != nil {
		return ""
	}
	best, bestRank := "", len(feedTypes)
	for n := 0; n < 5000; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) == "body" {
			break
		}
		if string(name) != "link" || !hasAttr {
			continue
		}
		var rel, typ, href string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = strings.ToLower(string(v))
			case "type":
				typ = strings.ToLower(strings.TrimSpace(string(v)))
			case "href":
				href = strings.TrimSpace(string(v))
			}
			if !more {
				break
			}
		}
		if !strings.Contains(rel, "alternate") || href == "" {
			continue
		}
		for r, t := range feedTypes {
			if typ == t && r < bestRank {
				if u, err := bu.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					best, bestRank = u.String(), r
				}
			}
		}
	}
	return best
}

// IsHTML reports whether a body looks like an HTML page rather than a
// feed.
func IsHTML(contentType string, body []byte) bool {
	if contentType == "text/html" || contentType == "application/xhtml+xml" {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}
