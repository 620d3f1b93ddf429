package schedule

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"

	"briefbot/store"
	"briefbot/summarize"
)

// Limits of a composed ledger. They bound the stored JSON and the post of
// a day with thousands of shares; /topic shows the rest.
const (
	// maxLedgerPoints is the number of merged points kept per topic.
	maxLedgerPoints = 8
	// maxLedgerRefs is the number of sources kept per point side.
	maxLedgerRefs = 10
	// maxCarried bounds the topics carried from earlier briefings.
	maxCarried = 200
	// carryFor is how long a topic nobody shares about keeps its last
	// status for the next diff.
	carryFor = 30 * 24 * time.Hour
)

// composeInput is what a briefing is made from.
type composeInput struct {
	Shares []store.SharedSummary
	// Previous is the last posted briefing's ledger (nil: none).
	Previous *Ledger
	Slot     time.Time
	Since    time.Time
	// ShowUngrounded keeps points whose quote was not found in the article
	// (store.GuildSettings.ShowUngrounded).
	ShowUngrounded bool
	Merger         Merger
}

// source is one article of a briefing.
type source struct {
	url, title, site string
}

// topicItem is one topic of one article.
type topicItem struct {
	name   string
	src    int
	points []summarize.Point
}

// mergedPoint is a point merged across articles: a side per status.
type mergedPoint struct {
	words []string
	sides []*mergedSide
	first int // order of first appearance
}

type mergedSide struct {
	status  summarize.Status
	text    string
	sources []int // 0-based source indices, ascending, distinct
	actors  []string
}

// cluster is one merged topic.
type cluster struct {
	name    string
	aliases []string
	sources []int
	points  []*mergedPoint
	status  summarize.Status
	first   int
}

// compose merges the shares' ledgers into this briefing's ledger and
// diffs it against the previous one. It uses in.Merger (nil: keywords),
// falling back to KeywordMerger if it fails; notes says so.
func compose(ctx context.Context, in composeInput) (*Ledger, error) {
	sources, items := collect(in.Shares, in.ShowUngrounded)
	led := &Ledger{
		Version:  LedgerVersion,
		Slot:     in.Slot.UTC(),
		Since:    in.Since.UTC(),
		Articles: len(sources),
		Topics:   []LedgerTopic{},
		Changes:  []Change{},
	}
	mt := make([]MergeTopic, len(items))
	for i, it := range items {
		pts := make([]string, len(it.points))
		for j, p := range it.points {
			pts[j] = p.Text
		}
		mt[i] = MergeTopic{Name: it.name, Source: it.src, Points: pts}
	}
	var groups []TopicGroup
	if len(items) > 0 {
		merger := in.Merger
		if merger == nil {
			merger = KeywordMerger{}
		}
		g, err := merger.Merge(ctx, mt)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			led.Notes = append(led.Notes, "Topics were merged by keywords: the model was unavailable.")
			g, _ = KeywordMerger{}.Merge(ctx, mt)
		}
		var renamed, dropped int
		groups, renamed, dropped = verifyGroups(mt, g)
		if renamed+dropped > 0 {
			led.Notes = append(led.Notes, "Some of the model's topic grouping was not backed by the articles and was left out.")
		}
	}
	clusters := buildClusters(items, groups)
	used := map[int]bool{}
	current := make([]LedgerTopic, 0, len(clusters))
	for _, c := range clusters {
		t := LedgerTopic{
			Key:      strings.Join(contentWords(c.name), " "),
			Name:     c.name,
			Status:   c.status,
			Aliases:  c.aliases,
			Articles: len(c.sources),
			LastSeen: led.Slot,
		}
		pts := orderPoints(c)
		if len(pts) > maxLedgerPoints {
			t.MorePoints = len(pts) - maxLedgerPoints
			pts = pts[:maxLedgerPoints]
		}
		for _, p := range pts {
			lp := LedgerPoint{Status: p.status()}
			for _, s := range p.sides {
				refs := s.sources
				if len(refs) > maxLedgerRefs {
					refs = refs[:maxLedgerRefs]
				}
				lp.Sides = append(lp.Sides, LedgerSide{
					Status: s.status, Text: s.text, Sources: refs,
					MoreSources: len(s.sources) - len(refs), Actors: s.actors,
				})
				for _, i := range refs {
					used[i] = true
				}
			}
			t.Points = append(t.Points, lp)
		}
		current = append(current, t)
	}
	// Keep only the sources the kept points cite, numbered 1… in share
	// order.
	renum := map[int]int{}
	for i, s := range sources {
		if used[i] {
			led.Sources = append(led.Sources, LedgerSource{URL: s.url, Title: s.title, Site: s.site})
			renum[i] = len(led.Sources)
		}
	}
	for ti := range current {
		t := &current[ti]
		for pi := range t.Points {
			for si := range t.Points[pi].Sides {
				side := &t.Points[pi].Sides[si]
				nums := make([]int, len(side.Sources))
				for i, s := range side.Sources {
					nums[i] = renum[s]
				}
				side.Sources = nums
			}
		}
	}
	led.Topics = append(led.Topics, current...)
	diffAndCarry(led, in.Previous)
	return led, nil
}

// collect numbers the articles (one per URL, in share order) and lists
// their topics with the points worth merging.
func collect(shares []store.SharedSummary, showUngrounded bool) ([]source, []topicItem) {
	var sources []source
	var items []topicItem
	seen := map[string]bool{}
	for _, sh := range shares {
		s := sh.Summary
		if s == nil {
			continue
		}
		u := s.URL
		if u == "" {
			u = sh.Share.URL
		}
		if seen[u] {
			continue
		}
		seen[u] = true
		src := len(sources)
		link := u
		if s.FinalURL != "" {
			link = s.FinalURL
		}
		sources = append(sources, source{url: link, title: s.Title, site: siteOf(s.Site, link)})
		for _, t := range s.Topics {
			var pts []summarize.Point
			for _, p := range t.Points {
				if strings.TrimSpace(p.Text) == "" || !p.Status.Valid() || (!p.Grounded && !showUngrounded) {
					continue
				}
				pts = append(pts, p)
			}
			name := strings.TrimSpace(t.Name)
			if len(pts) == 0 || name == "" {
				continue
			}
			items = append(items, topicItem{name: name, src: src, points: pts})
		}
	}
	return sources, items
}

func siteOf(site, link string) string {
	if site != "" {
		return site
	}
	if u, err := url.Parse(link); err == nil {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	return ""
}

// buildClusters turns verified groups into merged topics: names, merged
// points, statuses, ordered by how many articles discuss them.
func buildClusters(items []topicItem, groups []TopicGroup) []*cluster {
	var out []*cluster
	memo := map[string][]string{} // point text → content words
	wordsOf := func(text string) []string {
		w, ok := memo[text]
		if !ok {
			w = contentWords(text)
			memo[text] = w
		}
		return w
	}
	for _, g := range groups {
		c := &cluster{first: g.Members[0]}
		idx := newWordIndex()
		srcSet := map[int]bool{}
		aliasSet := map[string]bool{}
		order := 0
		for _, m := range g.Members {
			it := items[m]
			srcSet[it.src] = true
			if k := strings.Join(contentWords(it.name), " "); k != "" && !aliasSet[k] {
				aliasSet[k] = true
				c.aliases = append(c.aliases, k)
			}
			for _, p := range it.points {
				text := strings.Join(strings.Fields(p.Text), " ")
				words := wordsOf(text)
				pi, ok := idx.best(words, pointThreshold, nil)
				if !ok {
					pi = len(c.points)
					c.points = append(c.points, &mergedPoint{words: words, first: order})
				}
				idx.add(pi, words)
				c.points[pi].add(p.Status, text, it.src, p.Actors)
				order++
			}
		}
		c.name = g.Name
		if c.name == "" {
			c.name = chooseName(items, g.Members)
		}
		for s := range srcSet {
			c.sources = append(c.sources, s)
		}
		sort.Ints(c.sources)
		c.status = clusterStatus(c.points)
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].sources) != len(out[j].sources) {
			return len(out[i].sources) > len(out[j].sources)
		}
		return out[i].first < out[j].first
	})
	return out
}

// chooseName picks the member name used by the most articles, the
// earliest on a tie.
func chooseName(items []topicItem, members []int) string {
	count := map[string]map[int]bool{}
	var names []string
	for _, m := range members {
		n := items[m].name
		if count[n] == nil {
			count[n] = map[int]bool{}
			names = append(names, n)
		}
		count[n][items[m].src] = true
	}
	best := names[0]
	for _, n := range names[1:] {
		if len(count[n]) > len(count[best]) {
			best = n
		}
	}
	return best
}

func (p *mergedPoint) add(st summarize.Status, text string, src int, actors []string) {
	for _, s := range p.sides {
		if s.status == st {
			s.sources = insertSorted(s.sources, src)
			s.actors = mergeActors(s.actors, actors)
			return
		}
	}
	p.sides = append(p.sides, &mergedSide{status: st, text: text, sources: []int{src}, actors: mergeActors(nil, actors)})
}

func insertSorted(xs []int, x int) []int {
	i := sort.SearchInts(xs, x)
	if i < len(xs) && xs[i] == x {
		return xs
	}
	xs = append(xs, 0)
	copy(xs[i+1:], xs[i:])
	xs[i] = x
	return xs
}

// maxActors bounds the actors kept per side.
const maxActors = 6

func mergeActors(have, add []string) []string {
	for _, a := range add {
		a = strings.TrimSpace(a)
		if a == "" || len(have) >= maxActors {
			continue
		}
		dup := false
		for _, h := range have {
			if strings.EqualFold(h, a) {
				dup = true
				break
			}
		}
		if !dup {
			have = append(have, a)
		}
	}
	return have
}

// status of a merged point: disputed when any article disputes it or when
// articles disagree about it; otherwise the one status they share.
func (p *mergedPoint) status() summarize.Status {
	if len(p.sides) == 1 {
		return p.sides[0].status
	}
	return summarize.StatusDisputed
}

func (p *mergedPoint) support() int {
	n := 0
	for _, s := range p.sides {
		n += len(s.sources)
	}
	return n
}

// clusterStatus: disputed if any point is; agreed if every point is;
// otherwise unresolved (something is still open).
func clusterStatus(points []*mergedPoint) summarize.Status {
	all := true
	for _, p := range points {
		switch p.status() {
		case summarize.StatusDisputed:
			return summarize.StatusDisputed
		case summarize.StatusUnresolved:
			all = false
		}
	}
	if all {
		return summarize.StatusAgreed
	}
	return summarize.StatusUnresolved
}

// orderPoints puts the most telling points first: a point with the
// topic's status (for a disputed topic, then an agreed one: both sides);
// then points
// bringing in an article not yet represented; then the rest, each time by
// how many articles make the point and in order of appearance.
func orderPoints(c *cluster) []*mergedPoint {
	rest := append([]*mergedPoint(nil), c.points...)
	sort.SliceStable(rest, func(i, j int) bool {
		if a, b := rest[i].support(), rest[j].support(); a != b {
			return a > b
		}
		return rest[i].first < rest[j].first
	})
	out := make([]*mergedPoint, 0, len(rest))
	seen := map[int]bool{}
	take := func(i int) {
		p := rest[i]
		out = append(out, p)
		rest = append(rest[:i:i], rest[i+1:]...)
		for _, s := range p.sides {
			for _, src := range s.sources {
				seen[src] = true
			}
		}
	}
	lead := []summarize.Status{c.status}
	if c.status == summarize.StatusDisputed {
		lead = append(lead, summarize.StatusAgreed)
	}
	{
		for _, st := range lead {
			for i, p := range rest {
				if p.status() == st {
					take(i)
					break
				}
			}
		}
	}
	// Only the points kept in the ledger need choosing; the rest keep
	// their order.
	for len(rest) > 0 && len(out) < maxLedgerPoints {
		next := 0
		for i, p := range rest {
			if p.bringsNew(seen) {
				next = i
				break
			}
		}
		take(next)
	}
	return append(out, rest...)
}

// bringsNew reports whether p cites an article not in seen.
func (p *mergedPoint) bringsNew(seen map[int]bool) bool {
	for _, s := range p.sides {
		for _, src := range s.sources {
			if !seen[src] {
				return true
			}
		}
	}
	return false
}

// diffAndCarry fills led.Changes against prev and carries prev's topics
// that led does not mention (for at most carryFor), so a status is
// remembered across days nobody shared about it.
func diffAndCarry(led *Ledger, prev *Ledger) {
	if prev == nil {
		led.First = true
		return
	}
	idx := newWordIndex()
	for i, t := range prev.Topics {
		for _, a := range t.Aliases {
			idx.add(i, strings.Fields(a))
		}
		if t.Key != "" {
			idx.add(i, strings.Fields(t.Key))
		}
	}
	matched := make([]bool, len(prev.Topics))
	skip := func(o int) bool { return matched[o] }
	var resolved, changed, added []Change
	for _, t := range led.Topics {
		pi, ok := -1, false
		for _, a := range append([]string{t.Key}, t.Aliases...) {
			if pi, ok = idx.best(strings.Fields(a), mergeThreshold, skip); ok {
				break
			}
		}
		if !ok {
			added = append(added, Change{Kind: ChangeNew, Topic: t.Name, To: t.Status})
			continue
		}
		matched[pi] = true
		old := prev.Topics[pi].Status
		switch {
		case old == t.Status:
		case t.Status == summarize.StatusAgreed:
			resolved = append(resolved, Change{Kind: ChangeResolved, Topic: t.Name, From: old, To: t.Status})
		default:
			changed = append(changed, Change{Kind: ChangeStatus, Topic: t.Name, From: old, To: t.Status})
		}
	}
	led.Changes = append(append(append(led.Changes, resolved...), changed...), added...)

	var carried []LedgerTopic
	for i, t := range prev.Topics {
		if matched[i] || led.Slot.Sub(t.LastSeen) > carryFor {
			continue
		}
		carried = append(carried, LedgerTopic{
			Key: t.Key, Name: t.Name, Status: t.Status, Aliases: t.Aliases,
			LastSeen: t.LastSeen, Carried: true,
		})
	}
	sort.SliceStable(carried, func(i, j int) bool { return carried[i].LastSeen.After(carried[j].LastSeen) })
	if len(carried) > maxCarried {
		carried = carried[:maxCarried]
	}
	led.Topics = append(led.Topics, carried...)
}
