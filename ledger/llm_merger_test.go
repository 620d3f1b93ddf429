package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"briefbot/prompts"
	"briefbot/summarize"
	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

// newMerger builds an LLMMerger on the stand-in, logging JSON into the
// returned buffer (the handler serialises writes).
func newMerger(t *testing.T, srv *openaitest.Server, retries int) (*LLMMerger, *bytes.Buffer) {
	t.Helper()
	e, err := llm.New(llm.Options{
		BaseURL:    srv.BaseURL(),
		HTTPClient: srv.Client(),
		Model:      "test-model",
		Timeout:    5 * time.Second,
		MaxRetries: retries,
		Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatalf("llm.New: %v", err)
	}
	var buf bytes.Buffer
	return NewLLMMerger(e, slog.New(slog.NewJSONHandler(&buf, nil))), &buf
}

// listedRE matches a topic line of the briefing prompt.
var listedRE = regexp.MustCompile(`(?m)^(t\d+) \(article (\d+)\): (.*)$`)

// listed returns the topics a request lists, id → name, in order.
func listed(req *openaitest.Request) (ids, names []string) {
	for _, m := range req.Messages {
		if m.Role != "user" || !strings.Contains(m.Content, prompts.TopicsOpen) {
			continue
		}
		for _, sm := range listedRE.FindAllStringSubmatch(m.Content, -1) {
			ids = append(ids, sm[1])
			names = append(names, sm[3])
		}
	}
	return ids, names
}

// groupBy answers like a model that knows which names are one subject:
// every listed topic whose name contains one of a rule's words joins the
// group named after the rule. Groups of one topic are left out.
func groupBy(rules []rule) openaitest.Script {
	return func(req *openaitest.Request) openaitest.Reply {
		ids, names := listed(req)
		ans := prompts.BriefingAnswer{Groups: []prompts.BriefingGroup{}, Stories: []prompts.BriefingStory{}}
		used := map[string]bool{}
		for _, r := range rules {
			g := prompts.BriefingGroup{Name: r.name, Topics: []string{}}
			for i, n := range names {
				for _, w := range r.words {
					if !used[ids[i]] && strings.Contains(strings.ToLower(n), w) {
						g.Topics = append(g.Topics, ids[i])
						used[ids[i]] = true
					}
				}
			}
			if len(g.Topics) > 1 {
				ans.Groups = append(ans.Groups, g)
			}
		}
		b, _ := json.Marshal(ans)
		return openaitest.Reply{Content: string(b)}
	}
}

type rule struct {
	name  string
	words []string
}

var storyRules = []rule{
	{"Ceasefire", []string{"ceasefire", "truce"}},
	{"Minerals deal", []string{"minerals", "rare earths"}},
}

// storyShares are three articles about one negotiation whose topics name
// the same subjects differently, two of them ("Minerals deal", "Rare
// earths agreement") beyond what the keyword merge can see.
func storyShares() []SharedSummary {
	mk := func(url string, topics ...summarize.Topic) SharedSummary {
		return SharedSummary{Summary: &summarize.Summary{URL: url, Title: url, Topics: topics}}
	}
	tp := func(name string, points ...string) summarize.Topic {
		t := summarize.Topic{Name: name}
		for _, p := range points {
			st := summarize.StatusUnresolved
			if strings.Contains(p, "signed") || strings.Contains(p, "agreed") {
				st = summarize.StatusAgreed
			}
			t.Points = append(t.Points, summarize.Point{Text: p, Status: st, Grounded: true})
		}
		return t
	}
	return []SharedSummary{
		mk("https://a.example/1",
			tp("Full temporary ceasefire", "Putin declined to endorse the full 30-day ceasefire."),
			tp("Energy facility attacks", "Putin agreed to stop attacking energy facilities."),
			tp("Minerals deal", "Kyiv and Washington signed the framework of a minerals deal.")),
		mk("https://b.example/2",
			tp("Truce", "A truce along the whole front remains under discussion."),
			tp("Rare earths agreement", "The rare earths agreement still needs ratification in Kyiv.")),
		mk("https://c.example/3",
			tp("30-day ceasefire", "No date has been set for a 30-day ceasefire."),
			tp("Aid", "Aid to Ukraine did not come up.")),
	}
}

// inputTexts are the point texts of shares: everything a ledger may say.
func inputTexts(shares []SharedSummary) map[string]bool {
	out := map[string]bool{}
	for _, sh := range shares {
		for _, t := range sh.Summary.Topics {
			for _, p := range t.Points {
				out[p.Text] = true
			}
		}
	}
	return out
}

// checkBacked fails when a ledger point is not a point of the shares.
func checkBacked(t *testing.T, led *Ledger, shares []SharedSummary) {
	t.Helper()
	have := inputTexts(shares)
	for _, tp := range led.Current() {
		for _, p := range tp.Points {
			for _, s := range p.Sides {
				if !have[s.Text] {
					t.Errorf("ledger point %q (topic %q) is in no article's ledger", s.Text, tp.Name)
				}
				if len(s.Sources) == 0 {
					t.Errorf("ledger point %q (topic %q) has no source", s.Text, tp.Name)
				}
			}
		}
	}
}

func composeWith(t *testing.T, shares []SharedSummary, m Merger) *Ledger {
	t.Helper()
	slot := time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC)
	led, err := compose(context.Background(), composeInput{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour), Merger: m})
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	return led
}

// TestLLMMergerGoodAnswer: the model's groups become the briefing's
// topics, including a merge the keywords cannot see, in one call.
func TestLLMMergerGoodAnswer(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(groupBy(storyRules))
	m, _ := newMerger(t, srv, 0)
	shares := storyShares()

	keyword := composeWith(t, shares, nil)
	if topicByName(keyword, "Minerals deal") == nil || len(topicByName(keyword, "Minerals deal").Aliases) != 1 {
		t.Fatalf("keyword topics %v: the test needs a merge the keywords miss", names(keyword))
	}

	led := composeWith(t, shares, m)
	if n := srv.Count(); n != 1 {
		t.Errorf("requests = %d; want exactly 1 for a normal briefing", n)
	}
	tests := []struct {
		name     string
		articles int
		status   summarize.Status
	}{
		{"Ceasefire", 3, summarize.StatusUnresolved},
		// Signed, and its ratification still open, at the same time:
		// as many open reports as agreed ones leave it open (status.go).
		{"Minerals deal", 2, summarize.StatusUnresolved},
		{"Energy facility attacks", 1, summarize.StatusAgreed},
		{"Aid", 1, summarize.StatusUnresolved},
	}
	for _, tt := range tests {
		tp := topicByName(led, tt.name)
		if tp == nil {
			t.Errorf("topic %q missing from %v", tt.name, names(led))
			continue
		}
		if tp.Articles != tt.articles || tp.Status != tt.status {
			t.Errorf("topic %q: %d articles, %s; want %d, %s", tt.name, tp.Articles, tp.Status, tt.articles, tt.status)
		}
	}
	if len(led.Current()) != len(tests) || len(led.Notes) != 0 {
		t.Errorf("topics %v, notes %q; want %d topics and no notes", names(led), led.Notes, len(tests))
	}
	checkBacked(t, led, shares)

	req := srv.Requests()[0]
	if req.Format() != "json_schema" || !strings.Contains(string(req.Body), `"name":"briefing"`) {
		t.Errorf("request %s; want response_format json_schema named briefing", req)
	}
	_, listedNames := listed(req)
	if len(listedNames) != 7 {
		t.Errorf("listed topics %q; want all 7", listedNames)
	}
}

// TestLLMMergerAnswers: what the model answers is mapped back without
// letting anything invented through.
func TestLLMMergerAnswers(t *testing.T) {
	// Listing order follows the keyword groups: t1 "Full temporary
	// ceasefire", t2 "Truce", t3 "30-day ceasefire", t4 "Energy facility
	// attacks", t5 "Minerals deal", t6 "Rare earths agreement", t7 "Aid".
	tests := []struct {
		name    string
		answers []openaitest.Script
		// want is the groups by topic name, sorted as Merge returns them.
		want    string
		dropped []string // ids logged as dropped
		calls   int
	}{
		{
			name: "invented ids",
			answers: []openaitest.Script{openaitest.Answer(`{"groups":[` +
				`{"name":"Ceasefire","topics":["t1","t2","t99","t3"]},` +
				`{"name":"Nuclear deal signed","topics":["t42","t0"]},` +
				`{"name":"Minerals deal","topics":["t5","t6","t5"]}],"stories":[]}`)},
			want:    `[Ceasefire: Full temporary ceasefire, Truce, 30-day ceasefire] [Energy facility attacks: Energy facility attacks] [Minerals deal: Minerals deal, Rare earths agreement] [Aid: Aid]`,
			dropped: []string{"t99", "t42", "t0", "t5"},
			calls:   1,
		},
		{
			name: "empty name and repeated id across groups",
			answers: []openaitest.Script{openaitest.Answer(`{"groups":[` +
				`{"name":"  ","topics":["t3","t2"]},` +
				`{"name":"Ceasefire","topics":["t1","t2"]}],"stories":[]}`)},
			want:    `[Ceasefire: Full temporary ceasefire] [Energy facility attacks: Energy facility attacks] [Minerals deal: Minerals deal] [Truce: Truce, 30-day ceasefire] [Rare earths agreement: Rare earths agreement] [Aid: Aid]`,
			dropped: []string{"t2"},
			calls:   1,
		},
		{
			name:    "malformed then repaired",
			answers: []openaitest.Script{openaitest.Malformed(), groupBy(storyRules)},
			want:    `[Ceasefire: Full temporary ceasefire, Truce, 30-day ceasefire] [Energy facility attacks: Energy facility attacks] [Minerals deal: Minerals deal, Rare earths agreement] [Aid: Aid]`,
			calls:   2,
		},
		{
			name: "article numbers instead of ids, repaired",
			answers: []openaitest.Script{
				openaitest.Answer(`{"groups":[{"name":"Ceasefire","topics":["1","2","3"]}],"stories":[]}`),
				groupBy(storyRules),
			},
			want:  `[Ceasefire: Full temporary ceasefire, Truce, 30-day ceasefire] [Energy facility attacks: Energy facility attacks] [Minerals deal: Minerals deal, Rare earths agreement] [Aid: Aid]`,
			calls: 2,
		},
		{
			name:    "nothing to merge",
			answers: []openaitest.Script{openaitest.Answer(`{"groups":[],"stories":[]}`)},
			want:    `[Full temporary ceasefire: Full temporary ceasefire] [Energy facility attacks: Energy facility attacks] [Minerals deal: Minerals deal] [Truce: Truce] [Rare earths agreement: Rare earths agreement] [30-day ceasefire: 30-day ceasefire] [Aid: Aid]`,
			calls:   1,
		},
	}
	shares := storyShares()
	_, items, _ := collect(shares, false, nil)
	topics := make([]MergeTopic, len(items))
	for i, it := range items {
		topics[i] = MergeTopic{Name: it.name, Source: it.src}
		for _, p := range it.points {
			topics[i].Points = append(topics[i].Points, p.Text)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Enqueue(tt.answers...)
			m, logs := newMerger(t, srv, 0)
			groups, err := m.Merge(context.Background(), topics)
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			if got := describe(topics, groups); got != tt.want {
				t.Errorf("Merge() = %s; want %s", got, tt.want)
			}
			checkPartition(t, topics, groups)
			if srv.Count() != tt.calls {
				t.Errorf("requests = %d; want %d", srv.Count(), tt.calls)
			}
			if got := droppedIDs(t, logs); fmt.Sprint(got) != fmt.Sprint(tt.dropped) {
				t.Errorf("dropped ids logged = %q; want %q", got, tt.dropped)
			}
			if tt.calls == 2 {
				msgs := srv.Requests()[1].Messages
				if len(msgs) != 4 || msgs[2].Role != "assistant" || !strings.HasPrefix(msgs[3].Content, "Your reply could not be used: ") {
					t.Errorf("second request messages = %+v; want the repair of the first answer", msgs)
				}
			}

			// Through the briefing: every ledger point is a point of an
			// article, no invented name survives.
			srv.Enqueue(tt.answers...)
			led := composeWith(t, shares, m)
			checkBacked(t, led, shares)
			if topicByName(led, "Nuclear deal signed") != nil {
				t.Errorf("ledger topics %v include an invented group", names(led))
			}
			if g, w := countPoints(led), len(inputTexts(shares)); g != w {
				t.Errorf("ledger points = %d; want %d", g, w)
			}
		})
	}
}

// describe renders groups as "[name: member names]".
func describe(topics []MergeTopic, groups []TopicGroup) string {
	var parts []string
	for _, g := range groups {
		var ns []string
		for _, m := range g.Members {
			ns = append(ns, topics[m].Name)
		}
		parts = append(parts, fmt.Sprintf("[%s: %s]", g.Name, strings.Join(ns, ", ")))
	}
	return strings.Join(parts, " ")
}

// checkPartition fails unless every topic is in exactly one group, and
// every group has a name and members.
func checkPartition(t *testing.T, topics []MergeTopic, groups []TopicGroup) {
	t.Helper()
	seen := make([]int, len(topics))
	for _, g := range groups {
		if strings.TrimSpace(g.Name) == "" || len(g.Members) == 0 {
			t.Errorf("group %+v: want a name and members", g)
		}
		for _, m := range g.Members {
			if m < 0 || m >= len(topics) {
				t.Errorf("group %q: member %d out of range", g.Name, m)
				continue
			}
			seen[m]++
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("topic %d %q is in %d groups; want 1", i, topics[i].Name, n)
		}
	}
}

// droppedIDs reads the ids of briefing_merge_ids_dropped log lines.
func droppedIDs(t *testing.T, logs *bytes.Buffer) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var rec struct {
			Msg string   `json:"msg"`
			IDs []string `json:"ids"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "briefing_merge_ids_dropped" {
			out = append(out, rec.IDs...)
		}
	}
	return out
}

// floodAnswer is a merge answer far past what was asked: n groups, each
// with a name of nameRunes characters and every listed id, plus invented
// ones.
func floodAnswer(n, nameRunes int) openaitest.Script {
	return func(req *openaitest.Request) openaitest.Reply {
		ids, _ := listed(req)
		ans := prompts.BriefingAnswer{Groups: make([]prompts.BriefingGroup, n), Stories: []prompts.BriefingStory{}}
		for i := range ans.Groups {
			topics := append(slices.Clone(ids), fmt.Sprintf("t%d", 1000+i), strings.Repeat("x", 50))
			ans.Groups[i] = prompts.BriefingGroup{Name: strings.Repeat("Ceasefire talks ", nameRunes/16+1)[:nameRunes], Topics: topics}
		}
		b, _ := json.Marshal(ans)
		return openaitest.Reply{Content: string(b)}
	}
}

// TestLLMMergerBoundedAnswer: a merge answer of thousands of groups with
// long names and invented ids gives at most one group per topic, names
// cut to mergeMaxNameRunes and a bounded log; an answer over the engine's
// 1 MiB is not read, and twice over it the briefing merges by keywords.
func TestLLMMergerBoundedAnswer(t *testing.T) {
	shares := storyShares()
	_, items, _ := collect(shares, false, nil)
	topics := make([]MergeTopic, len(items))
	for i, it := range items {
		topics[i] = MergeTopic{Name: it.name, Source: it.src}
	}

	srv := openaitest.New(t)
	srv.Enqueue(floodAnswer(150, 10_000)) // about 1.5 MB: not read
	srv.Enqueue(floodAnswer(2000, 150))   // about 500 KB: read, bounded
	m, logs := newMerger(t, srv, 0)
	groups, err := m.Merge(context.Background(), topics)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	checkPartition(t, topics, groups)
	if len(groups) != 1 || len(groups[0].Members) != len(topics) {
		t.Errorf("Merge() = %s; want one group of every topic (the first group takes all)", describe(topics, groups))
	}
	for _, g := range groups {
		if n := utf8.RuneCountInString(g.Name); n > mergeMaxNameRunes+1 || !strings.HasSuffix(g.Name, "…") {
			t.Errorf("group name of %d runes %q; want at most %d, cut with …", n, g.Name, mergeMaxNameRunes)
		}
	}
	if srv.Count() != 2 || !strings.Contains(srv.Requests()[1].LastUser(), "longer than 1048576 bytes") {
		t.Errorf("requests = %d; want 2, the second a repair saying the reply was too long", srv.Count())
	}
	if got := droppedIDs(t, logs); len(got) != maxLoggedIDs {
		t.Errorf("dropped ids logged = %d; want %d", len(got), maxLoggedIDs)
	}
	if len(logs.String()) > 16<<10 {
		t.Errorf("log = %d bytes; want a bounded log", logs.Len())
	}

	srv.SetDefault(floodAnswer(150, 10_000))
	if _, err := m.Merge(context.Background(), topics); !errors.Is(err, llm.ErrBadAnswer) {
		t.Errorf("Merge with two answers over 1 MiB = %v; want llm.ErrBadAnswer (the briefing merges by keywords)", err)
	}
}

// TestLLMMergerFailingServer: a model that keeps failing is an error, and
// the briefing falls back to the keyword merge and says so.
func TestLLMMergerFailingServer(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(openaitest.ServerError())
	m, _ := newMerger(t, srv, 2)
	shares := storyShares()

	_, err := m.Merge(context.Background(), []MergeTopic{{Name: "Truce"}, {Name: "Ceasefire", Source: 1}})
	if !errors.Is(err, llm.ErrUnavailable) || !strings.HasPrefix(err.Error(), "ledger: llm merge: ") {
		t.Fatalf("Merge on a failing server = %v; want a ledger: error wrapping llm.ErrUnavailable", err)
	}
	if n := srv.Count(); n != 3 {
		t.Errorf("requests = %d; want 3 (one attempt and two retries)", n)
	}

	led := composeWith(t, shares, m)
	keyword := composeWith(t, shares, nil)
	if g, w := fmt.Sprint(names(led)), fmt.Sprint(names(keyword)); g != w {
		t.Errorf("topics = %s; want the keyword merge %s", g, w)
	}
	if !slices.Contains(led.Notes, "Topics were merged by keywords: the model was unavailable.") {
		t.Errorf("notes = %q; want the fallback noted", led.Notes)
	}
	checkBacked(t, led, shares)
}

// TestLLMMergerNoCallForOneTopic: a single topic needs no model, and no
// model configured is the keyword merge.
func TestLLMMergerNoCallForOneTopic(t *testing.T) {
	srv := openaitest.New(t)
	m, _ := newMerger(t, srv, 0)
	groups, err := m.Merge(context.Background(), []MergeTopic{{Name: "Aid", Points: []string{"Aid did not come up."}}})
	if err != nil || describe([]MergeTopic{{Name: "Aid"}}, groups) != "[Aid: Aid]" || srv.Count() != 0 {
		t.Errorf("Merge(one topic) = %+v, %v with %d requests; want [Aid: Aid] without a call", groups, err, srv.Count())
	}
	if groups, err := m.Merge(context.Background(), nil); groups != nil || err != nil {
		t.Errorf("Merge(nil) = %+v, %v; want nil, nil", groups, err)
	}
	// Without a model configured it is the keyword merge.
	topics := []MergeTopic{{Name: "Truce"}, {Name: "Aid", Source: 1}, {Name: "30-day ceasefire", Source: 2}}
	groups, err = NewLLMMerger(nil, nil).Merge(context.Background(), topics)
	want, _ := KeywordMerger{}.Merge(context.Background(), topics)
	if err != nil || fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Errorf("NewLLMMerger(nil).Merge() = %v, %v; want the keyword groups %v", groups, err, want)
	}
}

// bigDay is n articles, each with a ceasefire topic under one of several
// names, a minerals topic under one of two names and a subject of its
// own.
func bigDay(n int) []MergeTopic {
	ceasefire := []string{"Ceasefire", "Truce", "30-day ceasefire", "Full temporary ceasefire"}
	minerals := []string{"Minerals deal", "Rare earths agreement"}
	var topics []MergeTopic
	for a := range n {
		topics = append(topics,
			MergeTopic{Name: ceasefire[a%len(ceasefire)], Source: a, Points: []string{
				fmt.Sprintf("Article %d says the parties have not agreed on a full ceasefire along the front line and talks continue.", a)}},
			MergeTopic{Name: minerals[a%len(minerals)], Source: a, Points: []string{
				fmt.Sprintf("Article %d says the agreement on mineral resources still needs ratification by parliament in Kyiv.", a)}},
			// Distinct words: names differing only in digits have one key.
			MergeTopic{Name: fmt.Sprintf("Local matter %c%c", 'a'+a/26, 'a'+a%26), Source: a, Points: []string{
				fmt.Sprintf("Something only article %d reports.", a)}},
		)
	}
	return topics
}

// TestLLMMergerChunks: a day over the budget is asked about in several
// calls, each within the budget; every topic ends in exactly one group,
// and groups of one subject found in different calls are joined by name.
func TestLLMMergerChunks(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(groupBy(storyRules))
	m, logs := newMerger(t, srv, 0)
	m.ChunkTokens = 400
	topics := bigDay(20)

	groups, err := m.Merge(context.Background(), topics)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	checkPartition(t, topics, groups)
	reqs := srv.Requests()
	if len(reqs) < 3 {
		t.Fatalf("requests = %d; want several for %d topics over a 400-token budget", len(reqs), len(topics))
	}
	listedCount := 0
	parts := map[string]bool{}
	for i, r := range reqs {
		ids, _ := listed(r)
		listedCount += len(ids)
		var user string
		for _, msg := range r.Messages {
			if msg.Role == "user" {
				user = msg.Content
			}
		}
		body := user[strings.Index(user, prompts.TopicsOpen)+len(prompts.TopicsOpen) : strings.Index(user, prompts.TopicsClose)]
		if n := llm.EstimateTokens(body); n > m.ChunkTokens+10 {
			t.Errorf("request %d lists %d tokens of topics; want ≤ %d", i, n, m.ChunkTokens)
		}
		sm := partRE.FindStringSubmatch(user)
		if sm == nil {
			t.Errorf("request %d does not say which part it is: %q", i, user[:80])
			continue
		}
		parts[sm[1]+"/"+sm[2]] = true
	}
	if len(parts) != len(reqs) {
		t.Errorf("parts named %v; want %d distinct", parts, len(reqs))
	}
	t.Logf("%d topics over a %d-token budget: %d calls", len(topics), m.ChunkTokens, len(reqs))
	if listedCount != len(topics) {
		t.Errorf("topics listed over all requests = %d; want %d (each once)", listedCount, len(topics))
	}
	want := map[string]int{"Ceasefire": 20, "Minerals deal": 20}
	for _, g := range groups {
		if n, ok := want[g.Name]; ok {
			if len(g.Members) != n {
				t.Errorf("group %q has %d members; want %d (joined across calls)", g.Name, len(g.Members), n)
			}
			delete(want, g.Name)
		} else if len(g.Members) != 1 || !strings.HasPrefix(g.Name, "Local matter") {
			t.Errorf("group %s; want a local matter on its own", describe(topics, []TopicGroup{g}))
		}
	}
	if len(want) != 0 {
		t.Errorf("groups %s lack %v", describe(topics, groups), want)
	}
	if strings.Contains(logs.String(), "briefing_merge_over_budget") {
		t.Errorf("log %s: over budget with the default call limit", logs)
	}
}

var partRE = regexp.MustCompile(`This is part (\d+) of (\d+) of the day's topics`)

// TestLLMMergerMaxCalls: past MaxCalls, the rest of the day is merged by
// keywords, and still every topic ends in one group.
func TestLLMMergerMaxCalls(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(groupBy(storyRules))
	m, logs := newMerger(t, srv, 0)
	m.ChunkTokens = 300
	m.MaxCalls = 2
	topics := bigDay(20)

	groups, err := m.Merge(context.Background(), topics)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	checkPartition(t, topics, groups)
	if n := srv.Count(); n != 2 {
		t.Errorf("requests = %d; want MaxCalls = 2", n)
	}
	if !strings.Contains(logs.String(), `"msg":"briefing_merge_over_budget"`) {
		t.Errorf("log %s; want briefing_merge_over_budget", logs)
	}
}

// TestLLMMergerSeedOneCall: the five test articles of a real story are one
// call, and the briefing keeps every point's sources.
func TestLLMMergerSeedOneCall(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(groupBy([]rule{
		{"Energy strikes", []string{"energy"}},
		{"Black Sea talks", []string{"black sea", "maritime"}},
		{"Ceasefire", []string{"ceasefire", "truce"}},
	}))
	m, _ := newMerger(t, srv, 0)
	shares := sharesOf(t, time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC),
		"1-wire-call", "2-seed-cgtn", "2-kyiv-breach", "3-us-blacksea", "3-kremlin-sanctions")
	led := composeWith(t, shares, m)
	if n := srv.Count(); n != 1 {
		t.Errorf("requests = %d; want exactly 1", n)
	}
	checkBacked(t, led, shares)
	// Agreed, accused of breach, then reaffirmed by the parties (the
	// U.S. readout of 25 March): agreed again, was disputed.
	if tp := topicByName(led, "Energy strikes"); tp == nil || tp.Status != summarize.StatusAgreed || !tp.State.WasDisputed {
		t.Errorf("topics %v; want Energy strikes, agreed, was disputed", names(led))
	}
	for _, r := range srv.Requests() {
		ids, _ := listed(r)
		sys, user := llm.EstimateTokens(r.System()), llm.EstimateTokens(r.LastUser())
		t.Logf("%d topics of 5 articles: system %d + user %d estimated tokens", len(ids), sys, user)
		if sys+user > 2000 {
			t.Errorf("prompt of %d estimated tokens for 5 articles; want it small", sys+user)
		}
	}
}

// storiesOf answers like a model that groups no topics and puts the
// articles of the named topics into one story each, plus an article
// number that was never listed.
func storiesOf(stories ...[]string) openaitest.Script {
	return func(req *openaitest.Request) openaitest.Reply {
		article := map[string]int{}
		for _, m := range req.Messages {
			if m.Role == "user" {
				for _, sm := range listedRE.FindAllStringSubmatch(m.Content, -1) {
					n, _ := strconv.Atoi(sm[2])
					article[sm[3]] = n
				}
			}
		}
		ans := prompts.BriefingAnswer{Groups: []prompts.BriefingGroup{}, Stories: []prompts.BriefingStory{}}
		for _, names := range stories {
			st := prompts.BriefingStory{Articles: []int{999}}
			for _, n := range names {
				if a, ok := article[n]; ok {
					st.Articles = append(st.Articles, a)
				}
			}
			ans.Stories = append(ans.Stories, st)
		}
		b, _ := json.Marshal(ans)
		return openaitest.Reply{Content: string(b)}
	}
}

// TestLLMMergerStories: with a model, the day's stories are the ones its
// answer names, in the same single call as the topic merge; article
// numbers it invents are dropped; articles it leaves out are stories of
// their own.
func TestLLMMergerStories(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(storiesOf([]string{"Plague case", "RSV vaccine"}))
	m, _ := newMerger(t, srv, 0)
	at := daySlots[1].Add(-10 * time.Hour)
	names := []string{"x-plague", "x-earnings", "x-vaccine", "x-hockey"}
	led, err := Build(context.Background(), Input{Shares: dayShares(t, at, names), Slot: daySlots[1], Since: daySlots[0], Merger: m})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Count(); n != 1 {
		t.Errorf("requests = %d; want 1: topics and stories in one call", n)
	}
	var got []string
	for _, st := range led.Stories {
		var topics []string
		for _, ti := range st.Topics {
			topics = append(topics, led.Topics[ti].Name)
		}
		slices.Sort(topics)
		got = append(got, fmt.Sprintf("%d:%s", st.Articles, strings.Join(topics, "+")))
	}
	if want := "[2:Plague case+RSV vaccine 1:Acme earnings 1:Oilers win]"; fmt.Sprint(got) != want {
		t.Errorf("stories = %v; want %s", got, want)
	}

	// Without a model the same articles are four stories: they name no
	// party in common.
	led, err = Build(context.Background(), Input{Shares: dayShares(t, at, names), Slot: daySlots[1], Since: daySlots[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Stories) != 4 {
		t.Errorf("keyword stories = %d; want 4", len(led.Stories))
	}
}
