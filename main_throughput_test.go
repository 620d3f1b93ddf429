package main

import (
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtest"
	"briefbot/summarize/openaitest"
)

// Sizes of the throughput benchmark.
const (
	// throughputLinks is how many distinct links are pasted per run.
	throughputLinks = 1000
	// throughputModelLatency is the model stand-in's fixed answer time:
	// about a short completion from a hosted model.
	throughputModelLatency = 200 * time.Millisecond
	// throughputWindow is how many links per process and model slot
	// are waiting for their reply at most: enough to keep every model
	// slot of a process (LLM_MAX_CONCURRENT) busy while others fetch and
	// extract, and below the handler's bound (2 × slots active + 32
	// queued), past which it answers "busy" instead of summarizing.
	throughputWindow = 3
	// throughputGuildsPerShard spreads the links over several servers
	// of each shard.
	throughputGuildsPerShard = 4
	// throughputDeadline bounds one run; one process with 4 slots needs
	// ~51 s.
	throughputDeadline = 4 * time.Minute
)

// BenchmarkThroughputPostgres measures how many links per second the bot
// answers over 1, 2 and 4 processes of the built binary, each running its
// shards of as many, on one PostgreSQL database: 1,000 distinct articles
// from a local server pasted in Discord (the stand-in) and summarized by
// a model stand-in answering in a fixed 200 ms, with at most
// throughputWindow links per process and model slot awaiting their
// reply, at 4 and 16 model slots per process. Each run
// checks that every link got one reply and one model call. Run it with
//
//	go test -run '^$' -bench ThroughputPostgres -benchtime 1x .
//
// with BRIEFBOT_TEST_DATABASE_URL set (source .ci/postgres.sh; pg_start).
func BenchmarkThroughputPostgres(b *testing.B) {
	bin := buildBinary(b)
	articles := articleServer(b)
	// At LLM_MAX_CONCURRENT's default (4) the model slots bound each
	// process to 4 / 200 ms = 20 links/s; with 16 the rest of the
	// pipeline (fetch, extract, PostgreSQL, Discord) shows.
	for _, slots := range []int{4, 16} {
		for _, procs := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("slots=%d/procs=%d", slots, procs), func(b *testing.B) {
				var perSec, p50, p95 float64
				for range b.N {
					r := runThroughput(b, bin, articles.URL, procs, slots)
					perSec += r.perSec
					p50 += r.p50.Seconds() * 1000
					p95 += r.p95.Seconds() * 1000
				}
				n := float64(b.N)
				b.ReportMetric(perSec/n, "links/s")
				b.ReportMetric(p50/n, "p50-ms")
				b.ReportMetric(p95/n, "p95-ms")
			})
		}
	}
}

// throughputResult is one run's links per second and the latency from a
// link's paste to its reply.
type throughputResult struct {
	perSec   float64
	p50, p95 time.Duration
}

// runThroughput pastes throughputLinks links into the servers of procs
// shard processes, each with slots model calls at once, on a fresh
// database and waits for every reply.
func runThroughput(b *testing.B, bin, articlesURL string, procs, slots int) throughputResult {
	b.StopTimer()
	dbURL := postgresTestURL(b)
	llm := openaitest.New(b)
	llm.SetDefault(openaitest.Delayed(throughputModelLatency, openaitest.Instant))
	srv := discordtest.NewServer(b)
	srv.Timeout = time.Minute
	srv.RecommendedShards = procs
	srv.MaxConcurrency = procs // every shard identifies at once
	type target struct {
		channel string
		shard   int
	}
	var targets []target
	for shard := range procs {
		for n := range throughputGuildsPerShard {
			guild := discordtest.GuildIDOnShard(shard, procs, 2*n)
			ch := discordtest.GuildIDOnShard(shard, procs, 2*n+1)
			srv.AddGuild(discordtest.Guild{ID: guild, Name: fmt.Sprintf("shard %d #%d", shard, n),
				Channels: []discordtest.Channel{{ID: ch, Name: "news"}}})
			targets = append(targets, target{ch, shard})
		}
	}
	running := make([]*process, procs)
	for shard := range running {
		running[shard] = startProcess(b, fmt.Sprintf("shard %d", shard), bin, map[string]string{
			"DATABASE_URL":                 dbURL,
			"DISCORD_TOKEN":                discordtest.Token,
			"DISCORD_API_BASE_URL":         srv.URL(),
			"OPENAI_BASE_URL":              llm.BaseURL(),
			"OPENAI_MODEL":                 "test-model",
			"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
			"SHARD_COUNT":                  strconv.Itoa(procs),
			"SHARD_IDS":                    strconv.Itoa(shard),
			"LLM_MAX_CONCURRENT":           strconv.Itoa(slots),
			"LOG_LEVEL":                    "warn",
		})
	}
	defer func() {
		if b.Failed() {
			for _, p := range running {
				b.Logf("%s log:\n%s", p.name, p.log.String())
			}
		}
	}()
	srv.WaitShards(b, procs)
	srv.WaitCommands(b, "")

	// Closed loop: paste the next link (round robin over the servers, so
	// evenly over the shards) while fewer than throughputWindow × slots
	// links of its process await their reply.
	b.StartTimer()
	start := time.Now()
	deadline := start.Add(throughputDeadline)
	type pasted struct {
		at    time.Time
		shard int
	}
	sentAt := map[string]pasted{} // by message ID
	waiting := make([]int, procs) // links awaiting their reply, by shard
	var latencies []time.Duration
	replied := map[string]bool{}
	sent := 0
	for len(replied) < throughputLinks {
		if time.Now().After(deadline) {
			for id := range sentAt {
				if !replied[id] {
					b.Logf("unanswered %s", id)
				}
			}
			for _, r := range srv.Rejected() {
				b.Logf("rejected %s %s %d %s", r.Method, r.Path, r.Status, r.Error)
			}
			b.Fatalf("%d of %d links answered after %v", len(replied), throughputLinks, throughputDeadline)
		}
		for sent < throughputLinks && waiting[targets[sent%len(targets)].shard] < throughputWindow*slots {
			// Each link from its own person, as in servers where many
			// people paste: the per-user limit is not what is measured.
			user := &discordgo.User{ID: strconv.Itoa(1300000000000000000 + sent), Username: fmt.Sprintf("reader%d", sent)}
			to := targets[sent%len(targets)]
			msg := srv.Say(b, to.channel, user, fmt.Sprintf("%s/news/%d", articlesURL, sent))
			sentAt[msg.ID] = pasted{time.Now(), to.shard}
			waiting[to.shard]++
			sent++
		}
		time.Sleep(20 * time.Millisecond)
		now := time.Now()
		for _, p := range srv.Posts(discordtest.KindChannelMessage) {
			ref := p.Data.MessageReference
			if ref == nil || replied[ref.MessageID] {
				continue
			}
			ps, ok := sentAt[ref.MessageID]
			if !ok {
				b.Fatalf("a reply to %s, which was not pasted", ref.MessageID)
			}
			replied[ref.MessageID] = true
			waiting[ps.shard]--
			latencies = append(latencies, now.Sub(ps.at))
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()

	var wg sync.WaitGroup
	for _, p := range running {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, took := p.stop(shutdownTimeout + 5*time.Second); code != 0 {
				b.Errorf("%s exited with %d %v after SIGTERM; want 0", p.name, code, took)
			}
		}()
	}
	wg.Wait()

	// Every link was summarized by the model, once, and kept.
	if n := llm.Count(); n != throughputLinks {
		b.Errorf("%d model calls for %d links; want one each", n, throughputLinks)
	}
	pg, err := sql.Open("pgx", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	var summaries int
	if err := pg.QueryRow(`SELECT COUNT(*) FROM summaries WHERE engine = 'llm'`).Scan(&summaries); err != nil || summaries != throughputLinks {
		b.Errorf("%d model summaries stored (err %v); want %d", summaries, err, throughputLinks)
	}
	for _, p := range srv.Posts(discordtest.KindChannelMessage) {
		if strings.Contains(p.Data.Content, "busy reading other links") {
			b.Errorf("a reply says the bot is busy: %.200s", p.Data.Content)
			break
		}
	}

	slices.Sort(latencies)
	return throughputResult{
		perSec: float64(throughputLinks) / elapsed.Seconds(),
		p50:    latencies[len(latencies)/2],
		p95:    latencies[len(latencies)*95/100],
	}
}

// articleServer serves distinct news articles at /news/{n}: the same
// shape of report (a headline, sections on talks between two parties,
// each with what was agreed, declined or disputed) with the number,
// names and figures of article n, so no two articles share a text.
func articleServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /news/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, generatedArticle(n))
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// Names the generated articles are made of.
var (
	articlePorts  = []string{"Varna", "Gdansk", "Constanta", "Rijeka", "Piraeus", "Klaipeda", "Trieste", "Burgas"}
	articleUnions = []string{"the dockworkers' union", "the pilots' guild", "the crane operators", "the harbour staff council"}
)

// generatedArticle is article n of articleServer, about 450 words.
func generatedArticle(n int) string {
	port := articlePorts[n%len(articlePorts)]
	union := articleUnions[(n/len(articlePorts))%len(articleUnions)]
	day := n%28 + 1
	raise := 3 + n%9
	berths := 4 + n%17
	title := fmt.Sprintf("%s port talks, round %d: pay deal agreed, night shifts still open", port, n)
	sections := []struct{ heading, body string }{
		{"Pay", fmt.Sprintf("The %s port authority and %s agreed on a pay rise of %d percent over two years, "+
			"the chief negotiator said on %d March after the %dth round of talks. Both sides signed the "+
			"framework in the harbour office late in the evening, and the deal takes effect next month. "+
			"Workers at %d berths will see the first increase in their April wages.", port, union, raise, day, n, berths)},
		{"Night shifts", fmt.Sprintf("The union declined to accept the authority's plan for longer night shifts at "+
			"the container terminal. The question remains open and will be negotiated again in round %d, "+
			"officials said. The authority wants %d extra crews at night; the union says the crews it has are "+
			"already stretched and that safety must come first.", n+1, berths/2+1)},
		{"Safety inspections", fmt.Sprintf("The union accused the authority of breaking last year's promise to "+
			"inspect the cranes every quarter. The authority denied the claim and said that %d inspections took "+
			"place in the past year. Inspectors from the ministry are due to visit %s before the summer, "+
			"according to a spokesperson.", berths*3, port)},
		{"Strike threat", fmt.Sprintf("A strike planned for %d April was called off after the pay agreement. "+
			"Union leaders said they would keep the option of a strike if the night-shift talks fail. "+
			"Shipping companies welcomed the decision, saying that %d vessels had been waiting outside %s "+
			"during the last stoppage.", day, berths*2, port)},
		{"Next steps", fmt.Sprintf("The two sides will meet again in two weeks. Mediators from the regional "+
			"government will attend the next round, the %dth, at the request of both parties. "+
			"Neither side would say whether a full settlement is likely before the busy summer season.", n+1)},
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title></head><body><article><h1>%s</h1>\n",
		html.EscapeString(title), html.EscapeString(title))
	fmt.Fprintf(&sb, "<p>By a staff reporter in %s · %d March 2025</p>\n", port, day)
	for _, s := range sections {
		fmt.Fprintf(&sb, "<h2>%s</h2>\n<p>%s</p>\n", html.EscapeString(s.heading), html.EscapeString(s.body))
	}
	sb.WriteString("</article></body></html>\n")
	return sb.String()
}
