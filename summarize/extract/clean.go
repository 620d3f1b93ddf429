package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordFields splits s into runs of letters, digits and marks.
func wordFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_')
	})
}

// countWords counts runs of letters, digits and marks; in the scripts
// written without spaces (Han, Hiragana, Katakana) every character counts
// as a word.
func countWords(s string) int {
	n := 0
	in := false
	for _, r := range s {
		if r >= 0x2E80 && isUnspacedScript(r) {
			n++
			in = false
			continue
		}
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_'
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

func isUnspacedScript(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// Rules that drop a block, named so tests and diagnostics can tell them
// apart. A block is dropped by the first rule that matches.
const (
	ruleNone      = ""
	ruleEmpty     = "empty"
	ruleTitle     = "title"
	ruleLinks     = "links"
	ruleLead      = "lead-in"
	rulePromo     = "promo"
	ruleContact   = "contact"
	ruleURL       = "url"
	ruleDateline  = "dateline"
	ruleByline    = "byline"
	ruleShouting  = "shouting"
	ruleDuplicate = "duplicate"
	ruleHeadings  = "headings"
	ruleConsent   = "consent"
)

// leadIns are the labels that introduce links to other pages ("Related:
// …", "READ MORE: …", "(Leggi anche: …)"), in lower case. They count when
// the block is the label alone or the label and a separator.
var leadIns = []string{
	"related articles", "related article", "related stories", "related content",
	"related coverage", "related", "read more", "read next", "read also",
	"see more", "see also", "more on this", "more from", "also read", "also",
	"don't miss", "don’t miss", "dont miss", "continue reading below",
	"continue reading", "story continues below", "article continues below", "most read", "most popular",
	"recommended for you", "recommended", "trending now", "trending",
	"watch now", "watch", "listen", "explore further", "more information",
	"sponsored", "advertisement", "tags", "tagged", "filed under",
	"categories", "category", "topics", "share this article",
	"share this story", "share this", "share", "leggi anche",
	"lesen sie auch", "mehr zum thema", "à lire aussi", "lire aussi",
	"leia também", "leia mais", "veja também", "lea también", "ver también",
	"читайте также",
}

// leadInSeparators may follow a lead-in label.
var leadInSeparators = []string{":", "|", "»", "›", ">", "- ", "– ", "— ", "...", "…"}

// isLeadIn reports whether text starts with a lead-in label. lower is text
// in lower case, of the same length. A label in capitals needs no
// separator ("DON'T MISS Plague fears: …").
func isLeadIn(text, lower string) bool {
	trimmed := strings.TrimLeft(lower, "([ ")
	text = text[len(lower)-len(trimmed):]
	lower = trimmed
	for _, p := range leadIns {
		rest, ok := strings.CutPrefix(lower, p)
		if !ok {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(r) || unicode.IsDigit(r) {
			continue // a longer word: "shares", "alsoran"
		}
		rest = strings.TrimLeft(rest, " ")
		if rest == "" || rest == ")" || rest == "]" {
			return true
		}
		if len(text) >= len(p) && len(p) > 4 && inCapitals(text[:len(p)], 4) {
			return true
		}
		for _, sep := range leadInSeparators {
			if strings.HasPrefix(rest, sep) {
				return true
			}
		}
	}
	return false
}

// promoPhrases are phrases of newsletter, app, social and subscription
// boxes, credits, copyright lines and share widgets, in lower case. They
// are only looked for in short blocks.
var promoPhrases = []string{
	"sign up for", "sign up to", "subscribe to", "subscribe for",
	"subscribe now", "subscribe today", "delivered to your inbox",
	"follow us on", "follow us at", "follow him on", "follow her on",
	"follow them on", "follow me on", "follow @", "click here",
	"click to tweet", "download the app", "download our app",
	"contributed to this report", "contributed reporting",
	"contributed to this story", "additional reporting", "reporting by",
	"editing by", "writing by", "all rights reserved", "copyright ©",
	"you must log in", "you must be logged in", "log in to post",
	"log in to comment", "log in to leave", "an error has occurred",
	"has been sent to", "already a subscriber", "for your personal, non-commercial use",
	"for your personal non-commercial use", "if you enjoyed this article",
	"join our mailing list", "like us on facebook",
}

// Promo patterns too loose for a phrase list, each tried only when its
// literal part is present.
var (
	newsletterRE = regexp.MustCompile(`our (daily |weekly |free |morning |evening )?newsletters?\b`)
	appRE        = regexp.MustCompile(`get the .{1,30} app\b`)
	listenRE     = regexp.MustCompile(`listen (to|on) .{1,40}(live|podcasts?|itunes|spotify)`)
	copyrightRE  = regexp.MustCompile(`^(copyright\b|\(c\) ?\d{4}|© ?\d{4})|© ?\d{4}`)
)

// isPromo reports whether lower (a block in lower case) is a promo or a
// credit line.
func isPromo(lower string) bool {
	for _, p := range promoPhrases {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return strings.Contains(lower, "newsletter") && newsletterRE.MatchString(lower) ||
		strings.Contains(lower, " app") && appRE.MatchString(lower) ||
		strings.Contains(lower, "listen") && listenRE.MatchString(lower) ||
		(strings.HasPrefix(lower, "copyright") || strings.Contains(lower, "©") || strings.HasPrefix(lower, "(c)")) && copyrightRE.MatchString(lower)
}

var (
	emailRE  = regexp.MustCompile(`[\w.+-]+@[\w-]+\.[\w.-]+`)
	handleRE = regexp.MustCompile(`(^|\s)@\w{2,}`)
	// socialURLRE matches a bare link to a profile on a social network.
	socialURLRE = regexp.MustCompile(`(?i)^(https?://)?(www\.)?(twitter|x|facebook|instagram|linkedin|youtube|tiktok|t)\.(com|me)/\S*$`)
	// yearRE, timeRE and numericDateRE are the parts a dateline has.
	yearRE        = regexp.MustCompile(`\b(19|20)\d\d\b`)
	timeRE        = regexp.MustCompile(`\b\d{1,2}[:.h]\d\d\b`)
	numericDateRE = regexp.MustCompile(`\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b`)
)

// monthOrDay are month and weekday names and their abbreviations.
var monthOrDay = wordSet(`
	jan feb mar apr may jun jul aug sep sept oct nov dec
	january february march april june july august september october november december
	mon tue tues wed thu thur thurs fri sat sun
	monday tuesday wednesday thursday friday saturday sunday`)

// dateWords are the words a dateline is made of besides numbers and
// monthOrDay: time zones and the words around a date.
var dateWords = wordSet(`
	am pm a m p gmt utc bst cet cest est edt cst cdt mst mdt pst pdt ist jst et pt ct
	published updated posted last modified on at by the and in of
	de às a das le la el du von um am den vom`)

// wordSet makes a set of the words of list, or of its phrases when they
// are separated by "|".
func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	items := strings.Fields(list)
	if strings.Contains(list, "|") {
		items = strings.Split(list, "|")
	}
	for _, w := range items {
		m[strings.TrimSpace(w)] = true
	}
	return m
}

// blockRule says why b is boilerplate, or ruleNone when it is not. edge
// reports a block near the start or the end of the text, where datelines,
// bylines and consent notices sit.
func blockRule(b rawBlock, edge bool, pageURLs []string) string {
	text, words := b.Text, b.words
	if words == 0 {
		return ruleEmpty
	}
	if edge && isConsent(text, words) {
		return ruleConsent
	}
	if b.linkBytes*10 > len(text)*6 && words <= 40 {
		return ruleLinks
	}
	if words <= 40 {
		lower := strings.ToLower(text)
		if len(lower) == len(text) && isLeadIn(text, lower) {
			return ruleLead
		}
		if isPromo(lower) {
			return rulePromo
		}
	}
	if words <= 25 && strings.Contains(text, "@") && emailRE.MatchString(text) ||
		words <= 8 && strings.Contains(text, "@") && handleRE.MatchString(text) {
		return ruleContact
	}
	if words <= 30 && strings.Contains(text, ".") && !strings.Contains(text, " ") &&
		(socialURLRE.MatchString(text) || sameURL(text, pageURLs)) {
		return ruleURL
	}
	if edge && !b.Heading && !b.row && isDateline(text) {
		return ruleDateline
	}
	if edge && !b.Heading && isByline(text, words) {
		return ruleByline
	}
	if !b.Heading && !b.row && words >= 5 && words <= 25 && !strings.HasSuffix(text, "?") && isShouting(text) {
		return ruleShouting
	}
	return ruleNone
}

// isDateline reports a short line made only of a date, a time and a few
// names ("5:45 AM PST 11/19/2019 by Patrick Shanley", "Updated: Tue., Nov.
// 19, 2019").
func isDateline(text string) bool {
	if !strings.ContainsAny(text, "0123456789") || strings.HasSuffix(text, "?") ||
		strings.HasPrefix(text, "—") || strings.HasPrefix(text, "-") {
		return false
	}
	fields := wordFields(text)
	if len(fields) > 14 {
		return false
	}
	other, months := 0, 0
	for _, f := range fields {
		switch {
		case f[0] >= '0' && f[0] <= '9':
		case monthOrDay[strings.ToLower(f)]:
			months++
		case dateWords[strings.ToLower(f)]:
		default:
			other++
		}
	}
	if other > 4 {
		return false
	}
	hasTime := timeRE.MatchString(text)
	hasYear := yearRE.MatchString(text)
	return hasTime || hasYear && (months > 0 || numericDateRE.MatchString(text))
}

// sameURL reports whether text is one of urls, give or take the scheme.
func sameURL(text string, urls []string) bool {
	if strings.ContainsAny(text, " \n") {
		return false
	}
	t := strings.TrimPrefix(strings.TrimPrefix(text, "https://"), "http://")
	for _, u := range urls {
		if u != "" && t == strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://") {
			return true
		}
	}
	return false
}

// bylinePrefixes start a byline, in English and a few other languages.
var bylinePrefixes = []string{"By ", "BY ", "by ", "Von ", "von ", "Por ", "por ", "Par ", "par ", "di ", "Door ", "door ", "Av ", "av "}

// isByline reports "By Jane Doe" and its translations: a few words, no
// sentence.
func isByline(text string, words int) bool {
	if words > 8 || strings.ContainsAny(text, "!?") || strings.HasSuffix(text, ".") {
		return false
	}
	for _, p := range bylinePrefixes {
		if strings.HasPrefix(text, p) {
			return true
		}
	}
	return false
}

// isShouting reports a line in capitals, the style of in-article promos
// and links to other stories ("CLICK HERE TO GET THE APP").
func isShouting(text string) bool {
	return inCapitals(text, 8)
}

// inCapitals reports whether text has at least minUpper capital letters
// and almost no small ones.
func inCapitals(text string, minUpper int) bool {
	upper, lower := 0, 0
	for _, r := range text {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	return upper >= minUpper && lower*10 <= upper
}

// consentButtons are the labels of the buttons under a consent notice.
var consentButtons = wordSet(`i agree|agree|i accept|accept|accept all|accept cookies|ok|okay|got it|allow|allow all|close|dismiss|continue|i understand|agree and close|accept and close|reject all|manage preferences|manage options|more options|learn more|yes i agree`)

// shareSuffixes are widget labels glued to the end of a quotable sentence.
var shareSuffixes = []string{"Click To Tweet", "Click to Tweet", "Tweet this", "Tweet This"}

// cleanBlocks drops boilerplate from the chosen text: the title repeated as
// a heading, link lists, lead-ins to other stories, promos, datelines and
// bylines at the edges, lines in capitals, repeated lines, and headings
// that head nothing.
func cleanBlocks(blocks []rawBlock, titles, pageURLs []string) []rawBlock {
	return cleanBlocksWhy(blocks, titles, pageURLs, nil)
}

// cleanBlocksWhy is cleanBlocks reporting each dropped block and its rule
// to dropped (when not nil).
func cleanBlocksWhy(blocks []rawBlock, titles, pageURLs []string, dropped func(rawBlock, string)) []rawBlock {
	drop := func(b rawBlock, rule string) {
		if dropped != nil {
			dropped(b, rule)
		}
	}
	var titleKeys []string
	for _, t := range titles {
		if k := textKey(t); k != "" {
			titleKeys = append(titleKeys, k)
		}
	}
	kept := make([]rawBlock, 0, len(blocks))
	afterConsent := false
	for i, b := range blocks {
		for _, s := range shareSuffixes {
			if t, ok := strings.CutSuffix(b.Text, s); ok {
				b.Text = strings.TrimSpace(t)
				b.words = 0
			}
		}
		if b.words == 0 {
			b.words = countWords(b.Text)
		}
		if i < 4 && b.Heading && similarTitle(textKey(b.Text), titleKeys) {
			drop(b, ruleTitle)
			continue
		}
		if afterConsent && consentButtons[textKey(b.Text)] {
			drop(b, ruleConsent)
			continue
		}
		edge := len(kept) < 4 || i >= len(blocks)-4
		rule := blockRule(b, edge, pageURLs)
		afterConsent = rule == ruleConsent
		if rule != ruleNone {
			drop(b, rule)
			continue
		}
		// A caption or pull quote printed twice in a row.
		if !b.row && len(kept) > 0 && sameText(kept[len(kept)-1].Text, b.Text) {
			drop(b, ruleDuplicate)
			continue
		}
		kept = append(kept, b)
	}
	return dropHeadingRuns(kept, drop)
}

// dropHeadingRuns removes headings that head nothing: runs of three or more
// headings in a row (lists of other stories) but the last one when a
// paragraph follows, and headings at the end.
func dropHeadingRuns(blocks []rawBlock, drop func(rawBlock, string)) []rawBlock {
	out := blocks[:0]
	for i := 0; i < len(blocks); {
		if !blocks[i].Heading {
			out = append(out, blocks[i])
			i++
			continue
		}
		j := i
		for j < len(blocks) && blocks[j].Heading {
			j++
		}
		switch {
		case j == len(blocks):
			for _, b := range blocks[i:j] {
				drop(b, ruleHeadings)
			}
		case j-i >= 3:
			for _, b := range blocks[i : j-1] {
				drop(b, ruleHeadings)
			}
			out = append(out, blocks[j-1])
		default:
			out = append(out, blocks[i:j]...)
		}
		i = j
	}
	return out
}

// sameText reports whether a and b have the same words, ignoring case.
func sameText(a, b string) bool {
	if d := len(a) - len(b); d > 16 || d < -16 {
		return false
	}
	return a == b || textKey(a) == textKey(b)
}

// textKey is s reduced to its words in lower case, for comparisons.
func textKey(s string) string {
	return strings.ToLower(strings.Join(wordFields(s), " "))
}

// similarTitle reports whether a heading is the page title, allowing for
// the site name the <title> often adds ("Title | Site", "Title - Site").
func similarTitle(heading string, titles []string) bool {
	if heading == "" {
		return false
	}
	for _, title := range titles {
		if heading == title {
			return true
		}
		if strings.HasPrefix(title, heading+" ") || strings.HasSuffix(title, " "+heading) {
			if utf8.RuneCountInString(heading)*2 >= utf8.RuneCountInString(title) {
				return true
			}
		}
	}
	return false
}

// Thresholds of chooseBlocks.
const (
	// subsetShare is how much of readability's text must also be in
	// trafilatura's for the two to be the same text, one with more
	// around it.
	subsetShare = 0.95
	// trimmedRatio: readability's text, a subset of trafilatura's, at most
	// this long relative to it means trafilatura kept boilerplate around the
	// article.
	trimmedRatio = 0.95
	// missedRatio: readability's text, a superset of trafilatura's, at least
	// this long relative to it means trafilatura stopped partway (the rule
	// trafilatura applies to its own fallbacks).
	missedRatio = 2.0
	// listingRepeats is how often one short block (a share bar, a "read
	// more" link) repeats in a listing of several articles.
	listingRepeats = 3
)

// Trafilatura's text is doubtful, and readability is asked for a second
// opinion, when it has fewer than doubtBlocks blocks, fewer than
// doubtChars characters, or less than doubtProse of it in sentences: the
// signs of a page it read only in part or mixed with navigation. Other
// pages skip readability, which costs a third of trafilatura's time.
const (
	doubtBlocks = 6
	doubtChars  = 1500
	doubtProse  = 0.9
	// proseWords is the least number of words of a sentence-like block.
	proseWords = 10
)

// doubtful reports whether trafilatura's cleaned text needs a second
// opinion.
func doubtful(blocks []rawBlock) bool {
	total, prose := 0, 0
	for _, b := range blocks {
		total += len(b.Text)
		if b.words >= proseWords && strings.ContainsAny(b.Text, ".!?。！？") {
			prose += len(b.Text)
		}
	}
	return len(blocks) < doubtBlocks || total < doubtChars || float64(prose) < doubtProse*float64(total)
}

// chooseBlocks picks between trafilatura's and readability's cleaned text.
// Trafilatura is the default; readability wins when its text is the same
// article without trafilatura's extra text, or when it holds trafilatura's
// text and much more and is not a listing of several posts (readListing).
// It reports whether it chose readability's.
func chooseBlocks(traf, read []rawBlock, readListing bool) (useRead bool) {
	tLen, rLen := blocksLen(traf), blocksLen(read)
	switch {
	case rLen == 0:
		return false
	case tLen == 0:
		return true
	}
	ratio := float64(rLen) / float64(tLen)
	switch {
	case ratio <= trimmedRatio:
		return containedShare(read, traf) >= subsetShare
	case ratio >= missedRatio && !readListing:
		return containedShare(traf, read) >= subsetShare
	}
	return false
}

func blocksLen(blocks []rawBlock) int {
	n := 0
	for _, b := range blocks {
		n += len(b.Text)
	}
	return n
}

// isListing reports whether some short block repeats listingRepeats times
// or more, as a share bar or a "read more" link under every item of a
// list of posts does.
func isListing(blocks []rawBlock) bool {
	counts := map[string]int{}
	for _, b := range blocks {
		if b.words > 8 {
			continue
		}
		k := textKey(b.Text)
		counts[k]++
		if counts[k] >= listingRepeats {
			return true
		}
	}
	return false
}

// shingleWidth is the number of words of a shingle: long enough that
// shared shingles mean shared text, short enough for short paragraphs.
const shingleWidth = 4

// containedShare is the share of a's word shingles (a multiset) that b
// also has.
func containedShare(a, b []rawBlock) float64 {
	as, bs := shingleCounts(a), shingleCounts(b)
	total, shared := 0, 0
	for h, n := range as {
		total += n
		shared += min(n, bs[h])
	}
	if total == 0 {
		return 0
	}
	return float64(shared) / float64(total)
}

// shingleCounts hashes the shingles of the text of blocks, read as one run
// of words.
func shingleCounts(blocks []rawBlock) map[uint64]int {
	var window [shingleWidth]uint64
	n := 0
	counts := map[uint64]int{}
	for _, b := range blocks {
		forEachWord(b.Text, func(w string) {
			window[n%shingleWidth] = hashString(w)
			n++
			if n >= shingleWidth {
				var h uint64 = 14695981039346656037
				for i := n - shingleWidth; i < n; i++ {
					h = (h ^ window[i%shingleWidth]) * 1099511628211
				}
				counts[h]++
			}
		})
	}
	return counts
}

func forEachWord(s string, fn func(string)) {
	start := -1
	for i, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_'
		switch {
		case w && start < 0:
			start = i
		case !w && start >= 0:
			fn(s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// hashString is FNV-1a.
func hashString(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}
