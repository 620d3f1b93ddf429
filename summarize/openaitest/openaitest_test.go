package openaitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"briefbot/prompts"
)

func post(t *testing.T, srv *Server, ctx context.Context, path string, body any) (*http.Response, []byte, error) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

func chatBody(user string) map[string]any {
	return map[string]any{
		"model": "m",
		"messages": []map[string]string{
			{"role": "system", "content": "sys"},
			{"role": "user", "content": user},
		},
		"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "ledger", "strict": true}},
	}
}

const article = prompts.ArticleOpen + `
Title: Talks
Site: Example
URL: https://news.example/a

## Energy

Putin agreed to stop attacking energy facilities. Peskov accused Ukraine of not respecting the moratorium. It was unclear who would monitor it.

## Aid

Aid to Ukraine did not come up in the conversation.
` + prompts.ArticleClose

func TestQueueAndRecording(t *testing.T) {
	srv := New(t)
	srv.Enqueue(RateLimited("2"), ServerError())
	tests := []struct {
		path   string
		status int
		header string
	}{
		{"/v1/chat/completions", 429, "2"},
		{"/chat/completions", 500, ""},
		{"/v1/chat/completions", 200, ""},
	}
	for i, tt := range tests {
		resp, body, err := post(t, srv, context.Background(), tt.path, chatBody(article))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.status || resp.Header.Get("Retry-After") != tt.header {
			t.Errorf("request %d: status %d, Retry-After %q; want %d, %q (%s)", i, resp.StatusCode, resp.Header.Get("Retry-After"), tt.status, tt.header, body)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || srv.Count() != 3 || srv.Pending() != 0 {
		t.Fatalf("recorded %d requests, %d pending; want 3, 0", len(reqs), srv.Pending())
	}
	if reqs[1].Path != "/chat/completions" || reqs[0].Format() != "json_schema" || reqs[0].System() != "sys" || reqs[0].LastUser() != article {
		t.Errorf("request 0 = %s; fields not recorded", reqs[0])
	}
}

func TestInstantAnswer(t *testing.T) {
	srv := New(t)
	resp, body, err := post(t, srv, context.Background(), "/v1/chat/completions", chatBody(article))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", err, resp)
	}
	var out struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Choices) != 1 {
		t.Fatalf("body %s: %v", body, err)
	}
	var a prompts.Answer
	if err := json.Unmarshal([]byte(out.Choices[0].Message.Content), &a); err != nil {
		t.Fatal(err)
	}
	want := prompts.Answer{Topics: []prompts.AnswerTopic{
		{Name: "Energy", Points: []prompts.AnswerPoint{
			{Text: "Putin agreed to stop attacking energy facilities.", Status: "agreed", Actors: []string{}, Quote: "Putin agreed to stop attacking energy facilities."},
			{Text: "Peskov accused Ukraine of not respecting the moratorium.", Status: "disputed", Actors: []string{"Ukraine"}, Quote: "Peskov accused Ukraine of not respecting the moratorium."},
			{Text: "It was unclear who would monitor it.", Status: "unresolved", Actors: []string{}, Quote: "It was unclear who would monitor it."},
		}},
		{Name: "Aid", Points: []prompts.AnswerPoint{
			{Text: "Aid to Ukraine did not come up in the conversation.", Status: "reported", Actors: []string{"Ukraine"}, Quote: "Aid to Ukraine did not come up in the conversation."},
		}},
	}}
	if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", want) {
		t.Errorf("Instant answer = %+v; want %+v", a, want)
	}
	if out.Usage.PromptTokens != (3+3)/4+(len(article)+3)/4 || out.Usage.CompletionTokens == 0 {
		t.Errorf("usage = %+v; want characters / 4", out.Usage)
	}
}

func TestBuildAnswerWithoutHeadings(t *testing.T) {
	var paras []string
	for i := range 7 {
		paras = append(paras, fmt.Sprintf("Paragraph %d opens here. It has a second sentence.", i))
	}
	a := BuildAnswer(strings.Join(paras, "\n\n"))
	// Groups of three paragraphs: 3 + 3 + 1.
	if len(a.Topics) != 3 || a.Topics[0].Name != "Paragraph 0 opens here" || len(a.Topics[2].Points) != 2 {
		t.Errorf("BuildAnswer(7 paragraphs) = %+v; want 3 topics named after their first words", a)
	}
	total := 0
	for _, tp := range a.Topics {
		total += len(tp.Points)
		if len(tp.Points) > maxPoints {
			t.Errorf("topic %q has %d points; want ≤ %d", tp.Name, len(tp.Points), maxPoints)
		}
	}
	if total != prompts.MaxPoints {
		t.Errorf("BuildAnswer(7 paragraphs of 2 sentences) has %d points; want %d", total, prompts.MaxPoints)
	}
	if got := BuildAnswer(""); len(got.Topics) != 0 {
		t.Errorf("BuildAnswer(\"\") = %+v; want no topics", got)
	}
}

func TestBuildAnswerContract(t *testing.T) {
	// Ten sections of three sentences: eight topics of one point each,
	// the article's first sentence first; statuses from cues, plain facts
	// reported; no month or weekday among the actors.
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "## Section %d\n\nOn Tuesday Reuters reported figure %d. Kyiv demanded more. Moscow denied it.\n\n", i, i)
	}
	a := BuildAnswer(b.String())
	if len(a.Topics) != prompts.MaxTopics {
		t.Fatalf("BuildAnswer(10 sections) = %d topics; want %d", len(a.Topics), prompts.MaxTopics)
	}
	first := a.Topics[0].Points[0]
	if first.Text != "On Tuesday Reuters reported figure 0." || first.Status != "reported" || fmt.Sprint(first.Actors) != "[Reuters]" {
		t.Errorf("first point = %+v; want the first sentence, reported, actors [Reuters]", first)
	}
	for _, tp := range a.Topics {
		if len(tp.Points) != 1 {
			t.Errorf("topic %q has %d points; want 1 (8 points over 8 topics)", tp.Name, len(tp.Points))
		}
	}
	for _, tt := range []struct{ s, want string }{
		{"Kyiv demanded more.", "unresolved"}, {"Moscow denied it.", "disputed"}, {"They signed it.", "agreed"}, {"Shares fell 3%.", "reported"},
	} {
		if got := cueStatus(tt.s); got != tt.want {
			t.Errorf("cueStatus(%q) = %q; want %q", tt.s, got, tt.want)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three? four", []string{"One.", "Two!", "Three? four"}},
		{`He said "stop." Then he left.`, []string{`He said "stop."`, "Then he left."}},
		{"No end", []string{"No end"}},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("Sentences(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestHangReleasedByClient(t *testing.T) {
	srv := New(t)
	srv.Enqueue(Hang())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := post(t, srv, ctx, "/v1/chat/completions", chatBody(article))
	if err == nil {
		t.Fatal("post to a hanging server succeeded; want the client's deadline")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("hang held the client %v after its deadline", d)
	}
}

func TestFormatRefusals(t *testing.T) {
	tests := []struct {
		name   string
		script Script
		format any
		status int
	}{
		{"schema refused", RejectSchemas(Instant), map[string]any{"type": "json_schema"}, 400},
		{"json mode passes", RejectSchemas(Instant), map[string]any{"type": "json_object"}, 200},
		{"any format refused", RejectResponseFormat(Instant), map[string]any{"type": "json_object"}, 400},
		{"no format passes", RejectResponseFormat(Instant), nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t)
			srv.SetDefault(tt.script)
			body := chatBody(article)
			if tt.format == nil {
				delete(body, "response_format")
			} else {
				body["response_format"] = tt.format
			}
			resp, out, err := post(t, srv, context.Background(), "/v1/chat/completions", body)
			if err != nil || resp.StatusCode != tt.status {
				t.Errorf("%s: status %v (%v); want %d: %s", tt.name, resp, err, tt.status, out)
			}
			if tt.status == 400 && !strings.Contains(string(out), "response_format") {
				t.Errorf("%s: refusal %s does not name response_format", tt.name, out)
			}
		})
	}
}

func TestSequenceAndMalformed(t *testing.T) {
	srv := New(t)
	srv.SetDefault(Sequence(Malformed(), MalformedBody(), Answer("{}")))
	var got []string
	for range 4 {
		_, body, err := post(t, srv, context.Background(), "/v1/chat/completions", chatBody(article))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		if json.Unmarshal(body, &out) != nil {
			got = append(got, "not json")
			continue
		}
		got = append(got, out.Choices[0].Message.Content)
	}
	want := []string{`{"topics":[{"name":"Energy","points":[{"text":"Putin agreed`, "not json", "{}", "{}"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("Sequence answers = %q; want %q", got, want)
	}
}

func TestFlood(t *testing.T) {
	srv := New(t)
	srv.SetDefault(Flood(30, 7))
	art := "## Heading\n\nKyiv said \"no\" <b>&</b> Moscow agreed. Prices fell 3% — in “Europe”.\n\nA third sentence ends here."
	for range 2 { // the second answer comes from the cache
		resp, body, err := post(t, srv, context.Background(), "/v1/chat/completions", chatBody(prompts.ArticleOpen+"\n"+art+"\n"+prompts.ArticleClose))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("post: %v %v", err, resp)
		}
		var out struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		if err := json.Unmarshal(body, &out); err != nil || len(out.Choices) != 1 {
			t.Fatalf("body %.200s: %v", body, err)
		}
		var a prompts.Answer
		if err := json.Unmarshal([]byte(out.Choices[0].Message.Content), &a); err != nil {
			t.Fatalf("content %.200s: %v", out.Choices[0].Message.Content, err)
		}
		if len(a.Topics) != 30 || len(a.Topics[29].Points) != 7 || a.Topics[29].Name != "Topic 30" {
			t.Fatalf("Flood(30, 7) = %d topics; want 30 of 7 points", len(a.Topics))
		}
		seen := map[string]bool{}
		for _, tp := range a.Topics {
			for _, p := range tp.Points {
				if !strings.Contains(art, p.Quote) {
					t.Errorf("quote %q not in the article", p.Quote)
				}
				seen[p.Status] = true
			}
		}
		if len(seen) != 4 {
			t.Errorf("statuses %v; want all four", seen)
		}
	}
}
