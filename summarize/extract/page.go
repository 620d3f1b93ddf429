package extract

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageInfo is what one pass over the parsed page learns besides the main
// text: metadata the extractors do not return, and the signals the quality
// gate weighs.
type pageInfo struct {
	lang      string
	canonical string // <link rel=canonical>
	ogURL     string
	siteName  string // og:site_name
	title     string // <title>
	// description is the page's summary (og:description, description).
	description string
	published   string // article:published_time and kin, unparsed
	// jsonLDPublished is datePublished from the structured data.
	jsonLDPublished string
	// paywallMarkup reports class or id names of paywall or metering
	// elements.
	paywallMarkup bool
	// notFree reports structured data saying the article is not free.
	notFree bool
}

// paywallNames are parts of class and id names that paywall, metering and
// subscriber-gate widgets use.
var paywallNames = []string{
	"paywall", "pay-wall", "metered", "meterwall", "meter-wall",
	"premium-content", "subscriber-only", "subscribers-only", "regwall",
	"reg-wall", "subscription-wall", "subscriptionwall", "article-gate",
	"content-gate", "contentgate", "locked-content", "truncated-content",
}

// paywallStemsLower are fragments of every paywallNames entry: a name
// with none of them needs no closer look.
var paywallStemsLower = []string{"wall", "meter", "premium", "subscri", "gate", "locked", "truncat"}

// paywallName reports whether a class or id value names a paywall.
func paywallName(v string) bool {
	if len(v) < 7 {
		return false
	}
	v = strings.ToLower(v)
	stem := false
	for _, s := range paywallStemsLower {
		if strings.Contains(v, s) {
			stem = true
			break
		}
	}
	if !stem {
		return false
	}
	for _, name := range paywallNames {
		if strings.Contains(v, name) {
			return true
		}
	}
	return false
}

// notFreeRE matches schema.org's way of saying an article is paywalled.
var notFreeRE = regexp.MustCompile(`(?i)"isAccessibleForFree"\s*:\s*"?false`)

// datePublishedRE finds schema.org's publication date.
var datePublishedRE = regexp.MustCompile(`"datePublished"\s*:\s*"([^"]{4,40})"`)

// scanJSONLD reads the publication date and the paywall flag from the
// structured data (JSON-LD) in script. A regular expression is enough for
// the two values and costs less than decoding every script.
func scanJSONLD(script string, info *pageInfo) {
	if !info.notFree && strings.Contains(script, "sAccessibleForFree") && notFreeRE.MatchString(script) {
		info.notFree = true
	}
	if info.jsonLDPublished == "" && strings.Contains(script, "datePublished") {
		if m := datePublishedRE.FindStringSubmatch(script); m != nil {
			info.jsonLDPublished = m[1]
		}
	}
}

// publishedMeta and publishedMetaLoose are meta names and properties that
// carry the publication date, in order of preference; the structured data
// comes between the two lists.
var (
	publishedMeta      = []string{"article:published_time", "og:published_time", "datepublished"}
	publishedMetaLoose = []string{
		"publishdate", "pubdate", "date", "dc.date.issued", "dc.date",
		"sailthru.date", "parsely-pub-date", "article.published",
	}
)

func scanPage(doc *html.Node) pageInfo {
	var info pageInfo
	meta := map[string]string{}
	var timePublished string // <time itemprop=datePublished>
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxTreeDepth {
			return
		}
		switch n.Type {
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Html:
				if l := nodeAttr(n, "lang"); l != "" && info.lang == "" {
					info.lang = l
				} else if l := nodeAttr(n, "xml:lang"); l != "" && info.lang == "" {
					info.lang = l
				}
			case atom.Meta:
				key := strings.ToLower(strings.TrimSpace(nodeAttr(n, "property")))
				if key == "" {
					key = strings.ToLower(strings.TrimSpace(nodeAttr(n, "name")))
				}
				if key == "" {
					key = strings.ToLower(strings.TrimSpace(nodeAttr(n, "itemprop")))
				}
				if key == "" {
					key = strings.ToLower(strings.TrimSpace(nodeAttr(n, "http-equiv")))
				}
				if _, seen := meta[key]; key != "" && !seen {
					meta[key] = strings.TrimSpace(nodeAttr(n, "content"))
				}
			case atom.Link:
				if info.canonical == "" && hasToken(nodeAttr(n, "rel"), "canonical") {
					info.canonical = strings.TrimSpace(nodeAttr(n, "href"))
				}
			case atom.Title:
				if info.title == "" && n.FirstChild != nil {
					info.title = strings.TrimSpace(n.FirstChild.Data)
				}
				return
			case atom.Script:
				if strings.Contains(nodeAttr(n, "type"), "ld+json") && n.FirstChild != nil {
					scanJSONLD(n.FirstChild.Data, &info)
				}
				return
			case atom.Style, atom.Noscript, atom.Template, atom.Svg:
				return
			case atom.Time:
				if timePublished == "" && nodeAttr(n, "itemprop") == "datePublished" {
					timePublished = nodeAttr(n, "datetime")
				}
			}
			if !info.paywallMarkup && (paywallName(nodeAttr(n, "class")) || paywallName(nodeAttr(n, "id"))) {
				info.paywallMarkup = true
			}
		case html.DocumentNode:
		default:
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	info.ogURL = meta["og:url"]
	info.description = meta["og:description"]
	if info.description == "" {
		info.description = meta["description"]
	}
	info.siteName = meta["og:site_name"]
	if info.lang == "" {
		info.lang = meta["content-language"]
	}
	if info.lang == "" {
		info.lang = meta["og:locale"]
	}
	info.published = firstMeta(meta, publishedMeta)
	if info.published == "" {
		info.published = info.jsonLDPublished
	}
	if info.published == "" {
		info.published = firstMeta(meta, publishedMetaLoose)
	}
	if info.published == "" {
		info.published = timePublished
	}
	return info
}

// firstMeta returns the first non-empty value of keys in meta.
func firstMeta(meta map[string]string, keys []string) string {
	for _, k := range keys {
		if v := meta[k]; v != "" {
			return v
		}
	}
	return ""
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}

// absoluteURL resolves ref against base and returns it when it is an
// absolute http(s) URL, else "".
func absoluteURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// normalizeLang reduces a language tag ("en-US", "pt_BR") to its primary
// subtag in lower case, or "" when it is not one.
func normalizeLang(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_,; "); i >= 0 {
		tag = tag[:i]
	}
	tag = strings.ToLower(tag)
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, c := range tag {
		if c < 'a' || c > 'z' {
			return ""
		}
	}
	return tag
}

// siteFromHost is the host of u without a leading "www.".
func siteFromHost(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}
