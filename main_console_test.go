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

// briefingTopic is one topic of a rendered briefing: its name, the text
// of its lines and the sources they cite.
type briefingTopic struct {
	name, text string
	sources    map[string]bool
}

var (
	topicLine = regexp.MustCompile(`^• \*\*(.+?)\*\*`)
	sourceRef = regexp.MustCompile(`\[(\d+)\]`)
)

// briefingSection returns the part of a briefing between the **title**
// line and the next section title (footers included).
func briefingSection(briefing, title string) string {
	_, rest, ok := strings.Cut(briefing, "\n**"+title+"**\n")
	if !ok {
		return ""
	}
	for _, next := range []string{"Agreed", "Unresolved", "Disputed", "What changed", "Sources"} {
		if i := strings.Index(rest, "\n**"+next+"**\n"); i >= 0 {
			rest = rest[:i]
		}
	}
	return rest
}

// briefingTopics parses the topics of a briefing section.
func briefingTopics(section string) []briefingTopic {
	var out []briefingTopic
	for _, line := range strings.Split(section, "\n") {
		if m := topicLine.FindStringSubmatch(line); m != nil {
			out = append(out, briefingTopic{name: m[1], sources: map[string]bool{}})
		} else if len(out) == 0 || !strings.HasPrefix(line, "  ◦ ") {
			continue
		}
		t := &out[len(out)-1]
		t.text += line + "\n"
		for _, r := range sourceRef.FindAllStringSubmatch(line, -1) {
			t.sources[r[1]] = true
		}
	}
	return out
}

// findTopic returns the first topic whose name contains sub, any case.
func findTopic(topics []briefingTopic, sub string) (briefingTopic, bool) {
	for _, t := range topics {
		if strings.Contains(strings.ToLower(t.name), strings.ToLower(sub)) {
			return t, true
		}
	}
	return briefingTopic{}, false
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

	// The post: its sections in order, the three sources numbered.
	at := -1
	for _, title := range []string{"Agreed", "Unresolved", "Disputed", "What changed", "Sources"} {
		i := strings.Index(briefing, "\n**"+title+"**\n")
		if i < at {
			t.Errorf("briefing section **%s** at %d; want it after the previous section (%d)", title, i, at)
		}
		at = i
	}
	if !strings.Contains(briefing, "3 articles shared in the last 24 hours.") {
		t.Errorf("briefing does not count the 3 articles shared:\n%s", briefing)
	}
	sources := briefingSection(briefing, "Sources")
	for i, want := range []struct{ title, path string }{
		{"Trump-Putin: What exactly was agreed during phone call?", storyDay1},
		{"Energy pause frays as Kyiv and Moscow trade blame; Black Sea talks to continue in Jeddah", storyDay2},
		{"Black Sea ceasefire agreed as energy strikes resume", storyDay3},
	} {
		line := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] %s · .+ <%s>$`, i+1, regexp.QuoteMeta(want.title), regexp.QuoteMeta(srv.URL+want.path)))
		if !line.MatchString(sources) {
			t.Errorf("Sources = %q; want a line [%d] %q <%s>", sources, i+1, want.title, srv.URL+want.path)
		}
	}
	if got := briefingSection(briefing, "What changed"); !strings.Contains(got, "First briefing") {
		t.Errorf("What changed = %q; want the first briefing to say it has nothing to compare with", got)
	}
	for i, part := range briefingParts(briefing) {
		if n := len([]rune(part)) - 1; n > 2000 {
			t.Errorf("briefing message %d is %d characters; Discord takes 2,000", i+1, n)
		}
	}

	// The full ceasefire is one topic merged across the articles
	// ("Full temporary ceasefire", "Full ceasefire", "Full ceasefire").
	var all []briefingTopic
	for _, sec := range []string{"Agreed", "Unresolved", "Disputed"} {
		all = append(all, briefingTopics(briefingSection(briefing, sec))...)
	}
	var ceasefires []string
	for _, tp := range all {
		if n := strings.ToLower(tp.name); strings.Contains(n, "full") && strings.Contains(n, "ceasefire") {
			ceasefires = append(ceasefires, tp.name)
		}
	}
	if len(ceasefires) != 1 {
		t.Errorf("full-ceasefire topics = %q; want the articles' ones merged into one", ceasefires)
	}
	unresolved := briefingTopics(briefingSection(briefing, "Unresolved"))
	if tp, ok := findTopic(unresolved, "ceasefire"); !ok || !tp.sources["1"] || !tp.sources["2"] {
		t.Errorf("unresolved ceasefire topic = %+v (found %v); want it to cite the seed [1] and day 2 [2]", tp, ok)
	}
	// The energy pause: agreed, then each side accused the other of
	// breaking it: disputed, with both sides shown.
	disputed := briefingTopics(briefingSection(briefing, "Disputed"))
	if tp, ok := findTopic(disputed, "energy"); !ok || !strings.Contains(tp.text, "_disputed:_") || !strings.Contains(tp.text, "_agreed:_") {
		t.Errorf("disputed energy topic = %+v (found %v); want it under Disputed with its agreed and disputed sides", tp, ok)
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
	if !strings.Contains(briefing, "1 article shared since the last briefing (") {
		t.Errorf("second briefing does not cover the one article since the first:\n%s", briefing)
	}
	changed := briefingSection(briefing, "What changed")
	// Day 2: no agreement on a maritime ceasefire; day 3: agreed.
	blackSea := regexp.MustCompile(`(?m)^• (Resolved: )?Black Sea [^:]*: unresolved → agreed$`)
	if !blackSea.MatchString(changed) {
		t.Errorf("What changed = %q; want the Black Sea ceasefire's change from unresolved to agreed", changed)
	}
	if sources := briefingSection(briefing, "Sources"); !strings.Contains(sources, "[1] Black Sea ceasefire agreed as energy strikes resume") || strings.Contains(sources, "[2]") {
		t.Errorf("Sources = %q; want only the new article, as [1]", sources)
	}
}
