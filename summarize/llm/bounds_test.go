package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"briefbot/prompts"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

// checkBounded fails t when res breaks a bound of an accepted answer:
// topics, points in all, string lengths, actors.
func checkBounded(t *testing.T, what string, topics []summarize.Topic, maxPoints int) {
	t.Helper()
	if len(topics) == 0 {
		t.Fatalf("%s: no topics", what)
	}
	n := 0
	for _, tp := range topics {
		if utf8.RuneCountInString(tp.Name) > 81 {
			t.Errorf("%s: topic name of %d runes", what, utf8.RuneCountInString(tp.Name))
		}
		for _, p := range tp.Points {
			n++
			if r := utf8.RuneCountInString(p.Text); r > 301 {
				t.Errorf("%s: point text of %d runes", what, r)
			}
			if r := utf8.RuneCountInString(p.Quote); r > 300 {
				t.Errorf("%s: quote of %d runes", what, r)
			}
			if len(p.Actors) > 5 {
				t.Errorf("%s: %d actors", what, len(p.Actors))
			}
			for _, a := range p.Actors {
				if utf8.RuneCountInString(a) > 60 {
					t.Errorf("%s: actor of %d runes", what, utf8.RuneCountInString(a))
				}
			}
		}
	}
	if n > maxPoints {
		t.Errorf("%s: %d points; want at most %d", what, n, maxPoints)
	}
}

// TestBoundsFlood: a model answering 300 topics × 100 grounded points
// (about 10 MB) is not read past maxResponseBytes; the repair answer
// is used. When the model floods again, the engine gives up (the Service
// then falls back).
func TestBoundsFlood(t *testing.T) {
	t.Run("then a good answer", func(t *testing.T) {
		srv := openaitest.New(t)
		srv.Enqueue(openaitest.Flood(300, 100))
		e, _ := newEngine(t, srv, nil)
		res, err := e.Summarize(context.Background(), ceasefireDoc(t))
		if err != nil {
			t.Fatalf("Summarize after a flood: %v", err)
		}
		checkBounded(t, "Summarize", res.Topics, prompts.MaxPoints)
		reqs := srv.Requests()
		if len(reqs) != 2 {
			t.Fatalf("requests = %d; want 2 (the flood, one repair)", len(reqs))
		}
		if got := reqs[1].LastUser(); !strings.Contains(got, "longer than 1048576 bytes") {
			t.Errorf("repair message = %q; want it to say the reply was too long", got)
		}
	})
	t.Run("twice", func(t *testing.T) {
		srv := openaitest.New(t)
		srv.SetDefault(openaitest.Flood(300, 100))
		e, _ := newEngine(t, srv, nil)
		_, err := e.Summarize(context.Background(), ceasefireDoc(t))
		if !errors.Is(err, llm.ErrBadAnswer) {
			t.Fatalf("Summarize with two floods = %v; want ErrBadAnswer", err)
		}
		if srv.Count() != 2 {
			t.Errorf("requests = %d; want 2 (no retry of a flood)", srv.Count())
		}
	})
}

// TestBoundsOverCount: an answer with too many topics and points,
// under the size limit, is sent back once; when the repair breaks the
// bounds again it is cut to them, in order, the main news first.
func TestBoundsOverCount(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(openaitest.Flood(40, 20))
	e, _ := newEngine(t, srv, nil)
	doc := ceasefireDoc(t)
	res, err := e.Summarize(context.Background(), doc)
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	checkBounded(t, "Summarize", res.Topics, prompts.MaxPoints)
	if len(res.Topics) != 1 || res.Topics[0].Name != "Topic 1" || len(res.Topics[0].Points) != prompts.MaxPoints {
		t.Errorf("topics = %q with %d points first; want the first topic's first %d points", topicNames(res), len(res.Topics[0].Points), prompts.MaxPoints)
	}
	if !strings.HasPrefix(doc.Text, res.Topics[0].Points[0].Quote) {
		t.Errorf("first point = %+v; want the answer's first point, the article's first sentence", res.Topics[0].Points[0])
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d; want 2", len(reqs))
	}
	for _, want := range []string{"the reply has 40 topics; give at most 8", "the reply has 800 points in all; give at most 8"} {
		if !strings.Contains(reqs[1].LastUser(), want) {
			t.Errorf("repair message = %q; want it to say %q", reqs[1].LastUser(), want)
		}
	}
}

// TestBoundsHugeStrings: megabyte-scale names, texts, quotes and
// actors are cut to their bounds; a cut quote is still a verbatim prefix,
// so it still grounds.
func TestBoundsHugeStrings(t *testing.T) {
	doc := ceasefireDoc(t)
	huge := strings.Repeat("Kremlin ", 40_000) // 320 KB
	actors := []string{huge}
	for range 50 {
		actors = append(actors, "Putin", "Zelenskyy", "Kremlin", "White House", "Kyiv", "NATO", "United Nations")
	}
	answer := prompts.Answer{Topics: []prompts.AnswerTopic{{
		Name: huge,
		Points: []prompts.AnswerPoint{{
			Text: huge, Status: "reported", Actors: actors,
			// The whole article as the quote: 300 runes of it are kept.
			Quote: doc.Text,
		}},
	}}}
	srv := openaitest.New(t)
	srv.SetDefault(openaitest.JSON(answer))
	e, _ := newEngine(t, srv, nil)
	res, err := e.Summarize(context.Background(), doc)
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	checkBounded(t, "Summarize", res.Topics, 1)
	p := res.Topics[0].Points[0]
	if !strings.HasSuffix(p.Text, "…") || !strings.HasSuffix(res.Topics[0].Name, "…") {
		t.Errorf("cut name %q, text %q; want them to end with …", res.Topics[0].Name, p.Text)
	}
	summarize.Ground(res.Topics, doc.Text)
	if !res.Topics[0].Points[0].Grounded {
		t.Errorf("cut quote %q does not ground", p.Quote)
	}
	if got := strings.Join(p.Actors, ","); got != "Putin,Zelenskyy,Kremlin,White House,Kyiv" {
		t.Errorf("actors = %q; want the first five distinct names", got)
	}
	// The first answer named too many actors and one too long: one repair.
	if reqs := srv.Requests(); len(reqs) != 2 || !strings.Contains(reqs[1].LastUser(), "is too long for a name") {
		t.Errorf("requests = %d; want 2, the repair naming the long actor", len(reqs))
	}
}

// TestContractRepairs: each breach of the answer contract is sent back
// once, naming it; the repaired answer (a good one here) is used.
func TestContractRepairs(t *testing.T) {
	point := func(text, status, quote string, actors ...string) prompts.AnswerPoint {
		return prompts.AnswerPoint{Text: text, Status: status, Actors: append([]string{}, actors...), Quote: quote}
	}
	lead := point("Putin declined a full ceasefire.", "reported", "Putin declined to endorse the full 30-day ceasefire", "Putin")
	answer := func(points ...prompts.AnswerPoint) openaitest.Script {
		return openaitest.JSON(prompts.Answer{Topics: []prompts.AnswerTopic{{Name: "Ceasefire", Points: points}}})
	}
	tests := []struct {
		name    string
		first   openaitest.Script
		problem string
	}{
		{"month as actor", answer(lead, point("Talks go on.", "unresolved", "Further talks would take place", "Dec")),
			`topics[0].points[1].actors: "Dec" is a date`},
		{"weekday and date", answer(point("Putin declined a full ceasefire.", "reported", "Putin declined to endorse the full 30-day ceasefire", "Tuesday, March 18")),
			`"Tuesday, March 18" is a date`},
		{"byline", answer(lead, point("Trump hinted at concessions.", "reported", "Trump had hinted at Ukraine giving up territory", "Jane Doe, CGTN correspondent")),
			"is a byline"},
		{"common noun", answer(lead, point("Experts doubt it.", "reported", "Experts said Putin avoided making significant concessions", "experts")),
			`"experts" is not a name`},
		{"lead not in the article", answer(point("Putin signed a treaty.", "agreed", openaitest.InventedQuoteText, "Putin")),
			"topics[0].points[0] must be the article's main news"},
		{"lead from the back, off the headline", answer(point("Aid did not come up.", "reported", "aid to Ukraine did not come up in the conversation", "Ukraine"), lead),
			"topics[0].points[0] must be the article's main news"},
		{"nine points", answer(lead, point("a", "reported", "Trump"), point("b", "reported", "Trump"), point("c", "reported", "Trump"), point("d", "reported", "Trump"),
			point("e", "reported", "Trump"), point("f", "reported", "Trump"), point("g", "reported", "Trump"), point("h", "reported", "Trump")),
			"the reply has 9 points in all; give at most 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Enqueue(tt.first)
			e, _ := newEngine(t, srv, nil)
			res, err := e.Summarize(context.Background(), ceasefireDoc(t))
			if err != nil {
				t.Fatalf("Summarize: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("requests = %d; want 2 (one answer, one repair)", len(reqs))
			}
			if got := reqs[1].LastUser(); !strings.Contains(got, tt.problem) {
				t.Errorf("repair message = %q; want it to name %q", got, tt.problem)
			}
			checkBounded(t, "Summarize", res.Topics, prompts.MaxPoints)
		})
	}
}

// TestContractKept: answers within the contract cost one call: named
// actors of several scripts, a lead from the opening, reported facts.
func TestContractKept(t *testing.T) {
	answer := prompts.Answer{Topics: []prompts.AnswerTopic{
		{Name: "Ceasefire", Points: []prompts.AnswerPoint{
			{Text: "Putin declined a full ceasefire.", Status: "reported", Actors: []string{"Putin", "Kremlin", "U.S.", "G7", "eBay", "Путин", "普京"}[:5],
				Quote: "Putin declined to endorse the full 30-day ceasefire"},
		}},
		{Name: "Energy", Points: []prompts.AnswerPoint{
			{Text: "Strikes on energy sites paused.", Status: "agreed", Actors: []string{"Theresa May", "May", "Путин", "普京"},
				Quote: "Putin agreed to stop attacking Ukrainian energy facilities temporarily"},
		}},
	}}
	srv := openaitest.New(t)
	srv.Enqueue(openaitest.JSON(answer))
	e, _ := newEngine(t, srv, nil)
	res, err := e.Summarize(context.Background(), ceasefireDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	if srv.Count() != 1 {
		t.Errorf("requests = %d; want 1: %s", srv.Count(), srv.Requests()[len(srv.Requests())-1].LastUser())
	}
	if res.Topics[0].Points[0].Status != summarize.StatusReported {
		t.Errorf("first point status = %q; want reported", res.Topics[0].Points[0].Status)
	}
	if got := strings.Join(res.Topics[1].Points[0].Actors, ","); got != "Theresa May,May,Путин,普京" {
		t.Errorf("actors = %q; want all four kept", got)
	}
}

// TestBoundsLongArticle: a long article's parts each bring their
// points; past maxStoredPoints in all each part keeps its first ones,
// so the tail is still there.
func TestBoundsLongArticle(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(openaitest.Instant)
	e, _ := newEngine(t, srv, func(o *llm.Options) { o.ChunkTokens = 500 })
	res, err := e.Summarize(context.Background(), longDoc(40))
	if err != nil {
		t.Fatal(err)
	}
	parts := srv.Count()
	if parts < 8 {
		t.Fatalf("parts = %d; want enough that 8 points each pass 48", parts)
	}
	checkBounded(t, "Summarize", res.Topics, 48)
	n := 0
	for _, tp := range res.Topics {
		n += len(tp.Points)
	}
	if n != 48 {
		t.Errorf("points = %d; want 48, the bound (every part had more to give)", n)
	}
	if last := res.Topics[len(res.Topics)-1]; last.Name != "Final section" {
		t.Errorf("last topic = %q; want %q (the tail kept)", last.Name, "Final section")
	}
}

// TestServiceStoresBoundedModelAnswer: through the Service, with the model
// flooding every answer, the stored row stays small.
func TestServiceStoresBoundedModelAnswer(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "testdata", "service", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(site.Close)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, flood := range []struct {
		name           string
		topics, points int
		engine         string
	}{
		{"cut to the bounds", 60, 20, "llm"},
		{"over the size limit: the offline fallback", 300, 100, "extractive"},
	} {
		t.Run(flood.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.SetDefault(openaitest.Flood(flood.topics, flood.points))
			e, _ := newEngine(t, srv, nil)
			svc, err := summarize.NewService(summarize.ServiceOptions{
				Store: db, Fetcher: fetch.New(fetch.Options{AllowPrivate: true}), Extractor: extract.New(),
				Engine: e, Fallback: extractive.New(),
			})
			if err != nil {
				t.Fatal(err)
			}
			s, err := svc.Summarize(context.Background(), summarize.Request{URL: site.URL + "/news/" + flood.engine, Fresh: true})
			if err != nil {
				t.Fatal(err)
			}
			if s.Engine != flood.engine {
				t.Errorf("engine = %q; want %q", s.Engine, flood.engine)
			}
			stored, ok, err := db.Summary(context.Background(), s.Key())
			if err != nil || !ok {
				t.Fatalf("stored summary: %v, %v", ok, err)
			}
			checkBounded(t, "stored", stored.Topics, 48)
			row, _ := json.Marshal(stored)
			if len(row) > 32<<10 {
				t.Errorf("stored row = %d bytes; want at most 32 KiB", len(row))
			}
			t.Logf("%d×%d flood: engine %s, %d topics, row %d bytes, %d model calls", flood.topics, flood.points, s.Engine, len(stored.Topics), len(row), srv.Count())
		})
	}
}
