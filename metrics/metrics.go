// Package metrics owns briefbot's Prometheus collectors and its health
// endpoints. main builds one Metrics and hands it to the other packages
// as the small interfaces they define (summarize.Metrics, bot.Metrics,
// bot.DiscordMetrics); they never reach a global registry, and a nil
// interface means no metrics (tests and the command line).
//
// Labels are bounded: engine names, fetch failure reasons, outcomes. A
// URL, a server or a user is never a label.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"briefbot/summarize"
)

// Metrics holds every collector, registered on its own registry. Its
// methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	linksSeen        prometheus.Counter
	summaries        *prometheus.CounterVec
	cacheHits        prometheus.Counter
	fetchFailures    *prometheus.CounterVec
	modelCalls       prometheus.Counter
	modelTokens      *prometheus.CounterVec
	engineSeconds    *prometheus.HistogramVec
	modelRequests    *prometheus.HistogramVec
	fallbacks        prometheus.Counter
	budgetOffline    *prometheus.CounterVec
	briefingsPosted  prometheus.Counter
	briefingsSkipped *prometheus.CounterVec
	discord429       prometheus.Counter
	reconnects       prometheus.Counter

	// queueDepth reads the work queue; nil until SetQueueDepth.
	queueDepth atomic.Pointer[func() int]
}

// New returns Metrics with every collector registered, plus the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "briefbot", Name: name, Help: help})
		m.reg.MustRegister(c)
		return c
	}
	counterVec := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "briefbot", Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	m.linksSeen = counter("links_seen_total", "Links the bot was asked to summarize (pasted, reacted to or commanded).")
	m.summaries = counterVec("summaries_total", "Summaries made (not from the cache), by the engine that wrote them.", "engine")
	m.cacheHits = counter("cache_hits_total", "Summaries answered from the cache.")
	m.fetchFailures = counterVec("fetch_failures_total", "Links that could not be read, by reason.", "reason")
	m.modelCalls = counter("model_calls_total", "Language model calls that answered, for summaries.")
	m.modelTokens = counterVec("model_tokens_total", "Language model tokens spent on summaries, by kind (prompt, completion).", "kind")
	m.engineSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "briefbot", Name: "engine_duration_seconds",
		Help: "Time an engine took to summarize one article (all model calls of the article for the llm engine).",
		// From the offline engine's milliseconds to a long article's
		// several model calls with retries.
		Buckets: []float64{0.01, 0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300},
	}, []string{"engine"})
	m.reg.MustRegister(m.engineSeconds)
	m.modelRequests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "briefbot", Name: "model_request_duration_seconds",
		Help: "Each HTTP request to the language model (summaries, briefing merges, retries), by status code.",
		// One part of an article: about a second on a fast model, up to
		// the 60 s call timeout.
		Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60},
	}, []string{"code"})
	m.reg.MustRegister(m.modelRequests)
	m.fallbacks = counter("fallbacks_total", "Summaries that fell back to the offline engine because the language model failed.")
	m.budgetOffline = counterVec("budget_offline_total", "Summaries sent to the offline engine because a daily token cap was reached, by cap (server, global).", "cap")
	m.briefingsPosted = counter("briefings_posted_total", "Briefings posted.")
	m.briefingsSkipped = counterVec("briefings_skipped_total", "Briefing slots not posted, by reason (empty: nothing shared and the server asked for silence; missed: too late to post).", "reason")
	m.discord429 = counter("discord_rest_429_total", "Discord REST answers of 429 Too Many Requests.")
	m.reconnects = counter("gateway_reconnects_total", "Discord gateway connections after the first.")
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "briefbot", Name: "queue_depth",
		Help: "Summary requests admitted and not finished (running or waiting for a slot).",
	}, func() float64 {
		if f := m.queueDepth.Load(); f != nil {
			return float64((*f)())
		}
		return 0
	}))
	// Pre-create the label values the dashboards expect, so a rate over
	// them exists before the first event.
	for _, e := range []string{"llm", "extractive"} {
		m.summaries.WithLabelValues(e)
	}
	for _, k := range []string{"prompt", "completion"} {
		m.modelTokens.WithLabelValues(k)
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the collectors are registered, for tests and for
// adding collectors of main's own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// SetQueueDepth sets the function the queue_depth gauge reads.
func (m *Metrics) SetQueueDepth(f func() int) { m.queueDepth.Store(&f) }

// CacheHit counts a summary answered from the cache (summarize.Metrics).
func (m *Metrics) CacheHit() { m.cacheHits.Inc() }

// FetchFailed counts a link that could not be read (summarize.Metrics).
func (m *Metrics) FetchFailed(reason string) { m.fetchFailures.WithLabelValues(reason).Inc() }

// Summarized counts a summary made by engine (summarize.Metrics).
func (m *Metrics) Summarized(engine string, u summarize.Usage, took time.Duration, fallback bool) {
	m.summaries.WithLabelValues(engine).Inc()
	m.engineSeconds.WithLabelValues(engine).Observe(took.Seconds())
	if u.Calls > 0 {
		m.modelCalls.Add(float64(u.Calls))
	}
	if u.PromptTokens > 0 {
		m.modelTokens.WithLabelValues("prompt").Add(float64(u.PromptTokens))
	}
	if u.CompletionTokens > 0 {
		m.modelTokens.WithLabelValues("completion").Add(float64(u.CompletionTokens))
	}
	if fallback {
		m.fallbacks.Inc()
	}
}

// ModelTransport wraps the language model's HTTP transport (nil means
// http.DefaultTransport) to time each request by status code.
func (m *Metrics) ModelTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return promhttp.InstrumentRoundTripperDuration(m.modelRequests, base)
}

// LinksSeen counts links the bot was asked to summarize (bot.Metrics).
func (m *Metrics) LinksSeen(n int) { m.linksSeen.Add(float64(n)) }

// BudgetOffline counts a summary sent to the offline engine by a cap,
// "server" or "global" (bot.Metrics).
func (m *Metrics) BudgetOffline(limit string) { m.budgetOffline.WithLabelValues(limit).Inc() }

// RateLimited counts a Discord REST 429 (bot.DiscordMetrics).
func (m *Metrics) RateLimited() { m.discord429.Inc() }

// Reconnected counts a gateway connection after the first
// (bot.DiscordMetrics).
func (m *Metrics) Reconnected() { m.reconnects.Inc() }

// BriefingPosted counts a posted briefing.
func (m *Metrics) BriefingPosted() { m.briefingsPosted.Inc() }

// BriefingSkipped counts a briefing slot not posted, by reason ("empty"
// or "missed").
func (m *Metrics) BriefingSkipped(reason string) { m.briefingsSkipped.WithLabelValues(reason).Inc() }

// Checker reports whether one dependency is ready; nil means it is.
type Checker func(ctx context.Context) error

// Server serves /healthz, /readyz and /metrics.
type Server struct {
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
}

// readyTimeout bounds one readiness check: a store that takes longer to
// answer SELECT 1 is as good as down for the bot's users.
const readyTimeout = 2 * time.Second

// Handler returns the mux of /healthz (the process answers), /readyz
// (every check passes: 503 naming the first that fails otherwise) and
// /metrics.
func (m *Metrics) Handler(checks map[string]Checker) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, name := range slices.Sorted(maps.Keys(checks)) {
			if err := checks[name](ctx); err != nil {
				// The reason goes to whoever may reach this port (the
				// operator); it names the dependency, not its secrets.
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(name + ": not ready\n"))
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

// Listen starts serving h on addr (host:port; port 0 picks one) and
// returns at once; Addr says where it listens.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second},
		ln:  ln,
		log: log,
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http_serve_failed", slog.Any("err", err))
		}
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops the server, waiting for requests in progress until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
