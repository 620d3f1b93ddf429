// Package openaitest is a local stand-in for an OpenAI-compatible
// chat-completions server, for tests and benchmarks of anything that talks
// to a model (the LLM engine, the bot, the scheduler).
//
// A Server answers POST /v1/chat/completions and /chat/completions. Each
// request is answered by the next Script in its queue, or by its default
// Script when the queue is empty (Instant unless SetDefault says
// otherwise). Every request is recorded, body included.
//
//	srv := openaitest.New(t)
//	srv.Enqueue(openaitest.RateLimited("1"), openaitest.Instant)
//	engine, _ := llm.New(llm.Options{BaseURL: srv.BaseURL(), ...})
//
// Instant builds a plausible answer from the article in the prompt without
// any model: see its comment.
package openaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"briefbot/prompts"
)

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ResponseFormat is the response_format a request asked for.
type ResponseFormat struct {
	Type       string          `json:"type"`
	JSONSchema json.RawMessage `json:"json_schema,omitempty"`
}

// Request is one recorded chat-completions request.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte

	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	ResponseFormat *ResponseFormat `json:"response_format"`

	// done is closed when the client gives up on the request.
	done <-chan struct{}
}

// Format returns the requested response_format type ("json_schema",
// "json_object", "text"), or "" when the request set none.
func (r *Request) Format() string {
	if r.ResponseFormat == nil {
		return ""
	}
	return r.ResponseFormat.Type
}

// ArticleMessage returns the content of the last user message holding a
// delimited article (a repair request's last message holds none).
func (r *Request) ArticleMessage() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" && strings.Contains(r.Messages[i].Content, prompts.ArticleOpen) {
			return r.Messages[i].Content
		}
	}
	return ""
}

// System returns the first system message's content.
func (r *Request) System() string {
	for _, m := range r.Messages {
		if m.Role == "system" {
			return m.Content
		}
	}
	return ""
}

// LastUser returns the content of the last user message.
func (r *Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Reply is how a Script answers one request.
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Header is added to the response (e.g. Retry-After).
	Header http.Header
	// Content is the assistant message of a 200 answer, wrapped in a
	// chat.completion object with usage.
	Content string
	// Body, when non-nil, is sent as is instead (error bodies, broken
	// JSON).
	Body []byte
	// Delay waits this long before answering (or until the client gives
	// up).
	Delay time.Duration
	// Hang waits until the client gives up or the server closes, then
	// answers nothing.
	Hang bool
	// PromptTokens and CompletionTokens override the usage reported with
	// Content; by default both are estimated as characters / 4.
	PromptTokens, CompletionTokens int
	// FinishReason defaults to "stop".
	FinishReason string
}

// Script answers one request.
type Script func(req *Request) Reply

// Server is the stand-in. Its methods are safe for concurrent use.
type Server struct {
	srv    *httptest.Server
	closed chan struct{}
	once   sync.Once

	mu          sync.Mutex
	queue       []Script
	fallback    Script
	requests    []*Request
	inFlight    int
	maxInFlight int
}

// New starts a stand-in server that is closed when tb's test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := NewServer()
	tb.Cleanup(s.Close)
	return s
}

// NewServer starts a stand-in server; the caller must Close it.
func NewServer() *Server {
	s := &Server{closed: make(chan struct{}), fallback: Instant}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.serve)
	mux.HandleFunc("POST /chat/completions", s.serve)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the server, releasing any hanging request first.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		s.srv.Close()
	})
}

// BaseURL is the value for an OpenAI client's base URL
// (http://127.0.0.1:port/v1).
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// URL is the server's root URL, for clients that append /chat/completions
// themselves.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Enqueue adds scripts answering the next requests, one request each, in
// order.
func (s *Server) Enqueue(scripts ...Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, scripts...)
}

// SetDefault sets the script answering requests when the queue is empty.
func (s *Server) SetDefault(script Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = script
}

// Requests returns the requests received so far, in arrival order.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.requests...)
}

// Count returns how many requests were received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// MaxInFlight returns the largest number of requests being answered at
// the same time so far.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Pending returns how many queued scripts have not been used yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := &Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, done: r.Context().Done()}
	if err := json.Unmarshal(body, req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "request body is not JSON: "+err.Error())
		return
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	script := s.fallback
	if len(s.queue) > 0 {
		script = s.queue[0]
		s.queue = s.queue[1:]
	}
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	reply := script(req)
	if reply.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return
	}
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	if reply.Body != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(reply.Body)
		return
	}
	promptTokens := reply.PromptTokens
	if promptTokens == 0 {
		for _, m := range req.Messages {
			promptTokens += estimate(m.Content)
		}
	}
	completionTokens := reply.CompletionTokens
	if completionTokens == 0 {
		completionTokens = estimate(reply.Content)
	}
	finish := reply.FinishReason
	if finish == "" {
		finish = "stop"
	}
	out := map[string]any{
		"id":      "chatcmpl-openaitest",
		"object":  "chat.completion",
		"created": 1742400000,
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": reply.Content},
			"finish_reason": finish,
		}},
		"usage": map[string]any{
			"prompt_tokens":     promptTokens,
			"completion_tokens": completionTokens,
			"total_tokens":      promptTokens + completionTokens,
		},
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// estimate is the stand-in's token count: characters / 4, at least 1.
func estimate(s string) int {
	return max(1, (len(s)+3)/4)
}

func writeError(w http.ResponseWriter, status int, typ, param, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(typ, param, msg))
}

func errorBody(typ, param, msg string) []byte {
	e := map[string]any{"message": msg, "type": typ, "code": nil, "param": nil}
	if param != "" {
		e["param"] = param
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return b
}

// Answer replies 200 with content as the assistant message.
func Answer(content string) Script {
	return func(*Request) Reply { return Reply{Content: content} }
}

// JSON replies 200 with v, marshalled, as the assistant message.
func JSON(v any) Script {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("openaitest: JSON(%T): %v", v, err))
	}
	return Answer(string(b))
}

// RateLimited replies 429 with the given Retry-After header value (seconds
// or an HTTP date; "" sends none).
func RateLimited(retryAfter string) Script {
	return func(*Request) Reply {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return Reply{Status: http.StatusTooManyRequests, Header: h,
			Body: errorBody("rate_limit_exceeded", "", "Rate limit reached for requests")}
	}
}

// Status replies with an OpenAI-style error of the given HTTP status.
func Status(code int, message string) Script {
	return func(*Request) Reply {
		return Reply{Status: code, Body: errorBody("server_error", "", message)}
	}
}

// ServerError replies 500.
func ServerError() Script {
	return Status(http.StatusInternalServerError, "The server had an error while processing your request.")
}

// Hang never answers: it holds the request until the client gives up or
// the server closes.
func Hang() Script {
	return func(*Request) Reply { return Reply{Hang: true} }
}

// Delayed answers with next after waiting d (the client may give up
// first).
func Delayed(d time.Duration, next Script) Script {
	return func(req *Request) Reply {
		r := next(req)
		r.Delay = d
		return r
	}
}

// Malformed replies 200 with an assistant message that is not valid JSON
// (an answer cut off in the middle).
func Malformed() Script {
	return Answer(`{"topics":[{"name":"Energy","points":[{"text":"Putin agreed`)
}

// MalformedBody replies 200 with a body that is not a chat completion at
// all.
func MalformedBody() Script {
	return func(*Request) Reply { return Reply{Body: []byte("<html>upstream proxy error</html>")} }
}

// InventedQuoteText is the quote InventedQuote puts in the first point; it
// appears in no test article.
const InventedQuoteText = "The parties signed a secret treaty on the far side of the Moon."

// InventedQuote is Instant with the last point's quote replaced by
// InventedQuoteText. The first point, the article's main news, keeps its
// own quote: an invented one there is worth a repair request.
func InventedQuote() Script {
	return func(req *Request) Reply {
		a := BuildAnswer(Article(req.ArticleMessage()))
		if n := len(a.Topics); n > 0 && len(a.Topics[n-1].Points) > 0 {
			pts := a.Topics[n-1].Points
			pts[len(pts)-1].Quote = InventedQuoteText
		}
		b, _ := json.Marshal(a)
		return Reply{Content: string(b)}
	}
}

// Flood answers with a ledger far past what the prompt asks for: topics
// topics of points points each, every point a sentence of the article in
// the last user message that holds one (in turn, so every quote is
// grounded), statuses in turn, a hostile or broken model's answer. 300 ×
// 100 makes a reply of about 10 MB; it is built once per article and
// sent as a finished body, so a flood costs the stand-in little.
func Flood(topics, points int) Script {
	var mu sync.Mutex
	bodies := map[string][]byte{}
	return func(req *Request) Reply {
		article := Article(req.ArticleMessage())
		mu.Lock()
		defer mu.Unlock()
		if b, ok := bodies[article]; ok {
			return Reply{Body: b}
		}
		b := floodBody(req.Model, article, topics, points)
		bodies[article] = b
		return Reply{Body: b}
	}
}

// floodBody is Flood's chat.completion body for article. It is assembled
// from the escaped JSON of each point (a handful of distinct ones) rather
// than by encoding ten megabytes twice: JSON string escaping works
// character by character, so escaped pieces join into the escaped whole.
func floodBody(model, article string, topics, points int) []byte {
	var sents []string
	for _, p := range strings.Split(article, "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" && !strings.HasPrefix(p, "#") {
			sents = append(sents, Sentences(p)...)
		}
	}
	if len(sents) == 0 {
		sents = []string{"nothing"}
	}
	statuses := []string{"reported", "agreed", "unresolved", "disputed"}
	escape := func(v any) (string, int) {
		raw, _ := json.Marshal(v)
		esc, _ := json.Marshal(string(raw))
		return string(esc[1 : len(esc)-1]), len(raw)
	}
	type piece struct {
		esc string
		n   int
	}
	cache := map[[2]int]piece{}
	var content strings.Builder
	size := 0
	write := func(esc string, n int) {
		content.WriteString(esc)
		size += n
	}
	lit := func(s string) {
		esc, _ := json.Marshal(s)
		write(string(esc[1:len(esc)-1]), len(s))
	}
	lit(`{"topics":[`)
	k := 0
	for i := range topics {
		if i > 0 {
			lit(",")
		}
		lit(fmt.Sprintf(`{"name":"Topic %d","points":[`, i+1))
		for j := range points {
			if j > 0 {
				lit(",")
			}
			key := [2]int{k % len(sents), k % len(statuses)}
			pc, ok := cache[key]
			if !ok {
				sent := sents[key[0]]
				pc.esc, pc.n = escape(prompts.AnswerPoint{Text: sent, Status: statuses[key[1]], Actors: actors(sent), Quote: firstWords(sent, maxQuoteWords)})
				cache[key] = pc
			}
			write(pc.esc, pc.n)
			k++
		}
		lit("]}")
	}
	lit("]}")
	prompt := max(1, (len(article)+3)/4)
	completion := max(1, (size+3)/4)
	return []byte(fmt.Sprintf(`{"id":"chatcmpl-openaitest","object":"chat.completion","created":1742400000,"model":%q,`+
		`"choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],`+
		`"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`,
		model, content.String(), prompt, completion, prompt+completion))
}

// RejectSchemas answers requests asking for response_format json_schema
// with a 400 like servers without structured-output support send, and
// passes every other request to next.
func RejectSchemas(next Script) Script {
	return func(req *Request) Reply {
		if req.Format() == "json_schema" {
			return Reply{Status: http.StatusBadRequest, Body: errorBody("invalid_request_error", "response_format",
				"Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.")}
		}
		return next(req)
	}
}

// RejectResponseFormat answers any request carrying a response_format with
// a 400, and passes requests without one to next.
func RejectResponseFormat(next Script) Script {
	return func(req *Request) Reply {
		if req.ResponseFormat != nil {
			return Reply{Status: http.StatusBadRequest, Body: errorBody("invalid_request_error", "response_format",
				"response_format is not supported")}
		}
		return next(req)
	}
}

// Sequence answers the n-th request it sees with scripts[n], and every
// later one with the last script.
func Sequence(scripts ...Script) Script {
	var mu sync.Mutex
	n := 0
	return func(req *Request) Reply {
		mu.Lock()
		i := min(n, len(scripts)-1)
		n++
		mu.Unlock()
		return scripts[i](req)
	}
}

// Content returns Instant's answer for req, as JSON text: the ledger of the
// article in the last user message that holds one.
func Content(req *Request) string {
	b, _ := json.Marshal(BuildAnswer(Article(req.ArticleMessage())))
	return string(b)
}

// Instant answers at once with a plausible ledger built from the article
// in the last user message (see BuildAnswer); its quotes are verbatim
// excerpts, so they are grounded.
func Instant(req *Request) Reply {
	return Reply{Content: Content(req)}
}

// WaitDone blocks until the request's client gives up; for scripts that
// need to observe cancellation.
func (r *Request) WaitDone() {
	if r.done != nil {
		<-r.done
	}
}

// String gives a short description for test failures.
func (r *Request) String() string {
	return fmt.Sprintf("%s %s model=%s format=%s messages=%d", r.Method, r.Path, r.Model, r.Format(), len(r.Messages))
}

// hasAny reports whether s contains any of words (already lower case).
func hasAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
