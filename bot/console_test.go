package bot

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"briefbot/bot/discordtext"
	"briefbot/schedule"
	"briefbot/store"
	"briefbot/summarize"
)

// consoleEnv is a Handler with a real schedule.Service posting through a
// Console, all over one real SQLite store.
type consoleEnv struct {
	*env
	console *Console
	out     *syncBuffer
	sched   *schedule.Service
}

func newConsoleEnv(t *testing.T) *consoleEnv {
	t.Helper()
	out := &syncBuffer{}
	c := NewConsole(out, ConsoleOptions{})
	var sched *schedule.Service
	e := newEnv(t, func(cfg *Config) {
		var err error
		sched, err = schedule.New(schedule.Options{Schedules: cfg.Shares.(*store.DB), Claims: cfg.Shares.(*store.DB), History: cfg.Shares.(*store.DB), Shares: cfg.Shares.(*store.DB), Settings: cfg.Shares.(*store.DB), Poster: c, Render: RenderBriefing, Now: func() time.Time {
			return time.Date(2025, 3, 20, 18, 0, 0, 0, time.UTC)
		}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Briefer = sched
	})
	return &consoleEnv{env: e, console: c, out: out, sched: sched}
}

func (ce *consoleEnv) run(t *testing.T, input string) string {
	t.Helper()
	if err := ce.console.Run(context.Background(), strings.NewReader(input), ce.h); err != nil {
		t.Fatalf("Run = %v", err)
	}
	return ce.out.String()
}

func TestConsoleSession(t *testing.T) {
	ce := newConsoleEnv(t)
	seed := loadSeed(t)
	ce.sum.add(seed)
	ce.sum.add(article(urlB, "Energy truce holds", "Energy facility attacks", summarize.StatusAgreed))

	out := ce.run(t, strings.Join([]string{
		"/help",
		"hello, no links",
		"what happened? " + seed.URL,
		"/summarize " + urlB + " fresh",
		"/topic energy",
		"/settings autosummarize react",
		"/settings",
		"/settings colour blue",
		urlB,
		"/react",
		"/briefing status",
		"/briefing schedule 0 8 * * * Europe/Berlin",
		"/briefing schedule 0 8 * * * Mars/Olympus",
		"/briefing status",
		"/briefing now",
		"/briefing off",
		"/nonsense",
		"/quit",
		"/summarize " + urlA, // after /quit: never read
	}, "\n"))

	for _, want := range []string{
		ConsoleBanner,
		"/topic <words>",
		"## Trump-Putin: What exactly was agreed during phone call?",
		"### Energy facility attacks\n✅ *“Putin agreed to stop attacking Ukrainian energy facilities temporarily.”* — Putin",
		"-- extractive · cached",
		"## Energy truce holds",
		"-- extractive · fresh",
		"## Topic: energy",
		"**Now: ⚠️ disputed** · ✅ agreed [1] 20 Mar 2025 → ⚠️ disputed [2] 19 Mar 2025",
		"Saved.\nSettings for this server:\n• autosummarize: **react**",
		"unknown setting \"colour\"",
		"(no summary: with autosummarize react or off, use /react or /summarize <url>)",
		"📰 added to your last message.",
		"No daily briefing is scheduled.",
		"Daily briefing scheduled in #general. Next: Fri 21 Mar 2025 08:00 CET.",
		"Daily briefing in #general at `0 8 * * *` (Europe/Berlin). Next: Fri 21 Mar 2025 08:00 CET.",
		"── briefing in #general ──",
		"Posted the briefing",
		"Daily briefing turned off.",
		"Unknown command \"/nonsense\". Type /help.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if strings.Count(out, "## Energy truce holds") != 2 {
		t.Errorf("console showed %q %d times; want 2 (/summarize and /react)", "## Energy truce holds", strings.Count(out, "## Energy truce holds"))
	}
	if strings.Contains(out, "Ceasefire") || len(ce.sum.calls()) != 3 {
		t.Errorf("the line after /quit was handled (calls %v)", ce.sum.calls())
	}
	if strings.Contains(out, "Mars/Olympus") && !strings.Contains(out, "time zone") {
		t.Errorf("a bad time zone got no useful message:\n%s", out)
	}
	if strings.Contains(out, "schedule:") || strings.Contains(out, "bot:") {
		t.Errorf("console output shows a Go error string:\n%s", out)
	}
	if strings.Contains(out, "\\") || strings.Contains(out, discordtext.ZeroWidthSpace) {
		t.Errorf("console output keeps Discord escapes")
	}
	if t.Failed() {
		t.Logf("console output:\n%s", out)
	}
	// Shares from the console land in the simulated server.
	if sh := ce.shares(t, "console"); len(sh) != 2 {
		t.Errorf("console shares = %d; want 2", len(sh))
	}
}

func TestConsoleExits(t *testing.T) {
	for _, tc := range []struct{ name, input string }{
		{"EOF", "hello"},
		{"EOF without newline", "/help"},
		{"empty", ""},
		{"quit", "/quit\nmore"},
		{"exit", "/exit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			var out bytes.Buffer
			done := make(chan error, 1)
			go func() { done <- RunConsole(context.Background(), strings.NewReader(tc.input), &out, e.h) }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("RunConsole(%q) = %v; want nil", tc.input, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("RunConsole(%q) did not return", tc.input)
			}
			if !strings.HasPrefix(out.String(), ConsoleBanner+"\n") {
				t.Errorf("output starts %q; want the banner", out.String())
			}
		})
	}
}

func TestConsoleStopsOnContext(t *testing.T) {
	e := newEnv(t, nil)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunConsole(ctx, pr, io.Discard, e.h) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunConsole after cancel = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunConsole ignored its context")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestConsoleReadError(t *testing.T) {
	e := newEnv(t, nil)
	if err := RunConsole(context.Background(), failingReader{}, io.Discard, e.h); err == nil {
		t.Error("RunConsole(failing reader) = nil; want the read error")
	}
}

func TestConsolePoster(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(&out, ConsoleOptions{})
	ctx := context.Background()
	var _ schedule.Poster = c

	if err := c.CanPost(ctx, ""); err == nil {
		t.Error("CanPost(\"\") = nil; want an error")
	}
	ids, err := c.PostMessages(ctx, "news", []schedule.Outgoing{{Content: "**Agreed**"}, {Content: `A \*b\* [x](https://e.example)`}})
	if err != nil || len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("PostMessages = %v, %v; want two distinct IDs", ids, err)
	}
	if want := "── briefing in #news ──\n**Agreed**\nA *b* x <https://e.example>\n"; out.String() != want {
		t.Errorf("printed %q; want %q", out.String(), want)
	}
	msgs, err := c.MessagesAfter(ctx, "news", time.Now(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []schedule.PostedMessage{
		{ID: ids[0], Content: "**Agreed**", FromSelf: true},
		{ID: ids[1], Content: `A \*b\* [x](https://e.example)`, FromSelf: true},
	}
	if len(msgs) != 2 || msgs[0] != want[0] || msgs[1] != want[1] {
		t.Errorf("MessagesAfter = %+v; want %+v (oldest first)", msgs, want)
	}
	if got, _ := c.MessagesAfter(ctx, "news", time.Time{}, "", 1); len(got) != 1 || got[0].ID != ids[0] {
		t.Errorf("MessagesAfter(limit 1) = %+v; want the oldest", got)
	}
	if got, _ := c.MessagesAfter(ctx, "news", time.Time{}, ids[0], 10); len(got) != 1 || got[0].ID != ids[1] {
		t.Errorf("MessagesAfter(after %s) = %+v; want the next one", ids[0], got)
	}
	if got, _ := c.MessagesAfter(ctx, "other", time.Time{}, "", 10); len(got) != 0 {
		t.Errorf("MessagesAfter(other) = %+v; want none", got)
	}
}

func TestParseConsoleArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want BriefingCommand
		ok   bool
	}{
		{[]string{"now"}, BriefingCommand{Action: "now"}, true},
		{[]string{"STATUS"}, BriefingCommand{Action: "status"}, true},
		{[]string{"schedule"}, BriefingCommand{Action: "schedule"}, true},
		{[]string{"schedule", "Europe/Paris"}, BriefingCommand{Action: "schedule", TimeZone: "Europe/Paris"}, true},
		{[]string{"schedule", "30", "7", "*", "*", "1-5", "Asia/Tokyo", "#news"}, BriefingCommand{Action: "schedule", Cron: "30 7 * * 1-5", TimeZone: "Asia/Tokyo", ChannelID: "news"}, true},
		{[]string{"schedule", "#news"}, BriefingCommand{Action: "schedule", ChannelID: "news"}, true},
		{[]string{"schedule", "0", "8", "Europe/Paris"}, BriefingCommand{}, false},
		{[]string{"now", "extra"}, BriefingCommand{}, false},
		{nil, BriefingCommand{}, false},
		{[]string{"later"}, BriefingCommand{}, false},
	} {
		got, err := parseBriefingArgs(tc.args)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBriefingArgs(%q) = %+v, %v; want %+v, ok=%t", tc.args, got, err, tc.want, tc.ok)
		}
	}
	yes, no := true, false
	for _, tc := range []struct {
		args []string
		want SettingsUpdate
		ok   bool
	}{
		{nil, SettingsUpdate{}, true},
		{[]string{"show_ungrounded", "yes"}, SettingsUpdate{ShowUngrounded: &yes}, true},
		{[]string{"show_ungrounded", "off"}, SettingsUpdate{ShowUngrounded: &no}, true},
		{[]string{"show_ungrounded", "maybe"}, SettingsUpdate{}, false},
		{[]string{"reply"}, SettingsUpdate{}, false},
		{[]string{"a", "b", "c"}, SettingsUpdate{}, false},
	} {
		got, err := parseSettingsArgs(tc.args)
		same := (got.ShowUngrounded == nil) == (tc.want.ShowUngrounded == nil) &&
			(got.ShowUngrounded == nil || *got.ShowUngrounded == *tc.want.ShowUngrounded)
		if (err == nil) != tc.ok || (tc.ok && !same) {
			t.Errorf("parseSettingsArgs(%q) = %+v, %v; want %+v, ok=%t", tc.args, got, err, tc.want, tc.ok)
		}
	}
}

func TestBriefingCommand(t *testing.T) {
	ctx := context.Background()
	member := Invoker{GuildID: "console", ChannelID: "general", UserID: "u1"}

	ce := newConsoleEnv(t)
	briefer := ce.h.getBriefer()
	ce.h.SetBriefer(nil)
	if got := ce.h.Briefing(ctx, member, BriefingCommand{Action: BriefingNow}); len(got) != 1 || got[0].Content != msgNoBriefer {
		t.Errorf("Briefing without a Briefer = %+v; want %q", got, msgNoBriefer)
	}
	ce.h.SetBriefer(briefer)
	for _, tc := range []struct {
		name string
		cmd  BriefingCommand
		want string
	}{
		{"member cannot schedule", BriefingCommand{Action: BriefingSchedule, Cron: "0 8 * * *", TimeZone: "UTC"}, msgNeedManage},
		{"member cannot turn off", BriefingCommand{Action: BriefingOff}, msgNeedManage},
		{"member sees status", BriefingCommand{Action: BriefingStatus}, "No daily briefing is scheduled. An admin can set one with /briefing schedule."},
		{"empty day", BriefingCommand{Action: BriefingNow}, "Posted the briefing (1 message)."},
		{"unknown action", BriefingCommand{Action: "sometimes"}, "Use /briefing now, schedule, off or status."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ce.h.Briefing(ctx, member, tc.cmd)
			if len(got) != 1 || !got[0].Ephemeral || got[0].Content != tc.want {
				t.Errorf("Briefing(%+v) = %+v; want ephemeral %q", tc.cmd, got, tc.want)
			}
		})
	}
	admin := member
	admin.CanManage = true
	got := ce.h.Briefing(ctx, admin, BriefingCommand{Action: BriefingSchedule, Cron: "0 8 * * *", TimeZone: "Nowhere/Atlantis"})
	if len(got) != 1 || !got[0].Ephemeral || strings.Contains(got[0].Content, "schedule:") || got[0].Content == msgBriefingFailed {
		t.Errorf("Briefing(bad zone) = %+v; want the schedule's own safe message", got)
	}
}

func TestSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"choose a channel for the briefing", "Choose a channel for the briefing."},
		{"Already fine.", "Already fine."},
		{"what?", "What?"},
		{"über alles", "Über alles."},
		{"", ""},
	} {
		if got := sentence(tc.in); got != tc.want {
			t.Errorf("sentence(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadLines(t *testing.T) {
	tests := []struct {
		name, in string
		want     []consoleLine
	}{
		{"plain", "a\nbb\n", []consoleLine{{text: "a"}, {text: "bb"}}},
		{"last line without newline", "a\nbb", []consoleLine{{text: "a"}, {text: "bb"}}},
		{"crlf", "a\r\nbb\r\n", []consoleLine{{text: "a"}, {text: "bb"}}},
		{"blank lines kept", "\n\na\n", []consoleLine{{}, {}, {text: "a"}}},
		{"exactly the limit", "0123456789\n", []consoleLine{{text: "0123456789"}}},
		{"over the limit, then on", "0123456789x\nok\n", []consoleLine{{tooLong: true}, {text: "ok"}}},
		{"over the limit at the end", "ok\n0123456789x", []consoleLine{{text: "ok"}, {tooLong: true}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := make(chan consoleLine, 10)
			if err := readLines(strings.NewReader(tt.in), 10, lines, nil); err != nil {
				t.Fatalf("readLines(%q) = %v", tt.in, err)
			}
			close(lines)
			var got []consoleLine
			for l := range lines {
				got = append(got, l)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("readLines(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("readLines(%q) line %d = %+v; want %+v", tt.in, i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestConsoleLongLineGoesOn pastes a line over the 1 MiB limit between two
// commands: the console says it skipped it and answers the next command.
func TestConsoleLongLineGoesOn(t *testing.T) {
	ce := newConsoleEnv(t)
	long := "https://news.example/" + strings.Repeat("a", maxConsoleLine)
	out := ce.run(t, "/settings\n"+long+"\n/help\n")
	if !strings.Contains(out, msgLineTooLong) {
		t.Errorf("console output lacks %q:\n%.500s", msgLineTooLong, out)
	}
	if i, j := strings.Index(out, msgLineTooLong), strings.Index(out, "/summarize <url> [fresh]"); j < i {
		t.Errorf("/help after the long line was not answered:\n%.500s", out)
	}
	if len(out) > 64<<10 {
		t.Errorf("console echoed the long line: %d bytes of output", len(out))
	}
}

// BenchmarkReadLinesOverlong reads one 64 MiB line: the allocations per
// op stay near the 1 MiB limit, not the line's size.
func BenchmarkReadLinesOverlong(b *testing.B) {
	const size = 64 << 20
	b.ReportAllocs()
	for b.Loop() {
		lines := make(chan consoleLine, 2)
		in := io.MultiReader(io.LimitReader(repeatReader('a'), size), strings.NewReader("\nok\n"))
		if err := readLines(in, maxConsoleLine, lines, nil); err != nil {
			b.Fatal(err)
		}
		if l := <-lines; !l.tooLong {
			b.Fatal("the long line was not refused")
		}
		if l := <-lines; l.text != "ok" {
			b.Fatalf("next line %+v; want ok", l)
		}
	}
}

// repeatReader reads an endless run of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestConsoleMoreAndDetail: the console shows a long ledger's first page
// with its More button as a command, /more pages on, and /summarize …
// detail shows a longer first page.
func TestConsoleMoreAndDetail(t *testing.T) {
	ce := newConsoleEnv(t)
	ce.sum.add(hugeSummary(urlA, 3, 20))
	out := ce.run(t, strings.Join([]string{
		"/more",
		urlA,
		"/more",
		"/more 2",
		"/summarize " + urlA + " detail",
		"/summarize " + urlA + " sideways",
	}, "\n"))
	for _, want := range []string{
		"no More button to press",
		"📄 8 of 60 points shown; 52 more under **More** below.",
		"[More (52 points left)]\n(type /more to press it)",
		"Points 9–48 of 60.",
		"T1.P9 ",
		"T3.P8 ",
		"[More (12 points left)]",
		"usage: /more [n], n from 1 to 1",
		"📄 40 of 60 points shown; 20 more under **More** below.",
		"unknown option \"sideways\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("console output:\n%s", out)
	}
}

// TestStripMainOption: the console takes a command written the Discord way.
func TestStripMainOption(t *testing.T) {
	tests := []struct{ cmd, rest, want string }{
		{"/topic", "query:ceasefire talks", "ceasefire talks"},
		{"/topic", "Query: ceasefire", "ceasefire"},
		{"/ask", "question:Did Putin agree?", "Did Putin agree?"},
		{"/export", "topic:energy format:csv", "energy format:csv"},
		{"/summarize", "url:https://example.com/a fresh", "https://example.com/a fresh"},
		{"/topic", "queries", "queries"},
		{"/ask", "topic:energy what changed?", "topic:energy what changed?"},
		{"/help", "query:x", "query:x"},
	}
	for _, tt := range tests {
		if got := stripMainOption(tt.cmd, tt.rest); got != tt.want {
			t.Errorf("stripMainOption(%q, %q) = %q; want %q", tt.cmd, tt.rest, got, tt.want)
		}
	}
}
