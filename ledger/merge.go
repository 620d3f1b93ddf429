package ledger

import (
	"context"
	"sort"
	"strings"
)

// MergeTopic is one topic of one article, offered to a Merger.
type MergeTopic struct {
	Name string
	// Source numbers the article among the briefing's articles (0-based).
	Source int
	// Points are the texts of the topic's points, for context.
	Points []string
}

// TopicGroup is one subject: the indices (into the slice given to Merge)
// of the topics that name it, and optionally a display name.
type TopicGroup struct {
	// Name is the merged topic's name; "" lets the briefing choose the
	// most shared member name. A name not backed by the members' own
	// names and points is replaced (see verifyGroups).
	Name    string
	Members []int
}

// Merger decides which topics of a briefing's articles are one subject
// ("Ceasefire", "Truce" and "30-day ceasefire" are one). Its answer is
// checked: unknown or repeated indices are dropped, topics it leaves out
// stay topics of their own, and names not backed by the members are
// replaced, so a Merger can regroup but never invent.
type Merger interface {
	// Merge returns the groups. An error makes the briefing fall back to
	// KeywordMerger; it should wrap the cause.
	Merge(ctx context.Context, topics []MergeTopic) ([]TopicGroup, error)
}

// StoryMerger is a Merger that also tells, in the same answer, which
// articles report one news story (LLMMerger). A briefing with one groups
// its stories by that answer; otherwise by parties named in common (see
// buildStories).
type StoryMerger interface {
	Merger
	// MergeStories is Merge, and the stories: each the indices
	// (MergeTopic.Source) of two or more articles of one story.
	MergeStories(ctx context.Context, topics []MergeTopic) ([]TopicGroup, [][]int, error)
}

// KeywordMerger is the deterministic Merger: topics merge when their names
// have the same content words after synonyms ("truce" = "ceasefire") and
// dropped modifiers ("full", "30-day"), or when the weighted Jaccard
// similarity of those words reaches mergeThreshold. A small topic whose
// name says little ("Limited pause", named after an article's opening
// paragraph) then joins the topic its points are about: when most of its
// points name that topic's subject (see absorbByText). It makes no call
// and never fails.
type KeywordMerger struct{}

var _ Merger = KeywordMerger{}

// Merge groups topics greedily in order: each topic joins the most similar
// earlier group (ties: the earliest), or starts its own.
func (KeywordMerger) Merge(_ context.Context, topics []MergeTopic) ([]TopicGroup, error) {
	return keywordGroups(topics, nil), nil
}

// keywordGroups clusters topics[i] for every i with !done[i] (done may be
// nil): by name, then small groups by what their points say.
func keywordGroups(topics []MergeTopic, done []bool) []TopicGroup {
	return absorbByText(topics, nameGroups(topics, done))
}

// nameGroups clusters topics[i] for every i with !done[i] by name.
func nameGroups(topics []MergeTopic, done []bool) []TopicGroup {
	idx := newWordIndex()
	var groups []TopicGroup
	var anchors [][]string // first name's words of each group
	for i, t := range topics {
		if done != nil && done[i] {
			continue
		}
		words := contentWords(t.Name)
		g, ok := idx.best(words, mergeThreshold, nil)
		if ok && similarity(words, anchors[g]) < anchorThreshold {
			ok = false
		}
		if !ok {
			g = len(groups)
			groups = append(groups, TopicGroup{})
			anchors = append(anchors, words)
		}
		groups[g].Members = append(groups[g].Members, i)
		idx.add(g, words)
	}
	return groups
}

// verifyGroups keeps what a Merger answered that is backed by the input:
// indices in range and not already grouped, names made of words found in
// the members' names or points. Topics left out are grouped by
// KeywordMerger. It reports how many names were replaced and indices
// dropped, for the log and the ledger's notes.
func verifyGroups(topics []MergeTopic, groups []TopicGroup) (out []TopicGroup, renamed, dropped int) {
	done := make([]bool, len(topics))
	for _, g := range groups {
		var members []int
		for _, m := range g.Members {
			if m < 0 || m >= len(topics) || done[m] {
				dropped++
				continue
			}
			done[m] = true
			members = append(members, m)
		}
		if len(members) == 0 {
			continue
		}
		sort.Ints(members)
		name := strings.TrimSpace(g.Name)
		if name != "" && !nameBacked(name, topics, members) {
			name = ""
			renamed++
		}
		out = append(out, TopicGroup{Name: name, Members: members})
	}
	out = append(out, keywordGroups(topics, done)...)
	return out, renamed, dropped
}

// maxNameLen bounds a merged topic's name.
const maxNameLen = 80

// nameBacked reports whether every content word of name occurs in the
// member topics' names or points.
func nameBacked(name string, topics []MergeTopic, members []int) bool {
	if len([]rune(name)) > maxNameLen {
		return false
	}
	have := map[string]bool{}
	for _, m := range members {
		for _, w := range contentWords(topics[m].Name) {
			have[w] = true
		}
		for _, p := range topics[m].Points {
			for _, w := range contentWords(p) {
				have[w] = true
			}
		}
	}
	words := contentWords(name)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if !have[w] {
			return false
		}
	}
	return true
}

// Merging by what points say. Topic names made from an article's opening
// paragraph ("Limited pause", "Separate pause") share no subject word with
// the topic they belong to ("Energy facility attacks"), but their points
// do: "signed up to a limited pause in attacks on energy facilities".
const (
	// maxAbsorbPoints: only groups with at most this many points may join
	// another by their points; a larger group is a subject of its own.
	maxAbsorbPoints = 6
	// coverThreshold is the weighted share of a name's content words a
	// point must contain to name that subject: at 0.75 every subject word
	// of a short name ("energy", "infrastructure", "attack"), generic
	// words like "talk" being optional.
	coverThreshold = 0.75
)

// absorbByText moves each small group into the group whose subject most
// of its points name: for group X and another group Y, a point of X names
// Y when it contains (coverThreshold) the content words of one of Y's
// member names that holds a subject word (not only generic ones). X joins
// the Y named by more than half of its points, the most of them, then
// with the best cover, then the earliest, provided X's names share a word
// with Y's names or points and the name of Y its points name weighs at
// least as much as X's own (a subject named as specifically). A group that received others is not moved
// itself, and a moved one receives none. The receiving group keeps the
// name it would have had without them (see groupName).
func absorbByText(topics []MergeTopic, groups []TopicGroup) []TopicGroup {
	if len(groups) < 2 {
		return groups
	}
	memo := map[string][]string{}
	wordsOf := func(s string) []string {
		w, ok := memo[s]
		if !ok {
			w = contentWords(s)
			memo[s] = w
		}
		return w
	}
	// Subject names of every group, posted under their subject words.
	type name struct {
		group  int
		words  []string
		weight float64
	}
	var names []name
	posted := map[string][]int{} // subject word → indices into names
	for g, grp := range groups {
		seen := map[string]bool{}
		for _, m := range grp.Members {
			w := wordsOf(topics[m].Name)
			key := strings.Join(w, " ")
			if seen[key] || !hasSubject(w) {
				continue
			}
			seen[key] = true
			for _, x := range w {
				if !genericWords[x] {
					posted[x] = append(posted[x], len(names))
				}
			}
			names = append(names, name{group: g, words: w, weight: weightOf(w)})
		}
	}
	if len(names) == 0 {
		return groups
	}
	groupWords := map[int]map[string]bool{} // lazily: every word of a group's names and points
	wordsOfGroup := func(g int) map[string]bool {
		if set, ok := groupWords[g]; ok {
			return set
		}
		set := map[string]bool{}
		for _, m := range groups[g].Members {
			for _, w := range wordsOf(topics[m].Name) {
				set[w] = true
			}
			for _, p := range topics[m].Points {
				for _, w := range wordsOf(p) {
					set[w] = true
				}
			}
		}
		groupWords[g] = set
		return set
	}

	into := make([]int, len(groups)) // target of each moved group, else -1
	received := make([]bool, len(groups))
	for i := range into {
		into[i] = -1
	}
	for x, grp := range groups {
		if received[x] {
			continue
		}
		var points []string
		for _, m := range grp.Members {
			points = append(points, topics[m].Points...)
		}
		if len(points) == 0 || len(points) > maxAbsorbPoints {
			continue
		}
		// X joins only a subject named at least as specifically as
		// itself: "Black Sea talks" does not join "Shipping".
		own := 0.0
		for _, m := range grp.Members {
			own = max(own, weightOf(wordsOf(topics[m].Name)))
		}
		count := map[int]int{}
		cover := map[int]float64{}
		for _, p := range points {
			pw := wordsOf(p)
			best := map[int]float64{} // group → best cover of one of its names by this point
			for _, w := range pw {
				for _, ni := range posted[w] {
					n := names[ni]
					if n.group == x || into[n.group] >= 0 || n.weight < own {
						continue
					}
					if c := coverage(n.words, pw); c >= coverThreshold && c > best[n.group] {
						best[n.group] = c
					}
				}
			}
			for g, c := range best {
				count[g]++
				cover[g] += c
			}
		}
		target := -1
		for g, n := range count {
			if 2*n <= len(points) {
				continue
			}
			if target < 0 || n > count[target] || (n == count[target] &&
				(cover[g] > cover[target] || (cover[g] == cover[target] && g < target))) {
				target = g
			}
		}
		if target < 0 || !sharesWord(topics, grp.Members, wordsOfGroup(target), wordsOf) {
			continue
		}
		into[x] = target
		received[target] = true
	}

	out := make([]TopicGroup, 0, len(groups))
	pos := make([]int, len(groups))
	for g, grp := range groups {
		if into[g] >= 0 {
			continue
		}
		if received[g] && grp.Name == "" {
			grp.Name = groupName(topics, grp.Members)
		}
		grp.Members = append([]int(nil), grp.Members...)
		pos[g] = len(out)
		out = append(out, grp)
	}
	for g, t := range into {
		if t >= 0 {
			o := &out[pos[t]]
			o.Members = append(o.Members, groups[g].Members...)
		}
	}
	return out
}

// weightOf is the total weight of words (see wordWeight).
func weightOf(words []string) float64 {
	var w float64
	for _, x := range words {
		w += wordWeight(x)
	}
	return w
}

// hasSubject reports whether words hold a word that is not generic.
func hasSubject(words []string) bool {
	for _, w := range words {
		if !genericWords[w] {
			return true
		}
	}
	return false
}

// coverage is the weighted share of name's words found in the sorted
// words of a text.
func coverage(name, text []string) float64 {
	var have, total float64
	for _, w := range name {
		ww := wordWeight(w)
		total += ww
		if i := sort.SearchStrings(text, w); i < len(text) && text[i] == w {
			have += ww
		}
	}
	if total == 0 {
		return 0
	}
	return have / total
}

// sharesWord reports whether a name of members has a word in set.
func sharesWord(topics []MergeTopic, members []int, set map[string]bool, wordsOf func(string) []string) bool {
	for _, m := range members {
		for _, w := range wordsOf(topics[m].Name) {
			if set[w] {
				return true
			}
		}
	}
	return false
}

// groupName is the member name given by the most articles, the earliest
// on a tie (as the briefing chooses for an unnamed group).
func groupName(topics []MergeTopic, members []int) string {
	count := map[string]map[int]bool{}
	var names []string
	for _, m := range members {
		n := topics[m].Name
		if count[n] == nil {
			count[n] = map[int]bool{}
			names = append(names, n)
		}
		count[n][topics[m].Source] = true
	}
	best := names[0]
	for _, n := range names[1:] {
		if len(count[n]) > len(count[best]) {
			best = n
		}
	}
	return best
}
