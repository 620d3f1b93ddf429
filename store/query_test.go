package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"briefbot/summarize"
)

func TestFTSExpr(t *testing.T) {
	tests := []struct {
		query, literal, full string
	}{
		{"aid", `"aid"*`, `("aid"* OR "assistance")`},
		{"truce", `"truce"*`, `("truce"* OR "ceasefire" OR "armistice" OR "cease fire")`},
		{"Strikes", `"strikes"*`, `("strikes"* OR "attack" OR "strike" OR "bombing" OR "bombardment" OR "shelling" OR "raid")`},
		{"facilities", `"facilities"*`, `("facilities"* OR "infrastructure" OR "facility" OR "installation")`},
		{"energy moratorium", `"energy" AND "moratorium"*`,
			`("energy" OR "power" OR "electricity") AND ("moratorium"* OR "pause" OR "halt" OR "suspension")`},
		{"Black Sea", `"black" AND "sea"*`, `"black" AND ("sea"* OR "maritime" OR "naval")`},
		{"energy talks", `"energy" AND "talks"*`,
			`("energy" OR "power" OR "electricity") AND ("talks"* OR "talk" OR "negotiation" OR "dialogue" OR "summit" OR "meeting")`},
		{"cease-fire", `("cease fire"* OR "ceasefire"*)`,
			`("cease fire"* OR "ceasefire"* OR "truce" OR "armistice")`},
		{"cease fire", `("cease fire"* OR "ceasefire"*)`,
			`("cease fire"* OR "ceasefire"* OR "truce" OR "armistice")`},
		{"Putin's call", `("putin s" OR "putins") AND "call"*`, `("putin s" OR "putins") AND "call"*`},
		{"Zelenský", `"zelenský"*`, `"zelenský"*`},
		{"the territory", `"territory"*`, `("territory"* OR "territorial")`},
		{"troops", `"troops"*`, `("troops"* OR "troop" OR "force" OR "soldier")`},
		{"Mobilisation", `"mobilisation"*`, `("mobilisation"* OR "mobilization")`},
		// Loose synonyms (stop, freeze, discussion) are not searched for.
		{"pause", `"pause"*`, `("pause"* OR "halt" OR "moratorium" OR "suspension")`},
		{"POW swap", `"pow" AND "swap"*`,
			`("pow" OR "prisoner" OR "detainee" OR "captive" OR "prisoner of war") AND ("swap"* OR "exchange")`},
		{"the", `"the"*`, `"the"*`},
		{`"ceasefire OR *`, `"ceasefire"*`, `("ceasefire"* OR "truce" OR "armistice" OR "cease fire")`},
		{`x" OR "y`, `"x" AND "y"*`, `"x" AND "y"*`},
		{`NEAR(a b, 2)`, `"b" AND "2"*`, `"b" AND "2"*`},
		{`col:term`, `("col term"* OR "colterm"*)`, `("col term"* OR "colterm"*)`},
		{`^x* -y +z`, `"x" AND "y" AND "z"*`, `"x" AND "y" AND "z"*`},
		{`* "" () OR`, `"or"*`, `"or"*`},
		{`*`, ``, ``},
		{``, ``, ``},
		{strings.Repeat("w ", 40), strings.TrimSuffix(strings.Repeat(`"w" AND `, maxQueryGroups), " AND ") + "*",
			strings.TrimSuffix(strings.Repeat(`"w" AND `, maxQueryGroups), " AND ") + "*"},
	}
	for _, tt := range tests {
		g := parseQuery(tt.query)
		if got := ftsExpr(g, true); got != tt.literal {
			t.Errorf("ftsExpr(parseQuery(%q), literal) = %q; want %q", tt.query, got, tt.literal)
		}
		if got := ftsExpr(g, false); got != tt.full {
			t.Errorf("ftsExpr(parseQuery(%q)) = %q; want %q", tt.query, got, tt.full)
		}
	}
}

// TestSearchVocabulary: every strict synonym of summarize's vocabulary
// finds, through the real index, the topics named with any other word of
// its group, singular or plural (the table lists base forms and relies on
// the porter stemmer for the rest); loose synonyms find nothing of theirs.
func TestSearchVocabulary(t *testing.T) {
	db := openTest(t)
	groups := summarize.SynonymGroups()
	var topics []summarize.Topic
	named := map[string][]string{} // group's canonical form → its topic names
	for _, g := range groups {
		for _, w := range g {
			names := []string{title(w)}
			if !strings.Contains(w, " ") {
				names = append(names, title(w)+"s")
			}
			for _, n := range names {
				topics = append(topics, topic(n, point("No comment yet.", summarize.StatusUnresolved)))
				named[g[0]] = append(named[g[0]], n)
			}
		}
	}
	loose := map[string]string{} // loose synonym's topic name → the word that must not find it
	for _, w := range []string{"stop", "freeze", "discussion", "land", "plant", "shipping", "condition"} {
		c := summarize.CanonicalTerm(w)
		if c == w {
			t.Fatalf("CanonicalTerm(%q) = %q; want a loose synonym of another word", w, c)
		}
		loose[title(w)] = c
		topics = append(topics, topic(title(w), point("No comment yet.", summarize.StatusUnresolved)))
	}
	s := save(t, db, newSummary("https://news.example/vocabulary", "extractive", topics...))
	share(t, db, "A", s, time.Date(2025, 3, 18, 9, 0, 0, 0, time.UTC))

	for _, g := range groups {
		for _, w := range g {
			queries := []string{w}
			if !strings.Contains(w, " ") {
				queries = append(queries, w+"s")
			} else if len(strings.Fields(w)) > 2 {
				continue // "prisoner of war" is searched as words: all must match
			}
			for _, q := range queries {
				got := search(t, db, "A", q)
				for _, want := range named[g[0]] {
					if !slices.Contains(got, want) {
						t.Errorf("SearchTopics(%q) = %q; want it to contain %q", q, got, want)
					}
				}
				for name, c := range loose {
					if c == g[0] && slices.Contains(got, name) {
						t.Errorf("SearchTopics(%q) = %q; want no %q (a loose synonym)", q, got, name)
					}
				}
			}
		}
	}
}

// title capitalises the first letter of w, as a topic name would.
func title(w string) string {
	return strings.ToUpper(w[:1]) + w[1:]
}

// FuzzSearchTopics: whatever a user types, the search runs without error,
// and the expression holds no operator or star the builder did not write.
func FuzzSearchTopics(f *testing.F) {
	for _, s := range []string{"ceasefire", `"ceasefire OR *`, `a NEAR/2 b`, `name:aid`, `{name points}: x`,
		`x AND NOT y`, `"unterminated`, `a + b`, `^start`, "\x00", "ünïcödé", `((((`, `a"b"c`, "٣٠ يوما"} {
		f.Add(s)
	}
	db := openTest(f)
	s := newSummary("https://news.example/f", "extractive",
		topic("Full temporary ceasefire", point("Putin declined a full ceasefire.", summarize.StatusUnresolved)))
	if err := db.SaveSummary(context.Background(), s); err != nil {
		f.Fatal(err)
	}
	share(f, db, "A", s, base)
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := db.SearchTopics(context.Background(), "A", q, 5); err != nil {
			t.Fatalf("SearchTopics(%q) = %v", q, err)
		}
		for _, g := range parseQuery(q) {
			for _, a := range g.alts {
				for _, tok := range a {
					for _, r := range tok {
						if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
							t.Fatalf("parseQuery(%q) kept %q in a term", q, r)
						}
					}
				}
			}
		}
	})
}
