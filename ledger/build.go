package ledger

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

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

// Input is what a ledger is made from.
type Input struct {
	// Shares are the window's shares, in share order.
	Shares []SharedSummary
	// Previous is the last posted briefing's ledger (nil: none).
	Previous *Ledger
	Slot     time.Time
	Since    time.Time
	// ShowUngrounded keeps points whose quote was not found in the article
	// (guild.Settings.ShowUngrounded).
	ShowUngrounded bool
	Merger         Merger
}

// source is one article of a briefing.
type source struct {
	// key is the canonical URL; url the link shown.
	key, url, title, site string
	// published is the article's date (zero: unknown), shared the time it
	// was first shared in the window.
	published, shared time.Time
	// epoch orders the articles in time: a higher epoch is newer, an equal
	// one the same time (see articleEpochs).
	epoch int
	// viaFeed: only followed feeds, no person, shared it in the window.
	viaFeed bool
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

	// Set by settle: the point's status over time, the epoch it was last
	// set at, its newest and oldest epochs.
	st                    summarize.Status
	state                 State
	since, newest, oldest int
}

type mergedSide struct {
	status  summarize.Status
	text    string
	sources []int // 0-based source indices, ascending, distinct
	actors  []string
	newest  int // newest epoch of sources
	// words caches the side's party words (see Step).
	words []string
}

// cluster is one merged topic.
type cluster struct {
	name    string
	aliases []string
	sources []int
	points  []*mergedPoint
	// Set by settle: the topic's state, the epoch its status was last
	// set at (-1: carried from the previous ledger) and the side that
	// set it.
	state  State
	status summarize.Status
	since  int
	cause  *mergedSide
	newest int // the newest epoch of its evidence
	first  int
}

// Build merges the shares' summaries into one ledger, groups its topics
// into stories and diffs it against the previous one. Articles the
// previous ledgers already covered (a re-share) are left out. It uses
// in.Merger (nil: keywords), falling back to KeywordMerger if it fails;
// Notes says so.
func Build(ctx context.Context, in Input) (*Ledger, error) {
	var briefed map[string]bool
	if in.Previous != nil {
		briefed = make(map[string]bool, len(in.Previous.Briefed))
		for _, u := range in.Previous.Briefed {
			briefed[u] = true
		}
	}
	sources, items, reshared := collect(in.Shares, in.ShowUngrounded, briefed)
	led := &Ledger{
		Version:  Version,
		Slot:     in.Slot.UTC(),
		Since:    in.Since.UTC(),
		Articles: len(sources),
		Reshared: reshared,
		Topics:   []Topic{},
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
	var modelStories [][]int // nil: no model answered
	if len(items) > 0 {
		merger := in.Merger
		if merger == nil {
			merger = KeywordMerger{}
		}
		var g []TopicGroup
		var err error
		if sm, ok := merger.(StoryMerger); ok {
			g, modelStories, err = sm.MergeStories(ctx, mt)
		} else {
			g, err = merger.Merge(ctx, mt)
		}
		if err != nil {
			modelStories = nil
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
	prevIdx := matchPrevious(clusters, in.Previous)
	for i, c := range clusters {
		var init State
		if prevIdx[i] >= 0 {
			init = in.Previous.Topics[prevIdx[i]].State
			if init.Status == "" {
				// A ledger of before the status rule kept only the status.
				init.Status = in.Previous.Topics[prevIdx[i]].Status
			}
		}
		c.settle(sources, init)
	}
	rank := make([]int, len(clusters))
	for i := range rank {
		rank[i] = i
	}
	sort.SliceStable(rank, func(i, j int) bool {
		a, b := clusters[rank[i]], clusters[rank[j]]
		if len(a.sources) != len(b.sources) {
			return len(a.sources) > len(b.sources)
		}
		return a.first < b.first
	})
	used := map[int]bool{}
	current := make([]Topic, 0, len(clusters))
	prevOf := make([]int, 0, len(clusters))
	causes := make([][]int, 0, len(clusters)) // raw sources of each topic's cause
	for _, ci := range rank {
		c := clusters[ci]
		t := Topic{
			Key:      strings.Join(contentWords(c.name), " "),
			Name:     c.name,
			Status:   c.state.Status,
			State:    c.state,
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
			lp := Point{Status: p.st}
			for _, s := range p.sides {
				refs := byTime(s.sources, sources)
				if len(refs) > maxLedgerRefs {
					refs = refs[:maxLedgerRefs]
				}
				lp.Sides = append(lp.Sides, Side{
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
		var cause []int
		if c.cause != nil {
			t.Cause = c.cause.text
			cause = byTime(c.cause.sources, sources)
			if len(cause) > maxLedgerRefs {
				cause = cause[:maxLedgerRefs]
			}
			for _, i := range cause {
				used[i] = true
			}
		}
		current = append(current, t)
		prevOf = append(prevOf, prevIdx[ci])
		causes = append(causes, cause)
	}
	// Keep only the sources the kept points cite, numbered 1… from the
	// oldest article to the newest.
	renum := map[int]int{}
	for _, i := range order {
		if used[i] {
			s := sources[i]
			led.Sources = append(led.Sources, Source{URL: s.url, Title: s.title, Site: s.site, Published: s.published.UTC(), ViaFeed: s.viaFeed})
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
		for _, s := range causes[ti] {
			t.CauseSources = append(t.CauseSources, renum[s])
		}
	}
	led.Topics = append(led.Topics, current...)
	prevStory := make([]int, len(clusters))
	for ci := range prevStory {
		prevStory[ci] = -1
		if pi := prevIdx[ci]; pi >= 0 {
			prevStory[ci] = storyOfTopic(in.Previous, pi)
		}
	}
	led.Stories = buildStories(led, sources, clusters, rank, renum, prevStory, modelStories)
	led.Briefed = briefedURLs(sources, in.Previous)
	diffAndCarry(led, in.Previous, prevOf)
	return led, nil
}

// storyOfTopic returns the index of the story of led holding topic ti,
// or -1.
func storyOfTopic(led *Ledger, ti int) int {
	for si, st := range led.Stories {
		if slices.Contains(st.Topics, ti) {
			return si
		}
	}
	return -1
}

// maxBriefed bounds the articles a ledger remembers as briefed: a
// re-share of an older one counts as new again.
const maxBriefed = 2000

// briefedURLs lists this ledger's articles, then the previous ledger's
// briefed ones, at most maxBriefed.
func briefedURLs(sources []source, prev *Ledger) []string {
	out := make([]string, 0, len(sources))
	for _, s := range sources {
		out = append(out, s.key)
	}
	if prev != nil {
		out = append(out, prev.Briefed...)
	}
	if len(out) > maxBriefed {
		out = out[:maxBriefed]
	}
	return out
}

// matchPrevious returns, for each cluster, the index of the previous
// ledger's topic it continues (by name or alias), or -1.
func matchPrevious(clusters []*cluster, prev *Ledger) []int {
	out := make([]int, len(clusters))
	for i := range out {
		out[i] = -1
	}
	if prev == nil {
		return out
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
	for i, c := range clusters {
		for _, a := range append([]string{strings.Join(contentWords(c.name), " ")}, c.aliases...) {
			if pi, ok := idx.best(strings.Fields(a), mergeThreshold, skip); ok {
				out[i] = pi
				matched[pi] = true
				break
			}
		}
	}
	return out
}

// collect numbers the articles (one per URL, in share order) and lists
// their topics with the points worth merging. Articles in briefed are
// counted (reshared) and left out.
func collect(shares []SharedSummary, showUngrounded bool, briefed map[string]bool) ([]source, []topicItem, int) {
	var sources []source
	var items []topicItem
	reshared := 0
	seen := map[string]bool{}
	index := map[string]int{} // URL → its source
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
			if i, ok := index[u]; ok && !sh.Share.FromFeed() {
				sources[i].viaFeed = false // a person shared it too
			}
			continue
		}
		seen[u] = true
		if briefed[u] {
			reshared++
			continue
		}
		src := len(sources)
		link := u
		if s.FinalURL != "" {
			link = s.FinalURL
		}
		index[u] = src
		sources = append(sources, source{
			key: u, url: link, title: s.Title, site: siteOf(s.Site, link),
			published: s.Published, shared: sh.Share.At, viaFeed: sh.Share.FromFeed(),
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
	return sources, items, reshared
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

// buildClusters turns verified groups into merged topics: names and
// merged points (settle reads their statuses).
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
		out = append(out, c)
	}
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

// Statuses over time: the sides' reports are read one epoch at a time,
// oldest first, with Step (status.go), for each point from nothing and for
// the topic from the state the previous ledger left it in.

// sideReport is one side reported at one epoch.
type sideReport struct {
	epoch int
	side  *mergedSide
}

// foldSides reads sides over time from init. It returns the state, the
// epoch its status was last set at (-1: init's), the side that set it, and
// the oldest and newest epochs.
func foldSides(sides []*mergedSide, src []source, init State, buf []sideReport) (st State, since int, cause *mergedSide, oldest, newest int, _ []sideReport) {
	return foldSidesFunc(sides, src, init, buf, nil)
}

// foldSidesFunc is foldSides calling moment (when not nil) with each
// epoch read and the state after it.
func foldSidesFunc(sides []*mergedSide, src []source, init State, buf []sideReport, moment func(epoch int, st State)) (st State, since int, cause *mergedSide, oldest, newest int, _ []sideReport) {
	buf = buf[:0]
	for _, s := range sides {
		for _, i := range s.sources {
			buf = append(buf, sideReport{src[i].epoch, s})
		}
	}
	slices.SortStableFunc(buf, func(a, b sideReport) int { return cmp.Compare(a.epoch, b.epoch) })
	st, since = init, -1
	var reports []Report
	var at []*mergedSide // the sides reported at epoch e
	for k := 0; k < len(buf); {
		e := buf[k].epoch
		reports, at = reports[:0], at[:0]
		for ; k < len(buf) && buf[k].epoch == e; k++ {
			s := buf[k].side
			if slices.Contains(at, s) {
				continue
			}
			at = append(at, s)
			if s.words == nil {
				s.words = append(partyWords(Report{Actors: s.actors, Text: s.text}), []string{}...)
			}
			reports = append(reports, Report{Status: s.status, Actors: s.actors, Text: s.text, Words: s.words})
		}
		next := Step(st, reports)
		if next.Status != st.Status || next.WasDisputed != st.WasDisputed {
			since = e
			cause = nil
			for _, s := range at {
				if s.status == next.Status {
					cause = s
					break
				}
			}
		}
		st = next
		if moment != nil {
			moment(e, st)
		}
	}
	if len(buf) > 0 {
		oldest, newest = buf[0].epoch, buf[len(buf)-1].epoch
	}
	return st, since, cause, oldest, newest, buf
}

// settle computes the statuses of the cluster's points and its own; the
// topic starts from init, the state its previous ledger left it in.
func (c *cluster) settle(src []source, init State) {
	var buf []sideReport
	var all []*mergedSide
	for _, p := range c.points {
		p.state, p.since, _, p.oldest, p.newest, buf = foldSides(p.sides, src, State{}, buf)
		p.st = p.state.Status
		all = append(all, p.sides...)
	}
	c.state, c.since, c.cause, _, c.newest, _ = foldSides(all, src, init, buf)
	c.status = c.state.Status
}

// supersedes reports whether side s of point p is history: an open point
// that newer articles report agreed, or a dispute the parties settled by
// a newer reaffirmation, in its topic or its own point.
func (c *cluster) supersedes(p *mergedPoint, s *mergedSide) bool {
	switch s.status {
	case summarize.StatusUnresolved:
		return (c.status == summarize.StatusAgreed && s.newest < c.since) ||
			(p.st == summarize.StatusAgreed && s.newest < p.since)
	case summarize.StatusDisputed:
		return (c.status == summarize.StatusAgreed && c.state.WasDisputed && s.newest < c.since) ||
			(p.st == summarize.StatusAgreed && p.state.WasDisputed && s.newest < p.since)
	}
	return false
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

// diffAndCarry fills led.Changes against prev (prevOf[i] is the previous
// topic led.Topics[i] continues, or -1) and carries prev's topics that
// led does not mention (for at most carryFor), so a status is remembered
// across days nobody shared about it. Each change names the story it
// belongs to; stories of prev whose topics nobody mentioned went quiet.
func diffAndCarry(led *Ledger, prev *Ledger, prevOf []int) {
	if prev == nil {
		led.First = true
		return
	}
	storyOf := make([]int, len(prevOf))
	for i := range storyOf {
		storyOf[i] = -1
	}
	for si, st := range led.Stories {
		for _, ti := range st.Topics {
			storyOf[ti] = si
		}
	}
	matched := make([]bool, len(prev.Topics))
	var resolved, changed, added []Change
	for i, pi := range prevOf {
		t := led.Topics[i]
		c := Change{Topic: t.Name, To: t.Status, Story: storyOf[i], Quote: t.Cause, Sources: t.CauseSources}
		if pi < 0 {
			c.Kind = ChangeNew
			added = append(added, c)
			continue
		}
		matched[pi] = true
		old := prev.Topics[pi]
		c.From = old.Status
		switch {
		case old.Status == t.Status && old.State.WasDisputed == t.State.WasDisputed:
		case t.Status == summarize.StatusAgreed:
			c.Kind = ChangeResolved
			resolved = append(resolved, c)
		default:
			c.Kind = ChangeStatus
			changed = append(changed, c)
		}
	}
	led.Changes = append(append(append(led.Changes, resolved...), changed...), added...)

	for _, st := range prev.Stories {
		quiet := len(st.Topics) > 0
		for _, ti := range st.Topics {
			if ti >= 0 && ti < len(matched) && matched[ti] {
				quiet = false
				break
			}
		}
		if quiet {
			led.Changes = append(led.Changes, Change{Kind: ChangeQuiet, Topic: st.Headline, Story: -1})
		}
	}

	var carried []Topic
	for i, t := range prev.Topics {
		if matched[i] || led.Slot.Sub(t.LastSeen) > carryFor {
			continue
		}
		carried = append(carried, Topic{
			Key: t.Key, Name: t.Name, Status: t.Status, State: t.State, Aliases: t.Aliases,
			LastSeen: t.LastSeen, Carried: true,
		})
	}
	sort.SliceStable(carried, func(i, j int) bool { return carried[i].LastSeen.After(carried[j].LastSeen) })
	if len(carried) > maxCarried {
		carried = carried[:maxCarried]
	}
	led.Topics = append(led.Topics, carried...)
}

// Moment is a topic's state after the articles of one time.
type Moment struct {
	State State
	// Articles are indices into the distinct articles of the shares given
	// to History, in share order.
	Articles []int
	// At is the articles' time: the published date when known, else
	// when the first of them was shared.
	At time.Time
}

// History reads the shares' topics as one topic, by the status rule, and
// returns its state after each time its articles report at, oldest
// first: what /topic shows as a topic's status and its history, the same
// status a briefing gives the topic.
func History(shares []SharedSummary, showUngrounded bool) []Moment {
	sources, items, _ := collect(shares, showUngrounded, nil)
	if len(items) == 0 {
		return nil
	}
	articleEpochs(sources)
	members := make([]int, len(items))
	for i := range members {
		members[i] = i
	}
	c := buildClusters(items, []TopicGroup{{Name: items[0].name, Members: members}}, sources)[0]
	var all []*mergedSide
	for _, p := range c.points {
		all = append(all, p.sides...)
	}
	byEpoch := map[int][]int{}
	for i, s := range sources {
		byEpoch[s.epoch] = append(byEpoch[s.epoch], i)
	}
	var out []Moment
	foldSidesFunc(all, sources, State{}, nil, func(epoch int, st State) {
		m := Moment{State: st, Articles: byEpoch[epoch]}
		s := sources[m.Articles[0]]
		m.At = s.published
		if m.At.IsZero() {
			m.At = s.shared
		}
		out = append(out, m)
	})
	return out
}
