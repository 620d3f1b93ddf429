package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"briefbot/summarize"
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
	args := append(db.d.matchArgs(db.d.ftsQuery(groups, true), db.d.ftsQuery(groups, false), "g", topicPool), "g", 25, "g", "g")
	rows, err := db.r.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+searchTopicsSQL(db.d), args...)
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

// BenchmarkSearchTopicsHistory is /topic's store lookup ("ceasefire") in
// a server with a long history, seeded in bulk with SQL (seconds, where
// BenchmarkSearchTopicsShares saves each summary and takes minutes):
// shares articles shared once each, of which matching have a topic
// named "Full temporary ceasefire" and the others "Grain export
// corridor"; each has two more topics. matching == shares is the worst
// case, every article a hit; matching < shares shows what the server's
// history alone costs.
func BenchmarkSearchTopicsHistory(b *testing.B) {
	ctx := context.Background()
	for _, c := range []struct{ shares, matching int }{
		{1_000, 1_000}, {10_000, 10_000}, {100_000, 100_000}, {100_000, 10_000}, {100_000, 1_000},
	} {
		b.Run(fmt.Sprintf("shares=%d/matching=%d", c.shares, c.matching), func(b *testing.B) {
			db := openTest(b)
			seedHistory(b, db, c.shares, c.matching)
			analyzeIfPostgres(b, db)
			b.ReportAllocs()
			for b.Loop() {
				if hits, err := db.SearchTopics(ctx, "g", "ceasefire", 25); err != nil || len(hits) != 25 {
					b.Fatalf("SearchTopics = %d hits, %v; want 25", len(hits), err)
				}
			}
		})
	}
}

// seedHistory fills db with n articles, their summaries (three topics
// each) and one share each in server "g", a minute apart; the first
// matching have a ceasefire topic. Rows are written as SaveSummary
// writes them, search entries included, in one transaction.
func seedHistory(b testing.TB, db *DB, n, matching int) {
	b.Helper()
	topics := `[{"name":"Full temporary ceasefire","key":"full temporary ceasefire","points":[{"text":"Putin did not agree to a full 30-day ceasefire.","status":"unresolved","actors":["Putin"],"quote":"Putin did not agree to a full 30-day ceasefire.","grounded":true}]},` +
		`{"name":"Energy facility attacks","key":"energy facility attacks","points":[{"text":"Both sides agreed to stop hitting power plants.","status":"agreed","actors":[],"quote":"Both sides agreed to stop hitting power plants.","grounded":true}]},` +
		`{"name":"Talks round","key":"talks round","points":[{"text":"Negotiations begin in Jeddah.","status":"agreed","actors":[],"quote":"Negotiations begin in Jeddah.","grounded":true}]}]`
	name := `CASE WHEN st.idx = 0 AND st.summary_id <= ? THEN 'Full temporary ceasefire'
		WHEN st.idx = 0 THEN 'Grain export corridor' WHEN st.idx = 1 THEN 'Energy facility attacks'
		ELSE 'Talks round ' || st.summary_id END`
	points := `CASE WHEN st.idx = 0 AND st.summary_id <= ? THEN 'Putin did not agree to a full ' || (st.summary_id % 90) || '-day ceasefire.'
		WHEN st.idx = 0 THEN 'Ships left Odesa on day ' || (st.summary_id % 90) || '.'
		WHEN st.idx = 1 THEN 'Both sides agreed to stop hitting power plants.' ELSE 'Negotiations begin in Jeddah.' END`
	fts := `INSERT INTO topic_fts (rowid, name, points) SELECT st.id, st.name, ` + points + ` FROM summary_topics st`
	if db.d == pgDialect {
		// pgFTSText's folding, done in SQL: these texts are ASCII.
		fold := func(s string) string {
			return `trim(regexp_replace(lower(` + s + `), '[^a-z0-9]+', ' ', 'g'))`
		}
		fts = `INSERT INTO topic_fts (topic_id, name_tsv, doc_tsv)
			SELECT st.id, to_tsvector('briefbot', ` + fold("st.name") + `),
				setweight(to_tsvector('briefbot', ` + fold("st.name") + `), 'A') ||
				setweight(to_tsvector('briefbot', ` + fold(points) + `), 'D')
			FROM summary_topics st`
	}
	const nums = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) `
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO articles (url, title, site, language, quality, word_count, text_hash, updated_ms) ` + nums +
			`SELECT 'https://news.example/' || i, 'Talks ' || i, 'example.org', 'en', 'full', 812, 'h' || i, 1742310245000 FROM n`, []any{n}},
		{`INSERT INTO summaries (id, url, engine, model, prompt_version, title, site, language, quality, word_count, text_hash, topics, notes, created_ms) ` + nums +
			`SELECT i, 'https://news.example/' || i, 'extractive', '', 'x1', 'Talks ' || i, 'example.org', 'en', 'full', 812, 'h' || i, ?, '[]', 1742310245000 FROM n`, []any{n, topics}},
		{`INSERT INTO summary_topics (id, summary_id, idx, name, topic_key) ` + nums +
			`, k(idx) AS (SELECT 0 UNION ALL SELECT 1 UNION ALL SELECT 2)
			SELECT 3 * (i - 1) + idx + 1, i, idx, '', '' FROM n, k`, []any{n}},
		{`UPDATE summary_topics SET name = (SELECT ` + name + ` FROM summary_topics st WHERE st.id = summary_topics.id)`, []any{matching}},
		{`UPDATE summary_topics SET topic_key = lower(name)`, nil},
		{fts, []any{matching}},
		{`INSERT INTO shares (guild_id, channel_id, message_id, user_id, url, engine, model, prompt_version, at_ms) ` + nums +
			`SELECT 'g', 'c', 'm' || i, 'u1', 'https://news.example/' || i, 'extractive', '', 'x1', 1742310245000 + CAST(i AS BIGINT) * 60000 FROM n`, []any{n}},
	}
	err := db.write(context.Background(), func(tx *sql.Tx) error {
		for _, st := range steps {
			if _, err := tx.Exec(st.sql, st.args...); err != nil {
				return fmt.Errorf("%.60s…: %w", st.sql, err)
			}
		}
		if db.d == pgDialect {
			// Later inserts draw ids after the seeded ones.
			for _, t := range []string{"summaries", "summary_topics"} {
				if _, err := tx.Exec(`SELECT setval(pg_get_serial_sequence('` + t + `', 'id'), (SELECT MAX(id) FROM ` + t + `))`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed %d shares: %v", n, err)
	}
}

// TestSearchTopicsLongHistoryOldSubject: a subject the server followed
// long ago and no longer (its 100 topics the oldest of 6,000) is still
// found whole and ranked, newest share first among equal names; on
// PostgreSQL that is the pool's GIN path, past the window of newest
// topics it reads one by one.
func TestSearchTopicsLongHistoryOldSubject(t *testing.T) {
	db := openTest(t)
	seedHistory(t, db, 2_000, 100)
	analyzeIfPostgres(t, db)
	if pgPoolWindow >= 3*2_000 {
		t.Fatalf("pgPoolWindow %d covers the seeded topics; the test would not reach the GIN path", pgPoolWindow)
	}
	hits, err := db.SearchTopics(context.Background(), "g", "ceasefire", 25)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for i := 100; i > 75; i-- {
		want = append(want, fmt.Sprintf("https://news.example/%d", i))
	}
	for _, h := range hits {
		got = append(got, h.URL)
		if h.Topic.Name != "Full temporary ceasefire" {
			t.Errorf("hit %s topic %q; want the ceasefire topic", h.URL, h.Topic.Name)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("SearchTopics(ceasefire) URLs = %q; want %q", got, want)
	}
}

// TestSearchTopicsNameBeatsManyMentions: one old topic named for the
// subject comes before more recent topics that only mention it, however
// many: the newest point-text matches fill their pool, the name match has
// a pool of its own.
func TestSearchTopicsNameBeatsManyMentions(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	named := save(t, db, newSummary("https://news.example/named", "extractive",
		topic("Ceasefire talks", point("Envoys met in Riyadh.", summarize.StatusReported))))
	share(t, db, "A", named, base)
	n := topicPool + 20
	for i := range n {
		s := save(t, db, newSummary(fmt.Sprintf("https://news.example/m%d", i), "extractive",
			topic("Grain deal", point(fmt.Sprintf("Ships sailed on day %d despite the ceasefire.", i), summarize.StatusReported))))
		share(t, db, "A", s, base.Add(time.Duration(i+1)*time.Minute))
	}
	analyzeIfPostgres(t, db)
	hits, err := db.SearchTopics(ctx, "A", "ceasefire", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 5 {
		t.Fatalf("SearchTopics = %d hits; want 5", len(hits))
	}
	if hits[0].URL != named.URL {
		t.Errorf("first hit %s (%q); want the topic named for the subject, %s", hits[0].URL, hits[0].Topic.Name, named.URL)
	}
	// Among equal mentions, the newest share first.
	for i, h := range hits[1:] {
		if want := fmt.Sprintf("https://news.example/m%d", n-1-i); h.URL != want {
			t.Errorf("hit %d = %s; want %s", i+1, h.URL, want)
		}
	}
}

// TestSearchTopicsFinishedLastWord: the last word of a query is searched
// as a prefix only while it is not a word of the index: "ceas" finds both
// topics, "cease", a word of its own, finds only the topic that says it.
func TestSearchTopicsFinishedLastWord(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	truce := save(t, db, newSummary("https://news.example/truce", "extractive",
		topic("Ceasefire deal", point("A deal was signed.", summarize.StatusAgreed))))
	trade := save(t, db, newSummary("https://news.example/trade", "extractive",
		topic("Cease trading", point("The exchange halted trading.", summarize.StatusReported))))
	share(t, db, "A", truce, base)
	share(t, db, "A", trade, base.Add(time.Minute))
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"ceas", []string{"Cease trading", "Ceasefire deal"}},
		{"cease", []string{"Cease trading"}},
		{"ceasefire", []string{"Ceasefire deal"}},
	} {
		hits, err := db.SearchTopics(ctx, "A", tt.query, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Topic.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("SearchTopics(%q) = %q; want %q", tt.query, got, tt.want)
		}
	}
}

// TestTopicNamesFromRecentShares: autocomplete suggests the names of the
// server's newest namesFromShares shares; a subject only shared before
// them is not suggested (/topic still finds it).
func TestTopicNamesFromRecentShares(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	seedHistory(t, db, namesFromShares+100, 50) // the ceasefire topics are the 50 oldest
	analyzeIfPostgres(t, db)
	if got, err := db.TopicNames(ctx, "g", "grain", 0); err != nil || !slices.Equal(got, []string{"Grain export corridor"}) {
		t.Errorf("TopicNames(grain) = %q, %v; want the recent subject", got, err)
	}
	if got, err := db.TopicNames(ctx, "g", "cease", 0); err != nil || len(got) != 0 {
		t.Errorf("TopicNames(cease) = %q, %v; want nothing from before the newest %d shares", got, err, namesFromShares)
	}
	if hits, err := db.SearchTopics(ctx, "g", "ceasefire", 0); err != nil || len(hits) != 25 {
		t.Errorf("SearchTopics(ceasefire) = %d hits, %v; want the old subject found", len(hits), err)
	}
}

// BenchmarkTopicNamesHistory is /topic's autocomplete in a server with
// 100,000 shares, for an empty prefix, a prefix of a name and one that
// matches nothing.
func BenchmarkTopicNamesHistory(b *testing.B) {
	db := openTest(b)
	seedHistory(b, db, 100_000, 100_000)
	analyzeIfPostgres(b, db)
	ctx := context.Background()
	for _, prefix := range []string{"", "cease", "zzz"} {
		b.Run("prefix="+prefix, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.TopicNames(ctx, "g", prefix, 25); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
