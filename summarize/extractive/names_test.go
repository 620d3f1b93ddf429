package extractive

import (
	"strings"
	"testing"
)

// TestXtrActorNameThings: celestial bodies, events, products and market
// indices are named like parties but never act.
func TestXtrActorNameThings(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{"Europa", false}, {"Jupiter", false}, {"Earth", false},
		{"World Cup", false}, {"Black Friday", false}, {"Davis Cup Final", false},
		{"MacBook Pro", false}, {"Pro Max", false}, {"Powerbeats3", false},
		{"Dow Jones Industrial Average", false},
		{"NASA", true}, {"Paganini", true}, {"European Space Agency", true},
		{"Epic Games", true}, {"21st Century Fox", true}, {"Taylor Swift", true},
	} {
		if got := xtrActorName(c.name); got != c.want {
			t.Errorf("xtrActorName(%q) = %v; want %v", c.name, got, c.want)
		}
	}
}

// TestMainTopicNameWholeName: a headline word of a name the article
// writes whole stands for the name ("San" of "San Francisco"); a word the
// article uses alone ("Assange") stays a name by itself.
func TestMainTopicNameWholeName(t *testing.T) {
	for _, c := range []struct {
		title, text, want string
	}{
		{"Man stabbed to death on San Francisco train",
			"A man was stabbed to death on a San Francisco commuter train on Sunday, police said. " +
				"The train was stopped at a San Francisco station and the man died there. " +
				"Police in San Francisco are looking for the attacker who left the train.",
			"San Francisco"},
		{"Sweden drops Julian Assange investigation",
			"Sweden has dropped its investigation into Julian Assange after a review of the evidence. " +
				"Assange has always denied the allegation made in the investigation. " +
				"Assange is held in a London prison while the investigation is closed.",
			"Assange"},
		{"Cat found in New Mexico after five years",
			"A cat missing for five years in Oregon has been found in New Mexico by a shelter. " +
				"The cat was wandering the streets of the New Mexico capital, the shelter said. " +
				"The cat will fly home from New Mexico next week, its owner said.",
			"New Mexico"},
	} {
		a := xtrAnalyze(xtrTestDocument(t, c.title, c.text), nil)
		a = xtrAnalyze(a.doc, a.doc.Blocks)
		if got := a.mainTopicName(); !strings.Contains(got, c.want) || strings.Count(got, strings.Fields(c.want)[0]) > 1 {
			t.Errorf("mainTopicName(%q) = %q; want it to hold %q once", c.title, got, c.want)
		}
	}
}
