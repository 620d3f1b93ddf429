package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"briefbot/bot"
	"briefbot/bot/discordtest"
	"briefbot/schedule"
	"briefbot/store"
)

// TestShardSettings: SHARD_COUNT and SHARD_IDS are read as numbers and
// ranges below the count; a bad value stops start-up naming the setting.
func TestShardSettings(t *testing.T) {
	for _, tt := range []struct {
		env     map[string]string
		count   int
		ids     []int
		wantErr string
	}{
		{map[string]string{}, 1, []int{0}, ""},
		{map[string]string{"SHARD_COUNT": "4"}, 4, []int{0, 1, 2, 3}, ""},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "0,1"}, 4, []int{0, 1}, ""},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": " 3 , 1 "}, 4, []int{1, 3}, ""},
		{map[string]string{"SHARD_COUNT": "16", "SHARD_IDS": "0-3,8"}, 16, []int{0, 1, 2, 3, 8}, ""},
		{map[string]string{"SHARD_COUNT": "0"}, 0, nil, "SHARD_COUNT"},
		{map[string]string{"SHARD_COUNT": "two"}, 0, nil, "SHARD_COUNT"},
		{map[string]string{"SHARD_COUNT": "100000"}, 0, nil, "SHARD_COUNT"},
		{map[string]string{"SHARD_IDS": "1"}, 0, nil, "SHARD_IDS"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "4"}, 0, nil, "SHARD_IDS"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "-1"}, 0, nil, "SHARD_IDS"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "1,1"}, 0, nil, "listed twice"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "0-2,2"}, 0, nil, "listed twice"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, 0, nil, "backwards"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "1-"}, 0, nil, "SHARD_IDS"},
		{map[string]string{"SHARD_COUNT": "4", "SHARD_IDS": "0;1"}, 0, nil, "SHARD_IDS"},
	} {
		cfg, err := loadConfig(testEnv(t, tt.env).lookup)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("loadConfig(%v) error = %v; want one naming %q", tt.env, err, tt.wantErr)
			}
			if code, _, errOut := runMain(t, testEnv(t, tt.env), "", "help"); code != 2 || !strings.Contains(errOut, "SHARD_") {
				t.Errorf("run(help) with %v = %d, %q; want 2 naming the setting", tt.env, code, errOut)
			}
			continue
		}
		if err != nil || cfg.ShardCount != tt.count || !slices.Equal(cfg.ShardIDs, tt.ids) {
			t.Errorf("loadConfig(%v) = count %d ids %v, %v; want %d %v", tt.env, cfg.ShardCount, cfg.ShardIDs, err, tt.count, tt.ids)
		}
	}
}

// TestShardProcessesThroughRun: two whole bots, run() as main runs it,
// on one SQLite file and one Discord, one with shard 0 and one with shard
// 1 of 2. Each server's missed briefing is posted once, by the process of
// its shard, which alone loads that schedule; each server's link is
// answered once; the commands are registered once; both exit 0.
func TestShardProcessesThroughRun(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "briefbot.db")
	testShardProcesses(t, dbPath, map[string]string{"DATABASE_PATH": dbPath}, false)
}

// TestShardProcessesOnPostgres: the same on PostgreSQL, where the two
// processes also space their identifies together: both shards are in
// Discord's one rate-limit bucket, so the second identifies at least 5 s
// after the first although each process has one shard.
func TestShardProcessesOnPostgres(t *testing.T) {
	dbURL := postgresTestURL(t)
	testShardProcesses(t, dbURL, map[string]string{"DATABASE_URL": dbURL}, true)
}

// testShardProcesses runs the two shard processes on the database dsn
// (which dbEnv names to them); spaced says their identifies must be
// bot.IdentifySpacing apart.
func testShardProcesses(t *testing.T, dsn string, dbEnv map[string]string, spaced bool) {
	ctx := context.Background()
	news := newsServer(t, nil)
	srv := discordtest.NewServer(t)
	srv.RecommendedShards = 2
	servers, slot := shardServers(t, ctx, srv, dsn, 2)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	logs := make([]*lockedBuffer, 2)
	done := make(chan int, 2)
	for shard := range logs {
		logs[shard] = &lockedBuffer{}
		m := map[string]string{
			"DISCORD_TOKEN":                discordtest.Token,
			"DISCORD_API_BASE_URL":         srv.URL(),
			"SHARD_COUNT":                  "2",
			"SHARD_IDS":                    fmt.Sprint(shard),
			"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
			"LOG_LEVEL":                    "debug",
		}
		for k, v := range dbEnv {
			m[k] = v
		}
		env := testEnv(t, m)
		go func() { done <- run(runCtx, nil, env, strings.NewReader(""), logs[shard], logs[shard]) }()
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i, l := range logs {
				t.Logf("process %d log:\n%s", i, l.String())
			}
		}
	})
	if got := srv.WaitShards(t, 2); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("ready shards %v; want [0 1]", got)
	}
	srv.WaitCommands(t, "")

	msgs := make([]string, len(servers))
	for shard, s := range servers {
		msgs[shard] = srv.Say(t, s.channel, discordtest.Alice, news.URL+storyDay1).ID
	}
	for _, id := range msgs {
		srv.Wait(t, "a reply to "+id, func() bool { return len(repliesTo(srv, id)) > 0 })
	}

	cancel()
	for range logs {
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("run() = %d; want 0", code)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a process did not exit 30 s after its context was cancelled")
		}
	}

	for shard, s := range servers {
		if n := len(repliesTo(srv, msgs[shard])); n != 1 {
			t.Errorf("link in shard %d's server answered %d times; want once", shard, n)
		}
		marker := schedule.Marker(s.guild, slot)
		var got int
		for _, p := range srv.Posts(discordtest.KindChannelMessage) {
			if strings.Contains(p.Data.Content, marker) {
				got++
				if p.ChannelID != s.channel {
					t.Errorf("shard %d's briefing posted in %s; want %s", shard, p.ChannelID, s.channel)
				}
			}
		}
		if got != 1 {
			t.Errorf("%d messages carry shard %d's briefing marker; want 1", got, shard)
		}
		// Each process loaded its own server's schedule only.
		if l := logs[shard].String(); !strings.Contains(l, "msg=schedules_loaded count=1 stored=2") {
			t.Errorf("process with shard %d did not load exactly its one schedule of two:\n%s", shard, grepLog(l, "schedules_loaded"))
		}
	}
	for _, d := range srv.Dispatches() {
		if d.Event == "MESSAGE_CREATE" && d.ShardID != discordtest.ShardOf(d.GuildID, 2) {
			t.Errorf("MESSAGE_CREATE of %s went to shard %d", d.GuildID, d.ShardID)
		}
	}
	if n := len(srv.Requests(discordtest.RouteGlobalCommands)); n != 1 {
		t.Errorf("commands registered %d times; want once, by the process with shard 0", n)
	}
	if strings.Contains(logs[1].String(), "discord_commands_registered") {
		t.Errorf("the process with shard 1 registered the commands")
	}
	ids := srv.Identifies()
	for _, id := range ids {
		if id.ShardCount != 2 {
			t.Errorf("identify of shard %d carries count %d; want 2", id.ShardID, id.ShardCount)
		}
	}
	if len(ids) != 2 {
		t.Fatalf("%d identifies; want 2", len(ids))
	}
	// The stand-in's clock is the wall clock: this is the spacing Discord
	// would see.
	if gap := ids[1].At.Sub(ids[0].At); spaced && gap < bot.IdentifySpacing {
		t.Errorf("the processes' identifies are %v apart; want at least %v", gap, bot.IdentifySpacing)
	}
}

// grepLog returns the lines of a log that contain sub.
func grepLog(log, sub string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// shardServer is one test server: its guild and its news channel.
type shardServer struct{ guild, channel string }

// shardServers adds a server on each of n shards to srv and stores, in the
// database at dsn, a daily briefing for each whose slot was half an hour
// ago (missed while no process ran), which it returns.
func shardServers(t *testing.T, ctx context.Context, srv *discordtest.Server, dsn string, n int) ([]shardServer, time.Time) {
	t.Helper()
	servers := make([]shardServer, n)
	for shard := range servers {
		servers[shard] = shardServer{discordtest.GuildIDOnShard(shard, n, 0), discordtest.GuildIDOnShard(shard, n, 1)}
		srv.AddGuild(discordtest.Guild{ID: servers[shard].guild, Name: fmt.Sprintf("shard %d", shard),
			Channels: []discordtest.Channel{{ID: servers[shard].channel, Name: "news"}}})
	}
	slot := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Minute)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range servers {
		err := db.SaveSchedule(ctx, schedule.Schedule{GuildID: s.guild, ChannelID: s.channel,
			Cron: fmt.Sprintf("%d %d * * *", slot.Minute(), slot.Hour()), TimeZone: "UTC", UpdatedAt: slot.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return servers, slot
}
