package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtext"
	"briefbot/summarize"
)

// Caps on what one link's reply shows and posts. A model (or a page) may
// hand over hundreds of topics; a reader scans a screen, and a channel
// must not fill with one link's ledger.
const (
	// DefaultPoints is how many points a reply shows unless more is asked
	// for: about a screen, read in seconds. Topics and points keep their
	// order, so the first point, the article's main news, comes first.
	DefaultPoints = 8
	// MaxReplyMessages bounds the messages one link's reply (or one page
	// of it) posts, however large the summary; the rest is behind a
	// "More" button.
	MaxReplyMessages = 3
	// maxPagePoints bounds one page asked for with detail or "More": a
	// long ledger comes as pages a reader can follow, not a wall.
	maxPagePoints = 40
)

// Discord's limits on message buttons.
// https://discord.com/developers/docs/components/reference#button
const (
	LimitButtons     = 5 // per action row; replies use one row
	LimitButtonLabel = 80
	LimitCustomID    = 100
)

// Button is a button under a reply. Pressing it sends CustomID back as a
// component interaction (Handler.More); the console shows it as a
// command to type.
type Button struct {
	Label    string
	CustomID string
}

// RenderOptions tune how a summary is rendered.
type RenderOptions struct {
	// ShowUngrounded shows points whose quote was not found in the article
	// (marked as such); otherwise they are hidden and counted.
	ShowUngrounded bool
	// Took is how long this request took; zero means the summary's own
	// Elapsed.
	Took time.Duration
	// Detail shows a page of up to maxPagePoints points instead of
	// DefaultPoints.
	Detail bool
	// Offset is the first point shown, counting only the points these
	// options show (0 for the first page).
	Offset int
	// MoreID returns the custom ID of the button that shows the page
	// starting at point next. Nil, or an empty answer, means no button:
	// the reply then only says how many points it leaves out.
	MoreID func(next int) string
}

// shownPoint is a point the reply shows, with its topic.
type shownPoint struct {
	topic int  // index in Summary.Topics
	first bool // the first shown point of its topic
	p     summarize.Point
}

// RenderSummary renders one page of the ledger of one article as messages
// of embeds: the header, then the points from opt.Offset on, topics and
// points in order, as many as opt allows and as fit in MaxReplyMessages
// messages. When points remain, the header says how many and the last
// message carries a "More" button (see RenderOptions.MoreID). Every
// returned Reply passes CheckLimits however long the ledger.
func RenderSummary(s *summarize.Summary, opt RenderOptions) []Reply {
	total, hidden := countPoints(s, opt.ShowUngrounded)
	start := min(max(opt.Offset, 0), total)
	limit := DefaultPoints
	if opt.Detail {
		limit = maxPagePoints
	}
	n := min(limit, total-start)
	items := pagePoints(s, opt.ShowUngrounded, start, n)
	page := func(k int) []Reply { return renderPage(s, opt, items[:k], total, hidden, start) }
	if r := page(n); n <= 1 || len(r) <= MaxReplyMessages {
		return r
	}
	// The most points that fit. One point always does: a header and a
	// point are each bounded well below one message.
	lo, hi := 1, n-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(page(mid)) <= MaxReplyMessages {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return page(lo)
}

// CountShown returns how many points RenderSummary pages through with
// showUngrounded.
func CountShown(s *summarize.Summary, showUngrounded bool) int {
	n, _ := countPoints(s, showUngrounded)
	return n
}

// countPoints counts the points a reply shows and the ungrounded ones it
// hides.
func countPoints(s *summarize.Summary, showUngrounded bool) (shown, hidden int) {
	for _, t := range s.Topics {
		for _, p := range t.Points {
			if !p.Grounded && !showUngrounded {
				hidden++
			} else {
				shown++
			}
		}
	}
	return shown, hidden
}

// pagePoints returns n of the points a reply shows, in order, from the
// start'th on.
func pagePoints(s *summarize.Summary, showUngrounded bool, start, n int) []shownPoint {
	items := make([]shownPoint, 0, n)
	i := 0
	for ti, t := range s.Topics {
		first := true
		for _, p := range t.Points {
			if !p.Grounded && !showUngrounded {
				continue
			}
			if i >= start {
				if len(items) == n {
					return items
				}
				items = append(items, shownPoint{topic: ti, first: first, p: p})
			}
			i++
			first = false
		}
	}
	return items
}

// renderPage renders items, the points from the start'th on of the total
// a reply shows, under the article's header.
func renderPage(s *summarize.Summary, opt RenderOptions, items []shownPoint, total, hidden, start int) []Reply {
	k := len(items)
	end := start + k
	rest := total - end
	head := &discordgo.MessageEmbed{
		Title: discordtext.EscapeTruncate(firstNonEmpty(s.Title, s.Site, s.URL, "Untitled"), LimitTitle),
		URL:   safeURL(firstNonEmpty(s.FinalURL, s.URL)),
		Color: qualityColor(s.Quality),
	}
	var desc []string
	if start == 0 {
		desc = headerLines(s, hidden, total)
	} else {
		desc = append(desc, fmt.Sprintf("Points %d–%d of %d.", start+1, end, total))
	}
	moreID := ""
	if rest > 0 {
		if opt.MoreID != nil {
			moreID = opt.MoreID(end)
		}
		desc = append(desc, moreLine(start, k, total, moreID != ""))
	}
	head.Description = discordtext.Truncate(strings.Join(desc, "\n"), LimitDescription)

	var fields []*discordgo.MessageEmbedField
	for i := 0; i < k; {
		j := i
		var lines []string
		for ; j < k && items[j].topic == items[i].topic; j++ {
			lines = append(lines, pointLine(items[j].p, ""))
		}
		name := topicName(s.Topics[items[i].topic].Name)
		fs := splitField(name, lines)
		if !items[i].first { // the topic began on an earlier page
			fs[0].Name = discordtext.Truncate(name+" (cont.)", LimitFieldName)
		}
		fields = append(fields, fs...)
		i = j
	}

	took := opt.Took
	if took == 0 {
		took = s.Elapsed
	}
	replies := pack(head, fields, footerText(s, took))
	if moreID != "" {
		replies[len(replies)-1].Buttons = []Button{{Label: moreLabel(rest), CustomID: moreID}}
	}
	return replies
}

// headerLines are the first page's description: site and date, how much
// of the article was read, the engine's notes, and what is hidden.
func headerLines(s *summarize.Summary, hidden, shown int) []string {
	var desc []string
	if line := siteLine(s.Site, s.Published); line != "" {
		desc = append(desc, line)
	}
	switch s.Quality {
	case summarize.QualityPartial:
		desc = append(desc, "🟠 **Partial text**: parts of the article could not be read.")
	case summarize.QualityTeaser:
		desc = append(desc, "🔒 **Teaser only**: a paywall or consent wall hid the rest; this covers the opening.")
	}
	for i, n := range s.Notes {
		if i == maxNotes {
			desc = append(desc, fmt.Sprintf("ℹ️ %d more notes.", len(s.Notes)-maxNotes))
			break
		}
		desc = append(desc, "ℹ️ "+discordtext.EscapeTruncate(n, maxNote))
	}
	switch {
	case hidden > 0:
		desc = append(desc, fmt.Sprintf("%s hidden: %s not found in the article.", plural(hidden, "point", "points"), pick(hidden == 1, "its quote was", "their quotes were")))
	case shown == 0:
		desc = append(desc, "No points found in this article.")
	}
	return desc
}

// moreLine says how many points a page leaves out, and how to see them.
func moreLine(start, k, total int, button bool) string {
	rest := total - start - k
	how := "not shown here"
	if button {
		how = "under **More** below"
	}
	if start == 0 {
		return fmt.Sprintf("📄 %d of %d points shown; %d more %s.", k, total, rest, how)
	}
	return fmt.Sprintf("📄 %d more %s.", rest, how)
}

// moreLabel is the "More" button's label.
func moreLabel(rest int) string {
	return fmt.Sprintf("More (%s left)", plural(rest, "point", "points"))
}

// quoteAddsNothing reports whether a point's quote tells a reader nothing
// its text does not: at least quoteOverlap of the quote's words are in the
// text (the quote is the text, a part of it, or the same sentence lightly
// reworded).
func quoteAddsNothing(text, quote string) bool {
	qw := contentWords(quote)
	if len(qw) == 0 {
		return true
	}
	tw := map[string]bool{}
	for _, w := range contentWords(text) {
		tw[w] = true
	}
	in := 0
	for _, w := range qw {
		if tw[w] {
			in++
		}
	}
	return float64(in) >= quoteOverlap*float64(len(qw))
}

// quoteOverlap is the share of a quote's words found in its point's text
// above which the quote is left out: at 0.8 a quote that only adds "also"
// or "in turn" to the claim is dropped, while one that adds a name or a
// figure (a fifth of its words or more) stays.
const quoteOverlap = 0.8

// contentWords returns the lower-cased words of s that carry meaning:
// runs of letters and digits of three or more characters, and numbers.
func contentWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) }) {
		if utf8.RuneCountInString(f) >= 3 || strings.IndexFunc(f, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			out = append(out, strings.ToLower(f))
		}
	}
	return out
}
