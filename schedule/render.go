package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"briefbot/bot/discordtext"
	"briefbot/summarize"
)

// Rendering limits.
const (
	// maxMessageLen is Discord's limit on a message's content.
	maxMessageLen = 2000
	// maxSectionTopics bounds each of Agreed, Unresolved and Disputed.
	maxSectionTopics = 10
	// maxShownPoints is the number of points shown per topic in a small
	// briefing; a briefing of many topics shows fewer (see shownPoints).
	maxShownPoints = 3
	// maxShownRefs is the number of sources cited per point side.
	maxShownRefs = 3
	// maxChanges bounds "What changed".
	maxChanges = 15
	// maxPointLen and maxNameLen bound untrusted text on one line.
	maxPointLen     = 280
	maxTopicNameLen = 80
	maxTitleLen     = 120
)

// header says when and for whom a briefing is.
type header struct {
	slot     time.Time
	loc      *time.Location
	late     bool
	manual   bool
	postedAt time.Time
}

// renderBlocks renders a ledger as the blocks of a briefing post
// (Markdown). A block is one or more lines kept in one message when the
// post is split: the header, each topic with its points, each section
// title with its first entry.
func renderBlocks(led *Ledger, h header) []string {
	intro := fmt.Sprintf("%d %s shared %s.", led.Articles, plural(led.Articles, "article", "articles"), windowText(led, h))
	if h.late {
		intro += fmt.Sprintf(" _Posted late: it was due at %s._", h.slot.In(h.loc).Format("15:04"))
	}
	head := "**" + titleLine(h) + "**\n" + intro
	for _, n := range led.Notes {
		head += "\n_" + discordtext.Escape(n) + "_"
	}
	blocks := []string{head}
	// section adds a titled list of entries; the title stays with the
	// first entry.
	section := func(title string, entries []string) {
		if len(entries) == 0 {
			return
		}
		blocks = append(blocks, "\n**"+title+"**\n"+entries[0])
		blocks = append(blocks, entries[1:]...)
	}

	cited := map[int]bool{}
	hasTopics := false
	for _, sec := range []struct {
		title  string
		status summarize.Status
	}{
		{"Agreed", summarize.StatusAgreed},
		{"Unresolved", summarize.StatusUnresolved},
		{"Disputed", summarize.StatusDisputed},
	} {
		var topics []LedgerTopic
		for _, t := range led.Current() {
			if t.Status == sec.status {
				topics = append(topics, t)
			}
		}
		var entries []string
		for i, t := range topics {
			if i == maxSectionTopics {
				entries = append(entries, fmt.Sprintf("_…and %d more %s %s (see /topic)._",
					len(topics)-i, strings.ToLower(sec.title), plural(len(topics)-i, "topic", "topics")))
				break
			}
			entries = append(entries, topicBlock(t, cited, shownPoints(len(led.Current()))))
		}
		hasTopics = hasTopics || len(entries) > 0
		section(sec.title, entries)
	}
	if !hasTopics {
		blocks = append(blocks, "\n_The shared articles held no points to report._")
	}
	section("What changed", changeLines(led))

	nums := map[int]int{}
	var srcLines []string
	for i, s := range led.Sources {
		if !cited[i+1] {
			continue
		}
		nums[i+1] = len(nums) + 1
		srcLines = append(srcLines, sourceLine(nums[i+1], s, h))
	}
	section("Sources", srcLines)
	// Source references were written as \x00N\x00 placeholders (ledger
	// numbers); now that display numbers are known, fill them in.
	for i, b := range blocks {
		if strings.IndexByte(b, 0) >= 0 {
			blocks[i] = fillRefs(b, nums)
		}
	}
	return blocks
}

// renderEmpty is the one line of a day without shares.
func renderEmpty(led *Ledger, h header) []string {
	return []string{fmt.Sprintf("**%s** · No links were shared %s.", titleLine(h), windowText(led, h))}
}

func titleLine(h header) string {
	t := h.slot.In(h.loc)
	if h.manual {
		return "Briefing · " + t.Format("Mon 2 Jan 2006, 15:04") + " (" + h.loc.String() + ")"
	}
	return "Daily briefing · " + t.Format("Mon 2 Jan 2006, 15:04") + " (" + h.loc.String() + ")"
}

// windowText names the briefing's window of shares.
func windowText(led *Ledger, h header) string {
	if led.First {
		return "in the last 24 hours"
	}
	s := led.Since.In(h.loc)
	if s.Year() != h.slot.In(h.loc).Year() {
		return "since the last briefing (" + s.Format("2 Jan 2006 15:04") + ")"
	}
	return "since the last briefing (" + s.Format("Mon 2 Jan 15:04") + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// topicBlock renders one topic: one line when it has one point shown,
// otherwise the name and a line per point side. A side whose status is
// not the topic's says its status; in a disputed topic with agreed sides
// every side does, so both sides of the dispute read as such; a side newer
// articles replaced says what it was ("was unresolved").
func topicBlock(t LedgerTopic, cited map[int]bool, limit int) string {
	name := "**" + discordtext.Escape(truncateText(t.Name, maxTopicNameLen)) + "**"
	if t.Status == summarize.StatusDisputed {
		limit = max(limit, 2) // both sides
	}
	shown := t.Points
	if len(shown) > limit {
		shown = shown[:limit]
	}
	more := len(t.Points) - len(shown) + t.MorePoints
	var sides []LedgerSide
	for _, p := range shown {
		sides = append(sides, p.Sides...)
	}
	mixed := false
	for _, s := range sides {
		mixed = mixed || s.Status != sides[0].Status
		for i, n := range s.Sources {
			if i < maxShownRefs {
				cited[n] = true
			}
		}
	}
	label := func(s LedgerSide) string {
		switch {
		case s.Superseded:
			return "was " + string(s.Status)
		case s.Status != t.Status || (mixed && t.Status == summarize.StatusDisputed):
			return string(s.Status)
		}
		return ""
	}
	if len(sides) == 1 {
		line := "• " + name + " — " + sideText(sides[0], label(sides[0]))
		if more > 0 {
			line += fmt.Sprintf(" _(+%d more %s)_", more, plural(more, "point", "points"))
		}
		return line
	}
	lines := []string{"• " + name}
	for _, s := range sides {
		lines = append(lines, "  ◦ "+sideText(s, label(s)))
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("  ◦ _+%d more %s_", more, plural(more, "point", "points")))
	}
	return strings.Join(lines, "\n")
}

// shownPoints is how many points each topic shows in a briefing of n
// topics: three in a small one, one in a large one, so a busy day stays
// readable (the ledger and /topic keep the rest).
func shownPoints(n int) int {
	switch {
	case n <= 8:
		return maxShownPoints
	case n <= 20:
		return 2
	}
	return 1
}

// sideText is a side's text and sources, after its label ("agreed",
// "was unresolved") when it has one.
func sideText(s LedgerSide, label string) string {
	text := discordtext.Escape(truncateText(s.Text, maxPointLen)) + " " + refs(s.Sources, s.MoreSources)
	if label != "" {
		return "_" + label + ":_ " + text
	}
	return text
}

// refs writes up to maxShownRefs ledger source numbers as placeholders
// for fillRefs, and how many more articles make the point.
func refs(sources []int, more int) string {
	var b strings.Builder
	for i, n := range sources {
		if i == maxShownRefs {
			more += len(sources) - i
			break
		}
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(n))
		b.WriteByte(0)
	}
	if more > 0 {
		fmt.Fprintf(&b, " +%d more", more)
	}
	return b.String()
}

// fillRefs replaces placeholders with display numbers: "[1][3]".
func fillRefs(l string, nums map[int]int) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(l, 0)
		if i < 0 {
			b.WriteString(l)
			return b.String()
		}
		j := strings.IndexByte(l[i+1:], 0)
		if j < 0 {
			b.WriteString(l[:i])
			return b.String()
		}
		b.WriteString(l[:i])
		n, _ := strconv.Atoi(l[i+1 : i+1+j])
		fmt.Fprintf(&b, "[%d]", nums[n])
		l = l[i+1+j+1:]
	}
}

func changeLines(led *Ledger) []string {
	if led.First {
		return []string{"_First briefing: nothing to compare with yet._"}
	}
	if len(led.Changes) == 0 {
		return []string{"_No topic changed status since the last briefing._"}
	}
	var lines []string
	for i, c := range led.Changes {
		if i == maxChanges {
			lines = append(lines, fmt.Sprintf("_…and %d more._", len(led.Changes)-i))
			break
		}
		name := discordtext.Escape(truncateText(c.Topic, maxTopicNameLen))
		switch c.Kind {
		case ChangeResolved:
			lines = append(lines, fmt.Sprintf("• Resolved: %s: %s → %s", name, c.From, c.To))
		case ChangeStatus:
			lines = append(lines, fmt.Sprintf("• %s: %s → %s", name, c.From, c.To))
		default:
			lines = append(lines, fmt.Sprintf("• New: %s (%s)", name, c.To))
		}
	}
	return lines
}

// sourceLine lists one article: number, title, site, published date
// (when known; sources run from the oldest to the newest) and link.
func sourceLine(n int, s LedgerSource, h header) string {
	title := s.Title
	if strings.TrimSpace(title) == "" {
		title = s.URL
	}
	line := fmt.Sprintf("[%d] %s", n, discordtext.Escape(truncateText(title, maxTitleLen)))
	if s.Site != "" {
		line += " · " + discordtext.Escape(truncateText(s.Site, 40))
	}
	if !s.Published.IsZero() {
		line += " · " + publishedText(s.Published, h)
	}
	if u := discordtext.LinkURL(s.URL); u != "" {
		line += " <" + u + ">"
	}
	return line
}

// publishedText is an article's date in the briefing's time zone, with
// the year when it is not the briefing's. A date without a time of day
// (midnight UTC, as date-only metadata reads) stays that day.
func publishedText(t time.Time, h header) string {
	t = t.UTC()
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		t = t.In(h.loc)
	}
	if t.Year() != h.slot.In(h.loc).Year() {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}

// truncateText cuts raw text to at most n runes, ending with "…" when it
// cut, at a word boundary when one is near.
func truncateText(s string, n int) string {
	s = discordtext.Clean(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)*2/3 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// discordLen is discordtext.Len: the length Discord's limits count.
func discordLen(s string) int { return discordtext.Len(s) }

// paginate joins blocks into messages of at most maxMessageLen, keeping
// each block in one message when it fits (else breaking it between lines,
// and a line longer than a message at a rune), and ends each message with
// its footer line: footer(i, n) for message i of n. Blank lines at a
// message's start are dropped.
func paginate(blocks []string, footer func(i, n int) string) []string {
	// Reserve room for the longest footer: it may depend on n.
	reserve := 0
	for _, n := range []int{1, 99} {
		reserve = max(reserve, discordLen(footer(n, n))+1)
	}
	budget := maxMessageLen - reserve
	var parts []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if curLen > 0 {
			parts = append(parts, cur.String())
		}
		cur.Reset()
		curLen = 0
	}
	var add func(b string, splittable bool)
	add = func(b string, splittable bool) {
		if curLen == 0 {
			b = strings.TrimLeft(b, "\n")
			if strings.TrimSpace(b) == "" {
				return
			}
		}
		n := discordLen(b)
		if curLen > 0 && curLen+1+n > budget {
			flush()
			b = strings.TrimLeft(b, "\n")
			n = discordLen(b)
		}
		if n > budget {
			if splittable && strings.Contains(b, "\n") {
				for _, l := range strings.Split(b, "\n") {
					add(l, false)
				}
				return
			}
			for n > budget {
				head, tail := discordtext.Cut(b, budget)
				add(head, false)
				flush()
				b = tail
				n = discordLen(b)
			}
		}
		if curLen > 0 {
			cur.WriteByte('\n')
			curLen++
		}
		cur.WriteString(b)
		curLen += n
	}
	for _, b := range blocks {
		add(b, true)
	}
	flush()
	if len(parts) == 0 {
		parts = []string{""}
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		f := footer(i+1, len(parts))
		if p == "" {
			out[i] = f
		} else {
			out[i] = p + "\n" + f
		}
	}
	return out
}
