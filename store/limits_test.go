package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"briefbot/summarize"
)

// TestWriteOnFullDiskSaysSo fills the database to its size limit (SQLite's
// max_page_count on the writer connection: the same SQLITE_FULL a full disk
// gives) and checks that the failed save matches ErrDiskFull and says so.
func TestWriteOnFullDiskSaysSo(t *testing.T) {
	sqliteOnly(t)
	db := openTest(t)
	ctx := context.Background()
	var pages int
	if err := db.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `PRAGMA max_page_count = `+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("The parties agreed to keep talking about the long list of points. ", 200)
	err := db.SaveSummary(ctx, newSummary("https://news.example/full", "extractive",
		topic("Talks", point(long, summarize.StatusAgreed))))
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("SaveSummary on a full database = %v; want ErrDiskFull", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "the disk is full") || strings.Count(msg, "store:") != 1 {
		t.Errorf("SaveSummary error %q; want one store: prefix and \"the disk is full\"", msg)
	}
	// Other errors are left alone.
	if err := checkFull(errors.New("x")); errors.Is(err, ErrDiskFull) {
		t.Errorf("checkFull(x) = %v; want it not to match ErrDiskFull", err)
	}
}

// TestOpenRefusesNewerSchema marks a database as migrated by a future
// version: Open refuses it naming both versions, and writes nothing.
func TestOpenRefusesNewerSchema(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := testDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	known := ms[len(ms)-1].version
	future := known + 7

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, 'future', 1)`, future); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database from a newer version")
	}
	var sv *SchemaVersionError
	if !errors.Is(err, ErrNewerSchema) || !errors.As(err, &sv) || sv.Have != future || sv.Known != known {
		t.Fatalf("Open = %v; want a *SchemaVersionError{Have: %d, Known: %d}", err, future, known)
	}
	for _, want := range []string{path, "version " + strconv.Itoa(future), "(" + strconv.Itoa(known) + ")"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open error %q does not name %q", err, want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("Open changed the newer database before refusing it")
	}
}
