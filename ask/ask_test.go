package ask

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"briefbot/prompts"
	"briefbot/summarize"
	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

func pt(topic, text, quote string, st summarize.Status, grounded bool) Point {
	return Point{Topic: topic, Point: summarize.Point{Text: text, Quote: quote, Status: st, Grounded: grounded}, Source: 1}
}

var stored = []Point{
	pt("Energy facility attacks", "Russia agreed to pause strikes on energy facilities.", "pause strikes on energy facilities", summarize.StatusAgreed, true),
	pt("Full ceasefire", "Putin declined a full 30-day ceasefire.", "declined a full ceasefire", summarize.StatusUnresolved, true),
	pt("Prisoner exchange", "Both sides will swap 175 prisoners.", "swap 175 prisoners", summarize.StatusAgreed, true),
	pt("Energy facility attacks", "Kyiv says Moscow struck a power plant.", "", summarize.StatusDisputed, false),
}

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []int
	}{
		{"Did Russia agree to stop energy strikes?", []int{0}},
		{"What about the prisoners?", []int{2}},
		{"Who won the football match on Sunday?", nil},
		{"what?", nil},
	} {
		var got []int
		for _, s := range Rank(tc.q, stored) {
			got = append(got, s.Index)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Rank(%q) = %v; want %v (ungrounded points never)", tc.q, got, tc.want)
		}
	}
}

func newModel(t *testing.T, srv *openaitest.Server) *Model {
	t.Helper()
	e, err := llm.New(llm.Options{
		BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), Model: "test-model", Timeout: 5 * time.Second, MaxRetries: -1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	return NewModel(e, nil)
}

func reply(content string) openaitest.Script {
	return func(*openaitest.Request) openaitest.Reply { return openaitest.Reply{Content: content} }
}

func TestModelAnswerCitesOnlyListedPoints(t *testing.T) {
	srv := openaitest.New(t)
	m := newModel(t, srv)
	ctx := context.Background()

	srv.Enqueue(reply(`{"covered":true,"answer":"Yes: Russia agreed to pause energy strikes [p1].","points":["p1"]}`))
	ans, err := m.Answer(ctx, "Did Russia agree to stop energy strikes?", stored[:3])
	if err != nil || !ans.Covered || len(ans.Cited) != 1 || ans.Cited[0] != 0 {
		t.Fatalf("Answer = %+v, %v; want covered, citing point 0", ans, err)
	}
	req := srv.Requests()[0]
	if user := req.LastUser(); !strings.Contains(user, prompts.PointsOpen) || !strings.Contains(user, "p3 · topic: Prisoner exchange") {
		t.Errorf("prompt does not list the points with ids:\n%s", user)
	}

	for _, bad := range []string{
		`{"covered":true,"answer":"Yes [p9].","points":["p9"]}`,       // a point that does not exist
		`{"covered":true,"answer":"Yes [p7].","points":["p1"]}`,       // cited in the text only
		`{"covered":true,"answer":"Yes, it was agreed.","points":[]}`, // covered without a point
	} {
		srv.Enqueue(reply(bad), reply(bad)) // the answer and its repair
		n := srv.Count()
		ans, err := m.Answer(ctx, "Did Russia agree to stop energy strikes?", stored[:3])
		if !errors.Is(err, llm.ErrBadAnswer) {
			t.Errorf("Answer with %s = %+v, %v; want it rejected (ErrBadAnswer)", bad, ans, err)
		}
		if srv.Count()-n != 2 {
			t.Errorf("answer %s: %d calls; want the call and one repair", bad, srv.Count()-n)
		}
	}

	// A repaired answer is taken.
	srv.Enqueue(reply(`{"covered":true,"answer":"Yes [p9].","points":["p9"]}`), reply(`{"covered":true,"answer":"They swap prisoners [p3].","points":["p3"]}`))
	if ans, err := m.Answer(ctx, "prisoners?", stored[:3]); err != nil || len(ans.Cited) != 1 || ans.Cited[0] != 2 {
		t.Errorf("repaired Answer = %+v, %v; want point 2 cited", ans, err)
	}
	srv.Enqueue(reply(`{"covered":false,"answer":"","points":[]}`))
	if ans, err := m.Answer(ctx, "football?", stored[:3]); err != nil || ans.Covered {
		t.Errorf("uncovered Answer = %+v, %v; want not covered", ans, err)
	}
}
