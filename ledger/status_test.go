package ledger

import (
	"testing"

	"briefbot/summarize"
)

func rep(st summarize.Status, text string, actors ...string) Report {
	return Report{Status: st, Text: text, Actors: actors}
}

// TestStatusOverTime is the status rule, one time after another.
func TestStatusOverTime(t *testing.T) {
	const (
		A = summarize.StatusAgreed
		U = summarize.StatusUnresolved
		D = summarize.StatusDisputed
		R = summarize.StatusReported
	)
	var (
		pause     = rep(A, "Russia and Ukraine agreed to pause strikes on energy infrastructure.", "Russia", "Ukraine")
		breach    = rep(D, "Kyiv accused Moscow of striking power plants despite the pause.", "Kyiv")
		denial    = rep(D, "The Kremlin denied that it had agreed to a full ceasefire.", "Kremlin")
		reaffirm  = rep(A, "Russia and Ukraine reaffirmed the energy pause at talks in Riyadh.", "Russia", "Ukraine")
		caveat    = rep(U, "Zelenskyy said the ceasefire must be monitored before it starts.", "Zelenskyy")
		doubt     = rep(D, "Analysts at the institute doubted the truce would hold.", "Institute analysts")
		noDeal    = rep(U, "No date has been set for talks on the Black Sea.", "White House")
		fact      = rep(R, "Sweden has dropped its investigation into Assange.", "Sweden")
		opinion   = rep(D, "His lawyers called the investigation a political stunt.", "lawyers")
		open      = rep(U, "It is unclear whether the inquiry could reopen.")
		thirdDeal = rep(A, "The United Nations said it welcomed the truce.", "United Nations")
		nobody    = rep(D, "the pause was broken overnight, it was said.")
		struck    = rep(D, "Zelenskyy said drones struck power plants in Sloviansk overnight.", "Zelenskyy")
	)
	tests := []struct {
		name    string
		moments [][]Report
		want    summarize.Status
		was     bool
	}{
		{"later agreement settles an open point", [][]Report{{noDeal}, {pause}}, A, false},
		{"agreement accused of breach by a party is disputed", [][]Report{{pause}, {breach}}, D, false},
		{"a denial by a party disputes it", [][]Report{{pause}, {denial}}, D, false},
		{"accusation at the same time as the agreement", [][]Report{{pause, breach}}, D, false},
		{"reaffirmation by the parties settles it again", [][]Report{{pause}, {breach}, {reaffirm}}, A, true},
		{"a third party's agreement does not settle a dispute", [][]Report{{pause}, {breach}, {thirdDeal}}, D, false},
		{"disputed again after a reaffirmation", [][]Report{{pause}, {breach}, {reaffirm}, {breach}}, D, false},
		{"a caveat does not undo an agreement", [][]Report{{pause}, {caveat}}, A, false},
		{"agreements outnumbering a caveat at once settle it", [][]Report{{noDeal}, {pause, reaffirm, caveat}}, A, false},
		{"an agreement and as many open reports at once stay open", [][]Report{{noDeal}, {pause, caveat}}, U, false},
		{"a third party's doubt does not undo an agreement", [][]Report{{pause}, {doubt}}, A, false},
		{"a dispute naming no actor involves the parties", [][]Report{{pause}, {nobody}}, D, false},
		{"an accusation by someone not named a party disputes it", [][]Report{{pause}, {struck}}, D, false},
		{"an open question does not end a dispute", [][]Report{{breach}, {noDeal}}, D, false},
		{"a reported fact is not disputed by an opinion", [][]Report{{fact}, {opinion}}, R, false},
		{"a fact and an opinion at the same time", [][]Report{{fact, opinion}}, R, false},
		{"a reported fact is not reopened by a question", [][]Report{{fact}, {open}}, R, false},
		{"an open point later reported as done", [][]Report{{noDeal}, {fact}}, R, false},
		{"open alone", [][]Report{{noDeal}}, U, false},
		{"dispute alone", [][]Report{{opinion}}, D, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(State{}, tt.moments)
			if got.Status != tt.want || got.WasDisputed != tt.was {
				t.Errorf("Fold(%v) = %s (was disputed %v); want %s (%v)", tt.moments, got.Status, got.WasDisputed, tt.want, tt.was)
			}
			// Folding from the state after the first moment gives the
			// same answer: a briefing carrying yesterday's state agrees
			// with /topic reading every article.
			if len(tt.moments) > 1 {
				mid := Fold(State{}, tt.moments[:1])
				if again := Fold(mid, tt.moments[1:]); again.Status != got.Status || again.WasDisputed != got.WasDisputed {
					t.Errorf("Fold from a carried state = %s; want %s", again.Status, got.Status)
				}
			}
		})
	}
}
