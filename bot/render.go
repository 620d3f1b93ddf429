package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtext"
	"briefbot/schedule"
	"briefbot/store"
	"briefbot/summarize"
)

// Discord's message and embed limits, in characters.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	LimitContent     = 2000
	LimitEmbeds      = 10 // embeds per message
	LimitTitle       = 256
	LimitDescription = 4096
	LimitFields      = 25
	LimitFieldName   = 256
	LimitFieldValue  = 1024
	LimitFooter      = 2048
	LimitAuthor      = 256
	// LimitEmbedTotal bounds the text of one embed and, summed, of all the
	// embeds of one message.
	LimitEmbedTotal = 6000
)

// Caps on single pieces of model or article text, so one point always fits
// in one field value with its quote and marks around it.
const (
	maxPointText  = 600
	maxQuote      = 280
	maxActorsText = 120
	maxNote       = 300
	maxNotes      = 8
	maxTopicName  = 200 // leaves room for " (cont.)" when a topic goes on to the next page
)

// Status marks, as shown before each point. A reported fact gets a
// neutral mark: it is neither settled nor open between parties.
const (
	markAgreed     = "✅"
	markUnresolved = "❓"
	markDisputed   = "⚠️"
	markReported   = "▪️"
)

// Embed colours by extraction quality.
const (
	colorFull    = 0x3b82f6
	colorPartial = 0xf59e0b
	colorTeaser  = 0x9ca3af
	colorTopic   = 0x8b5cf6
)

// StatusMark returns the emoji shown for a status.
func StatusMark(s summarize.Status) string {
	switch s {
	case summarize.StatusAgreed:
		return markAgreed
	case summarize.StatusDisputed:
		return markDisputed
	case summarize.StatusReported:
		return markReported
	default:
		return markUnresolved
	}
}

// TopicOptions tune how a /topic answer is rendered.
type TopicOptions struct {
	// ShowUngrounded shows points whose quote was not found in their
	// article.
	ShowUngrounded bool
}

// maxTopicGroups caps a /topic answer: the most relevant merged topics are
// shown with their points, the rest only named, so the answer stays a
// readable screen or two rather than every topic that mentions a word.
const maxTopicGroups = 5

// maxMoreTopicsText bounds the line naming the topics beyond the cap,
// leaving room for the hint below it in a field (LimitFieldValue).
const maxMoreTopicsText = 900

// RenderTopic renders the answer to /topic. Topics of different articles
// that are the same subject ("Full temporary ceasefire", "Full
// ceasefire") are merged as the daily briefing merges them (see
// schedule.KeywordMerger). The maxTopicGroups most relevant merged topics
// are shown, each with its current status, how the status changed across
// the articles (in share order) and its points; the others are named in
// one line. Sources are numbered in share order. hits are the store's
// search results; a lower Rank is a better match.
func RenderTopic(query string, hits []store.TopicHit, opt TopicOptions) []Reply {
	groups := groupTopics(hits)
	shown, rest := groups, []topicGroup(nil)
	if len(groups) > maxTopicGroups {
		shown, rest = groups[:maxTopicGroups], groups[maxTopicGroups:]
	}
	var shownHits []store.TopicHit
	for _, g := range shown {
		shownHits = append(shownHits, g.hits...)
	}
	sources := numberSources(shownHits)

	head := &discordgo.MessageEmbed{
		Title: "Topic: " + discordtext.EscapeTruncate(query, LimitTitle-len("Topic: ")),
		Color: colorTopic,
	}
	if len(groups) == 0 {
		head.Description = "No topic matching that has been shared in this server yet."
		return []Reply{{Embeds: []*discordgo.MessageEmbed{head}}}
	}
	if len(rest) == 0 {
		head.Description = fmt.Sprintf("%s across %s shared in this server.",
			plural(len(groups), "topic", "topics"), plural(len(sources.order), "article", "articles"))
	} else {
		head.Description = fmt.Sprintf("Top %d of %d matching topics, across %s shared in this server.",
			len(shown), len(groups), plural(len(sources.order), "article", "articles"))
	}

	var fields []*discordgo.MessageEmbedField
	for _, g := range shown {
		lines := []string{historyLine(g, sources)}
		seen := map[string]int{}
		hidden := 0
		for _, h := range g.hits {
			ref := fmt.Sprintf(" [%d]", sources.num[h.URL])
			for _, p := range h.Topic.Points {
				if !p.Grounded && !opt.ShowUngrounded {
					hidden++
					continue
				}
				k := summarize.TopicKey(p.Text)
				if i, ok := seen[k]; ok {
					// The same point again: its newest status stands.
					lines[i] = pointLine(p, ref)
					continue
				}
				seen[k] = len(lines)
				lines = append(lines, pointLine(p, ref))
			}
		}
		if hidden > 0 {
			lines = append(lines, fmt.Sprintf("_%s without a verified quote hidden._", plural(hidden, "point", "points")))
		}
		fields = append(fields, splitField(topicName(g.name), lines)...)
	}
	if len(rest) > 0 {
		fields = append(fields, moreTopicsField(rest))
	}
	var src []string
	for i, u := range sources.order {
		src = append(src, sourceLine(i+1, sources.info[u]))
	}
	fields = append(fields, splitField("Sources", src)...)
	return pack(head, fields, "")
}

// moreTopicsField names the merged topics beyond the cap, best first, as
// many as fit in one field.
func moreTopicsField(rest []topicGroup) *discordgo.MessageEmbedField {
	var b strings.Builder
	fmt.Fprintf(&b, "and %s: ", plural(len(rest), "more topic", "more topics"))
	for i, g := range rest {
		name := topicName(g.name)
		if i > 0 {
			if discordtext.Len(b.String())+len(" · ")+discordtext.Len(name) > maxMoreTopicsText {
				b.WriteString(" · …")
				break
			}
			b.WriteString(" · ")
		}
		b.WriteString(name)
	}
	b.WriteString("\n_Search for one of them by name to see it._")
	return &discordgo.MessageEmbedField{Name: "More topics", Value: b.String()}
}

// topicGroup is one subject merged across the articles that discuss it.
type topicGroup struct {
	name string
	hits []store.TopicHit // share order
	rank float64          // the best (lowest) Rank of its hits
}

// groupTopics merges hits that are the same subject: the same topic key,
// or names schedule.KeywordMerger puts together (synonyms such as truce
// and ceasefire, modifiers such as "full" and "temporary" dropped, close
// word overlap). Groups come best match first; each is named by the name
// most of its articles use, the best-matching one on a tie.
func groupTopics(hits []store.TopicHit) []topicGroup {
	byRank := slices.Clone(hits)
	slices.SortStableFunc(byRank, func(a, b store.TopicHit) int { return cmp.Compare(a.Rank, b.Rank) })

	// Hits with the same key are one topic whatever the merger says.
	var keyed [][]store.TopicHit
	index := map[string]int{}
	for _, h := range byRank {
		k := h.Topic.Key
		if k == "" {
			k = summarize.TopicKey(h.Topic.Name)
		}
		i, ok := index[k]
		if !ok {
			i = len(keyed)
			index[k] = i
			keyed = append(keyed, nil)
		}
		keyed[i] = append(keyed[i], h)
	}
	article := map[string]int{}
	mt := make([]schedule.MergeTopic, len(keyed))
	for i, hs := range keyed {
		src, ok := article[hs[0].URL]
		if !ok {
			src = len(article)
			article[hs[0].URL] = src
		}
		mt[i] = schedule.MergeTopic{Name: hs[0].Topic.Name, Source: src}
	}
	// KeywordMerger makes no call and never fails: one group per keyed
	// topic is only a guard.
	merged, err := schedule.KeywordMerger{}.Merge(context.Background(), mt)
	if err != nil {
		merged = nil
		for i := range keyed {
			merged = append(merged, schedule.TopicGroup{Members: []int{i}})
		}
	}

	groups := make([]topicGroup, 0, len(merged))
	for _, m := range merged {
		var g topicGroup
		for _, i := range m.Members {
			if i >= 0 && i < len(keyed) {
				g.hits = append(g.hits, keyed[i]...)
			}
		}
		if len(g.hits) == 0 {
			continue
		}
		slices.SortStableFunc(g.hits, func(a, b store.TopicHit) int { return cmp.Compare(a.Rank, b.Rank) })
		g.name = groupName(g.hits)
		g.rank = g.hits[0].Rank
		slices.SortStableFunc(g.hits, func(a, b store.TopicHit) int {
			return a.SharedAt.Compare(b.SharedAt)
		})
		groups = append(groups, g)
	}
	// Merge keeps the order of its input's first members, which is by
	// rank; sorting again keeps that guarantee explicit.
	slices.SortStableFunc(groups, func(a, b topicGroup) int { return cmp.Compare(a.rank, b.rank) })
	return groups
}

// groupName picks the topic name used by the most articles of hits (best
// match first), the best-matching one on a tie.
func groupName(hits []store.TopicHit) string {
	articles := map[string]map[string]bool{}
	var names []string
	for _, h := range hits {
		n := strings.TrimSpace(h.Topic.Name)
		if articles[n] == nil {
			articles[n] = map[string]bool{}
			names = append(names, n)
		}
		articles[n][h.URL] = true
	}
	best := names[0]
	for _, n := range names[1:] {
		if len(articles[n]) > len(articles[best]) {
			best = n
		}
	}
	return best
}

// sources numbers the distinct articles of a /topic answer by first share.
type sources struct {
	order []string
	num   map[string]int
	info  map[string]store.TopicHit
}

func numberSources(hits []store.TopicHit) sources {
	s := sources{num: map[string]int{}, info: map[string]store.TopicHit{}}
	for _, h := range hits {
		if old, ok := s.info[h.URL]; !ok || h.SharedAt.Before(old.SharedAt) {
			if !ok {
				s.order = append(s.order, h.URL)
			}
			s.info[h.URL] = h
		}
	}
	slices.SortStableFunc(s.order, func(a, b string) int {
		return cmp.Or(s.info[a].SharedAt.Compare(s.info[b].SharedAt), strings.Compare(a, b))
	})
	for i, u := range s.order {
		s.num[u] = i + 1
	}
	return s
}

// TopicStatus is the standing of a topic in one article: disputed when any
// point is, agreed when every point is, unresolved otherwise.
func TopicStatus(t summarize.Topic) summarize.Status {
	agreed := len(t.Points) > 0
	for _, p := range t.Points {
		switch p.Status {
		case summarize.StatusDisputed:
			return summarize.StatusDisputed
		case summarize.StatusAgreed:
		default:
			agreed = false
		}
	}
	if agreed {
		return summarize.StatusAgreed
	}
	return summarize.StatusUnresolved
}

// historyLine says where a topic stands now and how its status changed
// across articles, in share order: one step per run of articles with the
// same status, with their source numbers and the date the run began
// ("❓ unresolved [1][2] 18 Mar 2025 → ✅ agreed [3] 22 Mar 2025"). An
// article's status is that of all its points on the topic together (see
// TopicStatus).
func historyLine(g topicGroup, src sources) string {
	type step struct {
		st   summarize.Status
		refs []int
		at   time.Time
	}
	// Points of each article, in share order (g.hits is in share order).
	var urls []string
	byURL := map[string]*summarize.Topic{}
	first := map[string]time.Time{}
	for _, h := range g.hits {
		t, ok := byURL[h.URL]
		if !ok {
			t = &summarize.Topic{}
			byURL[h.URL] = t
			urls = append(urls, h.URL)
			first[h.URL] = h.SharedAt
		}
		t.Points = append(t.Points, h.Topic.Points...)
	}
	slices.SortStableFunc(urls, func(a, b string) int { return cmp.Compare(src.num[a], src.num[b]) })
	var steps []step
	for _, u := range urls {
		st := TopicStatus(*byURL[u])
		if n := len(steps); n > 0 && steps[n-1].st == st {
			steps[n-1].refs = append(steps[n-1].refs, src.num[u])
			continue
		}
		steps = append(steps, step{st, []int{src.num[u]}, first[u]})
	}
	refs := func(ns []int) string {
		var b strings.Builder
		for _, n := range ns {
			fmt.Fprintf(&b, "[%d]", n)
		}
		return b.String()
	}
	cur := steps[len(steps)-1]
	line := fmt.Sprintf("**Now: %s %s**", StatusMark(cur.st), cur.st)
	if len(steps) == 1 {
		return line + fmt.Sprintf(" · since %s %s", refs(cur.refs), shortDate(cur.at))
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s %s %s %s", StatusMark(s.st), s.st, refs(s.refs), shortDate(s.at))
	}
	return line + " · " + strings.Join(parts, " → ")
}

func sourceLine(n int, h store.TopicHit) string {
	title := discordtext.EscapeTruncate(firstNonEmpty(h.Title, h.Site, h.URL), 200)
	link := title
	if u := safeURL(h.URL); u != "" {
		link = "[" + title + "](" + u + ")"
	}
	line := fmt.Sprintf("%d. %s", n, link)
	if meta := siteLine(h.Site, time.Time{}); meta != "" {
		line += " — " + meta
	}
	return line + " · shared " + shortDate(h.SharedAt)
}

// pointLine renders one point: status mark, the claim, actors, a source
// reference, and its quote in italics on a quoted line below when the
// quote adds something to the claim.
//
// When the point's text is itself the quote (the offline engine quotes
// whole sentences, and models often do), the text is shown once, as the
// quote. A grounded quote that is part of the text, or nearly the same
// words (see quoteAddsNothing), is left out; an ungrounded one is shown,
// so the reader sees what was not found.
func pointLine(p summarize.Point, ref string) string {
	var b strings.Builder
	b.WriteString(StatusMark(p.Status))
	b.WriteByte(' ')
	verbatim := sameText(p.Text, p.Quote)
	if verbatim {
		b.WriteString("*“")
		b.WriteString(discordtext.EscapeTruncate(p.Text, maxPointText))
		b.WriteString("”*")
	} else {
		b.WriteString(discordtext.EscapeTruncate(p.Text, maxPointText))
	}
	if len(p.Actors) > 0 {
		var actors []string
		for _, a := range p.Actors {
			if a = discordtext.EscapeTruncate(a, maxActorsText); a != "" {
				actors = append(actors, a)
			}
		}
		if len(actors) > 0 {
			b.WriteString(" — ")
			b.WriteString(discordtext.Truncate(strings.Join(actors, ", "), maxActorsText))
		}
	}
	b.WriteString(ref)
	if q := discordtext.EscapeTruncate(p.Quote, maxQuote); q != "" && !verbatim && !(p.Grounded && quoteAddsNothing(p.Text, p.Quote)) {
		b.WriteString("\n> *“")
		b.WriteString(q)
		b.WriteString("”*")
	}
	if !p.Grounded {
		b.WriteString("\n> _(quote not found in the article)_")
	}
	return b.String()
}

// splitField packs lines into fields of at most LimitFieldValue
// characters. A continuation field has a blank name (Discord requires one,
// so a zero-width space), so the topic reads as one block rather than as a
// second topic named "… (cont.)".
func splitField(name string, lines []string) []*discordgo.MessageEmbedField {
	var out []*discordgo.MessageEmbedField
	var cur []string
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		n := discordtext.Truncate(name, LimitFieldName)
		if len(out) > 0 {
			n = discordtext.ZeroWidthSpace
		}
		out = append(out, &discordgo.MessageEmbedField{Name: n, Value: strings.Join(cur, "\n")})
		cur, size = nil, 0
	}
	for _, l := range lines {
		l = discordtext.Truncate(l, LimitFieldValue)
		n := discordtext.Len(l)
		if len(cur) > 0 && size+1+n > LimitFieldValue {
			flush()
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, l)
		size += n
	}
	flush()
	return out
}

// pack lays a header embed, fields and a footer out over as many embeds
// and messages as Discord's limits need. The header goes first, the footer
// on the last embed.
func pack(head *discordgo.MessageEmbed, fields []*discordgo.MessageEmbedField, footer string) []Reply {
	footer = discordtext.Truncate(footer, LimitFooter)
	var embeds []*discordgo.MessageEmbed
	cur := head
	size := embedLen(head)
	for _, f := range fields {
		n := discordtext.Len(f.Name) + discordtext.Len(f.Value)
		// Keep room for the footer in every embed: any may be the last.
		if len(cur.Fields) == LimitFields || size+n+discordtext.Len(footer) > LimitEmbedTotal {
			embeds = append(embeds, cur)
			cur = &discordgo.MessageEmbed{Color: head.Color}
			size = 0
		}
		cur.Fields = append(cur.Fields, f)
		size += n
	}
	if footer != "" {
		cur.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	}
	embeds = append(embeds, cur)

	var replies []Reply
	var msg []*discordgo.MessageEmbed
	total := 0
	for _, e := range embeds {
		n := embedLen(e)
		if len(msg) == LimitEmbeds || (len(msg) > 0 && total+n > LimitEmbedTotal) {
			replies = append(replies, Reply{Embeds: msg})
			msg, total = nil, 0
		}
		msg = append(msg, e)
		total += n
	}
	return append(replies, Reply{Embeds: msg})
}

// embedLen is the text of an embed as Discord counts it against
// LimitEmbedTotal.
func embedLen(e *discordgo.MessageEmbed) int {
	n := discordtext.Len(e.Title) + discordtext.Len(e.Description)
	for _, f := range e.Fields {
		n += discordtext.Len(f.Name) + discordtext.Len(f.Value)
	}
	if e.Footer != nil {
		n += discordtext.Len(e.Footer.Text)
	}
	if e.Author != nil {
		n += discordtext.Len(e.Author.Name)
	}
	return n
}

// CheckLimits reports the first of Discord's message limits r breaks, or
// nil when Discord will accept it.
func CheckLimits(r Reply) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("bot: "+format, args...)) }
	if r.Content == "" && len(r.Embeds) == 0 {
		bad("empty message")
	}
	if n := discordtext.Len(r.Content); n > LimitContent {
		bad("content is %d characters; limit %d", n, LimitContent)
	}
	if len(r.Embeds) > LimitEmbeds {
		bad("%d embeds; limit %d", len(r.Embeds), LimitEmbeds)
	}
	if len(r.Buttons) > LimitButtons {
		bad("%d buttons; limit %d", len(r.Buttons), LimitButtons)
	}
	ids := map[string]bool{}
	for i, b := range r.Buttons {
		if n := discordtext.Len(b.Label); n == 0 || n > LimitButtonLabel {
			bad("button %d label is %d characters; want 1 to %d", i, n, LimitButtonLabel)
		}
		if n := len(b.CustomID); n == 0 || n > LimitCustomID || ids[b.CustomID] {
			bad("button %d custom ID %q: want 1 to %d characters, unique in the message", i, b.CustomID, LimitCustomID)
		}
		ids[b.CustomID] = true
	}
	total := 0
	for i, e := range r.Embeds {
		if n := discordtext.Len(e.Title); n > LimitTitle {
			bad("embed %d title is %d characters; limit %d", i, n, LimitTitle)
		}
		if n := discordtext.Len(e.Description); n > LimitDescription {
			bad("embed %d description is %d characters; limit %d", i, n, LimitDescription)
		}
		if len(e.Fields) > LimitFields {
			bad("embed %d has %d fields; limit %d", i, len(e.Fields), LimitFields)
		}
		for j, f := range e.Fields {
			if f.Name == "" || f.Value == "" {
				bad("embed %d field %d is empty", i, j)
			}
			if n := discordtext.Len(f.Name); n > LimitFieldName {
				bad("embed %d field %d name is %d characters; limit %d", i, j, n, LimitFieldName)
			}
			if n := discordtext.Len(f.Value); n > LimitFieldValue {
				bad("embed %d field %d value is %d characters; limit %d", i, j, n, LimitFieldValue)
			}
		}
		if e.Footer != nil {
			if n := discordtext.Len(e.Footer.Text); n > LimitFooter {
				bad("embed %d footer is %d characters; limit %d", i, n, LimitFooter)
			}
		}
		if e.Author != nil {
			if n := discordtext.Len(e.Author.Name); n > LimitAuthor {
				bad("embed %d author is %d characters; limit %d", i, n, LimitAuthor)
			}
		}
		n := embedLen(e)
		if n > LimitEmbedTotal {
			bad("embed %d is %d characters; limit %d", i, n, LimitEmbedTotal)
		}
		if e.Title == "" && e.Description == "" && len(e.Fields) == 0 && e.Footer == nil {
			bad("embed %d is empty", i)
		}
		total += n
	}
	if total > LimitEmbedTotal {
		bad("embeds total %d characters; limit %d per message", total, LimitEmbedTotal)
	}
	return errors.Join(errs...)
}

func topicName(name string) string {
	n := discordtext.EscapeTruncate(name, maxTopicName)
	if n == "" {
		return "Other"
	}
	return n
}

func siteLine(site string, published time.Time) string {
	var parts []string
	if s := discordtext.EscapeTruncate(site, 100); s != "" {
		parts = append(parts, s)
	}
	if !published.IsZero() {
		parts = append(parts, published.UTC().Format("2 Jan 2006"))
	}
	return strings.Join(parts, " · ")
}

func shortDate(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2 Jan 2006")
}

func footerText(s *summarize.Summary, took time.Duration) string {
	parts := []string{discordtext.Clean(s.Engine)}
	if m := discordtext.Clean(s.Model); m != "" {
		parts = append(parts, m)
	}
	parts = append(parts, pick(s.Cached, "cached", "fresh"), formatDuration(took))
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " · ")
}

func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

func qualityColor(q summarize.Quality) int {
	switch q {
	case summarize.QualityPartial:
		return colorPartial
	case summarize.QualityTeaser:
		return colorTeaser
	default:
		return colorFull
	}
}

// safeURL returns raw as an http(s) URL safe inside a markdown link target
// and an embed's url, or "" when it is not one.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	// Characters that would end a markdown link target early, and "@"
	// so no "@everyone" appears even inside a link.
	s = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "@", "%40").Replace(s)
	if len(s) > 2048 {
		return ""
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}
