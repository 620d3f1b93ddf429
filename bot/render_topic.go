package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtext"
	"briefbot/ledger"
	"briefbot/summarize"
)

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
// ledger.KeywordMerger). The maxTopicGroups most relevant merged topics
// are shown, each with its current status, how the status changed across
// the articles (in share order) and its points; the others are named in
// one line. Sources are numbered in share order. hits are the store's
// search results; a lower Rank is a better match.
func RenderTopic(query string, hits []ledger.TopicHit, opt TopicOptions) []Reply {
	groups := groupTopics(hits)
	shown, rest := groups, []topicGroup(nil)
	if len(groups) > maxTopicGroups {
		shown, rest = groups[:maxTopicGroups], groups[maxTopicGroups:]
	}
	var shownHits []ledger.TopicHit
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
		lines := []string{historyLine(g, sources, opt)}
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
	hits []ledger.TopicHit // share order
	rank float64           // the best (lowest) Rank of its hits
}

// groupTopics merges hits that are the same subject: the same topic key,
// or names ledger.KeywordMerger puts together (synonyms such as truce
// and ceasefire, modifiers such as "full" and "temporary" dropped, close
// word overlap). Groups come best match first; each is named by the name
// most of its articles use, the best-matching one on a tie.
func groupTopics(hits []ledger.TopicHit) []topicGroup {
	byRank := slices.Clone(hits)
	slices.SortStableFunc(byRank, func(a, b ledger.TopicHit) int { return cmp.Compare(a.Rank, b.Rank) })

	// Hits with the same key are one topic whatever the merger says.
	var keyed [][]ledger.TopicHit
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
	mt := make([]ledger.MergeTopic, len(keyed))
	for i, hs := range keyed {
		src, ok := article[hs[0].URL]
		if !ok {
			src = len(article)
			article[hs[0].URL] = src
		}
		mt[i] = ledger.MergeTopic{Name: hs[0].Topic.Name, Source: src}
	}
	// KeywordMerger makes no call and never fails: one group per keyed
	// topic is only a guard.
	merged, err := ledger.KeywordMerger{}.Merge(context.Background(), mt)
	if err != nil {
		merged = nil
		for i := range keyed {
			merged = append(merged, ledger.TopicGroup{Members: []int{i}})
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
		slices.SortStableFunc(g.hits, func(a, b ledger.TopicHit) int { return cmp.Compare(a.Rank, b.Rank) })
		g.name = groupName(g.hits)
		g.rank = g.hits[0].Rank
		slices.SortStableFunc(g.hits, func(a, b ledger.TopicHit) int {
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
func groupName(hits []ledger.TopicHit) string {
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
	info  map[string]ledger.TopicHit
}

func numberSources(hits []ledger.TopicHit) sources {
	s := sources{num: map[string]int{}, info: map[string]ledger.TopicHit{}}
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

// historyLine says where a topic stands now and how its status changed
// across its articles, oldest first, by the ledger's status rule (the
// same a briefing applies): one step per run of times with the same
// status, with their source numbers and the date the run began
// ("❓ unresolved [1][2] 18 Mar 2025 → ✅ agreed [3] 22 Mar 2025").
// shares returns one share per article of g, holding its topics on this
// subject, in source order, and the articles' URLs in the same order: what
// ledger.History reads.
func (g topicGroup) shares(src sources) (urls []string, shares []ledger.SharedSummary) {
	byURL := map[string]*ledger.SharedSummary{}
	for _, h := range g.hits {
		sh, ok := byURL[h.URL]
		if !ok {
			sh = &ledger.SharedSummary{Share: ledger.Share{URL: h.URL, At: h.SharedAt}, Summary: &summarize.Summary{
				URL: h.URL, Title: h.Title, Site: h.Site, Published: h.Published,
			}}
			byURL[h.URL] = sh
			urls = append(urls, h.URL)
		}
		sh.Summary.Topics = append(sh.Summary.Topics, h.Topic)
	}
	slices.SortStableFunc(urls, func(a, b string) int { return cmp.Compare(src.num[a], src.num[b]) })
	shares = make([]ledger.SharedSummary, len(urls))
	for i, u := range urls {
		shares[i] = *byURL[u]
	}
	return urls, shares
}

func historyLine(g topicGroup, src sources, opt TopicOptions) string {
	type step struct {
		st   summarize.Status
		was  bool
		refs []int
		at   time.Time
	}
	urls, shares := g.shares(src)
	var steps []step
	for _, m := range ledger.History(shares, opt.ShowUngrounded) {
		var refs []int
		for _, a := range m.Articles {
			refs = append(refs, src.num[urls[a]])
		}
		slices.Sort(refs)
		if n := len(steps); n > 0 && steps[n-1].st == m.State.Status && steps[n-1].was == m.State.WasDisputed {
			steps[n-1].refs = append(steps[n-1].refs, refs...)
			continue
		}
		steps = append(steps, step{m.State.Status, m.State.WasDisputed, refs, m.At})
	}
	if len(steps) == 0 {
		return "_No verified point on this topic._"
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
	if cur.was {
		line += " (was disputed)"
	}
	if len(steps) == 1 {
		return line + fmt.Sprintf(" · since %s %s", refs(cur.refs), shortDate(cur.at))
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s %s %s %s", StatusMark(s.st), s.st, refs(s.refs), shortDate(s.at))
	}
	return line + " · " + strings.Join(parts, " → ")
}

func sourceLine(n int, h ledger.TopicHit) string {
	title := discordtext.EscapeTruncate(firstNonEmpty(h.Title, h.Site, h.URL), 200)
	link := title
	if u := safeURL(h.URL); u != "" {
		link = "[" + title + "](" + u + ")"
	}
	line := fmt.Sprintf("%d. %s", n, link)
	if meta := siteLine(h.Site, time.Time{}); meta != "" {
		line += " — " + meta
	}
	if h.ViaFeed {
		return line + " · from a feed " + shortDate(h.SharedAt)
	}
	return line + " · shared " + shortDate(h.SharedAt)
}
