package discordtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtest"
)

// rest makes one REST call to the stand-in as the bot and decodes the
// answer into out (when not nil); it returns the HTTP status.
func rest(t *testing.T, ctx context.Context, srv *discordtest.Server, method, path string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.URL()+"/api/v9"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+discordtest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func post(t *testing.T, srv *discordtest.Server, content string, nonce any, enforce bool) (*discordgo.Message, int) {
	t.Helper()
	body := map[string]any{"content": content, "allowed_mentions": map[string]any{"parse": []string{}}}
	if nonce != nil {
		body["nonce"] = nonce
	}
	if enforce {
		body["enforce_nonce"] = true
	}
	var m discordgo.Message
	status := rest(t, context.Background(), srv, "POST", "/channels/"+discordtest.ChannelID+"/messages", body, &m)
	return &m, status
}

// TestEnforcedNonceMakesOneMessage: like Discord, a nonce sent again by
// the same author with enforce_nonce within the window gets the first
// message back and makes none; without enforce_nonce, after the window
// or with another nonce, a new message is made.
func TestEnforcedNonceMakesOneMessage(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	srv.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	first, status := post(t, srv, "part 1", "b123", true)
	if status != http.StatusOK {
		t.Fatalf("first post: status %d", status)
	}
	again, status := post(t, srv, "part 1 (retried)", "b123", true)
	if status != http.StatusOK || again.ID != first.ID || again.Content != "part 1" {
		t.Errorf("same nonce again = %d %s %q; want the first message %s", status, again.ID, again.Content, first.ID)
	}
	if n := len(srv.Posts(discordtest.KindChannelMessage)); n != 1 {
		t.Errorf("%d messages made; want 1", n)
	}
	if p := srv.Posts(discordtest.KindChannelMessage)[0]; p.Nonce != "b123" {
		t.Errorf("Post.Nonce = %q; want b123", p.Nonce)
	}
	if m, _ := post(t, srv, "not enforced", "b123", false); m.ID == first.ID {
		t.Errorf("a nonce without enforce_nonce returned the first message")
	}
	if m, _ := post(t, srv, "another", "b124", true); m.ID == first.ID {
		t.Errorf("another nonce returned the first message")
	}
	if m, status := post(t, srv, "numeric", 42, true); status != http.StatusOK || m.ID == "" {
		t.Errorf("a numeric nonce: status %d", status)
	}
	mu.Lock()
	now = now.Add(srv.NonceWindow)
	mu.Unlock()
	if m, _ := post(t, srv, "later", "b123", true); m.ID == first.ID {
		t.Errorf("the nonce after its window returned the first message")
	}
	if _, status := post(t, srv, "long", "12345678901234567890123456", true); status != http.StatusBadRequest {
		t.Errorf("a 26-character nonce: status %d; want 400", status)
	}
	if got := len(srv.Posts(discordtest.KindChannelMessage)); got != 5 {
		t.Errorf("%d messages made; want 5", got)
	}
}

// TestMessagesPageByTime: messages are listed newest first; after pages
// forward from a snowflake (the oldest after it), before pages back; the
// snowflakes follow the stand-in's clock.
func TestMessagesPageByTime(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	srv.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var ids []string
	for i := range 30 {
		mu.Lock()
		now = now.Add(time.Minute)
		mu.Unlock()
		m, status := post(t, srv, fmt.Sprint("m", i), nil, false)
		if status != http.StatusOK {
			t.Fatalf("post %d: status %d", i, status)
		}
		ids = append(ids, m.ID)
	}
	list := func(q url.Values) ([]*discordgo.Message, int) {
		var out []*discordgo.Message
		status := rest(t, context.Background(), srv, "GET", "/channels/"+discordtest.ChannelID+"/messages?"+q.Encode(), nil, &out)
		return out, status
	}
	contents := func(ms []*discordgo.Message) string {
		var s []string
		for _, m := range ms {
			s = append(s, m.Content)
		}
		return fmt.Sprint(s)
	}
	// Messages 10 and later were made from 09:11 on.
	since := discordtest.Snowflake(time.Date(2026, 3, 2, 9, 11, 0, 0, time.UTC)) - 1
	got, _ := list(url.Values{"after": {strconv.FormatInt(since, 10)}, "limit": {"3"}})
	if want := "[m12 m11 m10]"; contents(got) != want {
		t.Errorf("after 09:11, limit 3 = %s; want %s (the oldest after it, newest first)", contents(got), want)
	}
	got, _ = list(url.Values{"after": {ids[12]}, "limit": {"2"}})
	if want := "[m14 m13]"; contents(got) != want {
		t.Errorf("after m12 = %s; want %s", contents(got), want)
	}
	got, _ = list(url.Values{"before": {ids[3]}, "limit": {"2"}})
	if want := "[m2 m1]"; contents(got) != want {
		t.Errorf("before m3 = %s; want %s", contents(got), want)
	}
	if _, status := list(url.Values{"before": {ids[3]}, "after": {ids[1]}}); status != http.StatusBadRequest {
		t.Errorf("before and after together: status %d; want 400", status)
	}
}

// TestDelayedCallStillTakesEffect: a call the client gave up on is still
// carried out once its delay passes.
func TestDelayedCallStillTakesEffect(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	srv.DelayNext(discordtest.RouteCreateMessage, 1, 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	body := map[string]any{"content": "slow", "allowed_mentions": map[string]any{"parse": []string{}}}
	if status := rest(t, ctx, srv, "POST", "/channels/"+discordtest.ChannelID+"/messages", body, nil); status != 0 {
		t.Errorf("the client got status %d; want it to give up first", status)
	}
	srv.WaitPosts(t, 1, discordtest.KindChannelMessage)
	if _, status := post(t, srv, "fast", nil, false); status != http.StatusOK {
		t.Errorf("the next call: status %d; want it answered at once", status)
	}
}
