package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConsoleExportThroughRun drives /export through main's run() and the
// console: the file is printed between markers and holds the shared
// article's topics with their quotes and URL.
func TestConsoleExportThroughRun(t *testing.T) {
	srv := newsServer(t, nil)
	c := startConsole(t, testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"}))
	c.say("what was agreed? "+srv.URL+storyDay1, summaryEnd)
	c.say("/export energy json", "--- end of export-energy.json ---")
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	out := c.out.String()
	_, file, ok := strings.Cut(out, "--- file export-energy.json (")
	if !ok {
		t.Fatalf("no export file in the console output:\n%s", out)
	}
	_, file, _ = strings.Cut(file, "\n")
	file, _, _ = strings.Cut(file, "\n--- end of export-energy.json ---")
	var doc struct {
		Topics []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Points []struct {
				Quote string `json:"quote"`
			} `json:"points"`
			Sources []struct {
				URL string `json:"url"`
			} `json:"sources"`
		} `json:"topics"`
	}
	if err := json.Unmarshal([]byte(file), &doc); err != nil {
		t.Fatalf("printed export is not JSON: %v\n%s", err, file)
	}
	if len(doc.Topics) == 0 || doc.Topics[0].Status == "" || len(doc.Topics[0].Points) == 0 || doc.Topics[0].Points[0].Quote == "" ||
		len(doc.Topics[0].Sources) != 1 || doc.Topics[0].Sources[0].URL != srv.URL+storyDay1 {
		t.Errorf("export = %+v; want the energy topic with status, quotes and the article's URL", doc)
	}
}

// TestConsoleAskThroughRun drives /ask through main's run(), offline: the
// answer quotes the shared article, and a question it does not cover says
// so with the number of sources.
func TestConsoleAskThroughRun(t *testing.T) {
	srv := newsServer(t, nil)
	c := startConsole(t, testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"}))
	c.say("what was agreed? "+srv.URL+storyDay1, summaryEnd)
	c.say("/ask what about energy facilities?", "Sources")
	c.say("/ask who won the football final?", "so far")
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	out := c.out.String()
	_, answer, _ := strings.Cut(out, "Q: what about energy facilities?")
	answer, notCovered, _ := strings.Cut(answer, "Q: who won the football final?")
	// A point whose text is its verified quote shows it once.
	const quoted = "During the call Putin agreed to stop attacking Ukrainian energy facilities temporarily. [1]"
	if !strings.Contains(answer, quoted) {
		t.Errorf("/ask answer lacks the article's words with a numbered source (%q):\n%s", quoted, answer)
	}
	if !strings.Contains(notCovered, "Not covered by the 1 source so far") {
		t.Errorf("uncovered question answered:\n%s", notCovered)
	}
}

// TestConsoleWatchThroughRun adds, lists and removes a watch through
// main's run().
func TestConsoleWatchThroughRun(t *testing.T) {
	srv := newsServer(t, nil)
	c := startConsole(t, testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"}))
	c.say("what was agreed? "+srv.URL+storyDay1, summaryEnd)
	c.say("/watch add energy", "when its status changes")
	c.say("/watch list", "Watches in this server")
	c.say("/watch remove 1", "Stopped watching")
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	if out := c.out.String(); !strings.Contains(out, "Watching “energy” (now ") || !strings.Contains(out, "1. “energy” in #general") {
		t.Errorf("console output:\n%s", out)
	}
}

// TestConsoleFeedThroughRun follows a feed through main's run() and the
// console, and lists it with its status.
func TestConsoleFeedThroughRun(t *testing.T) {
	srv := newsServer(t, nil)
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Call</title><link>%s</link><guid>1</guid></item></channel></rss>`, srv.URL+storyDay1)
	}))
	t.Cleanup(feedSrv.Close)
	c := startConsole(t, testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"}))
	c.say("/feed add "+feedSrv.URL+"/rss ceasefire", "Following")
	c.say("/feed list", "Feeds of this server")
	c.say("/feed add "+srv.URL+"/2025/03/27/gone", "couldn't follow")
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	out := c.out.String()
	for _, want := range []string{"(entries mentioning “ceasefire”)", "1. <" + feedSrv.URL + "/rss> · filter “ceasefire” · ok · 1 entry listed", "I couldn't follow that feed: the site answered 404."} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}
