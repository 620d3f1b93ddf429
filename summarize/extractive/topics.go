package extractive

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize"
)

// topics builds the ledger: one topic per section, then clusters of the
// sentences outside sections.
func (a *xtrDoc) topics() []summarize.Topic {
	type cand struct {
		name  string
		sents []int
	}
	var cands []cand
	byKey := map[string]int{}
	addCand := func(name string, sents []int) {
		key := summarize.TopicKey(name)
		if i, ok := byKey[key]; ok {
			cands[i].sents = append(cands[i].sents, sents...)
			slices.Sort(cands[i].sents)
			return
		}
		byKey[key] = len(cands)
		cands = append(cands, cand{name: name, sents: sents})
	}
	cued := func(sents []int) (strong, any int) {
		for _, i := range sents {
			if s := a.sents[i]; s.strength > 0 {
				any++
				if s.strength > 1 {
					strong++
				}
			}
		}
		return strong, any
	}
	sectionTopics := 0
	for _, sec := range a.sections {
		if _, n := cued(sec.sents); n > 0 {
			addCand(sec.name, sec.sents)
			sectionTopics++
		}
	}
	if room := xtrMaxTopics - sectionTopics; room > 0 && len(a.pool) > 0 {
		for _, c := range a.cluster(a.pool, room, sectionTopics == 0) {
			addCand(c.name, c.sents)
		}
	}
	// Keep the topics with the most cued points, in reading order.
	kept := make([]cand, 0, len(cands))
	for _, c := range cands {
		if _, n := cued(c.sents); n > 0 {
			kept = append(kept, c)
		}
	}
	if len(kept) > xtrMaxTopics {
		rank := slices.Clone(kept)
		slices.SortStableFunc(rank, func(x, y cand) int {
			xs, xa := cued(x.sents)
			ys, ya := cued(y.sents)
			if c := cmp.Compare(ys, xs); c != 0 {
				return c
			}
			return cmp.Compare(ya, xa)
		})
		rank = rank[:xtrMaxTopics]
		kept = slices.DeleteFunc(kept, func(c cand) bool {
			return !slices.ContainsFunc(rank, func(r cand) bool { return r.name == c.name })
		})
	}
	slices.SortStableFunc(kept, func(x, y cand) int { return cmp.Compare(x.sents[0], y.sents[0]) })

	topics := make([]summarize.Topic, 0, len(kept))
	for _, c := range kept {
		topics = append(topics, summarize.Topic{Name: c.name, Key: summarize.TopicKey(c.name), Points: a.points(c.sents)})
	}
	return topics
}

// points picks up to five sentences of a topic, those with strong cues
// first, then weak ones, in reading order; a topic with fewer than three is
// filled with the sentences without a cue that come first. Such a sentence
// continues the claim before it and takes the status of the nearest cued
// sentence before it (after it, when none is before).
func (a *xtrDoc) points(sents []int) []summarize.Point {
	ranked := slices.Clone(sents)
	slices.SortStableFunc(ranked, func(x, y int) int { return cmp.Compare(a.sents[y].strength, a.sents[x].strength) })
	var chosen []int
	for _, i := range ranked {
		if len(chosen) < xtrMaxPoints && a.sents[i].strength > 0 {
			chosen = append(chosen, i)
		}
	}
	for _, i := range sents {
		if len(chosen) >= xtrMinPoints {
			break
		}
		if a.sents[i].strength == 0 {
			chosen = append(chosen, i)
		}
	}
	slices.Sort(chosen)
	points := make([]summarize.Point, 0, len(chosen))
	for _, i := range chosen {
		s := a.sents[i]
		status := s.status
		if status == "" {
			status = a.contextStatus(sents, i)
		}
		points = append(points, summarize.Point{
			Text:   xtrShorten(s, xtrTextWords, true),
			Status: status,
			Actors: s.actors,
			Quote:  xtrShorten(s, xtrQuoteWords, false),
		})
	}
	return points
}

func (a *xtrDoc) contextStatus(sents []int, i int) summarize.Status {
	at := slices.Index(sents, i)
	for j := at - 1; j >= 0; j-- {
		if st := a.sents[sents[j]].status; st != "" {
			return st
		}
	}
	for j := at + 1; j < len(sents); j++ {
		if st := a.sents[sents[j]].status; st != "" {
			return st
		}
	}
	return summarize.StatusUnresolved
}

type xtrCluster struct {
	name  string
	sents []int
}

type xtrTerm struct {
	key      string
	bigram   bool
	proper   bool
	sents    []int          // sentence indexes, in order
	surfaces []string       // the ways it is written, in order of appearance
	count    map[string]int // uses of each surface
}

// display is the term as most often written (the first such on a tie).
func (t *xtrTerm) display() string {
	best := t.surfaces[0]
	for _, s := range t.surfaces[1:] {
		if t.count[s] > t.count[best] {
			best = s
		}
	}
	return best
}

// cluster groups sentences by shared salient words, at most limit groups.
// Each round takes the word or word pair found in the most sentences not yet
// grouped (sentences with a status cue count double, pairs weigh more;
// names and words in more than a third of the sentences are left out),
// groups those sentences and names the group by that pair, or by the word
// and a word found in every sentence of the group, in Title Case.
// A group needs two sentences and a status cue. Cued sentences left over
// join the group they share most (at least two) of those words with; a
// strong one that joins none stands alone, named by its first word pair,
// while there is room. When nothing groups and
// whole is set (the article has no sections), the cued sentences form one
// topic named by the article's most frequent words.
func (a *xtrDoc) cluster(pool []int, limit int, whole bool) []xtrCluster {
	terms := map[string]*xtrTerm{}
	var order []string
	sentTerms := map[int][]string{}
	for _, si := range pool {
		s := a.sents[si]
		var prevKey, prevDisplay string
		prevProper := false
		seen := map[string]bool{}
		add := func(key, display string, bigram, proper bool) {
			t := terms[key]
			if t == nil {
				t = &xtrTerm{key: key, bigram: bigram, proper: proper, count: map[string]int{}}
				terms[key] = t
				order = append(order, key)
			}
			if t.count[display] == 0 {
				t.surfaces = append(t.surfaces, display)
			}
			t.count[display]++
			if seen[key] {
				return
			}
			seen[key] = true
			t.sents = append(t.sents, si)
			sentTerms[si] = append(sentTerms[si], key)
		}
		for k, t := range s.toks {
			key, ok := xtrContentWord(t.low)
			if !ok || k > 0 && strings.ContainsAny(t.sep, ",;:.!?()\"“”") {
				prevKey = ""
			}
			if !ok {
				continue
			}
			proper := a.proper[t.low]
			display := t.low
			if proper {
				display = t.raw
			}
			add(key, display, false, proper)
			if prevKey != "" {
				add(prevKey+" "+key, prevDisplay+" "+display, true, proper || prevProper)
			}
			prevKey, prevDisplay, prevProper = key, display, proper
		}
	}

	// A word in more than a third of the sentences is the article's subject
	// or its parties ("ceasefire", "union"), not one of its topics.
	general := max(2, len(pool)/3)
	assigned := map[int]bool{}
	var out []xtrCluster
	var outTerms []map[string]bool
	for len(out) < limit {
		var best *xtrTerm
		bestScore := 0.0
		for _, key := range order {
			t := terms[key]
			n, cuedN := 0, 0
			for _, si := range t.sents {
				if !assigned[si] {
					n++
					if a.sents[si].strength > 0 {
						cuedN++
					}
				}
			}
			if n < 2 || cuedN == 0 || len(t.sents) > general || t.proper {
				continue
			}
			score := float64(n + cuedN)
			if t.bigram {
				score *= 1.5
			}
			if score > bestScore {
				best, bestScore = t, score
			}
		}
		if best == nil {
			break
		}
		var group []int
		for _, si := range best.sents {
			if !assigned[si] {
				assigned[si] = true
				group = append(group, si)
			}
		}
		name := best.display()
		if !best.bigram {
			name = a.coName(best, group, sentTerms, terms, general)
		}
		members := map[string]bool{}
		for _, si := range group {
			for _, k := range sentTerms[si] {
				members[k] = true
			}
		}
		out = append(out, xtrCluster{name: xtrTitleCase(name), sents: group})
		outTerms = append(outTerms, members)
	}
	for _, si := range pool {
		if assigned[si] || a.sents[si].strength == 0 {
			continue
		}
		best, bestShared := -1, 1
		for ci, members := range outTerms {
			shared := 0
			for _, k := range sentTerms[si] {
				if !strings.Contains(k, " ") && members[k] && len(terms[k].sents) <= general && !terms[k].proper {
					shared++
				}
			}
			if shared > bestShared {
				best, bestShared = ci, shared
			}
		}
		switch {
		case best >= 0:
			out[best].sents = append(out[best].sents, si)
			slices.Sort(out[best].sents)
			assigned[si] = true
		case len(out) < limit && a.sents[si].strength > 1:
			if name := xtrSingleName(sentTerms[si], terms, general); name != "" {
				out = append(out, xtrCluster{name: xtrTitleCase(name), sents: []int{si}})
				outTerms = append(outTerms, map[string]bool{})
				assigned[si] = true
			}
		}
	}
	if len(out) == 0 && whole {
		var group []int
		count := map[string]int{}
		for _, si := range pool {
			if a.sents[si].strength > 0 {
				group = append(group, si)
				for _, k := range sentTerms[si] {
					if !strings.Contains(k, " ") {
						count[k]++
					}
				}
			}
		}
		if len(group) > 0 {
			var top []string
			for _, key := range order {
				if count[key] > 0 {
					top = append(top, key)
				}
			}
			slices.SortStableFunc(top, func(x, y string) int { return cmp.Compare(count[y], count[x]) })
			var words []string
			for _, k := range top[:min(2, len(top))] {
				words = append(words, terms[k].display())
			}
			name := strings.Join(words, " ")
			if name == "" {
				name = "main points"
			}
			out = append(out, xtrCluster{name: xtrTitleCase(name), sents: group})
		}
	}
	return out
}

// xtrSingleName names a one-sentence group by its first word pair of
// topic words, or its first topic word.
func xtrSingleName(keys []string, terms map[string]*xtrTerm, general int) string {
	var single string
	for _, k := range keys {
		t := terms[k]
		if t.proper || len(t.sents) > general {
			continue
		}
		if t.bigram {
			return t.display()
		}
		if single == "" {
			single = t.display()
		}
	}
	return single
}

// coName names a group by its seed word and the word found in every one of
// its sentences (the most frequent in the article when several are), in the
// order they first appear; by the seed alone when there is none.
func (a *xtrDoc) coName(seed *xtrTerm, group []int, sentTerms map[int][]string, terms map[string]*xtrTerm, general int) string {
	count := map[string]int{}
	var order []string
	for _, si := range group {
		for _, k := range sentTerms[si] {
			if k == seed.key || strings.Contains(k, " ") {
				continue
			}
			if count[k] == 0 {
				order = append(order, k)
			}
			count[k]++
		}
	}
	co := ""
	for _, k := range order {
		if count[k] == len(group) && len(group) >= 2 && !terms[k].proper && len(terms[k].sents) <= general &&
			(co == "" || len(terms[k].sents) > len(terms[co].sents)) {
			co = k
		}
	}
	if co == "" {
		return seed.display()
	}
	// Order the two as they first appear in the group's text.
	for _, si := range group {
		for _, k := range sentTerms[si] {
			switch k {
			case seed.key:
				return seed.display() + " " + terms[co].display()
			case co:
				return terms[co].display() + " " + seed.display()
			}
		}
	}
	return seed.display()
}

// xtrContentWord returns the stem of a word that can name a topic.
func xtrContentWord(low string) (string, bool) {
	w := strings.TrimSuffix(low, "'s")
	if utf8.RuneCountInString(w) < 3 || xtrStopwords[w] || xtrCueWords[w] || xtrTitles[w] ||
		xtrSpeech[w] || xtrNotNames[w] {
		return "", false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			return "", false
		}
	}
	return xtrStem(w), true
}

// xtrStem strips common English endings so that "pledge", "pledges" and
// "pledged", or "automated" and "automation", share a key. The stem is only
// a key: topic names use the words as written.
func xtrStem(w string) string {
	for _, suf := range []string{"ations", "ation", "ated", "ating", "ings", "ing", "ies", "ied", "ed", "s"} {
		if !strings.HasSuffix(w, suf) || utf8.RuneCountInString(w)-len(suf) < 3 {
			continue
		}
		if suf == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
			break
		}
		w = w[:len(w)-len(suf)]
		if suf == "ies" || suf == "ied" {
			w += "y"
		}
		break
	}
	if strings.HasSuffix(w, "e") && utf8.RuneCountInString(w) > 3 {
		w = w[:len(w)-1]
	}
	return w
}

func xtrTitleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToTitle(r)) + w[n:]
	}
	return strings.Join(words, " ")
}
