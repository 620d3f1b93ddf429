package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/summarize/llm"
	"briefbot/summarize/openaitest"
)

// pick is a small answer shape for CompleteJSON tests.
type pick struct {
	Choice string   `json:"choice" enum:"red,green,blue"`
	Why    []string `json:"why"`
}

func pickRequest(check func() error) llm.JSONRequest {
	return llm.JSONRequest{
		Name:   "pick",
		System: `Reply with JSON only: {"choice":"red|green|blue","why":[""]}.`,
		User:   "Pick a colour.",
		Check:  check,
	}
}

func TestCompleteJSONGoodAnswer(t *testing.T) {
	srv := openaitest.New(t)
	srv.Enqueue(openaitest.Answer("```json\n{\"choice\":\"green\",\"why\":[\"calm\"]}\n```"))
	e, _ := newEngine(t, srv, nil)
	var got pick
	usage, err := e.CompleteJSON(context.Background(), pickRequest(nil), &got)
	if err != nil {
		t.Fatalf("CompleteJSON: %v", err)
	}
	if got.Choice != "green" || fmt.Sprint(got.Why) != "[calm]" {
		t.Errorf("CompleteJSON() = %+v; want green, [calm]", got)
	}
	if usage.Calls != 1 || usage.PromptTokens == 0 || usage.CompletionTokens == 0 {
		t.Errorf("usage = %+v; want one call with its tokens", usage)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d; want 1", len(reqs))
	}
	var rf struct {
		Name   string `json:"name"`
		Strict bool   `json:"strict"`
		Schema struct {
			Required []string `json:"required"`
		} `json:"schema"`
	}
	if err := json.Unmarshal(reqs[0].ResponseFormat.JSONSchema, &rf); err != nil {
		t.Fatalf("response_format %s: %v", reqs[0].ResponseFormat.JSONSchema, err)
	}
	if reqs[0].Format() != "json_schema" || rf.Name != "pick" || !rf.Strict || fmt.Sprint(rf.Schema.Required) != "[choice why]" {
		t.Errorf("response_format = %s %s; want a strict json_schema named pick requiring choice and why", reqs[0].Format(), reqs[0].ResponseFormat.JSONSchema)
	}
	if reqs[0].System() != pickRequest(nil).System || reqs[0].LastUser() != "Pick a colour." {
		t.Errorf("messages = %+v; want the request's system and user", reqs[0].Messages)
	}
}

func TestCompleteJSONRepair(t *testing.T) {
	tests := []struct {
		name    string
		first   openaitest.Script
		problem string
	}{
		{"malformed", openaitest.Malformed(), "not valid JSON"},
		{"schema", openaitest.Answer(`{"choice":"purple","why":[]}`), `choice: "purple" is not one of red, green, blue`},
		{"missing field", openaitest.Answer(`{"choice":"red"}`), `the reply: missing "why"`},
		{"check", openaitest.Answer(`{"choice":"red","why":[]}`), "why is empty: give a reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Enqueue(tt.first, openaitest.Answer(`{"choice":"blue","why":["sky"]}`))
			e, _ := newEngine(t, srv, nil)
			var got pick
			checks := 0
			usage, err := e.CompleteJSON(context.Background(), pickRequest(func() error {
				checks++
				if len(got.Why) == 0 {
					return errors.New("why is empty: give a reason")
				}
				return nil
			}), &got)
			if err != nil {
				t.Fatalf("CompleteJSON after a repair: %v", err)
			}
			if got.Choice != "blue" || usage.Calls != 2 {
				t.Errorf("CompleteJSON() = %+v, %d calls; want blue after 2 calls", got, usage.Calls)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("requests = %d; want 2", len(reqs))
			}
			msgs := reqs[1].Messages
			if len(msgs) != 4 || msgs[2].Role != "assistant" || msgs[3].Role != "user" || !strings.Contains(msgs[3].Content, tt.problem) {
				t.Errorf("repair request = %+v; want system, user, the answer and a message naming %q", msgs, tt.problem)
			}
			if want := map[string]int{"check": 2}[tt.name]; want > 0 && checks != want {
				t.Errorf("Check called %d times; want %d", checks, want)
			}
		})
	}
}

func TestCompleteJSONRepairFails(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDefault(openaitest.Answer(`{"choice":"red","why":[]}`))
	e, _ := newEngine(t, srv, nil)
	var got pick
	usage, err := e.CompleteJSON(context.Background(), pickRequest(func() error { return errors.New("why is empty") }), &got)
	if !errors.Is(err, llm.ErrBadAnswer) {
		t.Fatalf("CompleteJSON with two rejected answers = %v; want ErrBadAnswer", err)
	}
	if want := "llm: complete pick: model answer unusable: after one repair: why is empty"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q; want it to start %q", err, want)
	}
	if srv.Count() != 2 || usage.Calls != 2 {
		t.Errorf("requests = %d, usage calls = %d; want 2, 2", srv.Count(), usage.Calls)
	}
}

func TestCompleteJSONRetriesAndFails(t *testing.T) {
	t.Run("retry after", func(t *testing.T) {
		srv := openaitest.New(t)
		srv.Enqueue(openaitest.RateLimited("3"), openaitest.Answer(`{"choice":"red","why":["fire"]}`))
		e, sl := newEngine(t, srv, nil)
		var got pick
		if _, err := e.CompleteJSON(context.Background(), pickRequest(nil), &got); err != nil || got.Choice != "red" {
			t.Fatalf("CompleteJSON after a 429 = %+v, %v; want red", got, err)
		}
		if s := sl.got(); len(s) != 1 || s[0] != 3*time.Second {
			t.Errorf("sleeps = %v; want [3s] from Retry-After", s)
		}
	})
	t.Run("server down", func(t *testing.T) {
		srv := openaitest.New(t)
		srv.SetDefault(openaitest.ServerError())
		e, _ := newEngine(t, srv, func(o *llm.Options) { o.MaxRetries = 2 })
		var got pick
		_, err := e.CompleteJSON(context.Background(), pickRequest(nil), &got)
		if !errors.Is(err, llm.ErrUnavailable) || !strings.HasPrefix(err.Error(), "llm: complete pick: ") {
			t.Fatalf("CompleteJSON on a failing server = %v; want ErrUnavailable", err)
		}
		if srv.Count() != 3 {
			t.Errorf("requests = %d; want 3", srv.Count())
		}
	})
	t.Run("timeout", func(t *testing.T) {
		srv := openaitest.New(t)
		srv.SetDefault(openaitest.Hang())
		e, _ := newEngine(t, srv, func(o *llm.Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = -1 })
		var got pick
		start := time.Now()
		_, err := e.CompleteJSON(context.Background(), pickRequest(nil), &got)
		if !errors.Is(err, llm.ErrUnavailable) || time.Since(start) > 2*time.Second {
			t.Errorf("CompleteJSON on a hanging server = %v after %v; want ErrUnavailable after the timeout", err, time.Since(start))
		}
	})
	t.Run("schema refused", func(t *testing.T) {
		srv := openaitest.New(t)
		srv.SetDefault(openaitest.RejectSchemas(openaitest.Answer(`{"choice":"red","why":["fire"]}`)))
		e, _ := newEngine(t, srv, nil)
		var got pick
		if _, err := e.CompleteJSON(context.Background(), pickRequest(nil), &got); err != nil || got.Choice != "red" {
			t.Fatalf("CompleteJSON = %+v, %v; want red in json_object mode", got, err)
		}
		var formats []string
		for _, r := range srv.Requests() {
			formats = append(formats, r.Format())
		}
		if fmt.Sprint(formats) != "[json_schema json_object]" {
			t.Errorf("formats = %q; want json_schema then json_object", formats)
		}
	})
}

func TestCompleteJSONBadRequests(t *testing.T) {
	type optional struct {
		A string `json:"a,omitempty"`
	}
	type nested struct {
		Items []optional `json:"items"`
	}
	var p pick
	var nilPick *pick
	var list []string
	tests := []struct {
		name string
		req  llm.JSONRequest
		out  any
		want string
	}{
		{"bad name", llm.JSONRequest{Name: "a b"}, &p, `schema name "a b"`},
		{"empty name", llm.JSONRequest{}, &p, `schema name ""`},
		{"not a pointer", llm.JSONRequest{Name: "x"}, p, "want a non-nil pointer"},
		{"nil pointer", llm.JSONRequest{Name: "x"}, nilPick, "want a non-nil pointer"},
		{"array root", llm.JSONRequest{Name: "x"}, &list, "want an object"},
		{"omitempty", llm.JSONRequest{Name: "x"}, &nested{}, `items[]: property "a" is optional`},
	}
	srv := openaitest.New(t)
	e, _ := newEngine(t, srv, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.CompleteJSON(context.Background(), tt.req, tt.out)
			if err == nil || !strings.HasPrefix(err.Error(), "llm: complete ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CompleteJSON(%s) = %v; want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
	if srv.Count() != 0 {
		t.Errorf("requests = %d; want none for bad requests", srv.Count())
	}
}

// TestCompleteJSONSharesConcurrencyBound: CompleteJSON and Summarize wait
// for the same slots.
func TestCompleteJSONSharesConcurrencyBound(t *testing.T) {
	// The script counts requests in flight itself and stops counting one
	// before its answer is written, so the client cannot have released
	// its slot while the request still counts.
	var mu sync.Mutex
	inFlight, maxInFlight := 0, 0
	srv := openaitest.New(t)
	srv.SetDefault(func(req *openaitest.Request) openaitest.Reply {
		mu.Lock()
		inFlight++
		maxInFlight = max(maxInFlight, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // the model thinking
		mu.Lock()
		inFlight--
		mu.Unlock()
		if req.ArticleMessage() != "" {
			return openaitest.Instant(req)
		}
		return openaitest.Reply{Content: `{"choice":"red","why":["fire"]}`}
	})
	e, _ := newEngine(t, srv, func(o *llm.Options) { o.MaxConcurrent = 1 })
	doc := ceasefireDoc(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Go(func() {
			if i%2 == 0 {
				var got pick
				_, errs[i] = e.CompleteJSON(context.Background(), pickRequest(nil), &got)
				return
			}
			_, errs[i] = e.Summarize(context.Background(), doc)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if n := maxInFlight; n != 1 {
		t.Errorf("max in flight = %d; want 1 with MaxConcurrent 1", n)
	}
	if srv.Count() != 4 {
		t.Errorf("requests = %d; want 4", srv.Count())
	}
}
