package bot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"briefbot/bot/discordtext"
	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// Rendering limits.
const (
	// maxMessageLen is Discord's limit on a message's content.
	maxMessageLen = 2000
	// maxStoryPoints bounds the points shown of the biggest stories; a
	// story of one article shows oneArticlePoints.
	maxStoryPoints   = 8
	oneArticlePoints = 2
	// fewStories: a briefing of at most this many stories shows up to
	// maxStoryPoints of each.
	fewStories = 3
	// fullStoriesLen is the length of the post after which further
	// stories are shown in one line each: a day of 20 articles reads in
	// about two screens.
	fullStoriesLen = 2300
	// maxStoryLen keeps a story's block (points and sources) within one
	// message with its footer.
	maxStoryLen = 1850
	// maxShownRefs is the number of sources cited per point side.
	maxShownRefs = 3
	// maxStorySources bounds the articles listed under a story.
	maxStorySources = 6
	// maxStoryChanges bounds the status changes shown per story.
	maxStoryChanges = 5
	// maxNewTopics bounds the new topics named in a story's "New" line.
	maxNewTopics = 4
	// maxQuiet bounds the stories listed as gone quiet.
	maxQuiet = 5
	// maxCompactStories bounds the stories shown in one line; the rest
	// are counted (/topic finds them).
	maxCompactStories = 8
	// maxPointLen and maxNameLen bound untrusted text on one line.
	maxPointLen     = 240
	maxQuoteLen     = 160
	maxTopicNameLen = 60
	maxTitleLen     = 100
)

// statusLabel is how a reader sees a status.
func statusLabel(st summarize.Status) string {
	switch st {
	case summarize.StatusUnresolved:
		return "open"
	case "":
		return "new"
	}
	return string(st)
}

// RenderBriefing renders a briefing's ledger as Discord messages of at
// most maxMessageLen, each ending with footer(i, n) for message i of n:
// one line for a day without new articles, else the blocks of
// renderBlocks. It is the schedule.Render of the Discord and console
// transports.
func RenderBriefing(led *ledger.Ledger, h schedule.Header, footer func(i, n int) string) []string {
	var blocks []string
	if led.Articles == 0 {
		blocks = renderEmpty(led, h)
	} else {
		blocks = renderBlocks(led, h)
	}
	return paginate(blocks, footer)
}

var _ schedule.Render = RenderBriefing

// renderBlocks renders a ledger as the blocks of a briefing post
// (Markdown): the header, then one block per story — its headline, what
// is new since the last briefing, its points under Agreed / Open /
// Disputed / What happened with their sources — and the stories that
// went quiet. Each block is kept in one message when the post is split,
// so a story's sources travel with it.
func renderBlocks(led *ledger.Ledger, h schedule.Header) []string {
	intro := fmt.Sprintf("%d new %s %s", led.Articles, pluralWord(led.Articles, "article", "articles"), windowText(led, h))
	if n := len(led.Stories); n > 0 {
		intro += fmt.Sprintf(", in %d %s", n, pluralWord(n, "story", "stories"))
	}
	intro += "."
	if led.Reshared > 0 {
		intro += fmt.Sprintf(" %d re-shared %s already briefed left out.", led.Reshared, pluralWord(led.Reshared, "article", "articles"))
	}
	if h.Late {
		intro += fmt.Sprintf(" _Posted late: it was due at %s._", h.Slot.In(h.Loc).Format("15:04"))
	}
	head := "**" + titleLine(h) + "**\n" + intro
	if led.First {
		// In the header, so it never ends up alone in a last message.
		head += "\n-# First briefing: nothing to compare with yet."
	}
	for _, n := range led.Notes {
		head += "\n_" + discordtext.Escape(n) + "_"
	}
	blocks := []string{head}
	nums := map[int]int{}
	total := discordLen(head)
	var compact []string
	for si, st := range led.Stories {
		if total > fullStoriesLen {
			if len(compact) == maxCompactStories {
				n := len(led.Stories) - si
				compact = append(compact, fmt.Sprintf("_…and %d more %s (see /topic)._", n, pluralWord(n, "story", "stories")))
				break
			}
			compact = append(compact, storyLine(led, st, h))
			continue
		}
		maxLen := maxStoryLen
		if si == 0 {
			maxLen -= discordLen(head) + 1 // the first story goes with the header
		}
		b := storyBlock(led, si, st, nums, h, maxLen)
		total += discordLen(b)
		blocks = append(blocks, b)
	}
	if len(compact) > 0 {
		blocks = append(blocks, "\n**More stories**\n"+compact[0])
		blocks = append(blocks, compact[1:]...)
	}
	if len(led.Stories) == 0 {
		blocks = append(blocks, "\n_The shared articles held no points to report._")
	}
	var quiet []string
	for _, c := range led.Changes {
		if c.Kind == ledger.ChangeQuiet {
			quiet = append(quiet, discordtext.Escape(truncateText(c.Topic, maxTitleLen)))
		}
	}
	if len(quiet) > maxQuiet {
		quiet = append(quiet[:maxQuiet], fmt.Sprintf("and %d more", len(quiet)-maxQuiet))
	}
	if len(quiet) > 0 {
		blocks = append(blocks, "\n**Went quiet:** "+strings.Join(quiet, " · "))
	}
	return blocks
}

// storyPoint is one point of a story, under its topic's name; against
// is the agreement a disputed point contests, shown beside it.
type storyPoint struct {
	topic   string
	p       ledger.Point
	against *ledger.Side
}

// storyBlock renders story si: headline, what is new, points by status,
// sources. Points are dropped from the end until the block fits maxLen.
func storyBlock(led *ledger.Ledger, si int, st ledger.Story, nums map[int]int, h schedule.Header, maxLen int) string {
	var pts []storyPoint
	for _, ti := range st.Topics {
		t := led.Topics[ti]
		points := t.Points
		var against *ledger.Side
		// A disputed topic shows the agreement it contests beside the
		// accusation (the ledger puts it second).
		if t.Status == summarize.StatusDisputed && len(points) > 1 && points[0].Status == summarize.StatusDisputed &&
			points[1].Status == summarize.StatusAgreed && len(points[0].Sides) == 1 {
			for i := range points[1].Sides {
				if points[1].Sides[i].Status == summarize.StatusAgreed {
					against = &points[1].Sides[i]
				}
			}
			if against != nil {
				points = append([]ledger.Point{points[0]}, points[2:]...)
			}
		}
		for i, p := range points {
			sp := storyPoint{topic: t.Name, p: p}
			if i == 0 {
				sp.against = against
			}
			pts = append(pts, sp)
		}
	}
	limit := min(maxStoryPoints, oneArticlePoints+2*(st.Articles-1))
	if len(led.Stories) <= fewStories {
		limit = maxStoryPoints
	}
	pts = interleave(pts, led, st, limit)
	// Shrink until the block fits: points from the end, then change
	// lines, then sources listed.
	lim := storyLimits{changes: maxStoryChanges, sources: maxStorySources}
	for {
		local := maps.Clone(nums)
		b := renderStory(led, si, st, pts, local, h, lim)
		switch {
		case discordLen(b) <= maxLen:
		case len(pts) > 1:
			pts = pts[:len(pts)-1]
			continue
		case lim.changes > 0:
			lim.changes--
			continue
		case lim.sources > 1:
			lim.sources--
			continue
		}
		maps.Copy(nums, local)
		return b
	}
}

// storyLimits bound what a story block shows: its status-change lines
// and the sources it lists (a citation beyond them counts as "more").
type storyLimits struct {
	changes, sources int
}

// interleave picks up to limit points of a story: each topic's first
// point (the one that decides its status), then each topic's next, so the
// biggest topics do not crowd out the rest.
func interleave(pts []storyPoint, led *ledger.Ledger, st ledger.Story, limit int) []storyPoint {
	byTopic := map[string][]storyPoint{}
	var order []string
	for _, p := range pts {
		if _, ok := byTopic[p.topic]; !ok {
			order = append(order, p.topic)
		}
		byTopic[p.topic] = append(byTopic[p.topic], p)
	}
	var out []storyPoint
	for round := 0; len(out) < limit; round++ {
		added := false
		for _, name := range order {
			if round < len(byTopic[name]) && len(out) < limit {
				out = append(out, byTopic[name][round])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}

func renderStory(led *ledger.Ledger, si int, st ledger.Story, pts []storyPoint, nums map[int]int, h schedule.Header, lim storyLimits) string {
	var b strings.Builder
	b.WriteString("\n**")
	b.WriteString(discordtext.Escape(truncateText(st.Headline, maxTitleLen)))
	b.WriteString("**")
	if st.Articles > 1 {
		fmt.Fprintf(&b, " · %d articles", st.Articles)
	}
	var cited []int
	cite := func(refs []int, more int) string {
		var out strings.Builder
		for i, n := range refs {
			if i == maxShownRefs {
				more += len(refs) - i
				break
			}
			if _, ok := nums[n]; !ok {
				if len(cited) >= lim.sources {
					more++
					continue
				}
				nums[n] = len(nums) + 1
				cited = append(cited, n)
			}
			fmt.Fprintf(&out, "[%d]", nums[n])
		}
		if more > 0 {
			if out.Len() > 0 {
				out.WriteByte(' ')
			}
			fmt.Fprintf(&out, "+%d more", more)
		}
		return out.String()
	}
	var news []string
	changed := 0
	for _, c := range led.Changes {
		if c.Story != si {
			continue
		}
		name := discordtext.Escape(truncateText(c.Topic, maxTopicNameLen))
		switch c.Kind {
		case ledger.ChangeResolved, ledger.ChangeStatus:
			if changed++; changed > lim.changes {
				continue
			}
			line := fmt.Sprintf("\n🔄 %s: %s → **%s**", name, statusLabel(c.From), statusLabel(c.To))
			if c.Quote != "" {
				line += " — “" + discordtext.Escape(truncateText(c.Quote, maxQuoteLen)) + "” " + cite(c.Sources, 0)
			}
			b.WriteString(line)
		case ledger.ChangeNew:
			news = append(news, fmt.Sprintf("%s (%s)", name, statusLabel(c.To)))
		}
	}
	if n := changed - lim.changes; n > 0 {
		fmt.Fprintf(&b, "\n🔄 _…and %d more %s (see /topic)._", n, pluralWord(n, "change", "changes"))
	}
	if len(news) == len(st.Topics) {
		news = nil // the whole story is new: its points say so
	}
	if len(news) > maxNewTopics {
		news = append(news[:maxNewTopics], fmt.Sprintf("+%d more", len(news)-maxNewTopics))
	}
	if len(news) > 0 {
		b.WriteString("\n🆕 New: " + strings.Join(news, ", "))
	}
	for _, sec := range []struct {
		title  string
		status summarize.Status
	}{
		{"✅ Agreed", summarize.StatusAgreed},
		{"❓ Open", summarize.StatusUnresolved},
		{"⚠️ Disputed", summarize.StatusDisputed},
		{"📰 What happened", summarize.StatusReported},
	} {
		first := true
		for _, sp := range pts {
			if sp.p.Status != sec.status {
				continue
			}
			if first {
				b.WriteString("\n__" + sec.title + "__")
				first = false
			}
			b.WriteString("\n• " + pointText(sp, len(st.Topics) > 1, cite))
		}
	}
	// The story's other articles are its sources too.
	for _, n := range st.Sources {
		if _, ok := nums[n]; !ok && len(cited) < min(lim.sources, maxStorySources) {
			nums[n] = len(nums) + 1
			cited = append(cited, n)
		}
	}
	slices.SortFunc(cited, func(a, b int) int { return nums[a] - nums[b] })
	for _, n := range cited {
		b.WriteString("\n-# " + briefingSourceLine(nums[n], led.Sources[n-1], h))
	}
	return b.String()
}

// pointText is a point (under its topic's name when named): the side with the point's
// status, then in a dispute the other sides, and what newer articles
// replaced ("was open [1]").
func pointText(sp storyPoint, named bool, cite func([]int, int) string) string {
	p := sp.p
	main := -1
	for i, s := range p.Sides {
		if s.Status == p.Status && !s.Superseded {
			main = i
		}
	}
	if main < 0 {
		main = len(p.Sides) - 1
	}
	s := p.Sides[main]
	line := discordtext.Escape(truncateText(s.Text, maxPointLen)) + " " + cite(s.Sources, s.MoreSources)
	if named {
		line = "**" + discordtext.Escape(truncateText(sp.topic, maxTopicNameLen)) + ":** " + line
	}
	for i, o := range p.Sides {
		if i == main {
			continue
		}
		if o.Superseded {
			line += " _(was " + statusLabel(o.Status) + " " + cite(o.Sources, o.MoreSources) + ")_"
			continue
		}
		line += " ⟷ _" + statusLabel(o.Status) + ":_ " + discordtext.Escape(truncateText(o.Text, maxPointLen)) + " " + cite(o.Sources, o.MoreSources)
	}
	if a := sp.against; a != nil {
		line += " ⟷ _agreed:_ " + discordtext.Escape(truncateText(a.Text, maxPointLen)) + " " + cite(a.Sources, a.MoreSources)
	}
	return line
}

// storyLine is a story in one line (beyond fullStoriesLen): its
// headline and its articles' sites and links.
func storyLine(led *ledger.Ledger, st ledger.Story, h schedule.Header) string {
	line := "• **" + discordtext.Escape(truncateText(st.Headline, maxTitleLen)) + "**"
	for i, n := range st.Sources {
		if i == maxShownRefs {
			line += fmt.Sprintf(" +%d more", len(st.Sources)-i)
			break
		}
		src := led.Sources[n-1]
		if src.Site != "" {
			line += " · " + discordtext.Escape(truncateText(src.Site, 40))
		}
		if u := discordtext.LinkURL(src.URL); u != "" {
			line += " <" + u + ">"
		}
	}
	return line
}

// renderEmpty is the one line of a day without new articles.
func renderEmpty(led *ledger.Ledger, h schedule.Header) []string {
	if led.Reshared > 0 {
		return []string{fmt.Sprintf("**%s** · Nothing new %s: the %d %s shared %s already briefed.",
			titleLine(h), windowText(led, h), led.Reshared, pluralWord(led.Reshared, "article", "articles"), pluralWord(led.Reshared, "was", "were"))}
	}
	return []string{fmt.Sprintf("**%s** · No links were shared %s.", titleLine(h), windowText(led, h))}
}

func titleLine(h schedule.Header) string {
	t := h.Slot.In(h.Loc)
	if h.Manual {
		return "Briefing · " + t.Format("Mon 2 Jan 2006, 15:04") + " (" + h.Loc.String() + ")"
	}
	return "Daily briefing · " + t.Format("Mon 2 Jan 2006, 15:04") + " (" + h.Loc.String() + ")"
}

// windowText names the briefing's window of shares.
func windowText(led *ledger.Ledger, h schedule.Header) string {
	if led.First {
		return "in the last 24 hours"
	}
	s := led.Since.In(h.Loc)
	if s.Year() != h.Slot.In(h.Loc).Year() {
		return "since the last briefing (" + s.Format("2 Jan 2006 15:04") + ")"
	}
	return "since the last briefing (" + s.Format("Mon 2 Jan 15:04") + ")"
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sourceLine lists one article: number, title, site, published date
// (when known; sources run from the oldest to the newest), "via feed" when
// only a followed feed shared it, and link.
func briefingSourceLine(n int, s ledger.Source, h schedule.Header) string {
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
	if s.ViaFeed {
		line += " · via feed"
	}
	if u := discordtext.LinkURL(s.URL); u != "" {
		line += " <" + u + ">"
	}
	return line
}

// publishedText is an article's date in the briefing's time zone, with
// the year when it is not the briefing's. A date without a time of day
// (midnight UTC, as date-only metadata reads) stays that day.
func publishedText(t time.Time, h schedule.Header) string {
	t = t.UTC()
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		t = t.In(h.Loc)
	}
	if t.Year() != h.Slot.In(h.Loc).Year() {
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
