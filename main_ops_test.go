package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot"
	"briefbot/bot/discordtest"
	"briefbot/metrics"
	"briefbot/store"
	"briefbot/summarize/openaitest"
)

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// httpGet returns the status and body of GET url.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// scrape reads /metrics into series name{labels} → value, leaving out
// the Go runtime's and the process's own series.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	code, body := httpGet(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "briefbot_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetricsAfterConsoleSession runs the whole program on the console
// with a language model and HTTP_ADDR, goes through a scripted session
// (a summary by the model, the same link again from the cache, a link
// while the model refuses every call, a missing page, a briefing) and
// checks that each counter moved by exactly what the session did.
func TestMetricsAfterConsoleSession(t *testing.T) {
	srv := newsServer(t, nil)
	llm := openaitest.New(t)
	addr := freeAddr(t)
	base := "http://" + addr
	c := startConsole(t, testEnv(t, map[string]string{
		"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
		"OPENAI_BASE_URL":              llm.BaseURL(),
		"OPENAI_API_KEY":               "sk-test",
		"OPENAI_MODEL":                 "test-model",
		"HTTP_ADDR":                    addr,
	}))
	if code, body := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d %q; want 200", code, body)
	}
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz while the console runs = %d %q; want 200", code, body)
	}
	before := scrape(t, base)

	first := c.say("the call: "+srv.URL+storyDay1, "-- llm")
	modelCalls := llm.Count()
	again := c.say("again "+srv.URL+storyDay1, "-- llm")
	llm.SetDefault(openaitest.Status(http.StatusUnauthorized, "Incorrect API key provided"))
	fallback := c.say(srv.URL+storyDay2, "-- extractive")
	c.say(srv.URL+"/2025/03/27/gone", "That site answered 404.")
	c.say("/briefing now", "Posted the briefing")
	usage := c.say("/usage", "Last 30 days:")

	if !strings.Contains(first, "⏳ reading…") || strings.Contains(again, "⏳ reading…") {
		t.Errorf("reading notice: first answer %v, cached answer %v; want it only when the link is read", strings.Contains(first, "⏳ reading…"), strings.Contains(again, "⏳ reading…"))
	}
	if !strings.Contains(fallback, "offline summary") {
		t.Errorf("fallback answer lacks the offline note:\n%s", fallback)
	}
	m := regexp.MustCompile(`Today \([0-9-]+ UTC\): 3 summaries \(33% from the cache\), (\d+) model calls?, ([0-9,]+) tokens`).FindStringSubmatch(usage)
	if m == nil {
		t.Fatalf("/usage = %q; want today's 3 summaries, one from the cache, with calls and tokens", usage)
	}
	usageCalls, _ := strconv.Atoi(m[1])
	usageTokens, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
	if usageCalls != modelCalls || usageTokens == 0 {
		t.Errorf("/usage counts %d calls and %d tokens; want the %d calls the stand-in answered, and some tokens", usageCalls, usageTokens, modelCalls)
	}

	after := scrape(t, base)
	want := map[string]float64{
		"briefbot_links_seen_total":                            4,
		`briefbot_summaries_total{engine="llm"}`:               1,
		`briefbot_summaries_total{engine="extractive"}`:        1,
		"briefbot_cache_hits_total":                            1,
		`briefbot_fetch_failures_total{reason="http_status"}`:  1,
		"briefbot_model_calls_total":                           float64(modelCalls),
		"briefbot_fallbacks_total":                             1,
		"briefbot_briefings_posted_total":                      1,
		"briefbot_discord_rest_429_total":                      0,
		"briefbot_gateway_reconnects_total":                    0,
		`briefbot_engine_duration_seconds_count{engine="llm"}`: 1,
	}
	for series, delta := range want {
		if got := after[series] - before[series]; got != delta {
			t.Errorf("%s moved by %v; want %v", series, got, delta)
		}
	}
	tokens := after[`briefbot_model_tokens_total{kind="prompt"}`] + after[`briefbot_model_tokens_total{kind="completion"}`]
	if int(tokens) != usageTokens {
		t.Errorf("model_tokens_total = %v; want the %d tokens /usage shows", tokens, usageTokens)
	}
	// Every request the stand-in answered was timed, by status: the
	// summary's, and the refused ones (the fallback's, the briefing's).
	var timed200, timedAll float64
	for series, v := range after {
		if strings.HasPrefix(series, "briefbot_model_request_duration_seconds_count{") {
			timedAll += v - before[series]
			if strings.Contains(series, `code="200"`) {
				timed200 += v - before[series]
			}
		}
	}
	if int(timed200) != modelCalls || int(timedAll) != llm.Count() {
		t.Errorf("model requests timed: %v answered 200, %v in all; want %d and %d (what the stand-in saw)", timed200, timedAll, modelCalls, llm.Count())
	}
	if after["briefbot_queue_depth"] != 0 {
		t.Errorf("queue_depth = %v after every answer; want 0", after["briefbot_queue_depth"])
	}
	for series := range after {
		if strings.Contains(series, "127.0.0.1") || strings.Contains(series, "console") {
			t.Errorf("series %s has a URL or a server as a label", series)
		}
	}
	if code := c.quit(); code != 0 {
		t.Fatalf("run() = %d; want 0", code)
	}
}

// TestReadyzFailsWhenStoreClosed: the readiness check is the store's
// answer to a query, so a closed store makes /readyz fail (and only
// /readyz: the process is still up).
func TestReadyzFailsWhenStoreClosed(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	up := func(context.Context) error { return nil }
	srv := httptest.NewServer(opsHandler(metrics.New(), db, up))
	defer srv.Close()
	if code, _ := httpGet(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz with the store open = %d; want 200", code)
	}
	db.Close()
	code, body := httpGet(t, srv.URL+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store") {
		t.Errorf("GET /readyz with the store closed = %d %q; want 503 naming the store", code, body)
	}
	if code, _ := httpGet(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with the store closed = %d; want 200", code)
	}
}

// TestHealthcheckCommand: `briefbot healthcheck` (the image's
// HEALTHCHECK) passes while a bot serves HTTP_ADDR and fails, saying
// why, when none does or HTTP_ADDR is unset.
func TestHealthcheckCommand(t *testing.T) {
	addr := freeAddr(t)
	env := testEnv(t, map[string]string{"HTTP_ADDR": addr})
	if code, _, errOut := runMain(t, env, "", "healthcheck"); code != 1 || !strings.Contains(errOut, "healthcheck") {
		t.Errorf("healthcheck with nothing listening = %d, %q; want 1 and a reason", code, errOut)
	}
	if code, _, errOut := runMain(t, testEnv(t, nil), "", "healthcheck"); code != 1 || !strings.Contains(errOut, "HTTP_ADDR") {
		t.Errorf("healthcheck without HTTP_ADDR = %d, %q; want 1 naming HTTP_ADDR", code, errOut)
	}
	c := startConsole(t, env)
	if code, _, errOut := runMain(t, env, "", "healthcheck"); code != 0 {
		t.Errorf("healthcheck with the bot running = %d, %q; want 0", code, errOut)
	}
	_, port, _ := net.SplitHostPort(addr)
	every := testEnv(t, map[string]string{"HTTP_ADDR": ":" + port})
	if code, _, errOut := runMain(t, every, "", "healthcheck"); code != 0 {
		t.Errorf("healthcheck of :%s (every interface) = %d, %q; want 0 through the loopback", port, code, errOut)
	}
	if code := c.quit(); code != 0 {
		t.Errorf("run() = %d; want 0", code)
	}
}

// TestDiscordMetricsAndReadiness runs the bot against the Discord
// stand-in with HTTP_ADDR: ready once the gateway is up; a REST 429
// and a dropped gateway are counted; ready again after the reconnect.
func TestDiscordMetricsAndReadiness(t *testing.T) {
	news := newsServer(t, nil)
	addr := freeAddr(t)
	base := "http://" + addr
	b := startDiscordBot(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true", "HTTP_ADDR": addr})
	srv := b.srv
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz with the gateway connected = %d %q; want 200", code, body)
	}
	before := scrape(t, base)

	srv.RateLimitNext(discordtest.RouteCreateMessage, 1, 100*time.Millisecond)
	m := srv.Say(t, discordtest.ChannelID, discordtest.Alice, news.URL+storyDay1)
	b.replyTo(m.ID)

	if n := srv.DropGateway(); n == 0 {
		t.Fatal("DropGateway closed no connection")
	}
	srv.WaitReady(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _ := httpGet(t, base+"/readyz")
		if code == http.StatusOK && scrape(t, base)["briefbot_gateway_reconnects_total"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reconnect counted, or /readyz = %d, 15 s after the gateway dropped", code)
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}

	// /usage answers a moderator privately with this server's spend.
	in := srv.Command(t, discordtest.Invoker{Permissions: discordgo.PermissionManageGuild | discordgo.PermissionViewChannel | discordgo.PermissionSendMessages}, bot.CommandUsage)
	posts := srv.WaitInteraction(t, in.ID, 1)
	if p := posts[len(posts)-1]; !p.Ephemeral || !strings.Contains(p.Data.Content, "1 summary (0% from the cache)") {
		t.Errorf("/usage answer = %s ephemeral %v %q; want a private notice of the one summary", p.Kind, p.Ephemeral, p.Data.Content)
	}

	after := scrape(t, base)
	for series, delta := range map[string]float64{
		"briefbot_links_seen_total":                     1,
		`briefbot_summaries_total{engine="extractive"}`: 1,
		"briefbot_discord_rest_429_total":               1,
		"briefbot_gateway_reconnects_total":             1,
	} {
		if got := after[series] - before[series]; got != delta {
			t.Errorf("%s moved by %v; want %v", series, got, delta)
		}
	}
}

// TestCLISaveErrorReportedOnce: a summary that cannot be stored is
// reported once, by the command line, with the store's error once and
// no user message that does not fit ("I couldn't read that page").
func TestCLISaveErrorReportedOnce(t *testing.T) {
	srv := newsServer(t, nil)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	dbPath, _ := env.lookup("DATABASE_PATH")
	// A store that reads but cannot write summaries: a trigger refuses.
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`CREATE TRIGGER no_saves BEFORE INSERT ON summaries BEGIN SELECT RAISE(ABORT, 'saving is switched off'); END`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain(t, env, "", "summarize", srv.URL+storyDay1)
	if code != 1 || !strings.Contains(out, "## Trump-Putin") {
		t.Fatalf("run(summarize) = %d with %d bytes of summary; want 1 after printing it (stderr %q)", code, len(out), errOut)
	}
	if n := strings.Count(errOut, "saving is switched off"); n != 1 {
		t.Errorf("stderr holds the save error %d times; want once:\n%s", n, errOut)
	}
	if strings.Contains(errOut, "couldn't read that page") {
		t.Errorf("stderr blames the page for a failed save:\n%s", errOut)
	}
}

// TestLogLevelAndFormat: the command line logs nothing at info unless
// LOG_LEVEL asks; LOG_FORMAT=json writes one JSON object a line; extract
// never logs about engines.
func TestLogLevelAndFormat(t *testing.T) {
	needSeed(t)
	for _, tt := range []struct {
		name    string
		env     map[string]string
		args    []string
		wantLog string // "" for no log at all
	}{
		{"summarize, default level", nil, []string{"summarize", seedPath}, ""},
		{"summarize, info, json", map[string]string{"LOG_LEVEL": "info", "LOG_FORMAT": "json"}, []string{"summarize", seedPath}, `"msg":"offline_engine"`},
		{"summarize, info, text", map[string]string{"LOG_LEVEL": "info"}, []string{"summarize", seedPath}, "msg=offline_engine"},
		{"extract, debug", map[string]string{"LOG_LEVEL": "debug"}, []string{"extract", seedPath}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runMain(t, testEnv(t, tt.env), "", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if tt.wantLog == "" {
				if errOut != "" {
					t.Errorf("stderr = %q; want nothing", errOut)
				}
				return
			}
			if !strings.Contains(errOut, tt.wantLog) {
				t.Errorf("stderr = %q; want %s", errOut, tt.wantLog)
			}
			if tt.env["LOG_FORMAT"] == "json" {
				for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
					if !json.Valid([]byte(line)) {
						t.Errorf("log line %q is not JSON", line)
					}
				}
			}
		})
	}
}

// TestNewcomerFixes goes through what a new user trips over first: a
// link to a local server (refused, saying how to allow it), a file that
// is not there, and /help, which lists every command on one line each.
func TestNewcomerFixes(t *testing.T) {
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body><article><p>Local page.</p></article></body></html>"))
	}))
	defer local.Close()

	c := startConsole(t, testEnv(t, nil))
	got := c.say("try this "+local.URL+"/news", "FETCH_ALLOW_PRIVATE_NETWORKS=true")
	if strings.Contains(got, "autosummarize") {
		t.Errorf("a refused private link blames autosummarize:\n%s", got)
	}
	if strings.Contains(got, "reading") {
		t.Errorf("a link refused before any request says it is being read:\n%s", got)
	}
	help := c.say("/help", "/quit")
	for _, cmd := range bot.DiscordCommands() {
		if cmd.Type != discordgo.ChatApplicationCommand && cmd.Type != 0 {
			continue // the message command lives in Discord's menu
		}
		n := 0
		for _, line := range strings.Split(help, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "/"+cmd.Name) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("/help has %d lines for /%s; want one:\n%s", n, cmd.Name, help)
		}
	}
	_, list, _ := strings.Cut(help, "type a command:\n")
	for _, line := range strings.Split(list, "\n") {
		if !strings.HasPrefix(line, "  /") {
			t.Errorf("/help line %q does not start with its command: one line each", line)
		}
	}
	if code := c.quit(); code != 0 {
		t.Errorf("run() = %d; want 0", code)
	}

	code, _, errOut := runMain(t, testEnv(t, nil), "", "summarize", "./missing.html")
	if code != 1 || !strings.Contains(errOut, "./missing.html: no such file") {
		t.Errorf("summarize ./missing.html = %d, %q; want 1 saying the file is missing", code, errOut)
	}
	code, _, errOut = runMain(t, testEnv(t, nil), "", "summarize", local.URL+"/news")
	if code != 1 || !strings.Contains(errOut, "FETCH_ALLOW_PRIVATE_NETWORKS=true") {
		t.Errorf("summarize of a local link = %d, %q; want 1 saying how to allow it", code, errOut)
	}
}
