package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test database
)

// postgresTestURL returns the URL of a new, empty PostgreSQL database for
// t, dropped after it, on the server BRIEFBOT_TEST_DATABASE_URL names. It
// skips t without that variable, unless BRIEFBOT_REQUIRE_POSTGRES=1 (CI),
// where it fails t.
func postgresTestURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("BRIEFBOT_TEST_DATABASE_URL")
	if admin == "" {
		if os.Getenv("BRIEFBOT_REQUIRE_POSTGRES") == "1" {
			t.Fatal("BRIEFBOT_REQUIRE_POSTGRES=1 but BRIEFBOT_TEST_DATABASE_URL is not set")
		}
		t.Skip("BRIEFBOT_TEST_DATABASE_URL is not set")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "briefbot_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestConsoleOnPostgres: with DATABASE_URL the whole program keeps its
// records in PostgreSQL: a pasted link is summarized and stored, /topic
// finds it through the synonym, a briefing is posted, and a restarted
// program answers the link from the cache and knows the briefing. Nothing
// is written to DATABASE_PATH.
func TestConsoleOnPostgres(t *testing.T) {
	dbURL := postgresTestURL(t)
	srv := newsServer(t, nil)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true", "DATABASE_URL": dbURL})
	path, _ := env.lookup("DATABASE_PATH")

	first := startConsole(t, env)
	first.say(srv.URL+storyDay1, summaryEnd)
	topic := first.say("/topic truce", "### Sources")
	first.say("/briefing now", "Posted the briefing")
	if code := first.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	if !strings.Contains(topic, "## Topic: truce") || !strings.Contains(topic, "ceasefire") {
		t.Errorf("/topic truce on PostgreSQL:\n%s\nwant the ceasefire topic", topic)
	}

	second := startConsole(t, env)
	// Answered from PostgreSQL's cache: the footer says so.
	second.say(srv.URL+storyDay1, summaryEnd+" cached")
	status := second.say("/briefing status", "(posted).")
	if code := second.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	if !strings.Contains(status, "Last: ") {
		t.Errorf("/briefing status after a restart = %q; want the posted briefing", status)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("DATABASE_PATH %s exists (err %v); want nothing written there with DATABASE_URL", path, err)
	}

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var summaries, shares, briefings int
	err = db.QueryRowContext(context.Background(), `SELECT
		(SELECT COUNT(*) FROM summaries), (SELECT COUNT(*) FROM shares), (SELECT COUNT(*) FROM briefings)`).
		Scan(&summaries, &shares, &briefings)
	if err != nil || summaries != 1 || shares < 1 || briefings != 1 {
		t.Errorf("PostgreSQL holds %d summaries, %d shares, %d briefings (err %v); want 1, ≥ 1, 1", summaries, shares, briefings, err)
	}
}

// TestBadDatabaseURL: a DATABASE_URL that is not a PostgreSQL URL stops
// start-up naming the setting, without repeating a password.
func TestBadDatabaseURL(t *testing.T) {
	for _, v := range []string{"mysql://u:hunter2@db/x", "postgres://u:hunter2@db:notaport/x", "briefbot.db"} {
		code, _, errOut := runMain(t, testEnv(t, map[string]string{"DATABASE_URL": v}), "")
		if code != 2 || !strings.Contains(errOut, "DATABASE_URL") || strings.Contains(errOut, "hunter2") {
			t.Errorf("DATABASE_URL=%q: run() = %d, stderr %q; want 2, naming DATABASE_URL, without the password", v, code, errOut)
		}
	}
}
