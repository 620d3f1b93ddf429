package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/schedule"
	"briefbot/summarize"
)

// recordingPoster is a channel that keeps what is posted in it.
type recordingPoster struct {
	mu    sync.Mutex
	posts []schedule.PostedMessage
	chans []string
}

func (p *recordingPoster) PostMessages(_ context.Context, channelID string, msgs []schedule.Outgoing) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for _, m := range msgs {
		id := fmt.Sprint("m", len(p.posts)+1)
		p.posts = append(p.posts, schedule.PostedMessage{ID: id, Content: m.Content, FromSelf: true})
		p.chans = append(p.chans, channelID)
		ids = append(ids, id)
	}
	return ids, nil
}

func (p *recordingPoster) MessagesAfter(_ context.Context, channelID string, _ time.Time, _ string, _ int) ([]schedule.PostedMessage, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []schedule.PostedMessage
	for i, m := range p.posts {
		if p.chans[i] == channelID {
			out = append(out, m)
		}
	}
	return out, nil
}

func (p *recordingPoster) CanPost(context.Context, string) error { return nil }

func (p *recordingPoster) all() ([]string, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var texts []string
	for _, m := range p.posts {
		texts = append(texts, m.Content)
	}
	return texts, append([]string(nil), p.chans...)
}

// failFinishOnce loses the record of the first posted alert, as a crash
// between posting and recording would.
type failFinishOnce struct {
	WatchStore
	failed bool
}

func (f *failFinishOnce) FinishWatchAlert(ctx context.Context, guildID string, watchID int64, key, messageID string, now time.Time) error {
	if !f.failed {
		f.failed = true
		return errors.New("crashed before recording")
	}
	return f.WatchStore.FinishWatchAlert(ctx, guildID, watchID, key, messageID, now)
}

func TestWatchAlertsOnceAcrossRestartsNeverForReshare(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	disputed := article(urlB, "Energy pause frays", "Energy facility attacks", summarize.StatusDisputed)
	disputed.Topics[0].Points[0].Quote = "each side says the other broke it"
	disputed.Topics[0].Points[0].Actors = []string{"Russia", "Ukraine"}
	agreed := article(urlA, "Energy pause agreed", "Energy facility attacks", summarize.StatusAgreed)
	agreed.Topics[0].Points[0].Quote = "agreed to pause strikes on energy"
	agreed.Topics[0].Points[0].Actors = []string{"Russia", "Ukraine"}
	e.sum.add(agreed)
	e.sum.add(disputed)
	share := func(guild, msg, url string) {
		e.clock.Advance(time.Hour)
		e.h.HandleMessage(ctx, Message{GuildID: guild, ChannelID: "c-" + guild, MessageID: msg, AuthorID: "u1", Content: url})
	}
	share("g1", "m1", urlA)
	share("g2", "m2", urlA)

	for _, g := range []string{"g1", "g2"} {
		got := e.h.Watch(ctx, Invoker{ID: "i", GuildID: g, ChannelID: "c-" + g, UserID: "u1"}, WatchCommand{Action: WatchAdd, Topic: "energy"})
		if !strings.Contains(got[0].Content, "now agreed") {
			t.Fatalf("/watch add in %s = %q; want the baseline status", g, got[0].Content)
		}
	}
	poster := &recordingPoster{}
	crashy := &failFinishOnce{WatchStore: e.db}
	newWatcher := func(s WatchStore) *Watcher {
		w, err := NewWatcher(WatcherOptions{Shares: e.db, Store: s, Poster: poster, Now: e.clock.Now, Lease: time.Minute, Logger: e.h.log})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := newWatcher(crashy)
	if n, err := w.CheckAll(ctx); n != 0 || err != nil {
		t.Fatalf("CheckAll with no change = %d, %v; want 0", n, err)
	}

	share("g1", "m3", urlB) // g1 only: agreed → disputed
	if n, _ := w.CheckAll(ctx); n != 0 {
		// The post went out, its record was lost: not counted as done.
		t.Logf("first CheckAll posted %d", n)
	}
	texts, chans := poster.all()
	if len(texts) != 1 || chans[0] != "c-g1" {
		t.Fatalf("alerts = %q in %q; want one in g1's channel", texts, chans)
	}
	for _, want := range []string{"Energy facility attacks", "agreed → ", "disputed", "agreed to pause strikes on energy", "each side says the other broke it", urlB} {
		if !strings.Contains(texts[0], want) {
			t.Errorf("alert lacks %q:\n%s", want, texts[0])
		}
	}

	// A restart (a new Watcher, another owner) within the lease and after
	// it: the change is found posted, never posted again.
	w = newWatcher(e.db)
	w.CheckAll(ctx)
	e.clock.Advance(2 * time.Minute)
	w.CheckAll(ctx)
	w = newWatcher(e.db)
	w.CheckAll(ctx)
	if texts, _ := poster.all(); len(texts) != 1 {
		t.Fatalf("after restarts: %d alerts; want still 1:\n%s", len(texts), strings.Join(texts, "\n---\n"))
	}
	// Re-sharing either article changes no status: no alert.
	share("g1", "m4", urlB)
	share("g1", "m5", urlA)
	share("g2", "m6", urlA)
	w.CheckAll(ctx)
	if texts, _ := poster.all(); len(texts) != 1 {
		t.Errorf("after re-shares: %d alerts; want still 1:\n%s", len(texts), strings.Join(texts, "\n---\n"))
	}
	watches, _ := e.db.Watches(ctx, "")
	for _, wt := range watches {
		want := map[string]string{"g1": "disputed", "g2": "agreed"}[wt.GuildID]
		if wt.Status != want {
			t.Errorf("watch of %s last saw %q; want %q", wt.GuildID, wt.Status, want)
		}
	}

	// list and remove stay in their server.
	inv2 := Invoker{ID: "i", GuildID: "g2", ChannelID: "c-g2", UserID: "u1"}
	if got := e.h.Watch(ctx, inv2, WatchCommand{Action: WatchList}); !strings.Contains(got[0].Content, "1. “energy”") || strings.Contains(got[0].Content, "2.") {
		t.Errorf("/watch list in g2 = %q; want its one watch", got[0].Content)
	}
	if got := e.h.Watch(ctx, inv2, WatchCommand{Action: WatchRemove, Topic: "1"}); !strings.Contains(got[0].Content, "Stopped watching") {
		t.Errorf("/watch remove 1 = %q", got[0].Content)
	}
	if left, _ := e.db.Watches(ctx, ""); len(left) != 1 || left[0].GuildID != "g1" {
		t.Errorf("watches left = %+v; want g1's only", left)
	}
}

var _ schedule.Poster = (*recordingPoster)(nil)
