package schedule

import (
	"cmp"
	"context"
	"net/url"
	"slices"
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
	// published is the article's date (zero: unknown), shared the time it
	// was first shared in the window.
	published, shared time.Time
	// epoch orders the articles in time: a higher epoch is newer, an equal
	// one the same time (see articleEpochs).
	epoch int
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
	// onTopic: a topic named like the merged topic makes the point (not
	// only one that joined it by what its points say, see absorbByText).
	onTopic bool

	// Set by settle: the point's status over time, its newest and oldest
	// epochs.
	st             summarize.Status
	newest, oldest int
}

type mergedSide struct {
	status  summarize.Status
	text    string
	sources []int // 0-based source indices, ascending, distinct
	actors  []string
	newest  int // newest epoch of sources
}

// moment is what the evidence of one time says.
type moment struct {
	epoch int
	st    summarize.Status
}

// cluster is one merged topic.
type cluster struct {
	name    string
	aliases []string
	sources []int
	points  []*mergedPoint
	status  summarize.Status
	newest  int // the newest epoch of its evidence
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
	order := articleEpochs(sources)
	clusters := buildClusters(items, groups, sources)
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
		pts := orderPoints(c, sources)
		if len(pts) > maxLedgerPoints {
			t.MorePoints = len(pts) - maxLedgerPoints
			pts = pts[:maxLedgerPoints]
		}
		for _, p := range pts {
			lp := LedgerPoint{Status: p.st}
			for _, s := range p.sides {
				refs := byTime(s.sources, sources)
				if len(refs) > maxLedgerRefs {
					refs = refs[:maxLedgerRefs]
				}
				lp.Sides = append(lp.Sides, LedgerSide{
					Status: s.status, Text: s.text, Sources: refs,
					MoreSources: len(s.sources) - len(refs), Actors: s.actors,
					Superseded: c.supersedes(p, s),
				})
				for _, i := range refs {
					used[i] = true
				}
			}
			t.Points = append(t.Points, lp)
		}
		current = append(current, t)
	}
	// Keep only the sources the kept points cite, numbered 1… from the
	// oldest article to the newest.
	renum := map[int]int{}
	for _, i := range order {
		if used[i] {
			s := sources[i]
			led.Sources = append(led.Sources, LedgerSource{URL: s.url, Title: s.title, Site: s.site, Published: s.published.UTC()})
			renum[i] = len(led.Sources)
		}
	}
	for ti := range current {
		t := &current[ti]
		for pi := range t.Points {
			for si := range t.Points[pi].Sides {
				side := &t.Points[pi].Sides[si]
				for i, s := range side.Sources {
					side.Sources[i] = renum[s]
				}
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
		sources = append(sources, source{
			url: link, title: s.Title, site: siteOf(s.Site, link),
			published: s.Published, shared: sh.Share.At,
		})
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

// articleEpochs orders the articles in time, sets each one's epoch and
// returns their indices from the oldest to the newest.
//
// An article's time is its published date when known (never later than
// its share: a date after it is wrong metadata). An article without one
// is placed by when it was shared: just after the newest of the dated
// articles shared before it (first when there is none), and among such
// articles in share order. So a story pasted day by day reads in order
// even when one of its pages carries no date. Articles with the same
// published date, or undated ones shared at the same instant, share an
// epoch: they report at the same time.
func articleEpochs(src []source) []int {
	var dated []int
	for i := range src {
		s := &src[i]
		if !s.published.IsZero() && !s.shared.IsZero() && s.published.After(s.shared) {
			s.published = s.shared
		}
		if !s.published.IsZero() {
			dated = append(dated, i)
		}
	}
	sort.SliceStable(dated, func(a, b int) bool { return src[dated[a]].published.Before(src[dated[b]].published) })
	rank := make([]int, len(src)) // of a dated article's date among distinct dates
	for k, i := range dated {
		switch {
		case k == 0:
			rank[i] = 0
		case src[i].published.Equal(src[dated[k-1]].published):
			rank[i] = rank[dated[k-1]]
		default:
			rank[i] = rank[dated[k-1]] + 1
		}
	}
	// Sort keys: a dated article sits at slot 2·rank; an undated one at
	// the odd slot after the newest dated article shared before it,
	// ordered there by share time.
	type key struct {
		slot int
		at   time.Time
	}
	keys := make([]key, len(src))
	newestBefore := -1
	for i := range src {
		if src[i].published.IsZero() {
			keys[i] = key{slot: 2*newestBefore + 1, at: src[i].shared}
			continue
		}
		keys[i] = key{slot: 2 * rank[i]}
		newestBefore = max(newestBefore, rank[i])
	}
	order := make([]int, len(src))
	for i := range order {
		order[i] = i
	}
	less := func(a, b key) bool {
		if a.slot != b.slot {
			return a.slot < b.slot
		}
		return a.at.Before(b.at)
	}
	sort.SliceStable(order, func(a, b int) bool { return less(keys[order[a]], keys[order[b]]) })
	for k, i := range order {
		switch {
		case k == 0:
			src[i].epoch = 0
		case less(keys[order[k-1]], keys[i]):
			src[i].epoch = src[order[k-1]].epoch + 1
		default:
			src[i].epoch = src[order[k-1]].epoch
		}
	}
	return order
}

// byTime returns the source indices ordered from the oldest article to
// the newest (share order among articles of one time).
func byTime(idx []int, src []source) []int {
	out := append([]int(nil), idx...)
	sort.SliceStable(out, func(a, b int) bool { return src[out[a]].epoch < src[out[b]].epoch })
	return out
}

// buildClusters turns verified groups into merged topics: names, merged
// points, statuses, ordered by how many articles discuss them.
func buildClusters(items []topicItem, groups []TopicGroup, src []source) []*cluster {
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
		c := &cluster{first: g.Members[0], name: g.Name}
		if c.name == "" {
			c.name = chooseName(items, g.Members)
		}
		nameWords := contentWords(c.name)
		idx := newWordIndex()
		srcSet := map[int]bool{}
		aliasSet := map[string]bool{}
		order := 0
		for _, m := range g.Members {
			it := items[m]
			srcSet[it.src] = true
			words := contentWords(it.name)
			if k := strings.Join(words, " "); k != "" && !aliasSet[k] {
				aliasSet[k] = true
				c.aliases = append(c.aliases, k)
			}
			onTopic := similarity(words, nameWords) >= mergeThreshold
			for _, p := range it.points {
				text := strings.Join(strings.Fields(p.Text), " ")
				words := wordsOf(text)
				pi, ok := idx.best(words, pointThreshold, nil)
				if !ok {
					pi = len(c.points)
					c.points = append(c.points, &mergedPoint{words: words, first: order})
				}
				idx.add(pi, words)
				c.points[pi].add(p.Status, text, it.src, src[it.src].epoch, p.Actors)
				c.points[pi].onTopic = c.points[pi].onTopic || onTopic
				order++
			}
		}
		for s := range srcSet {
			c.sources = append(c.sources, s)
		}
		sort.Ints(c.sources)
		c.settle(src)
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

func (p *mergedPoint) add(st summarize.Status, text string, src, epoch int, actors []string) {
	for _, s := range p.sides {
		if s.status == st {
			s.sources = insertSorted(s.sources, src)
			s.actors = mergeActors(s.actors, actors)
			s.newest = max(s.newest, epoch)
			return
		}
	}
	p.sides = append(p.sides, &mergedSide{status: st, text: text, sources: []int{src}, actors: mergeActors(nil, actors), newest: epoch})
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

// Statuses over time. Evidence is read one time (epoch) at a time, oldest
// first. Between agreed and unresolved the newest decides: an article
// reporting agreement after others reported the point open is progress
// (unresolved → agreed), and one reporting it open after an agreement
// reopens it. A dispute stands once reported: a later article saying the
// parties agreed, or that the matter is open, does not answer an
// accusation of breach, so the reader sees both sides. Articles of the
// same time that disagree about one point make it disputed.

// Status bits of the evidence of one time.
const (
	bitAgreed uint8 = 1 << iota
	bitUnresolved
	bitDisputed
)

func statusBit(st summarize.Status) uint8 {
	switch st {
	case summarize.StatusAgreed:
		return bitAgreed
	case summarize.StatusDisputed:
		return bitDisputed
	}
	return bitUnresolved
}

// pointMoment is a point's status among its reports of one time: one
// status, or disputed when they differ.
func pointMoment(bits uint8) summarize.Status {
	switch bits {
	case bitAgreed:
		return summarize.StatusAgreed
	case bitUnresolved:
		return summarize.StatusUnresolved
	}
	return summarize.StatusDisputed
}

// topicMoment is a topic's status among its points of one time: disputed
// if any point is; agreed if every point is; otherwise unresolved
// (something is still open).
func topicMoment(bits uint8) summarize.Status {
	switch {
	case bits&bitDisputed != 0:
		return summarize.StatusDisputed
	case bits == bitAgreed:
		return summarize.StatusAgreed
	}
	return summarize.StatusUnresolved
}

// fold reads moments oldest first and returns the status they end in:
// disputed once any moment is, otherwise the newest moment's.
func fold(ms []moment) summarize.Status {
	for _, m := range ms {
		if m.st == summarize.StatusDisputed {
			return m.st
		}
	}
	return ms[len(ms)-1].st
}

// timeline groups (epoch, status bit) pairs by epoch, oldest first, reads
// each epoch's bits with read and appends the moments to out[:0].
func timeline(pairs []epochBits, read func(uint8) summarize.Status, out []moment) []moment {
	slices.SortFunc(pairs, func(a, b epochBits) int { return cmp.Compare(a.epoch, b.epoch) })
	out = out[:0]
	var bits uint8
	for i, p := range pairs {
		bits |= p.bits
		if i+1 == len(pairs) || pairs[i+1].epoch != p.epoch {
			out = append(out, moment{epoch: p.epoch, st: read(bits)})
			bits = 0
		}
	}
	return out
}

type epochBits struct {
	epoch int
	bits  uint8
}

// settle computes the statuses of the cluster's points and its own, from
// the newest evidence (see fold).
func (c *cluster) settle(src []source) {
	var topicPairs, pairs []epochBits
	var tl []moment
	for _, p := range c.points {
		pairs = pairs[:0]
		for _, s := range p.sides {
			b := statusBit(s.status)
			for _, i := range s.sources {
				pairs = append(pairs, epochBits{src[i].epoch, b})
			}
		}
		tl = timeline(pairs, pointMoment, tl)
		p.st = fold(tl)
		p.oldest, p.newest = tl[0].epoch, tl[len(tl)-1].epoch
		for _, m := range tl {
			topicPairs = append(topicPairs, epochBits{m.epoch, statusBit(m.st)})
		}
	}
	tl = timeline(topicPairs, topicMoment, tl)
	c.status = fold(tl)
	c.newest = tl[len(tl)-1].epoch
}

// supersedes reports whether side s of point p is history: an open point
// that newer articles report agreed, in its topic or its own point. An
// agreement a newer article calls open is not history (another part of
// the topic may be open), and a dispute never is (see fold).
func (c *cluster) supersedes(p *mergedPoint, s *mergedSide) bool {
	if s.status != summarize.StatusUnresolved {
		return false
	}
	return (c.status == summarize.StatusAgreed && s.newest < c.newest) ||
		(p.st == summarize.StatusAgreed && s.newest < p.newest)
}

func (p *mergedPoint) support() int {
	n := 0
	for _, s := range p.sides {
		n += len(s.sources)
	}
	return n
}

// has reports whether p has a side with status st.
func (p *mergedPoint) has(st summarize.Status) bool {
	for _, s := range p.sides {
		if s.status == st {
			return true
		}
	}
	return false
}

// orderPoints puts the most telling points first, as the briefing shows
// only the first few:
//
//  1. what decides the topic's status: the newest point with that status;
//     for a disputed topic, also the agreement it contests (the best
//     supported, then the earliest agreed point); otherwise the newest
//     point it replaced, if any (unresolved, then agreed);
//  2. then a point from each article not yet represented, newest article
//     first, preferring points with the topic's status;
//  3. then the rest: those with the topic's status first, then newest
//     first.
//
// Among points of one time, those under the topic's own name come before
// those that joined it by their words, then those more articles make, in
// order of appearance.
func orderPoints(c *cluster, src []source) []*mergedPoint {
	rest := append([]*mergedPoint(nil), c.points...)
	sort.SliceStable(rest, func(i, j int) bool {
		if a, b := rest[i].newest, rest[j].newest; a != b {
			return a > b
		}
		if a, b := rest[i].onTopic, rest[j].onTopic; a != b {
			return a
		}
		if a, b := rest[i].support(), rest[j].support(); a != b {
			return a > b
		}
		return rest[i].first < rest[j].first
	})
	out := make([]*mergedPoint, 0, min(len(rest), maxLedgerPoints+1))
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
	find := func(ok func(p *mergedPoint) bool) int {
		for i, p := range rest {
			if ok(p) {
				return i
			}
		}
		return -1
	}
	if i := find(func(p *mergedPoint) bool { return p.st == c.status }); i >= 0 {
		take(i)
	}
	switch {
	case c.status == summarize.StatusDisputed && len(out) > 0 && !out[0].has(summarize.StatusAgreed):
		best := -1
		for i, p := range rest {
			if !p.has(summarize.StatusAgreed) {
				continue
			}
			if b := best; b < 0 || p.support() > rest[b].support() ||
				(p.support() == rest[b].support() && (p.oldest < rest[b].oldest || (p.oldest == rest[b].oldest && p.first < rest[b].first))) {
				best = i
			}
		}
		if best >= 0 {
			take(best)
		}
	case c.status != summarize.StatusDisputed:
		if i := find(func(p *mergedPoint) bool {
			for _, s := range p.sides {
				if c.supersedes(p, s) {
					return true
				}
			}
			return false
		}); i >= 0 {
			take(i)
		}
	}
	// One point per article not yet represented, newest article first.
	// Only the points kept in the ledger need choosing; the rest keep
	// their order.
	for len(rest) > 0 && len(out) < maxLedgerPoints {
		newest := -1
		for _, p := range rest {
			for _, s := range p.sides {
				for _, i := range s.sources {
					if !seen[i] && (newest < 0 || src[i].epoch > src[newest].epoch || (src[i].epoch == src[newest].epoch && i > newest)) {
						newest = i
					}
				}
			}
		}
		if newest < 0 {
			break
		}
		cites := func(p *mergedPoint) bool {
			for _, s := range p.sides {
				if i := sort.SearchInts(s.sources, newest); i < len(s.sources) && s.sources[i] == newest {
					return true
				}
			}
			return false
		}
		i := find(func(p *mergedPoint) bool { return p.st == c.status && cites(p) })
		if i < 0 {
			i = find(cites)
		}
		take(i)
	}
	sort.SliceStable(rest, func(i, j int) bool {
		return rest[i].st == c.status && rest[j].st != c.status
	})
	return append(out, rest...)
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
