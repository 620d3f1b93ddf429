package store

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"briefbot/summarize"
)

func TestFTSExpr(t *testing.T) {
	tests := []struct {
		query, literal, full string
	}{
		{"aid", `"aid"*`, `("aid"* OR "assistance")`},
		{"truce", `"truce"*`, `("truce"* OR "ceasefire" OR "cease fire" OR "armistice")`},
		{"Strikes", `"strikes"*`, `("strikes"* OR "strike" OR "attack" OR "bombing" OR "bombardment" OR "shelling" OR "raid")`},
		{"facilities", `"facilities"*`, `("facilities"* OR "infrastructure" OR "facility" OR "installation")`},
		{"energy moratorium", `"energy" AND "moratorium"*`,
			`("energy" OR "power" OR "electricity") AND ("moratorium"* OR "pause" OR "halt" OR "suspension")`},
		{"Black Sea", `"black" AND "sea"*`, `"black" AND ("sea"* OR "maritime" OR "naval")`},
		{"energy talks", `"energy" AND "talks"*`,
			`("energy" OR "power" OR "electricity") AND ("talks"* OR "negotiation" OR "negotiations" OR "dialogue")`},
		{"cease-fire", `("cease fire"* OR "ceasefire"*)`,
			`("cease fire"* OR "ceasefire"* OR "truce" OR "armistice")`},
		{"cease fire", `("cease fire"* OR "ceasefire"*)`,
			`("cease fire"* OR "ceasefire"* OR "truce" OR "armistice")`},
		{"Putin's call", `("putin s" OR "putins") AND "call"*`, `("putin s" OR "putins") AND "call"*`},
		{"Zelenský", `"zelenský"*`, `"zelenský"*`},
		{"the territory", `"territory"*`, `("territory"* OR "territorial")`},
		{"the", `"the"*`, `"the"*`},
		{`"ceasefire OR *`, `"ceasefire"*`, `("ceasefire"* OR "truce" OR "cease fire" OR "armistice")`},
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
