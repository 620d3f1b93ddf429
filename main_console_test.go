package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/bot"
)

// e2eDir holds the article fixtures of the end-to-end tests: the seed's
// story on later days, a hostile page and an unrelated one.
const e2eDir = "bot/testdata/e2e/"

// Paths the story server serves the three articles at: the seed (day 1)
// and the two later days.
const (
	storyDay1 = "/2025/03/19/trump-putin-call"
	storyDay2 = "/2025/03/24/energy-pause-frays"
	storyDay3 = "/2025/03/26/black-sea-ceasefire"
)

// lockedBuffer is a bytes.Buffer written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// consoleSession is the whole program running on the console, typed into
// like a person: each line is written once the answer to the previous one
// has been printed.
type consoleSession struct {
	t      *testing.T
	in     *io.PipeWriter
	out    lockedBuffer
	errOut lockedBuffer
	done   chan int
	seen   int // output already waited past
}

// startConsole runs run() with no DISCORD_TOKEN, so on the console.
func startConsole(t *testing.T, env environ) *consoleSession {
	t.Helper()
	pr, pw := io.Pipe()
	s := &consoleSession{t: t, in: pw, done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { s.done <- run(ctx, nil, env, pr, &s.out, &s.errOut) }()
	t.Cleanup(func() {
		cancel()
		pw.Close()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			t.Errorf("run() did not return 15 s after its context ended")
		}
		if t.Failed() {
			t.Logf("console output:\n%s\nlog:\n%s", s.out.String(), s.errOut.String())
		}
	})
	s.waitFor(bot.ConsoleBanner)
	return s
}

// waitFor waits until the output printed since the last wait contains
// want and returns that output.
func (s *consoleSession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := s.out.String()
		if i := strings.Index(out[s.seen:], want); i >= 0 {
			got := out[s.seen : s.seen+i+len(want)]
			s.seen += i + len(want)
			return got
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("console: no %q within 15 s; output since the last answer:\n%s", want, out[s.seen:])
		}
		time.Sleep(2 * time.Millisecond) // polling, bounded by the deadline
	}
}

// say types line and returns the output up to and including until, the
// end of its answer. Like a person, it then lets the clock move on to the
// next millisecond: a /briefing now in the same millisecond as the share
// before it leaves that share out (the window ends at the briefing's
// millisecond, exclusive), which piped input can hit.
func (s *consoleSession) say(line, until string) string {
	s.t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.t.Fatalf("console: type %q: %v", line, err)
	}
	got := s.waitFor(until)
	for ms := time.Now().UnixMilli(); time.Now().UnixMilli() == ms; {
		time.Sleep(100 * time.Microsecond)
	}
	return got
}

// quit types /quit and returns run's exit code.
func (s *consoleSession) quit() int {
	s.t.Helper()
	io.WriteString(s.in, "/quit\n")
	select {
	case code := <-s.done:
		s.done <- code // for Cleanup
		return code
	case <-time.After(15 * time.Second):
		s.t.Fatalf("console: run() did not return 15 s after /quit")
		return -1
	}
}

// summaryEnd ends every link summary the console prints: its footer.
const summaryEnd = "-- extractive ·"

// briefingPoint is one point line of a rendered briefing: the topic it
// is under, its text and the sources it cites.
type briefingPoint struct {
	topic, text string
	sources     map[string]bool
}

var (
	pointLine = regexp.MustCompile(`^• (?:\*\*(.+?):\*\* )?(.*)$`)
	sourceRef = regexp.MustCompile(`\[(\d+)\]`)
)

// briefingPoints returns the point lines under a story's section
// ("Agreed", "Open", "Disputed", "What happened") across the briefing.
func briefingPoints(briefing, section string) []briefingPoint {
	var out []briefingPoint
	in := false
	for _, line := range strings.Split(briefing, "\n") {
		if strings.HasPrefix(line, "__") {
			in = strings.HasSuffix(line, " "+section+"__")
			continue
		}
		m := pointLine.FindStringSubmatch(line)
		if m == nil {
			in = in && !strings.HasPrefix(line, "-# ") && line != ""
			continue
		}
		if !in {
			continue
		}
		p := briefingPoint{topic: m[1], text: m[2], sources: map[string]bool{}}
		for _, r := range sourceRef.FindAllStringSubmatch(line, -1) {
			p.sources[r[1]] = true
		}
		out = append(out, p)
	}
	return out
}

// briefingSources returns the source lines of a briefing ("[1] Title ·
// Site <url>").
func briefingSources(briefing string) string {
	var out []string
	for _, line := range strings.Split(briefing, "\n") {
		if strings.HasPrefix(line, "-# [") {
			out = append(out, strings.TrimPrefix(line, "-# "))
		}
	}
	return strings.Join(out, "\n")
}

// briefingParts splits the console's print of a briefing into its
// messages: each ends with its "-# briefing" footer.
func briefingParts(briefing string) []string {
	_, body, _ := strings.Cut(briefing, "── briefing in #general ──\n")
	var parts []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		cur.WriteString(line)
		if strings.HasPrefix(line, "-# briefing ") {
			parts = append(parts, cur.String())
			cur.Reset()
		}
	}
	return parts
}

func TestConsoleBriefingOfOneStory(t *testing.T) {
	srv := newsServer(t, nil)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	c := startConsole(t, env)
	c.say("day one: "+srv.URL+storyDay1, summaryEnd)
	c.say("then "+srv.URL+storyDay2, summaryEnd)
	c.say("and today "+srv.URL+storyDay3, summaryEnd)
	briefing := c.say("/briefing now", "Posted the briefing")
	topic := c.say("/topic truce", "### Sources")
	status := c.say("/briefing status", "(posted).")
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
	t.Logf("briefing:\n%s", briefing)

	// The post: one story of the three articles, its points by status,
	// its sources under it.
	if !strings.Contains(briefing, "3 new articles in the last 24 hours, in 1 story.") {
		t.Errorf("briefing does not count the 3 articles shared in one story:\n%s", briefing)
	}
	if !strings.Contains(briefing, "** · 3 articles\n") {
		t.Errorf("briefing lacks the story of 3 articles:\n%s", briefing)
	}
	sources := briefingSources(briefing)
	for _, want := range []struct{ title, path string }{
		{"Trump-Putin: What exactly was agreed during phone call?", storyDay1},
		{"Energy pause frays as Kyiv and Moscow trade blame; Black Sea talks to continue in Jeddah", storyDay2},
		{"Black Sea ceasefire agreed as energy strikes resume", storyDay3},
	} {
		line := regexp.MustCompile(fmt.Sprintf(`(?m)^\[\d\] %s · .+ <%s>$`, regexp.QuoteMeta(want.title), regexp.QuoteMeta(srv.URL+want.path)))
		if !line.MatchString(sources) {
			t.Errorf("Sources = %q; want a line [n] %q <%s>", sources, want.title, srv.URL+want.path)
		}
	}
	if !strings.Contains(briefing, "First briefing: nothing to compare with yet.") {
		t.Errorf("briefing = %q; want the first briefing to say it has nothing to compare with", briefing)
	}
	for i, part := range briefingParts(briefing) {
		if n := len([]rune(part)) - 1; n > 2000 {
			t.Errorf("briefing message %d is %d characters; Discord takes 2,000", i+1, n)
		}
	}

	// The full ceasefire is one topic merged across the articles
	// ("Full temporary ceasefire", "Full ceasefire", "Full ceasefire").
	ceasefires := map[string]bool{}
	for _, sec := range []string{"Agreed", "Open", "Disputed", "What happened"} {
		for _, p := range briefingPoints(briefing, sec) {
			if n := strings.ToLower(p.topic); strings.Contains(n, "full") && strings.Contains(n, "ceasefire") {
				ceasefires[p.topic] = true
			}
		}
	}
	if len(ceasefires) != 1 {
		t.Errorf("full-ceasefire topics = %v; want the articles' ones merged into one", ceasefires)
	}
	// The energy pause: agreed, then each side accused the other of
	// breaking it: disputed, with the agreement it contests beside it.
	found := false
	for _, p := range briefingPoints(briefing, "Disputed") {
		found = found || (strings.Contains(strings.ToLower(p.topic), "energy") && strings.Contains(p.text, "⟷ _agreed:_"))
	}
	if !found {
		t.Errorf("briefing = %q; want the energy topic under Disputed with the agreement it contests", briefing)
	}

	// /topic truce finds the ceasefire topics through the synonym.
	for _, want := range []string{"## Topic: truce", "### Full ceasefire", "### Black Sea maritime ceasefire", "Now: ✅ agreed"} {
		if !strings.Contains(topic, want) {
			t.Errorf("/topic truce lacks %q:\n%s", want, topic)
		}
	}
	if !strings.Contains(status, "Last: ") || !strings.Contains(status, "in #general (posted).") {
		t.Errorf("/briefing status = %q; want the last briefing, posted in #general", status)
	}
}

func TestConsoleWhatChangedAfterRestart(t *testing.T) {
	srv := newsServer(t, nil)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	first := startConsole(t, env)
	first.say(srv.URL+storyDay1, summaryEnd)
	first.say(srv.URL+storyDay2, summaryEnd)
	first.say("/briefing now", "Posted the briefing")
	if code := first.quit(); code != 0 {
		t.Fatalf("first run() = %d; want 0", code)
	}

	// The next run, on the same database: one new article.
	second := startConsole(t, env)
	second.say(srv.URL+storyDay3, summaryEnd)
	briefing := second.say("/briefing now", "Posted the briefing")
	if code := second.quit(); code != 0 {
		t.Fatalf("second run() = %d; want 0", code)
	}
	t.Logf("second briefing:\n%s", briefing)
	if !strings.Contains(briefing, "1 new article since the last briefing (") {
		t.Errorf("second briefing does not cover the one article since the first:\n%s", briefing)
	}
	// Day 3: the Black Sea ceasefire agreed; the topics the first
	// briefing knew are not new again (the offline engine's statuses
	// of day 2 decide whether the status changed).
	agreed := false
	for _, p := range briefingPoints(briefing, "Agreed") {
		agreed = agreed || strings.HasPrefix(p.topic, "Black Sea")
	}
	if !agreed {
		t.Errorf("briefing = %q; want the Black Sea ceasefire under Agreed", briefing)
	}
	if m := regexp.MustCompile(`(?m)^🆕 New: .*(Territory|Energy)`).FindString(briefing); m != "" {
		t.Errorf("briefing says %q; want known topics not new again", m)
	}
	if sources := briefingSources(briefing); !strings.Contains(sources, "[1] Black Sea ceasefire agreed as energy strikes resume") || strings.Contains(sources, "[2]") {
		t.Errorf("Sources = %q; want only the new article, as [1]", sources)
	}
}
