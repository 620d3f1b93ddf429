package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"briefbot/bot/discordtest"
	"briefbot/schedule"
	"briefbot/summarize/openaitest"
)

// binaryBuildFlags are the go build flags of buildBinary: the test
// binary's own (see main_race_test.go).
var binaryBuildFlags []string

// buildBinary builds briefbot (this package) into a temporary folder of
// tb and returns its path.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	bin := filepath.Join(tb.TempDir(), "briefbot")
	args := append([]string{"build", "-o", bin}, binaryBuildFlags...)
	cmd := exec.Command(goBin, append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is one running briefbot binary.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *lockedBuffer // stdout and stderr
	done chan struct{} // closed when it exited
	err  error         // Wait's answer, once done is closed
}

// startProcess runs the binary bin with exactly the settings env (no
// inherited environment, so no token or database of the machine leaks
// in) in an empty working directory, so no .env file is read. It is
// killed when tb ends if it still runs.
func startProcess(tb testing.TB, name, bin string, env map[string]string) *process {
	tb.Helper()
	cmd := exec.Command(bin)
	cmd.Dir = tb.TempDir()
	cmd.Env = []string{"HOME=" + cmd.Dir, "TZ=UTC"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{name: name, cmd: cmd, log: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// stop sends SIGTERM, as a container runtime does, and waits up to bound
// for the process to exit; it returns the exit code (-1 when it did not
// exit in time, after killing it) and how long the exit took.
func (p *process) stop(bound time.Duration) (code int, took time.Duration) {
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return -1, 0
	}
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), time.Since(start)
	case <-time.After(bound):
		p.cmd.Process.Kill()
		<-p.done
		return -1, time.Since(start)
	}
}

// e2eShards is how many shard processes the end-to-end test runs.
const e2eShards = 3

// TestBuiltProcessesOnPostgres: three processes of the built binary, one
// Discord shard each of three, on one PostgreSQL database, with the
// Discord and OpenAI stand-ins and a local article server. The same link
// pasted at once in a server of each shard costs one model call and gets
// one reply in each server; each server's scheduled briefing is posted
// once; the commands are registered once; SIGTERM ends all three with
// exit code 0 within the shutdown bound.
func TestBuiltProcessesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary: not in -short")
	}
	dbURL := postgresTestURL(t)
	bin := buildBinary(t)
	ctx := context.Background()

	news := newsServer(t, nil)
	llm := openaitest.New(t)
	// A slow model, so that the three processes' summaries of the link
	// overlap: without a claim across processes each would call it.
	llm.SetDefault(openaitest.Delayed(1500*time.Millisecond, openaitest.Instant))
	srv := discordtest.NewServer(t)
	srv.RecommendedShards = e2eShards
	// One rate-limit bucket per shard, so the three identify at once;
	// the spacing within a bucket has its own test
	// (TestShardProcessesOnPostgres).
	srv.MaxConcurrency = e2eShards
	// Each server's daily briefing slot was half an hour ago, scheduled
	// before it and missed while no process ran: the process of its
	// shard posts it late at start-up, and no other process may.
	servers, slot := shardServers(t, ctx, srv, dbURL, e2eShards)

	procs := make([]*process, e2eShards)
	for shard := range procs {
		procs[shard] = startProcess(t, fmt.Sprintf("shard %d", shard), bin, map[string]string{
			"DATABASE_URL":                 dbURL,
			"DISCORD_TOKEN":                discordtest.Token,
			"DISCORD_API_BASE_URL":         srv.URL(),
			"OPENAI_BASE_URL":              llm.BaseURL(),
			"OPENAI_MODEL":                 "test-model",
			"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
			"SHARD_COUNT":                  fmt.Sprint(e2eShards),
			"SHARD_IDS":                    fmt.Sprint(shard),
			"LOG_LEVEL":                    "debug",
		})
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range procs {
				t.Logf("%s log:\n%s", p.name, p.log.String())
			}
		}
	})
	if got := srv.WaitShards(t, e2eShards); !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("ready shards %v; want [0 1 2]", got)
	}
	srv.WaitCommands(t, "")
	markers := make([]string, len(servers))
	for shard, s := range servers {
		markers[shard] = schedule.Marker(s.guild, slot)
		srv.Wait(t, fmt.Sprintf("shard %d's briefing", shard), func() bool { return len(postsWith(srv, markers[shard])) > 0 })
	}

	// The same link, pasted in the three servers at once: the model
	// answers after 1.5 s, so the three summaries overlap.
	msgs := make([]string, len(servers))
	for shard, s := range servers {
		msgs[shard] = srv.Say(t, s.channel, discordtest.Alice, news.URL+storyDay1).ID
	}
	var wg sync.WaitGroup
	for shard, id := range msgs {
		srv.Wait(t, fmt.Sprintf("a reply in shard %d's server", shard), func() bool { return len(repliesTo(srv, id)) > 0 })
	}

	// SIGTERM to all three at once.
	codes := make([]int, len(procs))
	took := make([]time.Duration, len(procs))
	for i, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// shutdownTimeout bounds the orderly stop; a few seconds
			// more for the process to start and end around it.
			codes[i], took[i] = p.stop(shutdownTimeout + 5*time.Second)
		}()
	}
	wg.Wait()
	for i, p := range procs {
		if strings.Contains(p.log.String(), "WARNING: DATA RACE") {
			t.Errorf("%s reported a data race", p.name)
		}
		if codes[i] != 0 {
			t.Errorf("%s exited with %d after SIGTERM (%v); want 0 within %v", p.name, codes[i], took[i].Round(time.Millisecond), shutdownTimeout+5*time.Second)
		}
	}

	// Every process has exited: nothing more can arrive.
	if n := llm.Count(); n != 1 {
		t.Errorf("the model was called %d times for one link pasted in %d servers on %d processes; want once", n, len(servers), len(procs))
	}
	for shard, s := range servers {
		replies := repliesTo(srv, msgs[shard])
		if len(replies) != 1 {
			t.Errorf("the link in shard %d's server was answered %d times; want once", shard, len(replies))
		} else if replies[0].ChannelID != s.channel {
			t.Errorf("the reply in shard %d's server went to %s; want %s", shard, replies[0].ChannelID, s.channel)
		}
		got := postsWith(srv, markers[shard])
		if len(got) != 1 {
			t.Errorf("%d messages carry shard %d's briefing marker; want 1", len(got), shard)
		}
		for _, p := range got {
			if p.ChannelID != s.channel {
				t.Errorf("shard %d's briefing posted in %s; want %s", shard, p.ChannelID, s.channel)
			}
		}
		if l := procs[shard].log.String(); !strings.Contains(l, fmt.Sprintf("msg=schedules_loaded count=1 stored=%d", e2eShards)) {
			t.Errorf("%s did not load exactly its one schedule of %d:\n%s", procs[shard].name, e2eShards, grepLog(l, "schedules_loaded"))
		}
	}
	for _, d := range srv.Dispatches() {
		if d.Event == "MESSAGE_CREATE" && d.ShardID != discordtest.ShardOf(d.GuildID, e2eShards) {
			t.Errorf("MESSAGE_CREATE of %s went to shard %d", d.GuildID, d.ShardID)
		}
	}
	if n := len(srv.Requests(discordtest.RouteGlobalCommands)); n != 1 {
		t.Errorf("commands registered %d times; want once, by the process with shard 0", n)
	}
	for _, p := range procs[1:] {
		if strings.Contains(p.log.String(), "discord_commands_registered") {
			t.Errorf("%s registered the commands", p.name)
		}
	}
	if ids := srv.Identifies(); len(ids) != e2eShards {
		t.Errorf("%d identifies; want %d, one per shard", len(ids), e2eShards)
	}
	checkNoPings(t, srv)

	// The one summary is the model's, kept once, and each server's share
	// of the link is recorded.
	pg, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var summaries, llmSummaries, shares int
	err = pg.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM summaries),
		(SELECT COUNT(*) FROM summaries WHERE engine = 'llm'), (SELECT COUNT(*) FROM shares)`).Scan(&summaries, &llmSummaries, &shares)
	if err != nil || summaries != 1 || llmSummaries != 1 || shares != len(servers) {
		t.Errorf("PostgreSQL holds %d summaries (%d of the model), %d shares (err %v); want 1, 1, %d", summaries, llmSummaries, shares, err, len(servers))
	}
}

// postsWith returns the channel messages whose content holds sub.
func postsWith(srv *discordtest.Server, sub string) []discordtest.Post {
	var out []discordtest.Post
	for _, p := range srv.Posts(discordtest.KindChannelMessage) {
		if strings.Contains(p.Data.Content, sub) {
			out = append(out, p)
		}
	}
	return out
}
