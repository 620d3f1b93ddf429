package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"briefbot/prompts"
	"briefbot/summarize"
)

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abcd", 1},
		{"hello world", 3},
		{strings.Repeat("word ", 100), 125},
		{"日本語", 3},
		{"привет", 3},
		{"Grüße", 2}, // "Gre" → 1, "üß" → 1
		{"東京 Tokyo", 2 + 2},
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func para(n int, word string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s number %d goes on. ", word, i)
	}
	return strings.TrimSpace(b.String())
}

func TestSplit(t *testing.T) {
	h := func(s string) summarize.Block { return summarize.Block{Heading: true, Level: 2, Text: s} }
	p := func(s string) summarize.Block { return summarize.Block{Text: s} }
	tests := []struct {
		name   string
		blocks []summarize.Block
		budget int
		parts  int // 0: don't check the count
	}{
		{"short", []summarize.Block{h("Aid"), p("Aid did not come up.")}, 100, 1},
		{"sections", []summarize.Block{h("One"), p(para(20, "Alpha")), h("Two"), p(para(20, "Beta")), h("Three"), p(para(20, "Gamma"))}, 150, 0},
		{"giant paragraph", []summarize.Block{h("Big"), p(para(200, "Delta"))}, 200, 0},
		{"giant sentence", []summarize.Block{p(strings.Repeat("word ", 2000))}, 100, 0},
		{"cjk without spaces", []summarize.Block{p(strings.Repeat("東京で会談が行われた", 100))}, 150, 0},
		{"trailing headings", []summarize.Block{p(para(30, "Eps")), h("Related"), h("More")}, 100, 0},
		{"heading levels", []summarize.Block{{Heading: true, Level: 1, Text: "Top"}, {Heading: true, Level: 9, Text: "Odd"}, p("Text.")}, 100, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := split(tt.blocks, tt.budget)
			if tt.parts != 0 && len(parts) != tt.parts {
				t.Errorf("split(%s) = %d parts; want %d", tt.name, len(parts), tt.parts)
			}
			for i, part := range parts {
				if got := EstimateTokens(part); got > tt.budget {
					t.Errorf("part %d has %d tokens; want ≤ %d", i, got, tt.budget)
				}
			}
			// Every paragraph is sent once, in order, and every heading.
			noSpace := func(s string) string { return strings.Join(strings.Fields(s), "") }
			var sent, want strings.Builder
			for _, part := range parts {
				for _, line := range strings.Split(part, "\n") {
					if !strings.HasPrefix(line, "#") {
						sent.WriteString(noSpace(line))
					}
				}
			}
			for _, b := range tt.blocks {
				if b.Heading {
					if !strings.Contains(strings.Join(parts, "\n"), blockText(b)) {
						t.Errorf("split(%s): heading %q not sent", tt.name, b.Text)
					}
					continue
				}
				want.WriteString(noSpace(b.Text))
			}
			if sent.String() != want.String() {
				t.Errorf("split(%s) sent %q; want %q", tt.name, sent.String(), want.String())
			}
		})
	}
}

func TestSplitRepeatsSectionHeading(t *testing.T) {
	blocks := []summarize.Block{{Heading: true, Level: 2, Text: "Energy"}}
	for i := range 6 {
		blocks = append(blocks, summarize.Block{Text: para(10, fmt.Sprintf("P%d", i))})
	}
	parts := split(blocks, 150)
	if len(parts) < 2 {
		t.Fatalf("split = %d parts; want several", len(parts))
	}
	for i, part := range parts {
		if !strings.HasPrefix(part, "## Energy\n\n") {
			t.Errorf("part %d = %.40q; want it to start with the section heading", i, part)
		}
	}
	// Each paragraph exactly once.
	for i := range 6 {
		w := fmt.Sprintf("P%d number 0 goes on.", i)
		if n := strings.Count(strings.Join(parts, "\n"), w); n != 1 {
			t.Errorf("paragraph %d sent %d times; want once", i, n)
		}
	}
}

func TestSplitBalanced(t *testing.T) {
	var blocks []summarize.Block
	for i := range 30 {
		blocks = append(blocks, summarize.Block{Text: para(8, fmt.Sprintf("B%d", i))}) // ~43 tokens each
	}
	parts := split(blocks, 500)
	if len(parts) != 3 {
		t.Fatalf("split = %d parts; want 3", len(parts))
	}
	last := EstimateTokens(parts[len(parts)-1])
	if last < 300 {
		t.Errorf("last part has %d tokens; want a balanced share, not a scrap", last)
	}
}

func TestBlocksFromText(t *testing.T) {
	doc := &summarize.Document{Text: "First paragraph.\r\n\r\nSecond\nparagraph.\n\n\n\nThird."}
	got := docBlocks(doc)
	want := []summarize.Block{{Text: "First paragraph."}, {Text: "Second\nparagraph."}, {Text: "Third."}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("docBlocks(%q) = %+v; want %+v", doc.Text, got, want)
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{`He said "no." Then left.`, []string{`He said "no."`, "Then left."}},
		{"U.S. officials met. 3.5 percent.", []string{"U.S. officials met.", "3.5 percent."}},
		{"会談が行われた。合意した。", []string{"会談が行われた。", "合意した。"}},
	}
	for _, tt := range tests {
		if got := sentences(tt.in); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("sentences(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{`"quoted"`, "quoted"},
		{"“curly”", "curly"},
		{"«guillemets»", "guillemets"},
		{"…trailing off…", "trailing off"},
		{"... and then ...", "and then"},
		{` "… nested ellipsis …" `, "nested ellipsis"},
		{"keeps … middle", "keeps … middle"},
		{"Ukraine's", "Ukraine's"},
		{"", ""},
		{"“…”", ""},
	}
	for _, tt := range tests {
		if got := cleanQuote(tt.in); got != tt.want {
			t.Errorf("cleanQuote(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestExtractJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{"```json\n{\"a\":1}\n```", `{"a":1}`},
		{"```\n{\"a\":1}```", `{"a":1}`},
		{"Here you go: {\"a\":1} Hope it helps.", `{"a":1}`},
		{"<think>maybe {x}</think>\n{\"a\":1}", `{"a":1}`},
		{`{"a":`, `{"a":`},
	}
	for _, tt := range tests {
		if got := extractJSON(tt.in); got != tt.want {
			t.Errorf("extractJSON(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"none", http.Header{}, 0, false},
		{"seconds", http.Header{"Retry-After": {"2"}}, 2 * time.Second, true},
		{"fraction", http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{"date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{"past date", http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{"milliseconds", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond, true},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0, false},
	}
	for _, tt := range tests {
		info := &callInfo{header: tt.header}
		got, ok := info.retryAfter(now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%s: %v) = %v, %v; want %v, %v", tt.name, tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func apiErr(status int, msg, param string) error {
	e := &openai.APIError{HTTPStatusCode: status, Message: msg, Type: "invalid_request_error"}
	if param != "" {
		e.Param = &param
	}
	return fmt.Errorf("wrapped: %w", e)
}

func TestRefusesFormat(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"openai", apiErr(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", "response_format"), true},
		{"param only", apiErr(400, "Invalid value.", "response_format"), true},
		{"vllm 422", apiErr(422, "guided decoding: unsupported json schema", ""), true},
		{"lm studio", &openai.RequestError{HTTPStatusCode: 400, Body: []byte(`'response_format.type' must be 'json_schema'`)}, true},
		{"other 400", apiErr(400, "This model's maximum context length is 8192 tokens.", "messages"), false},
		{"500 mentioning schema", apiErr(500, "schema cache failed", ""), false},
		{"network", errors.New("connection refused"), false},
	}
	for _, tt := range tests {
		if got := refusesFormat(0, tt.err); got != tt.want {
			t.Errorf("refusesFormat(%s: %v) = %v; want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		info callInfo
		err  error
		want bool
	}{
		{"not sent", callInfo{}, openai.ErrChatCompletionInvalidModel, false},
		{"network", callInfo{sent: true}, errors.New("connection reset"), true},
		{"garbage 200", callInfo{sent: true, status: 200}, errors.New("invalid character '<'"), true},
		{"429", callInfo{sent: true, status: 429}, apiErr(429, "Rate limit reached", ""), true},
		{"quota", callInfo{sent: true, status: 429}, &openai.APIError{HTTPStatusCode: 429, Message: "quota", Code: "insufficient_quota"}, false},
		{"408", callInfo{sent: true, status: 408}, apiErr(408, "timeout", ""), true},
		{"503", callInfo{sent: true, status: 503}, &openai.RequestError{HTTPStatusCode: 503, Body: []byte("<html>")}, true},
		{"400", callInfo{sent: true, status: 400}, apiErr(400, "bad", ""), false},
		{"401", callInfo{sent: true, status: 401}, apiErr(401, "key", ""), false},
		{"404", callInfo{sent: true, status: 404}, apiErr(404, "no such model", ""), false},
	}
	for _, tt := range tests {
		if got := retryable(&tt.info, tt.err); got != tt.want {
			t.Errorf("retryable(%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	e := &Engine{opts: Options{BackoffBase: time.Second, BackoffMax: 5 * time.Second}}
	caps := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	for n, c := range caps {
		var top time.Duration
		for range 200 {
			d := e.backoff(n)
			if d < 0 || d > c {
				t.Fatalf("backoff(%d) = %v; want within [0, %v]", n, d, c)
			}
			top = max(top, d)
		}
		if top < c/2 {
			t.Errorf("backoff(%d): largest of 200 draws = %v; want jitter across [0, %v]", n, top, c)
		}
	}
	if d := e.backoff(100); d < 0 || d > 5*time.Second {
		t.Errorf("backoff(100) = %v; want within [0, 5s]", d)
	}
}

func TestSchemaProblem(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{`[]`, "the reply: want an object, got an array"},
		{`{}`, `the reply: missing "topics"`},
		{`{"topics":{}}`, "topics: want an array, got an object"},
		{`{"topics":[{"name":1,"points":[]}]}`, "topics[0].name: want a string, got a number"},
		{`{"topics":[{"name":"A","points":[{"text":"t","status":"agreed","actors":[null],"quote":"q"}]}]}`, "topics[0].points[0].actors[0]: want a string, got null"},
		{`{"topics":[{"name":"A","points":[{"text":"t","status":"done","actors":[],"quote":"q"}]}]}`, `topics[0].points[0].status: "done" is not one of agreed, unresolved, disputed, reported`},
		{`{"topics":[{"name":"A","points":[{"text":"t","status":"Reported","actors":[],"quote":"q"}]}]}`, ""},
		{`{"topics":[{"name":" ","points":[]}]}`, "topics[0].name is empty"},
		{`{"topics":[{"name":"A","points":[]}]}`, "the reply has no topic with a point"},
		{`{"topics":[{"name":"A","points":[{"text":"t","status":"AGREED","actors":[],"quote":"“q”"}]}]}`, ""},
	}
	for _, tt := range tests {
		_, err := e.parseAnswer(answer{content: tt.in}, contract{}, false)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("parseAnswer(%s) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMergeTopics(t *testing.T) {
	a := []summarize.Topic{{Name: "Energy attacks", Points: []summarize.Point{
		{Text: "Paused.", Status: summarize.StatusAgreed, Actors: []string{"Putin"}, Quote: "q1"},
	}}}
	b := []summarize.Topic{
		{Name: "Aid", Points: []summarize.Point{{Text: "No aid.", Status: summarize.StatusUnresolved, Quote: "q2"}}},
		{Name: "The energy attacks", Points: []summarize.Point{
			{Text: "paused. ", Status: summarize.StatusAgreed, Actors: []string{"Kremlin", "putin"}, Quote: "q1 again"},
			{Text: "Paused.", Status: summarize.StatusDisputed, Quote: "q3"},
		}},
	}
	got := mergeTopics([][]summarize.Topic{a, b})
	want := []summarize.Topic{
		{Name: "Energy attacks", Points: []summarize.Point{
			{Text: "Paused.", Status: summarize.StatusAgreed, Actors: []string{"Putin", "Kremlin"}, Quote: "q1"},
			{Text: "Paused.", Status: summarize.StatusDisputed, Quote: "q3"},
		}},
		{Name: "Aid", Points: []summarize.Point{{Text: "No aid.", Status: summarize.StatusUnresolved, Quote: "q2"}}},
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("mergeTopics = %+v; want %+v", got, want)
	}
	if len(a[0].Points[0].Actors) != 1 {
		t.Errorf("mergeTopics changed its input: %+v", a)
	}
}

func TestAzureClassic(t *testing.T) {
	tests := []struct {
		u    string
		want bool
	}{
		{"https://res.openai.azure.com", true},
		{"https://res.openai.azure.com/openai/v1", false},
		{"https://res.cognitiveservices.azure.com/", true},
		{"https://api.openai.com/v1", false},
		{"https://openai.azure.com.evil.example/v1", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.u)
		if got := isAzureClassic(u); got != tt.want {
			t.Errorf("isAzureClassic(%q) = %v; want %v", tt.u, got, tt.want)
		}
	}
}

// TestSchemaStatuses: the answer schema's status enum is exactly the
// domain's statuses, and the system prompt defines each of them.
func TestSchemaStatuses(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	point := e.schema.Defs["AnswerPoint"]
	var want []string
	for _, s := range summarize.Statuses {
		want = append(want, string(s))
	}
	if got := point.Properties["status"].Enum; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schema status enum = %q; want %q", got, want)
	}
	system, _, err := prompts.Summarize(prompts.SummarizeInput{Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range want {
		if !strings.Contains(system, "\n  "+s+" = ") {
			t.Errorf("system prompt does not define %q:\n%s", s, system)
		}
	}
}

func TestActorProblem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Putin", ""}, {"White House", ""}, {"U.S.", ""}, {"G7", ""}, {"eBay", ""}, {"Путин", ""}, {"普京", ""},
		{"Theresa May", ""}, {"May", ""}, {"International Atomic Energy Agency", ""},
		{"Dec", "is a date, not a person, organisation, country or group"},
		{"Nov.", "is a date, not a person, organisation, country or group"},
		{"Tuesday, March 18", "is a date, not a person, organisation, country or group"},
		{"2025", "is a date, not a person, organisation, country or group"},
		{"Dezember", "is a date, not a person, organisation, country or group"},
		{"By Jane Doe", "is a byline, not a party to the news"},
		{"Caroline Hawley, BBC diplomatic correspondent", "is a byline, not a party to the news"},
		{"officials", "is not a name (a name has a capital letter)"},
		{"the government", "is not a name (a name has a capital letter)"},
		{"A Very Long Name Of Seven Words Here", "is too long for a name"},
	}
	for _, tt := range tests {
		if got := actorProblem(tt.in); got != tt.want {
			t.Errorf("actorProblem(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCapParts(t *testing.T) {
	part := func(name string, n int) []summarize.Topic {
		t := summarize.Topic{Name: name, Key: name}
		for i := range n {
			t.Points = append(t.Points, summarize.Point{Text: fmt.Sprintf("%s%d", name, i)})
		}
		return []summarize.Topic{t}
	}
	parts := [][]summarize.Topic{part("a", 8), part("b", 2), part("c", 8), part("d", 8)}
	got := capParts(parts, 12)
	var counts []int
	for _, p := range got {
		counts = append(counts, countPoints(p))
	}
	// k = 3 keeps 3+2+3+3 = 11; the one left goes to the first part with more.
	if fmt.Sprint(counts) != "[4 2 3 3]" {
		t.Errorf("capParts(8,2,8,8 → 12) kept %v; want [4 2 3 3]", counts)
	}
	if got[0][0].Points[0].Text != "a0" || got[3][0].Points[2].Text != "d2" {
		t.Errorf("capParts kept %+v; want each part's first points", got)
	}
	if same := capParts(parts[:2], 12); countPoints(same[0])+countPoints(same[1]) != 10 {
		t.Errorf("capParts under the bound changed the parts")
	}
}

func TestLeadProblem(t *testing.T) {
	text := "## Call\n\nPutin agreed to pause strikes on energy sites.\n\nThe Kremlin spoke.\n\nMarkets were calm.\n\nLater, aid to Ukraine did not come up.\n\nThe ceasefire was still far off, analysts said."
	doc := &summarize.Document{Title: "What Putin agreed in the ceasefire call"}
	lead := func(text, quote string) []summarize.Topic {
		return []summarize.Topic{{Name: "Call", Points: []summarize.Point{{Text: text, Quote: quote}}}}
	}
	tests := []struct {
		name   string
		doc    *summarize.Document
		part   int
		topics []summarize.Topic
		ok     bool
	}{
		{"quote in the opening", doc, 1, lead("Strikes paused.", "Putin agreed to pause strikes"), true},
		{"deep, on the headline's subject", doc, 1, lead("Ceasefire far off.", "The ceasefire was still far off"), true},
		{"deep, off the headline", doc, 1, lead("No aid talk.", "aid to Ukraine did not come up"), false},
		{"not in the article", doc, 1, lead("Putin agreed to a ceasefire.", "Putin signed a ceasefire"), false},
		{"the title is no quote", doc, 1, lead("Putin agreed.", "What Putin agreed in the ceasefire call"), false},
		{"a title without words to share", &summarize.Document{Title: "普京同意停火"}, 1, lead("No aid talk.", "aid to Ukraine did not come up"), true},
		{"a later part", doc, 2, lead("No aid talk.", "aid to Ukraine did not come up"), true},
	}
	for _, tt := range tests {
		c := newContract(tt.doc, tt.part, text)
		if got := c.leadProblem(tt.topics); (got == "") != tt.ok {
			t.Errorf("%s: leadProblem(%q) = %q; want ok=%v", tt.name, tt.topics[0].Points[0].Quote, got, tt.ok)
		}
	}
}

// roundTripFunc is an http.RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportBoundsBody(t *testing.T) {
	tests := []struct {
		name          string
		size          int
		contentLength int64
		tooLarge      bool
	}{
		{"within", maxResponseBytes, -1, false},
		{"one byte over, chunked", maxResponseBytes + 1, -1, true},
		{"announced over", 10, 2 << 20, true},
	}
	for _, tt := range tests {
		body := strings.Repeat("x", tt.size)
		tr := transport{base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, ContentLength: tt.contentLength, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}, nil
		})}
		info := &callInfo{}
		req, _ := http.NewRequestWithContext(context.WithValue(context.Background(), callInfoKey{}, info), "POST", "http://x/v1/chat/completions", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		if tt.tooLarge != errors.Is(err, errResponseTooLarge) || info.tooLarge != tt.tooLarge || len(got) > maxResponseBytes {
			t.Errorf("%s: read %d bytes, err %v, tooLarge %v; want tooLarge %v and at most %d bytes", tt.name, len(got), err, info.tooLarge, tt.tooLarge, maxResponseBytes)
		}
	}
}
