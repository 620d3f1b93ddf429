package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"briefbot/bot/discordtest"
	"briefbot/schedule"
)

// Tests of briefing crash recovery through the Discord stand-in and whole
// bot processes on one database file: a busy channel does not hide the
// parts a crashed process posted, and a part retried against a slow
// Discord is made once.

// diesAfter is a process that dies after posting n messages of a
// briefing: the rest are never sent.
type diesAfter struct {
	schedule.Poster
	n int
}

var errDied = errors.New("the process died")

func (d diesAfter) PostMessages(ctx context.Context, channelID string, msgs []schedule.Outgoing) ([]string, error) {
	ids, err := d.Poster.PostMessages(ctx, channelID, msgs[:min(d.n, len(msgs))])
	if err != nil {
		return ids, err
	}
	return ids, errDied
}

// TestDiscordBusyChannelCrashRecovery: a process dies after posting the
// first part of a briefing; 60 messages follow in the channel; a restart
// after its lease (and Discord's nonce window) ran out finds the part
// among them and posts only what is missing. Three rounds, three days.
func TestDiscordBusyChannelCrashRecovery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first := time.Date(2025, 3, 25, 8, 0, 0, 0, time.UTC)
	r := newBriefingRig(t, first.Add(-time.Hour))
	p := r.start()
	if _, err := p.sched.SetSchedule(ctx, discordtest.GuildID, discordtest.ChannelID, "0 8 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	p.stop()
	for round := range 3 {
		slot := first.AddDate(0, 0, round)
		r.clock.Set(slot.Add(-time.Hour))
		r.wrapPoster = func(d schedule.Poster) schedule.Poster { return diesAfter{d, 1} }
		p = r.start()
		p.share(rigDay2)
		p.share(rigDay3)
		r.clock.Set(slot)
		p.sched.RunDue(ctx)
		crashed := briefingPosts(r.srv, slot)
		if len(crashed) != 1 {
			t.Fatalf("round %d: the dying process posted %d parts; want 1", round, len(crashed))
		}
		r.clock.Set(slot.Add(time.Minute))
		for i := range 60 {
			r.srv.Say(t, discordtest.ChannelID, discordtest.Alice, fmt.Sprintf("chatter %d of round %d", i, round))
		}
		p.stop()

		r.wrapPoster = nil
		r.clock.Set(slot.Add(10 * time.Minute))
		p = r.start() // recovers the slot at start
		p.sched.RunDue(ctx)
		posts := checkOneSet(t, r, p.db, slot)
		if posts[0].MessageID != crashed[0].MessageID {
			t.Errorf("round %d: first part %s; want the dead process's %s", round, posts[0].MessageID, crashed[0].MessageID)
		}
		t.Logf("round %d: %d parts, the first posted before the crash", round, len(posts))
		p.stop()
	}
	checkCleanPosts(t, r.srv)
}

// TestDiscordSlowPartRetriedOnce: Discord takes 3 s to handle a
// briefing's first part; the process gives up on it and dies. Its lease
// runs out and a restart posts the briefing while that call is still
// being handled: the part goes out again with the same nonce, and Discord
// makes one message of the two calls.
func TestDiscordSlowPartRetriedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	slot := time.Date(2025, 3, 25, 8, 0, 0, 0, time.UTC)
	r := newBriefingRig(t, slot.Add(-time.Hour))
	p := r.start()
	if _, err := p.sched.SetSchedule(ctx, discordtest.GuildID, discordtest.ChannelID, "0 8 * * *", "UTC"); err != nil {
		t.Fatal(err)
	}
	p.share(rigDay2)
	creates := len(r.srv.Requests(discordtest.RouteCreateMessage))

	const slow = 3 * time.Second
	r.srv.DelayNext(discordtest.RouteCreateMessage, 1, slow)
	r.clock.Set(slot)
	runCtx, cancel := context.WithTimeout(ctx, 700*time.Millisecond)
	p.sched.RunDue(runCtx) // gives up on the slow part
	cancel()
	gaveUp := time.Now()
	if got := briefingPosts(r.srv, slot); len(got) != 0 {
		t.Fatalf("the slow part was made within the client's patience; the test needs it slower")
	}
	p.stop()

	r.clock.Set(slot.Add(2*time.Minute + time.Second)) // the lease ran out
	p = r.start()
	p.sched.RunDue(ctx)
	if time.Since(gaveUp) > slow {
		t.Fatalf("the restart took %v, longer than the slow call; the test proves nothing", time.Since(gaveUp))
	}
	// Wait for the slow call to be handled, then count.
	r.srv.WaitRequests(t, discordtest.RouteCreateMessage, creates+len(briefingPosts(r.srv, slot))+1)
	posts := checkOneSet(t, r, p.db, slot)
	nonces := map[string]int{}
	for _, q := range r.srv.Requests(discordtest.RouteCreateMessage)[creates:] {
		var body struct {
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		if err := json.Unmarshal(q.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Nonce == "" || !body.EnforceNonce {
			t.Errorf("a briefing part went out with nonce %q, enforce_nonce %v; want an enforced nonce", body.Nonce, body.EnforceNonce)
		}
		nonces[body.Nonce]++
	}
	if n := nonces[posts[0].Nonce]; n != 2 {
		t.Errorf("the first part was sent %d times; want 2 (the slow call and the retry)", n)
	}
	checkCleanPosts(t, r.srv)
}
