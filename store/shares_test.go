package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/summarize"
)

// share records a share of s in guild at the given time.
func share(t testing.TB, db *DB, guild string, s *summarize.Summary, at time.Time) {
	t.Helper()
	err := db.RecordShare(context.Background(), ledger.Share{
		GuildID: guild, ChannelID: "c-" + guild, MessageID: at.Format("150405.000"), UserID: "u1",
		URL: s.URL, Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion, At: at,
	})
	if err != nil {
		t.Fatalf("RecordShare: %v", err)
	}
}

// sameJSON compares values by their JSON form (summarize encodes nil lists
// as empty ones).
func sameJSON(t testing.TB, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

// search returns the topic names SearchTopics finds, in order.
func search(t testing.TB, db *DB, guild, q string) []string {
	t.Helper()
	hits, err := db.SearchTopics(context.Background(), guild, q, 0)
	if err != nil {
		t.Fatalf("SearchTopics(%q, %q): %v", guild, q, err)
	}
	var names []string
	for _, h := range hits {
		names = append(names, h.Topic.Name)
	}
	return names
}

func save(t testing.TB, db *DB, s *summarize.Summary) *summarize.Summary {
	t.Helper()
	if err := db.SaveSummary(context.Background(), s); err != nil {
		t.Fatalf("SaveSummary(%q): %v", s.URL, err)
	}
	return s
}

// world is two servers: A shared the call article, a Black Sea article and
// a drone article; B shared only a Gaza article.
type world struct {
	call, sea, drones, gaza *summarize.Summary
}

func seedWorld(t *testing.T, db *DB) world {
	t.Helper()
	w := world{
		call: save(t, db, newSummary("https://news.example/call", "extractive",
			topic("Full temporary ceasefire",
				point("Putin did not accept a full 30-day halt to the fighting.", summarize.StatusUnresolved, "Putin")),
			topic("Territory",
				point("No land concessions were mentioned.", summarize.StatusUnresolved)),
			topic("Energy facility attacks",
				point("Both sides agreed to stop hitting power plants for 30 days.", summarize.StatusAgreed, "Putin", "Trump")),
			topic("Aid",
				point("Military assistance to Kyiv continues.", summarize.StatusUnresolved, "White House")),
			topic("Future talks",
				point("Negotiations would begin in Jeddah; a full ceasefire is on the agenda.", summarize.StatusAgreed)))),
		sea: save(t, db, newSummary("https://news.example/black-sea", "extractive",
			topic("Black Sea truce",
				point("A maritime pause was discussed by the delegations.", summarize.StatusDisputed, "Kremlin", "Kyiv")))),
		drones: save(t, db, newSummary("https://news.example/drones", "extractive",
			topic("Drone strikes",
				point("Drones struck a refinery overnight.", summarize.StatusDisputed, "Kyiv")))),
		gaza: save(t, db, newSummary("https://other.example/gaza", "extractive",
			topic("Ceasefire in Gaza",
				point("The truce holds for a second week; energy supplies resume.", summarize.StatusAgreed)))),
	}
	share(t, db, "A", w.call, base)
	share(t, db, "A", w.sea, base.Add(time.Hour))
	share(t, db, "A", w.drones, base.Add(2*time.Hour))
	share(t, db, "B", w.gaza, base.Add(30*time.Minute))
	return w
}

func TestSearchTopics(t *testing.T) {
	db := openTest(t)
	seedWorld(t, db)
	tests := []struct {
		guild, query string
		want         []string // in order
	}{
		// Topics named for the words rank first (as typed, then through a
		// synonym), then those mentioning them in point text.
		{"A", "ceasefire", []string{"Full temporary ceasefire", "Black Sea truce", "Future talks"}},
		{"A", "truce", []string{"Black Sea truce", "Full temporary ceasefire", "Future talks"}},
		{"A", "cease-fire", []string{"Full temporary ceasefire", "Black Sea truce", "Future talks"}},
		{"A", "Cease fire", []string{"Full temporary ceasefire", "Black Sea truce", "Future talks"}},
		{"A", "energy strikes", []string{"Energy facility attacks"}},
		{"A", "strike", []string{"Drone strikes", "Energy facility attacks"}},
		{"A", "striking", []string{"Drone strikes"}},   // porter: striking → strike
		{"A", "negotiation", []string{"Future talks"}}, // porter + synonym talks
		{"A", "assistance", []string{"Aid"}},
		{"A", "aid", []string{"Aid"}},
		{"A", "terr", []string{"Territory"}}, // prefix of the last word
		{"A", "the territory", []string{"Territory"}},
		{"A", "TERRITORY", []string{"Territory"}},
		{"A", "fut tal", nil}, // only the last word is a prefix
		{"A", "future tal", []string{"Future talks"}},
		{"A", "gaza", nil},
		// Hostile input: quotes, operators and stars neither break nor widen the search.
		{"A", `"ceasefire OR *`, []string{"Full temporary ceasefire", "Black Sea truce", "Future talks"}},
		{"A", `ceasefire" OR "territory`, nil},
		{"A", `territory OR aid`, nil},
		{"A", `NEAR(ceasefire territory)`, nil},
		{"A", `name:territory`, nil},
		{"A", `^aid`, []string{"Aid"}},
		{"A", `aid*`, []string{"Aid"}},
		{"A", `-aid`, []string{"Aid"}},
		{"A", `*`, nil},
		{"A", `"`, nil},
		{"A", `""`, nil},
		{"A", `OR`, nil},
		{"A", `AND NOT`, nil},
		{"A", `(`, nil},
		{"A", "", nil},
		// Server B sees only its own share.
		{"B", "ceasefire", []string{"Ceasefire in Gaza"}},
		{"B", "truce", []string{"Ceasefire in Gaza"}},
		{"B", "energy", []string{"Ceasefire in Gaza"}}, // its own point text, not A's topic
		{"B", "territory", nil},
		{"C", "ceasefire", nil},
	}
	for _, tt := range tests {
		t.Run(tt.guild+"/"+tt.query, func(t *testing.T) {
			got := search(t, db, tt.guild, tt.query)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SearchTopics(%q, %q) = %q; want %q", tt.guild, tt.query, got, tt.want)
			}
		})
	}
}

// TestSearchTopicsRanking: a topic named for the words outranks one that
// only mentions them in its points, however often; within each, the words
// as typed come before synonyms, and bm25 (name weighted) orders the rest.
func TestSearchTopicsRanking(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	call := save(t, db, newSummary("https://news.example/call", "extractive",
		topic("International response",
			point("European leaders said the rejection of a full truce showed Moscow was not seeking peace.", summarize.StatusDisputed),
			point("Italy said the sides agreed to discuss truce proposals; a truce is a first step.", summarize.StatusAgreed),
			point("Germany said energy strikes continued overnight.", summarize.StatusDisputed)),
		topic("Full temporary ceasefire",
			point("Putin declined to endorse the 30-day proposal.", summarize.StatusUnresolved)),
		topic("Aid",
			point("Any truce must halt the mobilization, the Kremlin said.", summarize.StatusUnresolved))))
	later := save(t, db, newSummary("https://news.example/later", "extractive",
		topic("Truce monitoring",
			point("Observers will check the front line.", summarize.StatusUnresolved)),
		topic("Energy infrastructure pause",
			point("Both sides accused the other of strikes on power lines.", summarize.StatusDisputed)),
		topic("Energy strikes",
			point("Attacks resumed in the Kherson region.", summarize.StatusDisputed)),
		topic("Energy facility attacks",
			point("Drones hit a substation.", summarize.StatusDisputed))))
	other := save(t, db, newSummary("https://other.example/truce", "extractive",
		topic("Truce", point("A truce was agreed.", summarize.StatusAgreed))))
	share(t, db, "A", call, base)
	share(t, db, "A", later, base.Add(time.Hour))
	share(t, db, "B", other, base.Add(2*time.Hour))

	tests := []struct {
		query string
		want  []string
	}{
		{"truce", []string{"Truce monitoring", "Full temporary ceasefire", "International response", "Aid"}},
		{"ceasefire", []string{"Full temporary ceasefire", "Truce monitoring", "International response", "Aid"}},
		// Both words in the name, the first only through a synonym, then one
		// word in the name, then neither.
		{"energy strikes", []string{"Energy strikes", "Energy facility attacks", "Energy infrastructure pause", "International response"}},
		{"energy moratorium", []string{"Energy infrastructure pause"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits, err := db.SearchTopics(ctx, "A", tt.query, 0)
			if err != nil {
				t.Fatalf("SearchTopics(A, %q): %v", tt.query, err)
			}
			var got []string
			for i, h := range hits {
				got = append(got, h.Topic.Name)
				if h.URL == other.URL {
					t.Errorf("SearchTopics(A, %q) found server B's article %s", tt.query, h.URL)
				}
				if i > 0 && h.Rank < hits[i-1].Rank {
					t.Errorf("SearchTopics(A, %q) Rank %v after %v; want ascending", tt.query, h.Rank, hits[i-1].Rank)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SearchTopics(A, %q) = %q; want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearchTopicsHitFields(t *testing.T) {
	db := openTest(t)
	w := seedWorld(t, db)
	ctx := context.Background()
	// A later share of the same article does not move its first share.
	share(t, db, "A", w.call, base.Add(5*time.Hour))
	hits, err := db.SearchTopics(ctx, "A", "territory", 0)
	if err != nil || len(hits) != 1 {
		t.Fatalf("SearchTopics(A, territory) = %v, %v; want one hit", hits, err)
	}
	h := hits[0]
	if h.URL != w.call.URL || h.Title != w.call.Title || h.Site != w.call.Site ||
		!h.SharedAt.Equal(base) || !sameJSON(t, h.Topic, w.call.Topics[1]) {
		t.Errorf("hit = %+v; want topic %+v of %s first shared at %v", h, w.call.Topics[1], w.call.URL, base)
	}
	if h.Rank >= 0 {
		t.Errorf("hit.Rank = %v; want a bm25 score (negative)", h.Rank)
	}
}

func TestSearchTopicsOneHitPerArticleTopic(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	pts := point("Both sides will swap 175 prisoners of war.", summarize.StatusAgreed)
	// Same article summarized by two engines, both shared: one hit.
	ext := save(t, db, newSummary("https://news.example/swap", "extractive", topic("Prisoner exchange", pts)))
	llm := newSummary("https://news.example/swap", "llm", topic("Prisoner exchange", pts))
	llm.Model = "m"
	save(t, db, llm)
	// Another article with the same topic, shared later: ranks first on a tie.
	later := save(t, db, newSummary("https://news.example/swap-2", "extractive", topic("Prisoner exchange", pts)))
	share(t, db, "A", ext, base)
	share(t, db, "A", llm, base.Add(time.Minute))
	share(t, db, "A", later, base.Add(time.Hour))

	hits, err := db.SearchTopics(ctx, "A", "prisoner swap", 0)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, h := range hits {
		urls = append(urls, h.URL)
	}
	want := []string{later.URL, ext.URL}
	if !reflect.DeepEqual(urls, want) {
		t.Errorf("SearchTopics(A, prisoner swap) URLs = %q; want %q", urls, want)
	}
	if hits, err := db.SearchTopics(ctx, "A", "prisoner", 1); err != nil || len(hits) != 1 {
		t.Errorf("SearchTopics(limit 1) = %d hits, %v; want 1", len(hits), err)
	}
}

func TestTopicNames(t *testing.T) {
	db := openTest(t)
	w := seedWorld(t, db)
	// A later article names a known topic differently: it appears once, in
	// its latest spelling, and moves to the front.
	latest := save(t, db, newSummary("https://news.example/later", "extractive",
		topic("Energy-facility attacks", point("Strikes on power plants resumed.", summarize.StatusDisputed))))
	share(t, db, "A", latest, base.Add(3*time.Hour))
	_ = w
	tests := []struct {
		guild, prefix string
		limit         int
		want          []string
	}{
		{"A", "", 0, []string{"Energy-facility attacks", "Drone strikes", "Black Sea truce",
			"Aid", "Full temporary ceasefire", "Future talks", "Territory"}},
		{"A", "", 2, []string{"Energy-facility attacks", "Drone strikes"}},
		{"A", "fac", 0, []string{"Energy-facility attacks"}},
		{"A", "ENER", 0, []string{"Energy-facility attacks"}},
		{"A", "energy fac", 0, []string{"Energy-facility attacks"}},
		{"A", "cease", 0, []string{"Full temporary ceasefire"}},
		{"A", "f", 0, []string{"Energy-facility attacks", "Full temporary ceasefire", "Future talks"}},
		{"A", "ruce", 0, nil}, // must begin a word
		{"A", "gaza", 0, nil},
		{"A", "%", 0, []string{"Energy-facility attacks", "Drone strikes", "Black Sea truce",
			"Aid", "Full temporary ceasefire", "Future talks", "Territory"}},
		{"A", "_ai", 0, []string{"Aid"}},
		{"A", "a_d", 0, nil}, // "_" is punctuation, not a LIKE wildcard
		{"B", "", 0, []string{"Ceasefire in Gaza"}},
		{"B", "cease", 0, []string{"Ceasefire in Gaza"}},
		{"B", "energy", 0, nil},
		{"C", "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.guild+"/"+tt.prefix, func(t *testing.T) {
			got, err := db.TopicNames(context.Background(), tt.guild, tt.prefix, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TopicNames(%q, %q, %d) = %q; want %q", tt.guild, tt.prefix, tt.limit, got, tt.want)
			}
		})
	}
}

func TestTopicNamesNonASCII(t *testing.T) {
	db := openTest(t)
	s := save(t, db, newSummary("https://news.example/de", "extractive",
		topic("Énergie und Waffenruhe", point("Die Waffenruhe hält.", summarize.StatusAgreed))))
	share(t, db, "A", s, base)
	for _, prefix := range []string{"éner", "ÉNER", "waffen"} {
		got, err := db.TopicNames(context.Background(), "A", prefix, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"Énergie und Waffenruhe"}; !reflect.DeepEqual(got, want) {
			t.Errorf("TopicNames(A, %q) = %q; want %q", prefix, got, want)
		}
	}
}

func TestSharedSummaries(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	mk := func(name string) *summarize.Summary {
		return save(t, db, newSummary("https://news.example/"+name, "extractive",
			topic(name, point(name+" happened.", summarize.StatusAgreed))))
	}
	before, first, second, atUntil, other := mk("before"), mk("first"), mk("second"), mk("until"), mk("other")
	since, until := base, base.Add(24*time.Hour)
	share(t, db, "A", before, since.Add(-time.Millisecond))
	share(t, db, "A", second, since.Add(2*time.Hour))
	share(t, db, "A", first, since) // inclusive
	share(t, db, "A", first, since.Add(3*time.Hour))
	share(t, db, "A", second, since.Add(4*time.Hour))
	share(t, db, "A", before, since.Add(5*time.Hour)) // shared again inside the window
	share(t, db, "A", atUntil, until)                 // exclusive
	share(t, db, "B", other, since.Add(time.Hour))
	// A share whose summary was never stored is left out.
	if err := db.RecordShare(ctx, ledger.Share{GuildID: "A", URL: "https://news.example/missing", Engine: "extractive",
		PromptVersion: "x1", At: since.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	got, err := db.SharedSummaries(ctx, "A", since, until)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		url string
		at  time.Time
	}
	var rows []row
	for _, ss := range got {
		rows = append(rows, row{ss.Share.URL, ss.Share.At})
		if ss.Summary.URL != ss.Share.URL || len(ss.Summary.Topics) != 1 || ss.Share.GuildID != "A" {
			t.Errorf("SharedSummary %+v does not hold its own summary", ss.Share)
		}
	}
	want := []row{{first.URL, since}, {second.URL, since.Add(2 * time.Hour)}, {before.URL, since.Add(5 * time.Hour)}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("SharedSummaries(A, window) = %v; want %v", rows, want)
	}

	gotB, err := db.SharedSummaries(ctx, "B", since, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotB) != 1 || gotB[0].Summary.URL != other.URL {
		t.Errorf("SharedSummaries(B) = %d rows; want only %s", len(gotB), other.URL)
	}
	gotC, err := db.SharedSummaries(ctx, "C", time.Time{}, time.Time{})
	if err != nil || len(gotC) != 0 {
		t.Errorf("SharedSummaries(C) = %v, %v; want none", gotC, err)
	}
	all, err := db.SharedSummaries(ctx, "A", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, ss := range all {
		urls = append(urls, ss.Share.URL)
	}
	if want := []string{before.URL, first.URL, second.URL, atUntil.URL}; !slices.Equal(urls, want) {
		t.Errorf("SharedSummaries(A, unbounded) = %q; want %q", urls, want)
	}
}

// TestSharedSummariesAsBriefed: a briefing's read holds what a briefing
// shows of a summary, everything but the quotes, usage and notes, which
// it does not read; a summary read whole still has them.
func TestSharedSummariesAsBriefed(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	s := newSummary("https://news.example/call", "llm",
		topic("Energy strikes",
			point("Both sides agreed to halt strikes.", summarize.StatusAgreed, "Putin", "Trump"),
			summarize.Point{Text: "Kyiv doubts it.", Status: summarize.StatusDisputed, Quote: "not in the text"}),
		topic("Talks", point("Talks resume in Jeddah.", summarize.StatusReported)))
	s.Model = "m"
	s.Published = base.Add(-time.Hour)
	s.Notes = []string{"Read in two parts."}
	s.Usage = summarize.Usage{PromptTokens: 900, CompletionTokens: 200, Calls: 1}
	save(t, db, s)
	share(t, db, "A", s, base)

	got, err := db.SharedSummaries(ctx, "A", base, base.Add(time.Hour))
	if err != nil || len(got) != 1 {
		t.Fatalf("SharedSummaries = %v, %v; want one", got, err)
	}
	b := got[0].Summary
	want := *s
	want.Topics = nil
	for _, tp := range s.Topics {
		tp.Points = slices.Clone(tp.Points)
		for i := range tp.Points {
			tp.Points[i].Quote = ""
		}
		want.Topics = append(want.Topics, tp)
	}
	if b.URL != want.URL || b.FinalURL != want.FinalURL || b.Title != want.Title || b.Site != want.Site ||
		!b.Published.Equal(want.Published) || b.Engine != want.Engine || b.Model != want.Model ||
		b.PromptVersion != want.PromptVersion || !sameJSON(t, b.Topics, want.Topics) {
		t.Errorf("briefing read = %+v; want %+v without quotes", b, want)
	}
	if b.Notes != nil || b.Usage != (summarize.Usage{}) {
		t.Errorf("briefing read notes %q, usage %+v; want neither read", b.Notes, b.Usage)
	}
	whole, ok, err := db.Summary(ctx, s.Key())
	if err != nil || !ok || !sameJSON(t, whole.Topics, s.Topics) || !slices.Equal(whole.Notes, s.Notes) || whole.Usage != s.Usage {
		t.Errorf("Summary = %+v, %v, %v; want the summary whole, quotes included", whole, ok, err)
	}
}

func TestRecordShareIdempotentPerMessage(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	s := save(t, db, newSummary("https://news.example/x", "extractive", topic("Aid", point("Aid.", summarize.StatusAgreed))))
	sh := ledger.Share{GuildID: "A", ChannelID: "c", MessageID: "m1", UserID: "u", URL: s.URL,
		Engine: s.Engine, PromptVersion: s.PromptVersion, At: base}
	for range 3 {
		if err := db.RecordShare(ctx, sh); err != nil {
			t.Fatal(err)
		}
	}
	sh.MessageID = "" // commands without a message: each call is a share
	for range 2 {
		if err := db.RecordShare(ctx, sh); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM shares").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("shares after 3 same-message and 2 message-less records = %d; want 3", n)
	}
	if err := db.RecordShare(ctx, ledger.Share{URL: s.URL}); err == nil {
		t.Errorf("RecordShare without guild = nil; want an error")
	}
}

func TestRecordShareStoresFields(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	full := ledger.Share{GuildID: "g1", ChannelID: "c1", MessageID: "m1", UserID: "u1",
		URL: "https://news.example/a", Engine: "llm", Model: "gpt-x", PromptVersion: "v3", At: base}
	bare := ledger.Share{GuildID: "g2", URL: "https://news.example/b", Engine: "extractive"}
	tests := []struct {
		name   string
		sh     ledger.Share
		atFrom time.Time // the stored time must lie in [atFrom, atTo]
		atTo   time.Time
	}{
		{"every field", full, base, base},
		{"zero At means now", bare, time.Now().Truncate(time.Millisecond), time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.RecordShare(ctx, tc.sh); err != nil {
				t.Fatalf("RecordShare(%+v): %v", tc.sh, err)
			}
			atTo := tc.atTo
			if atTo.IsZero() {
				atTo = time.Now()
			}
			var (
				got ledger.Share
				ms  int64
			)
			err := db.r.QueryRowContext(ctx, `SELECT guild_id, channel_id, message_id, user_id, url,
				engine, model, prompt_version, at_ms FROM shares WHERE guild_id = ?`, tc.sh.GuildID).Scan(
				&got.GuildID, &got.ChannelID, &got.MessageID, &got.UserID, &got.URL,
				&got.Engine, &got.Model, &got.PromptVersion, &ms)
			if err != nil {
				t.Fatalf("reading the share of %q: %v", tc.sh.GuildID, err)
			}
			got.At = fromMS(ms)
			want := tc.sh
			want.At = got.At
			if got != want {
				t.Errorf("RecordShare(%+v) stored %+v; want %+v", tc.sh, got, want)
			}
			if got.At.Before(tc.atFrom) || got.At.After(atTo) {
				t.Errorf("RecordShare(%+v) stored at %v; want within [%v, %v]", tc.sh, got.At, tc.atFrom, atTo)
			}
		})
	}
}

func BenchmarkSearchTopics(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	for i := range 200 {
		s := save(b, db, newSummary(fmt.Sprintf("https://news.example/%d", i), "extractive",
			topic("Full temporary ceasefire", point("Putin did not agree to a full 30-day ceasefire.", summarize.StatusUnresolved)),
			topic("Energy facility attacks", point("Both sides agreed to stop hitting power plants.", summarize.StatusAgreed)),
			topic("Future talks", point("Negotiations begin in Jeddah.", summarize.StatusAgreed))))
		share(b, db, fmt.Sprint("g", i%4), s, base.Add(time.Duration(i)*time.Minute))
	}
	analyzeIfPostgres(b, db)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.SearchTopics(ctx, "g1", "energy strikes", 25); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordShare records the share of a stored summary, as every
// /summarize answered from the cache does: a command without a message (a
// new row each time, new) and a message whose share is already recorded
// (repeat, which changes nothing).
func BenchmarkRecordShare(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, message string
	}{
		{"new", ""},
		{"repeat", "m1"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db := openTest(b)
			s := save(b, db, newSummary("https://news.example/bench", "extractive",
				topic("Future talks", point("Negotiations begin in Jeddah.", summarize.StatusAgreed))))
			sh := ledger.Share{GuildID: "g", ChannelID: "c", MessageID: tc.message, UserID: "u", URL: s.URL,
				Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion}
			b.ReportAllocs()
			for b.Loop() {
				if err := db.RecordShare(ctx, sh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMessageSummaries: a message's shares come back with their summaries,
// only in the server where it was shared.
func TestMessageSummaries(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	mk := func(name string) *summarize.Summary {
		return save(t, db, newSummary("https://news.example/"+name, "extractive",
			topic(name, point(name+" happened.", summarize.StatusReported))))
	}
	one, two, other := mk("one"), mk("two"), mk("other")
	rec := func(guild, msg string, s *summarize.Summary, at time.Time) {
		t.Helper()
		if err := db.RecordShare(ctx, ledger.Share{GuildID: guild, ChannelID: "c", MessageID: msg, UserID: "u",
			URL: s.URL, Engine: s.Engine, Model: s.Model, PromptVersion: s.PromptVersion, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	rec("A", "m1", two, base.Add(time.Second))
	rec("A", "m1", one, base)
	rec("A", "m2", other, base)
	rec("B", "m1", other, base) // the same message ID in another server
	if err := db.RecordShare(ctx, ledger.Share{GuildID: "A", MessageID: "m1", URL: "https://news.example/missing", Engine: "extractive", At: base}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		guild, msg string
		want       []string
	}{
		{"A", "m1", []string{one.URL, two.URL}},
		{"A", "m2", []string{other.URL}},
		{"B", "m1", []string{other.URL}},
		{"B", "m2", nil},
		{"A", "", nil},
	} {
		got, err := db.MessageSummaries(ctx, tc.guild, tc.msg)
		if err != nil {
			t.Fatalf("MessageSummaries(%q, %q): %v", tc.guild, tc.msg, err)
		}
		var urls []string
		for _, ss := range got {
			urls = append(urls, ss.Summary.URL)
			if ss.Share.URL != ss.Summary.URL || ss.Share.GuildID != tc.guild || len(ss.Summary.Topics) != 1 {
				t.Errorf("MessageSummaries(%q, %q) row %+v does not hold its own summary", tc.guild, tc.msg, ss.Share)
			}
		}
		if !slices.Equal(urls, tc.want) {
			t.Errorf("MessageSummaries(%q, %q) = %q; want %q", tc.guild, tc.msg, urls, tc.want)
		}
	}
}

// BenchmarkSearchTopicsShares is /topic's store lookup ("ceasefire") in a
// server that has shared 1,000, 10,000 or 100,000 articles of three
// topics each (100,000 only without -short: seeding it takes minutes).
func BenchmarkSearchTopicsShares(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("seeding 100,000 shares takes minutes; run without -short")
			}
			db := openTest(b)
			for i := range n {
				s := save(b, db, newSummary(fmt.Sprintf("https://news.example/%d", i), "extractive",
					topic("Full temporary ceasefire", point(fmt.Sprintf("Putin did not agree to a full %d-day ceasefire.", i%90), summarize.StatusUnresolved)),
					topic("Energy facility attacks", point("Both sides agreed to stop hitting power plants.", summarize.StatusAgreed)),
					topic(fmt.Sprintf("Talks round %d", i), point("Negotiations begin in Jeddah.", summarize.StatusAgreed))))
				share(b, db, "g", s, base.Add(time.Duration(i)*time.Minute))
			}
			analyzeIfPostgres(b, db)
			b.ReportAllocs()
			for b.Loop() {
				if hits, err := db.SearchTopics(ctx, "g", "ceasefire", 25); err != nil || len(hits) != 25 {
					b.Fatalf("SearchTopics = %d hits, %v; want 25", len(hits), err)
				}
			}
		})
	}
}

// TestSearchTopicsViaFeed: a hit whose article only a followed feed shared
// in the server says so; one a person shared too does not.
func TestSearchTopicsViaFeed(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	fed := save(t, db, newSummary("https://news.example/fed", "extractive",
		topic("Ceasefire monitors", point("Observers will watch the line.", summarize.StatusAgreed))))
	both := save(t, db, newSummary("https://news.example/both", "extractive",
		topic("Ceasefire talks", point("Talks resume on Monday.", summarize.StatusUnresolved))))
	for i, sh := range []ledger.Share{
		{UserID: ledger.FeedUserPrefix + "7", URL: fed.URL},
		{UserID: ledger.FeedUserPrefix + "7", URL: both.URL},
		{UserID: "alice", URL: both.URL},
	} {
		s := fed
		if sh.URL == both.URL {
			s = both
		}
		sh.GuildID, sh.ChannelID, sh.MessageID, sh.At = "A", "c", fmt.Sprint(i), base.Add(time.Duration(i)*time.Minute)
		sh.Engine, sh.Model, sh.PromptVersion = s.Engine, s.Model, s.PromptVersion
		if err := db.RecordShare(ctx, sh); err != nil {
			t.Fatal(err)
		}
	}
	hits, err := db.SearchTopics(ctx, "A", "ceasefire", 0)
	if err != nil {
		t.Fatal(err)
	}
	via := map[string]bool{}
	for _, h := range hits {
		via[h.URL] = h.ViaFeed
	}
	if len(via) != 2 || !via[fed.URL] || via[both.URL] {
		t.Errorf("hits via feed = %v; want only %s", via, fed.URL)
	}
}
