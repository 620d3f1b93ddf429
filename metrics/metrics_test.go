package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"briefbot/summarize"
)

func TestCounters(t *testing.T) {
	m := New()
	m.Summarized("llm", summarize.Usage{Calls: 2, PromptTokens: 900, CompletionTokens: 120}, 1500*time.Millisecond, false)
	m.Summarized("extractive", summarize.Usage{}, 20*time.Millisecond, true)
	m.CacheHit()
	m.FetchFailed(summarize.ReasonBlocked)
	m.FetchFailed(summarize.ReasonBlocked)
	m.LinksSeen(3)
	m.BudgetOffline("server")
	m.BriefingPosted()
	m.BriefingSkipped("missed")
	m.RateLimited()
	m.Reconnected()
	for _, tt := range []struct {
		name string
		got  float64
		want float64
	}{
		{"summaries llm", testutil.ToFloat64(m.summaries.WithLabelValues("llm")), 1},
		{"summaries extractive", testutil.ToFloat64(m.summaries.WithLabelValues("extractive")), 1},
		{"model calls", testutil.ToFloat64(m.modelCalls), 2},
		{"prompt tokens", testutil.ToFloat64(m.modelTokens.WithLabelValues("prompt")), 900},
		{"completion tokens", testutil.ToFloat64(m.modelTokens.WithLabelValues("completion")), 120},
		{"fallbacks", testutil.ToFloat64(m.fallbacks), 1},
		{"cache hits", testutil.ToFloat64(m.cacheHits), 1},
		{"fetch failures blocked", testutil.ToFloat64(m.fetchFailures.WithLabelValues(summarize.ReasonBlocked)), 2},
		{"links seen", testutil.ToFloat64(m.linksSeen), 3},
		{"budget offline", testutil.ToFloat64(m.budgetOffline.WithLabelValues("server")), 1},
		{"briefings posted", testutil.ToFloat64(m.briefingsPosted), 1},
		{"briefings skipped", testutil.ToFloat64(m.briefingsSkipped.WithLabelValues("missed")), 1},
		{"429s", testutil.ToFloat64(m.discord429), 1},
		{"reconnects", testutil.ToFloat64(m.reconnects), 1},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
	if n := testutil.CollectAndCount(m.engineSeconds); n != 2 {
		t.Errorf("engine duration series = %d; want one per engine (2)", n)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHandler(t *testing.T) {
	m := New()
	m.SetQueueDepth(func() int { return 3 })
	var transportErr error
	srv := httptest.NewServer(m.Handler(map[string]Checker{
		"store":     func(context.Context) error { return nil },
		"transport": func(context.Context) error { return transportErr },
	}))
	defer srv.Close()
	if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q; want 200 ok", code, body)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q; want 200", code, body)
	}
	transportErr = errors.New("gateway not connected: token sk-secret")
	code, body := get(t, srv.URL+"/readyz")
	if code != http.StatusServiceUnavailable || body != "transport: not ready\n" {
		t.Errorf("/readyz with the transport down = %d %q; want 503 naming the transport and nothing of its error", code, body)
	}
	code, body = get(t, srv.URL+"/metrics")
	if code != 200 || !strings.Contains(body, "briefbot_queue_depth 3\n") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d without the queue depth (3) or the Go collector:\n%.500s", code, body)
	}
	if code, _ := get(t, srv.URL+"/other"); code != http.StatusNotFound {
		t.Errorf("/other = %d; want 404", code)
	}
}
