package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize"
)

// xtrClassify finds the status of a sentence from its cues. Some cues are
// read with the words around them (see xtrRule): "reached" and "welcomed"
// count beside an agreement noun, "held" after a truce noun; "collapsed"
// and "in tatters" dispute an agreement but leave talks open; "rejected"
// disputes a claim but refuses a proposal; common words ("want", "whether",
// "won't", "offered") count only in a sentence about something negotiated.
// A negation ("did not agree", "failed to agree", "no extension has been
// agreed") in the three words before a cue, within its clause, turns a
// commitment into a refusal (a kept one into a breach: "failed to honour
// the truce") and cancels any other cue. A commitment governed by a hope,
// demand, offer or expectation before it in its clause ("called for Moscow
// to accept", "are expected to sign"), or made with a modal under a
// condition ("would accept … if", "will sign only if"), is unreal: the
// matter is open. Then:
//
//  1. an accusation or contest makes the sentence disputed, even beside a
//     commitment ("accused Russia of rejecting the ceasefire … after Moscow
//     agreed");
//  2. else a hedge ("unclear whether", "made no mention", "yet to") makes it
//     unresolved, whatever it reports as agreed ("It was unclear whether
//     Ukraine would be involved in those talks, which … will take place");
//  3. else commitments, unreal commitments and refusals are read in order
//     and the last one wins: "didn't have consensus … and today we got to
//     that place" is agreed, "declined to endorse" and "called for Moscow
//     to accept" are unresolved;
//  4. else a hope, demand or condition makes it unresolved (weakly).
//
// It returns the status, its strength (2 for 1–3 but 1 for an unreal
// commitment, 1 for 4, 0 without a cue) and the byte offsets of the
// deciding cue.
func xtrClassify(toks []xtrToken) (summarize.Status, int, int, int) {
	var hits []xtrHit
	for k := 0; k < len(toks); k++ {
		for _, c := range xtrCues[toks[k].low] {
			n := len(c.words)
			if k+n > len(toks) {
				continue
			}
			match := true
			for i := 1; i < n && match; i++ {
				match = toks[k+i].low == c.words[i]
			}
			if !match {
				continue
			}
			class, ok := xtrRefine(toks, k, k+n, c)
			if !ok {
				continue
			}
			h := xtrHit{class: class, start: toks[k].start, end: toks[k+n-1].end, negated: xtrNegated(toks, k)}
			if c.rule == xtrCompliance && h.negated {
				h.class, h.negated = xtrDisputed, false // "failed to honour the truce"
			}
			if class == xtrAgreed && !h.negated {
				h.unreal = xtrUnreal(toks, k) || xtrConditional(toks, k, c)
			}
			hits = append(hits, h)
			k += n - 1
			break
		}
	}
	first := func(class xtrClass) (xtrHit, bool) {
		for _, h := range hits {
			if h.class == class && !h.negated {
				return h, true
			}
		}
		return xtrHit{}, false
	}
	if h, ok := first(xtrDisputed); ok {
		return summarize.StatusDisputed, 2, h.start, h.end
	}
	if h, ok := first(xtrHedge); ok {
		return summarize.StatusUnresolved, 2, h.start, h.end
	}
	for i := len(hits) - 1; i >= 0; i-- {
		h := hits[i]
		switch {
		case h.class == xtrAgreed && h.unreal:
			return summarize.StatusUnresolved, 1, h.start, h.end
		case h.class == xtrAgreed && !h.negated:
			return summarize.StatusAgreed, 2, h.start, h.end
		case h.class == xtrAgreed || h.class == xtrRefusal:
			return summarize.StatusUnresolved, 2, h.start, h.end
		}
	}
	if h, ok := first(xtrWeak); ok {
		return summarize.StatusUnresolved, 1, h.start, h.end
	}
	return "", 0, -1, -1
}

// xtrRefine applies cue c's rule to its match toks[k:end]: the class it
// has there, or false when it is no cue there.
func xtrRefine(toks []xtrToken, k, end int, c xtrCue) (xtrClass, bool) {
	switch c.rule {
	case xtrNeedsDeal, xtrCompliance:
		if c.rule == xtrCompliance && k > 0 && xtrNounBefore[toks[k-1].low] {
			return 0, false // "with respect to the deal", "in honour of"
		}
		// An agreement noun in the four words after the cue, or the three
		// before it: "struck a tentative deal", "the deal brokered by Qatar".
		if xtrFollowedBy(toks, end, 4, xtrDealNouns) ||
			(c.words[0] != "under" && xtrPrecededBy(toks, k, 3, xtrDealNouns)) {
			return c.class, true
		}
		return 0, false
	case xtrNeedsTruce:
		return c.class, xtrPrecededBy(toks, k, 3, xtrTruceNouns)
	case xtrBySubject:
		// The first agreement or talks noun of the clause is what failed.
		from := k
		for from > 0 && !xtrClauseBreak(toks, from) && !xtrScopeStop(toks, from-1) {
			from--
		}
		for i := from; i < k; i++ {
			switch w := toks[i].low; {
			case xtrTruceNouns[w]:
				return xtrDisputed, true
			case xtrTalkNouns[w]:
				return c.class, true
			}
		}
		// "the building collapsed" says nothing about a negotiation.
		return c.class, xtrTopical(toks, k, end)
	case xtrTruceAfter:
		return c.class, xtrFollowedBy(toks, end, 3, xtrTruceNouns)
	case xtrByObject:
		// "rejected the claim", "a claim the union rejected", "the
		// employer's claim that … was rejected".
		for i := max(0, k-6); i < len(toks) && i < end+4; i++ {
			if i >= k && i < end {
				continue
			}
			if xtrClaimNouns[toks[i].low] {
				return xtrDisputed, true
			}
		}
		return c.class, true
	case xtrBreakObject:
		return c.class, xtrFollowedBy(toks, end, 3, xtrTruceNouns) ||
			xtrFollowedBy(toks, end, 3, xtrBreakObjects) ||
			xtrPrecededBy(toks, k, 3, xtrTruceNouns)
	case xtrDemand:
		if xtrTopical(toks, k, end) {
			return c.class, true
		}
		// A named party, then "to", in the four words after the cue.
		named := false
		for i := end; i < len(toks) && i < end+4 && !xtrClauseBreak(toks, i); i++ {
			if toks[i].low == "to" && named {
				return c.class, true
			}
			named = named || xtrCapital(toks[i].raw)
		}
		return 0, false
	case xtrJoint:
		if xtrJointly(toks, k) {
			return c.class, true
		}
		if xtrTopical(toks, k, end) {
			return xtrWeak, true
		}
		return 0, false
	case xtrVerbOnly:
		// An adjective stands before a lower-case noun.
		if end < len(toks) && !xtrClauseBreak(toks, end) && xtrLowerWord(toks[end].raw) && !xtrObjectStarts[toks[end].low] {
			return 0, false
		}
	case xtrWithhold:
		if end < len(toks) && !xtrClauseBreak(toks, end) {
			next := toks[end].low
			if xtrWithheld[next] {
				return 0, false
			}
			if xtrLowerWord(toks[end].raw) && !xtrObjectStarts[next] && !xtrClaimNouns[next] {
				// "denying flu vaccines to immigrants": something is
				// withheld from someone.
				for i := end + 1; i < len(toks) && i <= end+4 && !xtrClauseBreak(toks, i); i++ {
					if toks[i].low == "to" {
						return 0, false
					}
				}
			}
		}
	case xtrOffence:
		if k > 0 && toks[k-1].low == "for" {
			for i := k - 2; i >= 0 && i >= k-12 && !xtrClauseBreak(toks, i+1); i-- {
				if xtrPenalties[toks[i].low] {
					return 0, false
				}
			}
		}
		return c.class, true
	case xtrDesireNoun:
		if (end < len(toks) && toks[end].low == "of") || (k > 0 && xtrHopeNounBefore[toks[k-1].low]) {
			return 0, false
		}
	case xtrDefend:
		if xtrFollowedBy(toks, end, 2, xtrDefendedThings) {
			return 0, false
		}
	case xtrNeedsTopic:
		if !xtrTopical(toks, k, end) || xtrFollowedBy(toks, end, 2, xtrNotMeantWords) {
			return 0, false
		}
	case xtrNotBefore:
		if xtrFollowedBy(toks, end, 2, xtrNotBeforeWords) {
			return 0, false
		}
	case xtrNotAfter:
		for i := k - 1; i >= 0 && i >= k-2 && !xtrClauseBreak(toks, i+1); i-- {
			if xtrNotAfterWords[toks[i].low] {
				return 0, false
			}
		}
	}
	return c.class, true
}

// xtrFollowedBy reports whether one of words is among the n tokens from
// toks[i], within the clause.
func xtrFollowedBy(toks []xtrToken, i, n int, words map[string]bool) bool {
	for j := i; j < len(toks) && j < i+n && !xtrClauseBreak(toks, j); j++ {
		if words[toks[j].low] {
			return true
		}
	}
	return false
}

// xtrPrecededBy reports whether one of words is among the n words before
// token k, within the clause. Auxiliaries are not counted: "the truce has
// been broken".
func xtrPrecededBy(toks []xtrToken, k, n int, words map[string]bool) bool {
	for i, seen := k-1, 0; i >= 0 && seen < n && !xtrClauseBreak(toks, i+1); i-- {
		if words[toks[i].low] {
			return true
		}
		if !xtrAux[toks[i].low] {
			seen++
		}
	}
	return false
}

// xtrTopical reports whether a sentence is about something negotiated: a
// word outside the cue toks[k:end] names a deal or what is negotiated.
func xtrTopical(toks []xtrToken, k, end int) bool {
	for i, t := range toks {
		if (i < k || i >= end) && (xtrTopicWords[t.low] || xtrDealNouns[t.low]) {
			return true
		}
	}
	return false
}

// xtrClauseBreak reports whether punctuation that ends a clause stands
// before token i.
func xtrClauseBreak(toks []xtrToken, i int) bool {
	return strings.ContainsAny(toks[i].sep, ",;:()—–") || strings.Contains(toks[i].sep, " - ")
}

// xtrScopeStop reports whether token i starts a new clause. "and" does
// only before a lower-case word: "urged Russia and Ukraine to accept" is
// one clause.
func xtrScopeStop(toks []xtrToken, i int) bool {
	w := toks[i].low
	if !xtrScopeStops[w] {
		return false
	}
	return w != "and" || i+1 >= len(toks) || !xtrCapital(toks[i+1].raw)
}

// xtrUnreal reports whether a hope, demand, offer, expectation or
// condition governs the commitment at token k: it stands before k in its
// clause, at most xtrScopeReach words away (auxiliaries not counted).
func xtrUnreal(toks []xtrToken, k int) bool {
	for i, n := k-1, 0; i >= 0 && n < xtrScopeReach; i-- {
		if xtrClauseBreak(toks, i+1) || xtrScopeStop(toks, i) {
			return false
		}
		for _, op := range xtrOps[toks[i].low] {
			last := i + len(op.words) - 1
			if last >= k || (op.reach > 0 && k-i > op.reach) || (op.words[0] == "may" && toks[i].raw != "may") {
				continue
			}
			match := true
			for j := 1; j < len(op.words) && match; j++ {
				match = toks[i+j].low == op.words[j]
			}
			if match {
				return true
			}
		}
		if !xtrAux[toks[i].low] {
			n++
		}
	}
	return false
}

// xtrConditional reports whether the commitment at token k, made with a
// modal ("would accept", "will sign"), depends on a condition: "if" or
// "unless" in its clause, or a sentence that opens with one ("If Russia
// agrees, the truce will begin").
func xtrConditional(toks []xtrToken, k int, c xtrCue) bool {
	modal := xtrModals[c.words[0]]
	for i := k - 1; i >= 0 && i >= k-2 && !modal; i-- {
		modal = xtrModals[toks[i].low]
	}
	if !modal {
		return false
	}
	if w := toks[0].low; w == "if" || w == "unless" {
		return true
	}
	for i := k + len(c.words); i < len(toks) && !xtrClauseBreak(toks, i) && !xtrScopeStop(toks, i); i++ {
		if w := toks[i].low; w == "if" || w == "unless" {
			return true
		}
	}
	return false
}

// xtrNegated reports whether a negation stands in the few words before
// token k, within its clause. Auxiliaries ("has", "been", "yet") are not
// counted: "no extension has been agreed".
func xtrNegated(toks []xtrToken, k int) bool {
	for i, n := k-1, 0; i >= 0 && n < xtrNegationReach; i-- {
		if strings.ContainsAny(toks[i+1].sep, ",;:") {
			return false
		}
		w := toks[i].low
		if xtrNegators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
		if xtrClauseWords[w] {
			return false
		}
		if !xtrAux[w] {
			n++
		}
	}
	return false
}

// xtrLowerWord reports whether w starts with a lower-case letter.
func xtrLowerWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLower(r)
}

// xtrJointly reports whether the act at token k is made by parties
// together: a word naming several parties or a joint act ("both", "sides",
// "talks", "jointly") anywhere in the sentence, or two names joined by
// "and" before k ("China and the United States pledged").
func xtrJointly(toks []xtrToken, k int) bool {
	for i, t := range toks {
		if xtrJointWords[t.low] {
			return true
		}
		if i < k && t.low == "and" && i > 0 && i+1 < len(toks) && xtrCapital(toks[i-1].raw) &&
			(xtrCapital(toks[i+1].raw) || (toks[i+1].low == "the" && i+2 < len(toks) && xtrCapital(toks[i+2].raw))) {
			return true
		}
	}
	return false
}
