package store

import (
	"context"
	"strings"
	"testing"
)

// TestSearchTopicsPlanProbesShares: SQLite plans /topic's share lookup as
// one probe of the covering index per matching summary. Without
// shares_guild_summary_at it picked shares_guild_at and read every share
// of the server for each match (10,000 matches: 9.8 s instead of 27 ms);
// the first share of a hit is read from the URL's own shares as well.
func TestSearchTopicsPlanProbesShares(t *testing.T) {
	sqliteOnly(t)
	db := openTest(t)
	groups := parseQuery("ceasefire")
	rows, err := db.r.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+searchTopicsSQL(db.d),
		db.d.ftsQuery(groups, true), db.d.ftsQuery(groups, false), "g", 25, "g")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "USING COVERING INDEX shares_guild_summary_at (guild_id=? AND url=? AND engine=? AND model=? AND prompt_version=?)") {
		t.Errorf("search plan does not probe shares_guild_summary_at per summary:\n%s", all)
	}
	if strings.Contains(all, "shares_guild_at") || strings.Contains(all, "SCAN sh") {
		t.Errorf("search plan reads the server's shares:\n%s", all)
	}
}

// TestPostgresJITOff: the store's connections run without PostgreSQL's
// JIT compiler, which costs more than the store's queries run.
func TestPostgresJITOff(t *testing.T) {
	if testBackend != "postgres" {
		t.Skip("PostgreSQL only")
	}
	db := openTest(t)
	var jit string
	if err := db.r.QueryRowContext(context.Background(), `SHOW jit`).Scan(&jit); err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Errorf("jit = %q; want off", jit)
	}
}
