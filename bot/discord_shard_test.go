package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/bot/discordtest"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
)

func TestShardOf(t *testing.T) {
	for _, tt := range []struct {
		guildID string
		count   int
		want    int
	}{
		// 41771983423143937 >> 22 = 9959216934.
		{"41771983423143937", 1, 0},
		{"41771983423143937", 2, 0},
		{"41771983423143937", 5, 4},
		{"41771983423143937", 16, 6},
		{"4194303", 2, 0}, // below 1<<22: shard 0
		{"4194304", 2, 1},
		{"console", 4, 0}, // not a snowflake
		{"", 4, 0},
		{"18446744073709551615", 1000, int((uint64(18446744073709551615) >> 22) % 1000)},
	} {
		if got := ShardOf(tt.guildID, tt.count); got != tt.want {
			t.Errorf("ShardOf(%q, %d) = %d; want %d", tt.guildID, tt.count, got, tt.want)
		}
		if got := discordtest.ShardOf(tt.guildID, tt.count); got != tt.want {
			t.Errorf("discordtest.ShardOf(%q, %d) = %d; want %d", tt.guildID, tt.count, got, tt.want)
		}
	}
	for shard := range 5 {
		for n := range 3 {
			if id := discordtest.GuildIDOnShard(shard, 5, n); ShardOf(id, 5) != shard {
				t.Errorf("ShardOf(GuildIDOnShard(%d, 5, %d) = %s) = %d", shard, n, id, ShardOf(id, 5))
			}
		}
	}
}

func TestNewDiscordShardOptions(t *testing.T) {
	h := newTestHandler(t)
	for _, tt := range []struct {
		count   int
		ids     []int
		want    []int
		wantErr string
	}{
		{0, nil, []int{0}, ""},
		{1, nil, []int{0}, ""},
		{4, nil, []int{0, 1, 2, 3}, ""},
		{4, []int{3, 1}, []int{1, 3}, ""},
		{4, []int{4}, nil, "shard 4: want 0 to 3"},
		{4, []int{-1}, nil, "shard -1"},
		{4, []int{1, 1}, nil, "shard 1 listed twice"},
		{-1, nil, nil, "shard count -1"},
		{MaxShardCount + 1, nil, nil, "shard count"},
	} {
		d, err := NewDiscord(DiscordOptions{Token: "abc", ShardCount: tt.count, ShardIDs: tt.ids}, h)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewDiscord(count %d, ids %v) error = %v; want %q", tt.count, tt.ids, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewDiscord(count %d, ids %v) error = %v", tt.count, tt.ids, err)
			continue
		}
		var got []int
		for _, sh := range d.shards {
			got = append(got, sh.id)
			if wantCount := max(tt.count, 1); sh.s.ShardID != sh.id || sh.s.ShardCount != wantCount {
				t.Errorf("shard %d session: ShardID %d ShardCount %d; want %d, %d", sh.id, sh.s.ShardID, sh.s.ShardCount, sh.id, wantCount)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("NewDiscord(count %d, ids %v) shards = %v; want %v", tt.count, tt.ids, got, tt.want)
		}
		if d.s != d.shards[0].s {
			t.Errorf("REST session is not the first shard's")
		}
	}
}

// newTestHandler is a Handler over an empty store and the stub
// summarizer, for tests that only build transports.
func newTestHandler(t *testing.T) *Handler {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, err := New(Config{Summarizer: newStub(db), Shares: db, Settings: db})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// identifyClock is the clock the shards' identifies are spaced by: it
// moves only when the test advances it, and a shard waiting for its
// moment waits until then, so tests never sleep and identify times are
// exact.
type identifyClock struct {
	mu      sync.Mutex
	t       time.Time
	waiting int
	changed chan struct{}
}

func newIdentifyClock(t time.Time) *identifyClock {
	return &identifyClock{t: t, changed: make(chan struct{})}
}

func (c *identifyClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// WaitUntil waits until the clock reads t or later.
func (c *identifyClock) WaitUntil(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	c.waiting++
	defer func() {
		c.mu.Lock()
		c.waiting--
		c.mu.Unlock()
	}()
	for t.After(c.t) {
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.mu.Lock()
	}
	c.mu.Unlock()
	return nil
}

// Waiting returns how many shards wait for a moment still to come.
func (c *identifyClock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waiting
}

func (c *identifyClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	close(c.changed)
	c.changed = make(chan struct{})
}

// identifiedThenWaiting waits until n shards identified and waiting more
// wait for their moment, and checks no other shard identified.
func (r *shardRig) identifiedThenWaiting(n, waiting int) {
	r.t.Helper()
	r.srv.Wait(r.t, fmt.Sprintf("%d identifies and %d shards waiting", n, waiting), func() bool {
		return len(r.srv.Identifies()) >= n && r.clock.Waiting() >= waiting
	})
	if ids := r.srv.Identifies(); len(ids) != n {
		r.t.Fatalf("%d shards identified before the clock moved; want %d: %+v", len(ids), n, ids)
	}
}

// shardRig is a Discord stand-in, an article server and a database that
// several bot processes share, each process running some shards.
type shardRig struct {
	t        *testing.T
	srv      *discordtest.Server
	articles *httptest.Server
	dbPath   string
	clock    *identifyClock
	logs     *discordLogs
}

// shardGuild returns the server the rig made on shard of count.
func shardGuild(shard, count int) (guildID, channelID string) {
	return discordtest.GuildIDOnShard(shard, count, 0), discordtest.GuildIDOnShard(shard, count, 1)
}

func newShardRig(t *testing.T, shardCount, maxConcurrency int) *shardRig {
	t.Helper()
	r := &shardRig{t: t, srv: discordtest.NewServer(t), dbPath: filepath.Join(t.TempDir(), "bot.db"),
		clock: newIdentifyClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), logs: &discordLogs{}}
	r.srv.Now = r.clock.Now
	r.srv.MaxConcurrency = maxConcurrency
	r.srv.RecommendedShards = shardCount
	for shard := range shardCount {
		g, c := shardGuild(shard, shardCount)
		r.srv.AddGuild(discordtest.Guild{ID: g, Name: fmt.Sprintf("Server on shard %d", shard), Channels: []discordtest.Channel{{ID: c, Name: "news"}}})
	}
	page := discordArticle("Shards agree on a pause", discordSections("pause", []string{"Energy", "Talks"}, 3))
	r.articles = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	t.Cleanup(r.articles.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", r.logs)
		}
	})
	return r
}

// shardProcess is one bot process of the rig.
type shardProcess struct {
	d      *Discord
	cancel context.CancelFunc
	errc   chan error
}

// start runs a process with the given shards, its identifies spaced by
// gate (nil: its own in-process gate) on the rig's clock.
func (r *shardRig) start(name string, count int, ids []int, gate func(*store.DB) IdentifyGate) *shardProcess {
	t := r.t
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, r.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With(slog.String("process", name))
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store: db, Fetcher: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second}),
		Extractor: extract.New(), Engine: extractive.New(), Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Summarizer: svc, Shares: db, Settings: db, Logger: log, UserBurst: 100, UserRate: 100})
	if err != nil {
		t.Fatal(err)
	}
	opts := DiscordOptions{Token: discordtest.Token, APIBaseURL: r.srv.URL(), Logger: log, ShardCount: count, ShardIDs: ids}
	if gate != nil {
		opts.IdentifyGate = gate(db)
	}
	p := &shardProcess{errc: make(chan error, 1)}
	if p.d, err = NewDiscord(opts, h); err != nil {
		t.Fatal(err)
	}
	p.d.now, p.d.waitUntil = r.clock.Now, r.clock.WaitUntil
	runCtx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	go func() { p.errc <- p.d.Run(runCtx) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *shardProcess) stop(t *testing.T) {
	t.Helper()
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	select {
	case err := <-p.errc:
		if err != nil {
			t.Errorf("Run() = %v; want nil after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run() did not return 30 s after its context was cancelled")
	}
}

// pasteInEveryShard pastes the article link in each shard's server and
// checks each is answered exactly once, after the dispatch went to the
// session of that server's shard.
func (r *shardRig) pasteInEveryShard(count int, stop func()) {
	t := r.t
	t.Helper()
	msgs := map[string]int{} // message ID → shard
	for shard := range count {
		_, ch := shardGuild(shard, count)
		m := r.srv.Say(t, ch, discordtest.Alice, "Read this: "+r.articles.URL+"/story")
		msgs[m.ID] = shard
	}
	for id := range msgs {
		r.srv.Wait(t, "a reply to "+id, func() bool { return len(repliesTo(r.srv, id)) > 0 })
	}
	stop() // every piece of work finished: counts are final
	for id, shard := range msgs {
		if got := repliesTo(r.srv, id); len(got) != 1 {
			t.Errorf("message in shard %d's server answered %d times; want once", shard, len(got))
		}
	}
	for _, d := range r.srv.Dispatches() {
		if d.Event != "MESSAGE_CREATE" {
			continue
		}
		if want := ShardOf(d.GuildID, count); d.ShardID != want {
			t.Errorf("MESSAGE_CREATE of guild %s went to shard %d's session; want %d", d.GuildID, d.ShardID, want)
		}
	}
}

// repliesTo returns the bot's channel messages replying to messageID.
func repliesTo(srv *discordtest.Server, messageID string) []discordtest.Post {
	var out []discordtest.Post
	for _, p := range srv.Posts(discordtest.KindChannelMessage) {
		if p.Data.MessageReference != nil && p.Data.MessageReference.MessageID == messageID {
			out = append(out, p)
		}
	}
	return out
}

// identifiesByBucket checks the identifies: one per shard with [id,
// count], and per bucket (shard % maxConcurrency) at least
// IdentifySpacing apart. It returns each bucket's identify times in order.
func identifiesByBucket(t *testing.T, ids []discordtest.Identify, count, maxConcurrency int) map[int][]time.Time {
	t.Helper()
	var shards []int
	buckets := map[int][]time.Time{}
	for _, id := range ids {
		if id.ShardCount != count {
			t.Errorf("identify of shard %d carries count %d; want %d (raw %.200s)", id.ShardID, id.ShardCount, count, id.Raw)
		}
		shards = append(shards, id.ShardID)
		b := id.ShardID % maxConcurrency
		buckets[b] = append(buckets[b], id.At)
	}
	slices.Sort(shards)
	if want := seq(count); !slices.Equal(shards, want) {
		t.Errorf("identified shards %v; want %v, once each", shards, want)
	}
	for b, times := range buckets {
		slices.SortFunc(times, time.Time.Compare)
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < IdentifySpacing {
				t.Errorf("bucket %d: identifies %v apart (%v); want at least %v", b, gap, times, IdentifySpacing)
			}
		}
	}
	return buckets
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestShardsInOneProcess: one process runs both shards of two. Each opens
// its own session, identified as [i, 2] one after the other (one bucket);
// each server's link is answered once, by the session of its shard; the
// commands are registered once; readiness waits for both.
func TestShardsInOneProcess(t *testing.T) {
	r := newShardRig(t, 2, 1)
	start := r.clock.Now()
	p := r.start("p", 2, nil, nil)
	r.identifiedThenWaiting(1, 1)
	r.clock.Advance(identifyEvery)
	if got := r.srv.WaitShards(t, 2); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("ready shards = %v; want [0 1]", got)
	}
	r.srv.WaitCommands(t, "")
	if err := p.d.Ready(context.Background()); err != nil {
		t.Errorf("Ready() = %v; want nil with both shards connected", err)
	}
	r.pasteInEveryShard(2, func() { p.stop(t) })

	buckets := identifiesByBucket(t, r.srv.Identifies(), 2, 1)
	if want := []time.Time{start, start.Add(identifyEvery)}; !slices.EqualFunc(buckets[0], want, time.Time.Equal) {
		t.Errorf("identify times %v; want %v: at once, then the spacing after", buckets[0], want)
	}
	if n := len(r.srv.Requests(discordtest.RouteGlobalCommands)); n != 1 {
		t.Errorf("commands registered %d times; want once", n)
	}
	if n := len(r.srv.Requests(discordtest.RouteGatewayBot)); n != 1 {
		t.Errorf("GET /gateway/bot asked %d times; want once, for max_concurrency", n)
	}
}

// TestShardsAcrossProcesses: two processes on one database run two
// shards each of four, with max_concurrency 2: shards 0 and 2 share
// bucket 0 across the processes, 1 and 3 bucket 1. Through the store's
// identify slots each bucket's identifies are the spacing apart while the
// buckets go side by side; only the process with shard 0 registers the
// commands; each server's link is answered once.
func TestShardsAcrossProcesses(t *testing.T) {
	r := newShardRig(t, 4, 2)
	start := r.clock.Now()
	storeGate := func(db *store.DB) IdentifyGate { return db }
	a := r.start("a", 4, []int{0, 1}, storeGate)
	b := r.start("b", 4, []int{2, 3}, storeGate)
	// One shard of each bucket identifies at once, whichever process
	// reserved first; the other of each waits.
	r.identifiedThenWaiting(2, 2)
	r.clock.Advance(identifyEvery)
	r.srv.WaitShards(t, 4)
	r.srv.WaitCommands(t, "")
	r.pasteInEveryShard(4, func() { a.stop(t); b.stop(t) })

	buckets := identifiesByBucket(t, r.srv.Identifies(), 4, 2)
	for bucket := range 2 {
		want := []time.Time{start, start.Add(identifyEvery)}
		if !slices.EqualFunc(buckets[bucket], want, time.Time.Equal) {
			t.Errorf("bucket %d identify times %v; want %v", bucket, buckets[bucket], want)
		}
	}
	if n := len(r.srv.Requests(discordtest.RouteGlobalCommands)); n != 1 {
		t.Errorf("commands registered %d times; want once, by the process with shard 0", n)
	}
	if !strings.Contains(r.logs.String(), "process=b") || strings.Contains(grepLines(r.logs.String(), "process=b"), "discord_commands_registered") {
		t.Errorf("process b (shards 2, 3) registered the commands")
	}
}

// TestShardsInProcessGate: without a shared gate (SQLite, one process),
// a process's shards of one bucket still identify the spacing apart.
func TestShardsInProcessGate(t *testing.T) {
	r := newShardRig(t, 4, 1)
	start := r.clock.Now()
	a := r.start("a", 4, []int{0, 2}, nil)
	r.identifiedThenWaiting(1, 1)
	r.clock.Advance(identifyEvery)
	r.srv.WaitShards(t, 2)
	a.stop(t)
	ids := r.srv.Identifies()
	if len(ids) != 2 || ids[0].ShardID != 0 || ids[1].ShardID != 2 || !ids[0].At.Equal(start) || !ids[1].At.Equal(start.Add(identifyEvery)) {
		t.Errorf("identifies %+v; want shard 0 at %v, then shard 2 the spacing after", ids, start)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
