package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// transcriptNoise matches what changes from run to run in a console
// transcript (the article server's address, the day and time of a
// briefing and its id, how long a summary took) and the bodies of
// summaries and briefings (their points, More buttons and parts), which
// have tests of their own: the golden file is the conversation around
// them.
var transcriptNoise = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?ms)^(## [^\n]+\n).*?^(-- (extractive|llm) ·)`), "$1[summary]\n$2"},
	{regexp.MustCompile(`(?s)(── briefing in #general ──\n).*?\n(Posted the briefing)`), "$1[briefing]\n$2"},
	// How many points a summary holds back, and so whether it has a More
	// button, is the engine's and the renderer's business.
	{regexp.MustCompile(`(?m)^\[More \(\d+ points? left\)\]\n\(type /more to press it\)\n`), ""},
	{regexp.MustCompile(`Posted the briefing \(\d+ messages?\)`), "Posted the briefing (N messages)"},
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), "http://NEWS"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC`), "YYYY-MM-DD hh:mm UTC"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2} UTC`), "YYYY-MM-DD UTC"},
	{regexp.MustCompile(`\bb-console-\d+`), "b-console-ID"},
	{regexp.MustCompile(`\d+(\.\d+)? ?(ms|s|µs)\b`), "TOOK"},
}

// TestConsoleTranscript is a console session through run() at the
// default settings, as a new user would type it: the conversation is the
// golden file, and nothing is logged into it (stderr shares the
// terminal). Run with -update to rewrite testdata/console_transcript.golden.
func TestConsoleTranscript(t *testing.T) {
	srv := newsServer(t, nil)
	c := startConsole(t, testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"}))
	c.say("/help", "/quit")
	c.say("what was agreed? "+srv.URL+storyDay1, summaryEnd)
	c.say("again: "+srv.URL+storyDay1, summaryEnd)
	c.say("this one is gone: "+srv.URL+"/2025/03/27/gone", "That site answered 404.")
	c.say("/summarize "+srv.URL+pagePDF, "PDF")
	c.say("/settings autosummarize react", "skip_empty_briefing")
	c.say(srv.URL+storyDay2, "/summarize <url>)")
	c.say("/react", summaryEnd)
	c.say("/briefing now", "Posted the briefing")
	c.say("/usage", "Last 30 days:")
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	if logs := c.errOut.String(); logs != "" {
		t.Errorf("the console logged at the default level:\n%s", logs)
	}
	got := c.out.String()
	for _, n := range transcriptNoise {
		got = n.re.ReplaceAllString(got, n.with)
	}
	for _, bad := range []string{"level=", "msg=", `"level":`} {
		if strings.Contains(got, bad) {
			t.Errorf("the conversation holds a log line (%q)", bad)
		}
	}
	golden := filepath.Join("testdata", "console_transcript.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("console transcript differs from %s (run with -update to accept):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
