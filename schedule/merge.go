package schedule

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

// KeywordMerger is the deterministic Merger: topics merge when their names
// have the same content words after synonyms ("truce" = "ceasefire") and
// dropped modifiers ("full", "30-day"), or when the weighted Jaccard
// similarity of those words reaches mergeThreshold. It makes no call and
// never fails.
type KeywordMerger struct{}

var _ Merger = KeywordMerger{}

// Merge groups topics greedily in order: each topic joins the most similar
// earlier group (ties: the earliest), or starts its own.
func (KeywordMerger) Merge(_ context.Context, topics []MergeTopic) ([]TopicGroup, error) {
	return keywordGroups(topics, nil), nil
}

// keywordGroups clusters topics[i] for every i with !done[i] (done may be
// nil).
func keywordGroups(topics []MergeTopic, done []bool) []TopicGroup {
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
