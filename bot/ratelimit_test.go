package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"briefbot/summarize"
)

func TestUserLimitsPrune(t *testing.T) {
	l := newUserLimits(rate.Every(time.Second), 2)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range maxTrackedUsers {
		l.allow("g", fmt.Sprint("u", i), t0)
	}
	if len(l.users) != maxTrackedUsers {
		t.Fatalf("tracked %d users; want %d", len(l.users), maxTrackedUsers)
	}
	// Once every bucket has refilled, a new user prunes the idle ones.
	l.allow("g", "late", t0.Add(l.window))
	if len(l.users) != 1 {
		t.Errorf("tracked %d users after pruning; want 1", len(l.users))
	}
}

func TestWorkQueue(t *testing.T) {
	q := newWorkQueue(1, 1)
	done1, ok1 := q.admit()
	done2, ok2 := q.admit()
	_, ok3 := q.admit()
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("admit = %t, %t, %t; want true, true, false", ok1, ok2, ok3)
	}
	done1()
	done3, ok := q.admit()
	if !ok {
		t.Fatal("admit after a release = false; want true")
	}
	done2()
	done3()

	// run waits for a free slot, or for its context.
	release := make(chan struct{})
	started := make(chan struct{})
	go q.run(context.Background(), func() { close(started); <-release })
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	ran := false
	if err := q.run(ctx, func() { ran = true }); err == nil || ran {
		t.Errorf("run while busy = %v, ran=%t; want the context's error and no run", err, ran)
	}
	close(release)
	if err := q.run(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Errorf("run when free = %v, ran=%t; want nil, true", err, ran)
	}
}

func TestRecentSet(t *testing.T) {
	s := newRecentSet(time.Hour, 3)
	t0 := time.Unix(1_700_000_000, 0)
	for _, k := range []string{"a", "b", "c"} {
		if s.seen(k, t0) {
			t.Errorf("seen(%q) first time = true", k)
		}
	}
	if !s.seen("a", t0.Add(time.Minute)) {
		t.Error("seen(a) again within the hour = false; want true")
	}
	// Full: adding "d" forgets the oldest; nothing grows past the bound.
	s.seen("d", t0.Add(2*time.Minute))
	if len(s.at) > 3 {
		t.Errorf("recent set holds %d keys; bound 3", len(s.at))
	}
	if s.seen("a", t0.Add(2*time.Hour)) {
		t.Error("seen(a) after the ttl = true; want false")
	}
}

// TestRateLimitPerServer: a user's budget is per server (see limitKey):
// messages and commands in one server draw on one bucket, which holds
// however many processes run, since a server's events reach one shard;
// another server has a bucket of its own.
func TestRateLimitPerServer(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.UserRate = rate.Every(time.Minute); c.UserBurst = 2 })
	e.sum.add(article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved))
	ctx := context.Background()
	limited := func(got []Reply) bool {
		return len(got) == 1 && got[0].Content == msgRateLimited
	}
	msg := e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: urlA})
	if len(titles(msg)) != 1 {
		t.Fatalf("first message in g1: %+v; want a summary", msg)
	}
	in := func(guild string) []Reply {
		return e.h.Summarize(ctx, Invoker{GuildID: guild, ChannelID: "c1", UserID: "u1"}, urlA, false)
	}
	for i, step := range []struct {
		guild       string
		wantLimited bool
	}{
		{"g1", false}, // second in g1: the message took the first token
		{"g1", true},
		{"g2", false}, // another server, another bucket
		{"g2", false},
		{"g2", true},
		{"", false}, // direct messages have their own
	} {
		if got := limited(in(step.guild)); got != step.wantLimited {
			t.Errorf("command %d in %q: limited=%t; want %t", i, step.guild, got, step.wantLimited)
		}
	}
	// Every command counts against the same per-server bucket: g1's is
	// empty, g3's is not.
	inv := func(guild string) Invoker { return Invoker{GuildID: guild, ChannelID: "c1", UserID: "u1"} }
	for name, run := range map[string]func(guild string) []Reply{
		"/ask":    func(g string) []Reply { return e.h.Ask(ctx, inv(g), "ceasefire talks", "") },
		"/export": func(g string) []Reply { return e.h.Export(ctx, inv(g), "ceasefire", ExportMarkdown) },
	} {
		if !limited(run("g1")) {
			t.Errorf("%s in g1 after its bucket emptied: not limited", name)
		}
		if limited(run("g3-" + name)) {
			t.Errorf("%s in a fresh server: limited by another server's bucket", name)
		}
	}
}
