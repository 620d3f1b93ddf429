package ledger

import (
	"slices"
	"strings"
	"unicode"

	"briefbot/summarize"
)

// The status rule. A point's or a topic's status over time is read one
// time (epoch) at a time, oldest first, with Step; /topic, briefings and
// anything later use this one rule:
//
//   - a later agreement settles an earlier open point (unresolved →
//     agreed) and turns a plain fact into an agreement;
//   - a party's accusation of breach or denial makes an agreement
//     disputed: a disputed report that comes from one of the agreement's
//     parties, or names one when it names no actor;
//   - a later reaffirmation by the parties settles a dispute again
//     (agreed, "was disputed");
//   - a caveat (an unresolved report) or a third party's doubt (a disputed
//     report that names none of the agreement's parties and voices doubt,
//     see doubts) does not undo an agreement; at one time, more open
//     reports as agreed ones leave an open point open;
//   - a reported fact is never disputed by an opinion: unresolved and
//     disputed reports leave it reported;
//   - an open question does not end a dispute; facts settle an open
//     point only when no report of their time still calls it open.
//
// Reports of one time are read together: an agreement and a party's
// accusation at the same time are a dispute, agreements outnumbering
// caveats an agreement, a fact and a contradiction of it a fact.

// Report is what one or more articles of one time say about a point: its
// status, who says it and the text.
type Report struct {
	Status summarize.Status
	Actors []string
	Text   string
	// Words are partyWords of the report when already known (nil:
	// computed from Actors and Text).
	Words []string
}

// State is where a point or a topic stands after the reports read so far.
type State struct {
	Status summarize.Status `json:"status,omitempty"`
	// WasDisputed is set when a later reaffirmation settled a dispute;
	// it is cleared by the next dispute.
	WasDisputed bool `json:"was_disputed,omitempty"`
	// Parties are the words naming the parties to the agreements read so
	// far (actors' and named words, canonical, sorted): who can dispute
	// them and who can reaffirm them.
	Parties []string `json:"parties,omitempty"`
}

// Step returns the state after the reports of one time. Reports with an
// invalid status are ignored.
func Step(s State, reports []Report) State {
	var agreed, disputed, unresolved, reported int
	for _, r := range reports {
		switch r.Status {
		case summarize.StatusAgreed:
			agreed++
		case summarize.StatusDisputed:
			disputed++
		case summarize.StatusUnresolved:
			unresolved++
		case summarize.StatusReported:
			reported++
		}
	}
	if agreed+disputed+unresolved+reported == 0 {
		return s
	}
	before := s.Parties
	parties := s.Parties
	shared := true // parties is s.Parties: copy before adding to it
	for _, r := range reports {
		if r.Status != summarize.StatusAgreed {
			continue
		}
		for _, w := range r.words() {
			i, ok := slices.BinarySearch(parties, w)
			if ok {
				continue
			}
			if shared {
				parties, shared = slices.Clone(parties), false
			}
			parties = slices.Insert(parties, i, w)
		}
	}
	partyDispute := false
	for _, r := range reports {
		if r.Status == summarize.StatusDisputed && (involves(r, parties) || !doubts(r.Text)) {
			partyDispute = true
			break
		}
	}
	out := State{Status: s.Status, WasDisputed: s.WasDisputed, Parties: parties}
	fact := s.Status == summarize.StatusReported || (reported > 0 &&
		(s.Status == "" || (s.Status == summarize.StatusUnresolved && unresolved == 0)))
	switch {
	case agreed > 0 && partyDispute:
		out.Status, out.WasDisputed = summarize.StatusDisputed, false
	case agreed > 0 && s.Status == summarize.StatusDisputed:
		// Settled again only by the parties' own reaffirmation.
		for _, r := range reports {
			if r.Status == summarize.StatusAgreed && involves(r, before) {
				out.Status, out.WasDisputed = summarize.StatusAgreed, true
				break
			}
		}
	case agreed > 0 && s.Status != summarize.StatusAgreed && unresolved >= agreed:
		// As many open reports as agreed ones at once: the agreement is
		// a step, the point is still open ("agreed to work toward a
		// ceasefire", "declined the full ceasefire").
		if s.Status == "" {
			out.Status = summarize.StatusUnresolved
		}
	case agreed > 0:
		out.Status = summarize.StatusAgreed
	case fact:
		out.Status = summarize.StatusReported
	case partyDispute && s.Status != summarize.StatusDisputed:
		out.Status, out.WasDisputed = summarize.StatusDisputed, false
	case disputed > 0 && s.Status == "":
		out.Status = summarize.StatusDisputed
	case unresolved > 0 && s.Status == "":
		out.Status = summarize.StatusUnresolved
	}
	return out
}

// involves reports whether r comes from or names one of parties: its
// actors or the names in its text. A report naming nobody, or
// read when no party is known, involves them.
func involves(r Report, parties []string) bool {
	if len(parties) == 0 {
		return true
	}
	w := r.words()
	if len(w) == 0 {
		return true
	}
	for _, x := range w {
		if _, ok := slices.BinarySearch(parties, x); ok {
			return true
		}
	}
	return false
}

func (r Report) words() []string {
	if r.Words != nil {
		return r.Words
	}
	return partyWords(r)
}

// doubtCues are words that voice doubt or scepticism rather than accuse
// or deny: "doubted the truce would hold", "sceptical", "unlikely to
// last". They are the lexical field of doubt in English news, not
// phrases of any article.
var doubtCues = []string{"doubt", "sceptic", "skeptic", "unlikely", "uncertain", "question whether", "questioned whether", "questions whether"}

// doubts reports whether text voices doubt (see doubtCues) rather than
// an accusation or a denial. A non-party's dispute counts against an
// agreement unless it only doubts it.
func doubts(text string) bool {
	t := strings.ToLower(text)
	for _, c := range doubtCues {
		if strings.Contains(t, c) {
			return true
		}
	}
	return false
}

// partyWords are the words naming the parties of an agreement: its
// actors and the names its text mentions ("Russia and Ukraine agreed").
func partyWords(r Report) []string {
	return addWords(actorWords(r.Actors), namedWords(r.Text))
}

// actorWords are the canonical content words of actors ("Kyiv" and
// "Ukrainian" are "ukraine", "White House" is "us").
func actorWords(actors []string) []string {
	var out []string
	for _, a := range actors {
		out = addWords(out, contentWords(a))
	}
	return out
}

// namedWords are the canonical words of the capitalised words of a text:
// the names it mentions (and a sentence's first word, which rarely
// matters: function words are dropped).
func namedWords(text string) []string {
	var names []string
	for _, w := range strings.Fields(text) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if w == "" {
			continue
		}
		if r := []rune(w); unicode.IsUpper(r[0]) {
			names = append(names, w)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return contentWords(strings.Join(names, " "))
}

// addWords merges sorted words into sorted set, without duplicates.
func addWords(set, words []string) []string {
	for _, w := range words {
		i, ok := slices.BinarySearch(set, w)
		if !ok {
			set = slices.Insert(set, i, w)
		}
	}
	return set
}

// Fold reads moments (the reports of one time each, oldest first) from
// the state s.
func Fold(s State, moments [][]Report) State {
	for _, m := range moments {
		s = Step(s, m)
	}
	return s
}
