package ledger

import (
	"cmp"
	"slices"
	"strings"
)

// Stories. A day's articles are grouped into stories: two articles are
// one story when
//
//   - a merged topic holds both (the merger, keyword or model, decided
//     they discuss one subject) and they name a common party or title
//     word, so a generic topic name ("Talks") does not join unrelated
//     news;
//   - they continue topics of one story of the previous ledger (the
//     energy pause and the Black Sea talks stay one story);
//   - the model said they report one story (StoryMerger, in the same call
//     that merges topics), or, without a model's answer, they name two
//     main parties in common ("Russia" and "Ukraine"). A main party is
//     one an article names in several of its points (or in a quarter of
//     them): a market report quoting Trump once on tariffs and Russia
//     once on oil output is not part of the Ukraine story.
//
// A topic goes with the story of most of its articles.

// buildStories groups the current topics (led.Topics[i] is
// clusters[rank[i]]) into stories, biggest first. renum maps article
// indices to ledger source numbers.
func buildStories(led *Ledger, src []source, clusters []*cluster, rank []int, renum map[int]int, prevStory []int, model [][]int) []Story {
	if len(rank) == 0 {
		return nil
	}
	// Words naming each article: its title's and its main parties'.
	words := make([][]string, len(src))
	for i, s := range src {
		words[i] = addWords(nil, contentWords(s.title))
	}
	actors := mainParties(src, clusters)
	for i := range src {
		words[i] = addWords(words[i], actors[i])
	}
	parent := make([]int, len(src))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[ra] = rb
		}
	}
	// The model's stories, when it was asked; else two parties in common:
	// every pair of an article's actor words, joined to the first article
	// naming the same pair.
	for _, st := range model {
		for _, a := range st[1:] {
			if a >= 0 && a < len(src) && st[0] >= 0 && st[0] < len(src) {
				union(a, st[0])
			}
		}
	}
	pairs := map[[2]string]int{}
	for i := range src {
		if model != nil {
			break
		}
		aw := actors[i]
		for x := 0; x < len(aw); x++ {
			for y := x + 1; y < len(aw); y++ {
				k := [2]string{aw[x], aw[y]}
				if first, ok := pairs[k]; ok {
					union(i, first)
				} else {
					pairs[k] = i
				}
			}
		}
	}
	// Topics of one previous story.
	firstOf := map[int]int{}
	for ci, c := range clusters {
		if ps := prevStory[ci]; ps >= 0 && len(c.sources) > 0 {
			if first, ok := firstOf[ps]; ok {
				union(c.sources[0], first)
			} else {
				firstOf[ps] = c.sources[0]
			}
		}
	}
	for _, c := range clusters {
		for k := 1; k < len(c.sources); k++ {
			a, b := c.sources[k], c.sources[0]
			if !shareWord(words[a], words[b]) {
				b = c.sources[k-1]
				if !shareWord(words[a], words[b]) {
					continue
				}
			}
			if ra, rb := find(a), find(b); ra != rb {
				parent[ra] = rb
			}
		}
	}

	// A topic goes with the story of most of its articles (the first on
	// a tie).
	byRoot := map[int]int{}
	var stories []Story
	var arts []map[int]int // story → article → topics it gives the story
	var points []int
	for ti, ci := range rank {
		c := clusters[ci]
		count := map[int]int{}
		root := -1
		for _, s := range c.sources {
			r := find(s)
			count[r]++
			if root < 0 || count[r] > count[root] {
				root = r
			}
		}
		si, ok := byRoot[root]
		if !ok {
			si = len(stories)
			byRoot[root] = si
			stories = append(stories, Story{})
			arts = append(arts, map[int]int{})
			points = append(points, 0)
		}
		stories[si].Topics = append(stories[si].Topics, ti)
		for _, s := range c.sources {
			arts[si][s]++
		}
		points[si] += len(led.Topics[ti].Points)
	}
	for si := range stories {
		st := &stories[si]
		st.Articles = len(arts[si])
		best := -1
		for a, n := range arts[si] {
			if best < 0 || n > arts[si][best] || (n == arts[si][best] &&
				(src[a].epoch > src[best].epoch || (src[a].epoch == src[best].epoch && a < best))) {
				best = a
			}
			if num, ok := renum[a]; ok {
				st.Sources = append(st.Sources, num)
			}
		}
		slices.Sort(st.Sources)
		st.Headline = strings.TrimSpace(src[best].title)
		if st.Headline == "" {
			st.Headline = led.Topics[st.Topics[0]].Name
		}
	}
	order := make([]int, len(stories))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(stories[b].Articles, stories[a].Articles), cmp.Compare(points[b], points[a]))
	})
	out := make([]Story, len(order))
	for i, o := range order {
		out[i] = stories[o]
	}
	return out
}

// shareWord reports whether two sorted word lists have a word in common.
func shareWord(a, b []string) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch strings.Compare(a[i], b[j]) {
		case 0:
			return true
		case -1:
			i++
		default:
			j++
		}
	}
	return false
}

// mainParties returns, per article, the sorted actor words it names in at
// least two of its points or in a quarter of them: the parties the article
// is about, not those it mentions in passing.
func mainParties(src []source, clusters []*cluster) [][]string {
	counts := make([]map[string]int, len(src))
	npoints := make([]int, len(src))
	for _, c := range clusters {
		for _, p := range c.points {
			for _, sd := range p.sides {
				aw := actorWords(sd.actors)
				for _, i := range sd.sources {
					npoints[i]++
					if len(aw) == 0 {
						continue
					}
					if counts[i] == nil {
						counts[i] = map[string]int{}
					}
					for _, w := range aw {
						counts[i][w]++
					}
				}
			}
		}
	}
	out := make([][]string, len(src))
	for i, m := range counts {
		for w, n := range m {
			if n >= 2 || 4*n >= npoints[i] {
				out[i] = addWords(out[i], []string{w})
			}
		}
	}
	return out
}
