package store

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"briefbot/summarize"
)

// openTest opens a fresh database file in a temporary directory.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), testDSN(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// base is a fixed instant the tests count from.
var base = time.Date(2025, 3, 18, 15, 4, 5, 0, time.UTC)

func point(text string, st summarize.Status, actors ...string) summarize.Point {
	return summarize.Point{Text: text, Status: st, Actors: actors, Quote: text, Grounded: true}
}

func topic(name string, points ...summarize.Point) summarize.Topic {
	return summarize.Topic{Name: name, Key: summarize.TopicKey(name), Points: points}
}

func newSummary(url, engine string, topics ...summarize.Topic) *summarize.Summary {
	return &summarize.Summary{
		URL:           url,
		FinalURL:      url + "?from=redirect",
		Title:         "Title of " + url,
		Site:          "example.org",
		Language:      "en",
		Quality:       summarize.QualityFull,
		WordCount:     812,
		TextHash:      "sha256:" + url,
		Engine:        engine,
		Model:         "",
		PromptVersion: "x1",
		Topics:        topics,
		CreatedAt:     base,
	}
}

func TestOpenRejectsUnusablePaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "a?mode=ro"} {
		t.Run(p, func(t *testing.T) {
			db, err := Open(context.Background(), p)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) = nil error; want an error", p)
			}
		})
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	sqliteOnly(t)
	db := openTest(t)
	ctx := context.Background()
	checks := []struct {
		sql  string
		want string
	}{
		{"PRAGMA journal_mode", "wal"},
		{"PRAGMA busy_timeout", busyTimeout},
		{"PRAGMA foreign_keys", "1"},
		{"PRAGMA synchronous", "1"}, // NORMAL
		{"SELECT sqlite_compileoption_used('ENABLE_FTS5')", "1"},
	}
	for _, c := range checks {
		var got string
		if err := db.w.QueryRowContext(ctx, c.sql).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if got != c.want {
			t.Errorf("writer %s = %q; want %q", c.sql, got, c.want)
		}
	}
	var qo string
	if err := db.r.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil {
		t.Fatal(err)
	}
	if qo != "1" {
		t.Errorf("reader PRAGMA query_only = %q; want %q", qo, "1")
	}
	if _, err := db.r.ExecContext(ctx, "DELETE FROM shares"); err == nil {
		t.Errorf("reader pool accepted a write; want it refused")
	}
}

// TestStatementsPrepared checks that every statement field of DB is
// prepared at Open (but the topic search where the dialect plans it for
// each call), once, and on the pool that can run it: writes on the
// single writer connection (where tx.StmtContext reuses them), reads on
// the query-only pool.
func TestStatementsPrepared(t *testing.T) {
	db := openTest(t)
	listed := map[uintptr]bool{} // addresses of the listed fields
	for _, p := range db.statements() {
		words := strings.Fields(p.sql)
		t.Run(strings.Join(words[:min(4, len(words))], " "), func(t *testing.T) {
			addr := reflect.ValueOf(p.stmt).Pointer()
			if listed[addr] {
				t.Errorf("statement listed twice")
			}
			listed[addr] = true
			if *p.stmt == nil {
				t.Errorf("statement not prepared by Open")
			}
			verb := strings.ToUpper(words[0])
			read := verb == "SELECT" || (verb == "WITH" && !strings.Contains(p.sql, "INSERT"))
			switch {
			case read && p.pool != db.r:
				t.Errorf("%s statement prepared on the writer; want the reader pool", verb)
			case !read && p.pool != db.w:
				t.Errorf("%s statement prepared on the reader pool; want the writer", verb)
			}
		})
	}
	v := reflect.ValueOf(db).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Type() != reflect.TypeFor[*sql.Stmt]() {
			continue
		}
		if f.Addr().Pointer() == reflect.ValueOf(&db.searchTopics).Pointer() && db.d.planEachCall != nil {
			continue // planned for each call instead
		}
		if !listed[f.Addr().Pointer()] {
			t.Errorf("DB.%s is not in DB.statements(); want every statement prepared at Open", v.Type().Field(i).Name)
		}
	}
}

func TestMigrationsApplyOnce(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("loadMigrations() = %d migrations; want at least 2", len(ms))
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
	}
	for i := range 3 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		if i == 0 {
			if err := db.SaveSummary(ctx, newSummary("https://a.example/1", "extractive",
				topic("Aid", point("Aid continues.", summarize.StatusAgreed)))); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.r.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		rows.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("open #%d: schema_migrations = %v; want %v", i+1, got, want)
		}
		if _, ok, err := db.Summary(ctx, summarize.Key{URL: "https://a.example/1", Engine: "extractive", PromptVersion: "x1"}); err != nil || !ok {
			t.Errorf("open #%d: Summary = %v, %v; want the saved summary", i+1, ok, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %d (%s) has version %d; want %d (no gaps)", i, m.name, m.version, i+1)
		}
	}
}
