package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test schemas
)

// The store's tests and benchmarks run once per backend: TestMain runs
// them on SQLite, then again on PostgreSQL when BRIEFBOT_TEST_DATABASE_URL
// names a server. Each test gets a database of its own from testDSN: a
// SQLite file in its temporary directory, or a PostgreSQL schema made for
// it and dropped after it. Without the variable the PostgreSQL run is
// skipped, unless BRIEFBOT_REQUIRE_POSTGRES=1 (CI), which fails instead.
//
// Each run starts with a "backend: NAME" line, which benchstat reads as a
// configuration key, so the benchmarks of the two runs stay apart.

// testBackend is the backend of the current run: "sqlite" or "postgres".
var testBackend = "sqlite"

const (
	envTestURL         = "BRIEFBOT_TEST_DATABASE_URL"
	envRequirePostgres = "BRIEFBOT_REQUIRE_POSTGRES"
)

func TestMain(m *testing.M) {
	fmt.Println("backend: sqlite")
	code := m.Run()
	url := os.Getenv(envTestURL)
	switch {
	case url == "" && os.Getenv(envRequirePostgres) == "1":
		fmt.Fprintf(os.Stderr, "FAIL: %s=1 but %s is not set: the PostgreSQL run cannot start\n", envRequirePostgres, envTestURL)
		code = 1
	case url == "":
		fmt.Printf("backend: postgres (skipped: %s is not set)\n", envTestURL)
	default:
		testBackend = "postgres"
		fmt.Println("backend: postgres")
		if c := m.Run(); c != 0 {
			code = c
		}
		if pgAdmin.db != nil {
			pgAdmin.db.Close()
		}
	}
	os.Exit(code)
}

// pgAdmin is the connection that makes and drops the test schemas.
var pgAdmin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// testDSN returns a new, empty database for t on the current backend, in
// the form Open takes.
func testDSN(t testing.TB) string {
	t.Helper()
	if testBackend != "postgres" {
		return filepath.Join(t.TempDir(), "briefbot.db")
	}
	url := os.Getenv(envTestURL)
	pgAdmin.once.Do(func() {
		pgAdmin.db, pgAdmin.err = sql.Open("pgx", url)
		if pgAdmin.err == nil {
			pgAdmin.err = pgAdmin.db.PingContext(context.Background())
		}
	})
	if pgAdmin.err != nil {
		t.Fatalf("PostgreSQL at %s: %v", redactURL(url), pgAdmin.err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := pgAdmin.db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if _, err := pgAdmin.db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// sqliteOnly skips a test of something only SQLite has (pragmas, a file).
func sqliteOnly(t testing.TB) {
	t.Helper()
	if testBackend != "sqlite" {
		t.Skipf("SQLite only; this run is on %s", testBackend)
	}
}

// analyzeIfPostgres has PostgreSQL gather the planner's statistics of
// tables a benchmark just filled, as autovacuum does within a minute of
// such a change in production. Until then the planner takes the new
// tables for nearly empty and can pick plans that are 100 times slower.
// SQLite plans without statistics unless ANALYZE was run, which the bot
// never does, so it is left as the bot runs it.
func analyzeIfPostgres(tb testing.TB, db *DB) {
	tb.Helper()
	if db.d != pgDialect {
		return
	}
	if _, err := db.w.ExecContext(context.Background(), `ANALYZE`); err != nil {
		tb.Fatalf("ANALYZE: %v", err)
	}
}

// tableExists reports whether the current database has the named table.
func tableExists(t testing.TB, db *DB, name string) bool {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if db.d == pgDialect {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	if err := db.r.QueryRowContext(context.Background(), q, name).Scan(&n); err != nil {
		t.Fatalf("table %s: %v", name, err)
	}
	return n > 0
}
