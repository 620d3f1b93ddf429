package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"briefbot/ask"
	"briefbot/summarize"
	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

// askWorld shares an energy article in g1 and a prisoner article in g2.
func askWorld(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	e := newEnv(t, mod)
	ctx := context.Background()
	energy := article(urlA, "Energy pause", "Energy facility attacks", summarize.StatusAgreed)
	energy.Topics[0].Points = []summarize.Point{
		{Text: "Russia agreed to pause strikes on energy facilities for 30 days.", Status: summarize.StatusAgreed, Actors: []string{"Russia"}, Quote: "pause strikes on energy facilities", Grounded: true},
		{Text: "Kyiv said Russian drones hit a power plant overnight.", Status: summarize.StatusDisputed, Quote: "invented quote", Grounded: false},
	}
	e.sum.add(energy)
	e.sum.add(article(urlB, "Prisoner swap", "Prisoner exchange", summarize.StatusAgreed))
	e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: urlA})
	e.h.HandleMessage(ctx, Message{GuildID: "g2", ChannelID: "c2", MessageID: "m2", AuthorID: "u2", Content: urlB})
	return e
}

func askInv(g string) Invoker { return Invoker{ID: "i", GuildID: g, ChannelID: "c", UserID: "u9"} }

func TestAskOfflineCitesOnlyStoredQuotes(t *testing.T) {
	e := askWorld(t, nil)
	ctx := context.Background()

	got := e.h.Ask(ctx, askInv("g1"), "Did Russia agree to stop strikes on energy plants?", "")
	if len(got) != 1 || got[0].Ephemeral {
		t.Fatalf("Ask = %+v; want one public answer", got)
	}
	text := Flatten(got[0])
	for _, want := range []string{"pause strikes on energy facilities", "[1]", "Energy pause"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "invented quote") || strings.Contains(text, "Prisoner") {
		t.Errorf("answer holds an unverified quote or another server's point:\n%s", text)
	}

	// g2 shared one article, about prisoners: the energy question is not
	// covered there, and g1's article never answers it.
	got = e.h.Ask(ctx, askInv("g2"), "Did Russia agree to stop strikes on energy plants?", "")
	if text := Flatten(got[0]); !strings.Contains(text, "Not covered by the 1 source so far") || strings.Contains(text, "energy facilities") {
		t.Errorf("Ask(g2) =\n%s\nwant not covered by g2's 1 source", text)
	}
	got = e.h.Ask(ctx, askInv("g1"), "Who won the football final?", "")
	if text := Flatten(got[0]); !strings.Contains(text, "Not covered by the 1 source so far") {
		t.Errorf("Ask(football) =\n%s\nwant not covered", text)
	}
	// topic narrows the points searched.
	got = e.h.Ask(ctx, askInv("g1"), "Did Russia agree to pause strikes?", "prisoner")
	if text := Flatten(got[0]); !strings.Contains(text, "Not covered") {
		t.Errorf("Ask(topic prisoner) in g1 =\n%s\nwant not covered", text)
	}
	if got := e.h.Ask(ctx, askInv("g1"), "  ", ""); len(got) != 1 || !got[0].Ephemeral {
		t.Errorf("Ask(empty) = %+v; want an ephemeral hint", got)
	}
}

func TestAskWithModel(t *testing.T) {
	srv := openaitest.New(t)
	eng, err := llm.New(llm.Options{
		BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), Model: "test-model", Timeout: 5 * time.Second, MaxRetries: -1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	e := askWorld(t, func(c *Config) { c.Asker = ask.NewModel(eng, nil) })
	ctx := context.Background()
	q := "Did Russia agree to stop strikes on energy plants?"

	srv.Enqueue(func(*openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Content: `{"covered":true,"answer":"Yes, for 30 days [p1].","points":["p1"]}`}
	})
	text := Flatten(e.h.Ask(ctx, askInv("g1"), q, "")[0])
	if !strings.Contains(text, "Yes, for 30 days [1]") || !strings.Contains(text, "pause strikes on energy facilities") {
		t.Errorf("model answer =\n%s\nwant the answer citing [1] and the stored quote", text)
	}
	if user := srv.Requests()[0].LastUser(); strings.Contains(user, "invented quote") || strings.Contains(user, "Prisoner") {
		t.Errorf("the model was shown an unverified or another server's point:\n%s", user)
	}

	// An answer citing a point that does not exist is rejected (after its
	// one repair): the reply is the stored points, never the model's text.
	bad := func(*openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Content: `{"covered":true,"answer":"Yes, and Ukraine agreed too [p4].","points":["p4"]}`}
	}
	srv.Enqueue(bad, bad)
	text = Flatten(e.h.Ask(ctx, askInv("g1"), q, "")[0])
	if strings.Contains(text, "Ukraine agreed too") || !strings.Contains(text, "pause strikes on energy facilities") {
		t.Errorf("answer after a bad citation =\n%s\nwant the stored points only", text)
	}
	if !strings.Contains(e.logs.String(), "ask_model_failed") {
		t.Errorf("no ask_model_failed log line:\n%s", e.logs)
	}

	// No model call when nothing stored matches.
	n := srv.Count()
	text = Flatten(e.h.Ask(ctx, askInv("g2"), q, "")[0])
	if !strings.Contains(text, "Not covered by the 1 source so far") || srv.Count() != n {
		t.Errorf("Ask(g2) =\n%s\nwith %d model calls; want not covered and no call", text, srv.Count()-n)
	}
}
