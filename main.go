// Command briefbot is a Discord bot that reads the news links people paste
// and answers with what the article says was agreed, what is unresolved
// and what is disputed, each point backed by a verbatim quote. It keeps
// every result, answers topic lookups across a server's links and posts a
// daily briefing.
//
// Usage:
//
//	briefbot                              run the bot (Discord with DISCORD_TOKEN, else the console)
//	briefbot summarize URL|FILE [--json] [--fresh]
//	briefbot extract URL|FILE [--json]
//
// main is the only place that reads the environment (and a .env file in the
// working directory); it wires the packages and shuts them down in reverse.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"briefbot/ask"
	"briefbot/bot"
	"briefbot/feed"
	"briefbot/ledger"
	"briefbot/metrics"
	"briefbot/prompts"
	"briefbot/schedule"
	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
	"briefbot/summarize/llm"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := loadEnv(".env", os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "briefbot:", err)
		os.Exit(2)
	}
	os.Exit(run(ctx, os.Args[1:], env, os.Stdin, os.Stdout, os.Stderr))
}

// environ is where settings come from: the process environment over a
// .env file.
type environ struct {
	// lookup returns a setting and whether it is set at all, even to "".
	lookup func(string) (string, bool)
	// file is the .env file read ("" when there was none) and fileKeys
	// the keys it sets, so keys main never reads can be warned about.
	file     string
	fileKeys []string
}

// loadEnv returns the process environment (lookup) over the KEY=VALUE
// lines of the file at path when it exists. The process environment wins
// so a deployment can override a checked-in .env.
func loadEnv(path string, lookup func(string) (string, bool)) (environ, error) {
	f, err := os.Open(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return environ{lookup: lookup}, nil
	case err != nil:
		return environ{}, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	file, err := parseDotenv(f)
	if err != nil {
		return environ{}, fmt.Errorf("read %s: %w", path, err)
	}
	keys := make([]string, 0, len(file))
	for k := range file {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return environ{
		lookup: func(k string) (string, bool) {
			if v, ok := lookup(k); ok {
				return v, true
			}
			v, ok := file[k]
			return v, ok
		},
		file:     path,
		fileKeys: keys,
	}, nil
}

// parseDotenv reads KEY=VALUE lines: blank lines and # comments are
// skipped, an "export " prefix is allowed, and a value may be quoted. A
// UTF-8 byte-order mark (which some Windows editors write) is ignored.
func parseDotenv(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		line := strings.TrimSpace(text)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = v
	}
	return out, sc.Err()
}

// config is every setting, validated. .env.example documents each one.
type config struct {
	DiscordToken      string
	DiscordAPIBaseURL string
	DiscordGuildID    string
	// ShardCount is how many Discord shards the bot runs over all its
	// processes; ShardIDs those this process runs (all by default).
	ShardCount int
	ShardIDs   []int

	OpenAIKey      string
	OpenAIBaseURL  string
	OpenAIModel    string
	LLMTimeout     time.Duration
	LLMConcurrency int
	LLMChunkTokens int

	DatabasePath    string
	DatabaseURL     string // PostgreSQL; takes the place of DatabasePath
	SummaryLanguage string

	FetchAllowPrivate bool
	FetchMaxBytes     int64
	FetchTimeout      time.Duration

	BriefingCron  string
	BriefingTZ    string
	BriefingGrace time.Duration

	UserRatePerMinute int
	// LogLevel is LOG_LEVEL; LogLevelSet says it was set, since the
	// console and the command line default to warn, the bot to info.
	LogLevel    slog.Level
	LogLevelSet bool
	LogFormat   string

	// HTTPAddr serves /healthz, /readyz and /metrics ("" = off).
	HTTPAddr string
	// LLMDailyTokensPerServer and LLMDailyTokens cap the model's tokens
	// per UTC day, per server and over all servers (0 = no cap).
	LLMDailyTokensPerServer int64
	LLMDailyTokens          int64
}

// useLLM reports whether an LLM endpoint is configured.
func (c config) useLLM() bool { return c.OpenAIKey != "" || c.OpenAIBaseURL != "" }

// loadConfig reads and validates the settings; an error names the
// variable. lookup reports whether a setting is set at all: set but empty
// means unset for every setting but DATABASE_PATH.
func loadConfig(lookup func(string) (string, bool)) (config, error) {
	p := envParser{lookup: lookup}
	c := config{
		DiscordToken:      p.str("DISCORD_TOKEN", ""),
		DiscordAPIBaseURL: p.url("DISCORD_API_BASE_URL", ""),
		DiscordGuildID:    p.str("DISCORD_GUILD_ID", ""),
		ShardCount:        p.integer("SHARD_COUNT", 1, 1, bot.MaxShardCount),
		OpenAIKey:         p.str("OPENAI_API_KEY", ""),
		OpenAIBaseURL:     p.url("OPENAI_BASE_URL", ""),
		OpenAIModel:       p.str("OPENAI_MODEL", "gpt-4o-mini"),
		LLMTimeout:        p.duration("LLM_TIMEOUT", 60*time.Second),
		LLMConcurrency:    p.integer("LLM_MAX_CONCURRENT", 4, 1, 256),
		LLMChunkTokens:    p.integer("LLM_CHUNK_TOKENS", llm.DefaultChunkTokens, 500, 1_000_000),
		DatabasePath:      p.nonEmpty("DATABASE_PATH", "briefbot.db"),
		DatabaseURL:       p.postgresURL("DATABASE_URL"),
		SummaryLanguage:   p.language("SUMMARY_LANGUAGE"),
		FetchAllowPrivate: p.boolean("FETCH_ALLOW_PRIVATE_NETWORKS", false),
		FetchMaxBytes:     p.bytes("FETCH_MAX_BYTES", 15<<20),
		FetchTimeout:      p.duration("FETCH_TIMEOUT", 20*time.Second),
		BriefingCron:      p.str("BRIEFING_DEFAULT_CRON", "0 9 * * *"),
		BriefingTZ:        p.zone("BRIEFING_DEFAULT_TZ", "UTC"),
		BriefingGrace:     p.duration("BRIEFING_GRACE", 3*time.Hour),
		UserRatePerMinute: p.integer("USER_RATE_PER_MINUTE", 6, 1, 10000),
		LogLevel:          p.level("LOG_LEVEL", slog.LevelInfo),
		LogFormat:         p.oneOf("LOG_FORMAT", "text", "text", "json"),
		HTTPAddr:          p.hostPort("HTTP_ADDR"),
		// Up to a trillion tokens: far past any real day, and safe in
		// an int64 sum over every server.
		LLMDailyTokensPerServer: int64(p.integer("LLM_DAILY_TOKENS_PER_SERVER", 0, 0, 1e12)),
		LLMDailyTokens:          int64(p.integer("LLM_DAILY_TOKENS", 0, 0, 1e12)),
	}
	c.LogLevelSet = p.str("LOG_LEVEL", "") != ""
	c.ShardIDs = p.shardIDs("SHARD_IDS", c.ShardCount)
	return c, p.err
}

// settingNames is every setting loadConfig reads.
func settingNames() map[string]bool {
	names := map[string]bool{}
	loadConfig(func(k string) (string, bool) { names[k] = true; return "", false })
	return names
}

// unknownSettings lists the keys of env's .env file that main never reads
// (a typo, or a key another tool keeps in the same file), each with the
// setting it most likely meant when one is close.
func unknownSettings(env environ) []string {
	known := settingNames()
	var out []string
	for _, k := range env.fileKeys {
		if known[k] {
			continue
		}
		if guess := closestName(k, known); guess != "" {
			k += " (did you mean " + guess + "?)"
		}
		out = append(out, k)
	}
	return out
}

// closestName returns the name in names within two edits of k, if any.
func closestName(k string, names map[string]bool) string {
	best, bestDist := "", 3
	for n := range names {
		if d := editDistance(strings.ToUpper(k), n); d < bestDist || d == bestDist && n < best {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// envParser collects the first invalid setting while parsing them all.
type envParser struct {
	lookup func(string) (string, bool)
	err    error
}

func (p *envParser) fail(name, why string) {
	if p.err == nil {
		p.err = fmt.Errorf("setting %s %s", name, why)
	}
}

func (p *envParser) str(name, def string) string {
	if v, _ := p.lookup(name); strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// nonEmpty is str for a setting that must not be set to "": unset takes
// def, but an empty value is refused rather than silently replaced.
func (p *envParser) nonEmpty(name, def string) string {
	v, ok := p.lookup(name)
	if ok && strings.TrimSpace(v) == "" {
		p.fail(name, fmt.Sprintf("must not be empty (leave it out for the default, %s)", def))
		return def
	}
	return p.str(name, def)
}

// language accepts a language code (en, de, pt-BR) or an English
// language name (German); "" or "auto" (as in /settings) means each
// article's own language. A code that names no known language is refused,
// as is anything the prompt would not accept.
func (p *envParser) language(name string) string {
	v := p.str(name, "")
	if v == "" || strings.EqualFold(v, "auto") {
		return ""
	}
	display, err := prompts.LanguageName(v)
	code, _, _ := strings.Cut(strings.ReplaceAll(v, "_", "-"), "-")
	looksLikeCode := len(code) <= 3 && !strings.Contains(v, " ")
	if err != nil || (looksLikeCode && display == v) || display == "Unknown language" {
		p.fail(name, fmt.Sprintf("must be a language code like en, de or pt-BR (or a name like German), got %q", v))
	}
	return v
}

func (p *envParser) url(name, def string) string {
	v := p.str(name, def)
	if v == "" {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, fmt.Sprintf("must be an http(s) URL, got %q", v))
	}
	return strings.TrimRight(v, "/")
}

// postgresURL reads a PostgreSQL connection URL; the message of a bad one
// does not repeat it, as it may hold a password.
func (p *envParser) postgresURL(name string) string {
	v := p.str(name, "")
	if v == "" {
		return v
	}
	if err := store.ParsePostgresURL(v); err != nil {
		p.fail(name, "must be a postgres://user:password@host:port/database URL: "+err.Error())
	}
	return v
}

// shardIDs reads the shards this process runs: numbers and ranges like
// "0,1" or "0-3,8", each below count and listed once; unset means all
// count of them.
func (p *envParser) shardIDs(name string, count int) []int {
	v := p.str(name, "")
	if v == "" {
		ids := make([]int, count)
		for i := range ids {
			ids[i] = i
		}
		return ids
	}
	bad := func(why string) []int {
		p.fail(name, fmt.Sprintf("must list shards from 0 to %d (SHARD_COUNT is %d) like 0,1 or 0-3, %s; got %q", count-1, count, why, v))
		return nil
	}
	var ids []int
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		from, err1 := strconv.Atoi(strings.TrimSpace(lo))
		to, err2 := from, error(nil)
		if isRange {
			to, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		switch {
		case err1 != nil || err2 != nil:
			return bad("each a number or a range")
		case from < 0 || to >= count:
			return bad(fmt.Sprintf("and %s is outside", strings.TrimSpace(part)))
		case from > to:
			return bad(fmt.Sprintf("and the range %s is backwards", strings.TrimSpace(part)))
		}
		for id := from; id <= to; id++ {
			if slices.Contains(ids, id) {
				return bad(fmt.Sprintf("each once, and %d is listed twice", id))
			}
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (p *envParser) boolean(name string, def bool) bool {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, fmt.Sprintf("must be true or false, got %q", v))
	}
	return b
}

func (p *envParser) integer(name string, def, lo, hi int) int {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(name, fmt.Sprintf("must be a whole number from %d to %d, got %q", lo, hi, v))
	}
	return n
}

func (p *envParser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, fmt.Sprintf("must be a positive duration like 30s or 3h, got %q", v))
	}
	return d
}

// bytes accepts a plain number of bytes or one with a KB/KiB/MB/MiB/GB/GiB suffix.
func (p *envParser) bytes(name string, def int64) int64 {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	units := []struct {
		suffix string
		mul    int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mul := v, int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToLower(v), strings.ToLower(u.suffix)) {
			num, mul = strings.TrimSpace(v[:len(v)-len(u.suffix)]), u.mul
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mul {
		p.fail(name, fmt.Sprintf("must be a size like 15MiB or 15728640, got %q", v))
	}
	return n * mul
}

func (p *envParser) zone(name, def string) string {
	v := p.str(name, def)
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		p.fail(name, fmt.Sprintf("must be an IANA time zone like Europe/Berlin, got %q", v))
	}
	return v
}

func (p *envParser) level(name string, def slog.Level) slog.Level {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, fmt.Sprintf("must be debug, info, warn or error, got %q", v))
	}
	return l
}

// hostPort accepts host:port (":9090" listens on every interface); ""
// means off.
func (p *envParser) hostPort(name string) string {
	v := p.str(name, "")
	if v == "" {
		return ""
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		p.fail(name, fmt.Sprintf("must be host:port like 127.0.0.1:9090 or :9090, got %q", v))
	}
	return v
}

func (p *envParser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(p.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, fmt.Sprintf("must be one of %s, got %q", strings.Join(allowed, ", "), v))
	return def
}

// newLogger builds the one logger. interactive (the console, the
// command line) logs at warn unless LOG_LEVEL says otherwise: their
// stdout is the conversation, and info lines on the same terminal
// drown it.
func newLogger(c config, w io.Writer, interactive bool) *slog.Logger {
	level := c.LogLevel
	if interactive && !c.LogLevelSet {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

const usage = `usage:
  briefbot                                   run the bot (Discord when DISCORD_TOKEN is set, else the console)
  briefbot summarize URL|FILE [--json] [--fresh]   print an article's ledger
  briefbot extract URL|FILE [--json]               print the main text the summarizer sees
Settings come from the environment or a .env file: see .env.example.
`

// run is the whole program behind main, with its inputs injected so tests
// can drive it. It returns the process exit code.
func run(ctx context.Context, args []string, env environ, stdin io.Reader, stdout, stderr io.Writer) int {
	unknown := unknownSettings(env)
	cfg, err := loadConfig(env.lookup)
	if err != nil {
		fmt.Fprintln(stderr, "briefbot:", err)
		if len(unknown) > 0 {
			fmt.Fprintf(stderr, "briefbot: %s also sets keys briefbot does not read: %s\n", env.file, strings.Join(unknown, ", "))
		}
		return 2
	}
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	log := newLogger(cfg, stderr, cmd != "" || cfg.DiscordToken == "")
	if len(unknown) > 0 {
		// A warning, not an error: other tools (docker compose, direnv)
		// keep their own keys in the same file.
		log.Warn("unknown_settings", slog.String("file", env.file), slog.String("keys", strings.Join(unknown, ", ")),
			slog.String("note", "briefbot ignores them; .env.example lists its settings"))
	}
	switch cmd {
	case "":
		return runBot(ctx, cfg, log, stdin, stdout)
	case "summarize", "extract":
		return runCLI(ctx, cfg, log, cmd, args, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, cfg, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "briefbot: unknown command %q\n%s", cmd, usage)
		return 2
	}
}

// defaultMemoryLimit is the soft limit of the Go runtime's memory when
// GOMEMLIMIT is unset: under 400 MB resident with bursts of big pages
// (BENCHMARKS.md, "Memory under big pages"), far above what is live at
// rest (~35 MB) or under load (~150 MB), so the collector works harder
// only in a burst.
const defaultMemoryLimit = 320 << 20

// app holds the services every mode shares.
type app struct {
	cfg config
	log *slog.Logger
	db  *store.DB
	svc *summarize.Service
	// llm is nil when no language model is configured; offline is then
	// nil too, else the Service over the offline engine that answers a
	// server past its daily token cap.
	llm     *llm.Engine
	offline *summarize.Service
	// fetcher reads feeds by the same rules as articles.
	fetcher *fetch.Fetcher
}

// newApp opens the store and builds the summarizing pipeline. m may be
// nil (no metrics); engineLog says which engine summarizes, for the
// modes that summarize.
func newApp(ctx context.Context, cfg config, log *slog.Logger, m *metrics.Metrics, engineLog bool) (*app, error) {
	dsn := cfg.DatabasePath
	if cfg.DatabaseURL != "" {
		dsn = cfg.DatabaseURL
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err // it names the path, or the URL without its password
	}
	fetcher := fetch.New(fetch.Options{
		AllowPrivate: cfg.FetchAllowPrivate,
		MaxBytes:     cfg.FetchMaxBytes,
		Timeout:      cfg.FetchTimeout,
	})
	offline := extractive.New()
	var engine summarize.Engine = offline
	var model *llm.Engine
	if cfg.useLLM() {
		model, err = llm.New(llm.Options{
			APIKey:        cfg.OpenAIKey,
			BaseURL:       cfg.OpenAIBaseURL,
			Model:         cfg.OpenAIModel,
			Timeout:       cfg.LLMTimeout,
			MaxConcurrent: cfg.LLMConcurrency,
			ChunkTokens:   cfg.LLMChunkTokens,
			Logger:        log,
			HTTPClient:    modelClient(m),
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("language model: %w", err)
		}
		engine = model
		if engineLog {
			log.Info("llm_engine", slog.String("model", cfg.OpenAIModel), slog.String("base_url", cfg.OpenAIBaseURL))
		}
	} else if engineLog {
		log.Info("offline_engine", slog.String("why", "neither OPENAI_API_KEY nor OPENAI_BASE_URL is set; summaries use the offline extractive engine"))
	}
	var sm summarize.Metrics
	if m != nil { // a nil *Metrics in the interface would not be nil
		sm = m
	}
	svc, err := summarize.NewService(summarize.ServiceOptions{
		Store:     db,
		Fetcher:   fetcher,
		Extractor: extract.New(),
		Engine:    engine,
		Fallback:  offline,
		Language:  cfg.SummaryLanguage,
		Logger:    log,
		Metrics:   sm,
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db, svc: svc, llm: model, fetcher: fetcher}
	if model != nil {
		a.offline, err = summarize.NewService(summarize.ServiceOptions{
			Store:     db,
			Fetcher:   fetcher,
			Extractor: extract.New(),
			Engine:    offline,
			Language:  cfg.SummaryLanguage,
			Logger:    log,
			Metrics:   sm,
		})
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	return a, nil
}

func (a *app) close() {
	if err := a.db.Close(); err != nil {
		a.log.Error("store_close_failed", slog.Any("err", err))
	}
}

// runCLI runs the summarize and extract commands: the same pipeline the
// bot uses, printed to stdout.
func runCLI(ctx context.Context, cfg config, log *slog.Logger, cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print JSON")
	fresh := false
	if cmd == "summarize" {
		fs.BoolVar(&fresh, "fresh", false, "bypass and replace the cached summary")
	}
	// Flags may come before or after the link.
	var flags, pos []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			pos = append(pos, a)
		}
	}
	if err := fs.Parse(flags); err != nil || len(pos) != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	target := pos[0]
	if missingFile(target) {
		fmt.Fprintf(stderr, "briefbot: %s: no such file (and not a web link: links start with https://)\n", target)
		return 1
	}
	a, err := newApp(ctx, cfg, log, nil, cmd == "summarize")
	if err != nil {
		fmt.Fprintln(stderr, "briefbot:", startError(err))
		return 1
	}
	defer a.close()

	var doc *summarize.Document
	if isLocalFile(target) {
		if doc, err = readDocument(target, cfg.FetchMaxBytes); err != nil {
			fmt.Fprintln(stderr, "briefbot:", err)
			return 1
		}
	}
	switch cmd {
	case "extract":
		if doc == nil {
			if doc, err = a.svc.Extract(ctx, target); err != nil {
				fmt.Fprintf(stderr, "briefbot: %s\n", cliError(err))
				return 1
			}
		}
		if *jsonOut {
			return writeJSON(stdout, stderr, doc)
		}
		fmt.Fprintf(stdout, "# %s\n\n%s\n", doc.Title, doc.Text)
		return 0
	default:
		var sum *summarize.Summary
		if doc != nil {
			sum, err = a.svc.SummarizeDocument(ctx, doc)
		} else {
			sum, err = a.svc.Summarize(ctx, summarize.Request{URL: target, Fresh: fresh})
		}
		if err != nil {
			fmt.Fprintf(stderr, "briefbot: %s\n", cliError(err))
			return 1
		}
		code := 0
		if *jsonOut {
			code = writeJSON(stdout, stderr, sum)
		} else {
			for _, r := range bot.RenderSummary(sum, bot.RenderOptions{ShowUngrounded: true}) {
				fmt.Fprint(stdout, bot.Flatten(r))
			}
		}
		if sum.SaveErr != nil {
			// Shown, but not kept: a script must not take it as done.
			detail := sum.SaveErr.Error()
			if errors.Is(sum.SaveErr, store.ErrDiskFull) {
				detail = cliError(sum.SaveErr)
			}
			fmt.Fprintf(stderr, "briefbot: the summary was not saved: %s\n", detail)
			return 1
		}
		return code
	}
}

// msgDiskFull tells the operator what a write on a full disk needs.
const msgDiskFull = "The disk is full: free some space and try again."

// startError is what the operator reads when briefbot cannot start.
func startError(err error) string {
	if errors.Is(err, store.ErrDiskFull) {
		return msgDiskFull + " (" + err.Error() + ")"
	}
	return err.Error()
}

// cliError is the user's message for err followed by the detail: the
// person at a terminal is the operator, so both help.
func cliError(err error) string {
	msg := bot.UserMessage(err)
	switch {
	case errors.Is(err, store.ErrDiskFull):
		msg = msgDiskFull
	case errors.Is(err, summarize.ErrBlockedHost):
		msg += " To read private addresses (a local test server, an intranet), set FETCH_ALLOW_PRIVATE_NETWORKS=true."
	}
	return msg + " (" + err.Error() + ")"
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "briefbot:", err)
		return 1
	}
	return 0
}

// isLocalFile reports whether arg names an existing file rather than a link.
func isLocalFile(arg string) bool {
	if strings.Contains(arg, "://") {
		return false
	}
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular()
}

// missingFile reports whether arg names a file that is not there rather
// than a link: no scheme, not a file, and not a link either.
func missingFile(arg string) bool {
	if strings.Contains(arg, "://") || isLocalFile(arg) {
		return false
	}
	if _, err := os.Stat(arg); err == nil {
		return false // a directory: readDocument says so
	}
	_, err := fetch.Canonicalize(arg)
	return err != nil
}

// readDocument reads a local page: HTML when it looks like HTML, else
// plain text, decoded to UTF-8 like a fetched page.
func readDocument(path string, maxBytes int64) (*summarize.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(raw)) > maxBytes {
		return nil, fmt.Errorf("read %s: larger than FETCH_MAX_BYTES (%d bytes)", path, maxBytes)
	}
	contentType := "text/plain; charset=utf-8"
	if looksLikeHTML(raw) {
		contentType = "text/html"
	}
	body, err := fetch.DecodeBody(raw, contentType)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	doc, err := extract.Document(body, (&url.URL{Scheme: "file", Path: abs}).String(), contentType)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", path, err)
	}
	return doc, nil
}

func looksLikeHTML(raw []byte) bool {
	head := strings.ToLower(string(raw[:min(len(raw), 1024)]))
	return strings.Contains(http.DetectContentType(raw), "html") ||
		strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") ||
		strings.Contains(head, "<body") || strings.Contains(head, "<p>")
}

// shutdownTimeout bounds the whole orderly stop after SIGINT/SIGTERM:
// in-flight summaries finish or are cancelled, then the gateway closes,
// then the store.
const shutdownTimeout = 15 * time.Second

// runBot runs the bot on Discord when a token is set, else on the console,
// with the briefing scheduler beside it, until ctx ends or the console
// quits. Shutdown runs in reverse order of start.
func runBot(ctx context.Context, cfg config, log *slog.Logger, stdin io.Reader, stdout io.Writer) int {
	var m *metrics.Metrics
	if cfg.HTTPAddr != "" {
		m = metrics.New()
	}
	a, err := newApp(ctx, cfg, log, m, true)
	if err != nil {
		log.Error("start_failed", slog.Any("err", err))
		return 1
	}
	defer a.close()
	var (
		botMetrics     bot.Metrics
		discordMetrics bot.DiscordMetrics
		budget         bot.Budget
	)
	if m != nil {
		botMetrics, discordMetrics = m, m
	}
	if a.offline != nil {
		budget = bot.Budget{Offline: a.offline, PerServer: cfg.LLMDailyTokensPerServer, Global: cfg.LLMDailyTokens}
	}

	userRate, userBurst := rate.Limit(float64(cfg.UserRatePerMinute)/60), min(cfg.UserRatePerMinute, 5)
	if cfg.DiscordToken == "" {
		// The console has one user, the operator: nothing to protect.
		userRate = rate.Inf
	}
	// Feed entries are summarized through the Handler (built below, before
	// any poll), so they spend within each server's model budget.
	feedSum := &handlerSummarizer{}
	feeds, err := feed.New(feed.Options{Fetcher: a.fetcher, Store: a.db, Summarizer: feedSum, Shares: a.db, Logger: log})
	if err != nil {
		log.Error("start_failed", slog.Any("err", err))
		return 1
	}
	var asker bot.Asker // nil: /ask answers from the matching stored points
	if a.llm != nil {
		asker = ask.NewModel(a.llm, log)
	}
	h, err := bot.New(bot.Config{
		Asker:      asker,
		Feeds:      feeds,
		Summarizer: a.svc,
		Shares:     a.db,
		Settings:   a.db,
		Logger:     log,
		UserRate:   userRate,
		UserBurst:  userBurst,
		// Enough summaries in progress to keep every model slot busy
		// while others fetch and extract.
		MaxActive: 2 * cfg.LLMConcurrency,
		Metrics:   botMetrics,
		Usage:     a.db,
		Budget:    budget,
	})
	if err != nil {
		log.Error("start_failed", slog.Any("err", err))
		return 1
	}
	feedSum.h = h
	var (
		poster schedule.Poster
		serve  func(context.Context) error
		// transportReady is the transport's readiness check.
		transportReady metrics.Checker
	)
	// owns says which servers' briefings this process runs: those on
	// its shards (nil: all).
	var owns func(guildID string) bool
	if cfg.DiscordToken != "" {
		var gate bot.IdentifyGate // nil: this process's shards only
		if cfg.DatabaseURL != "" {
			// Processes sharing PostgreSQL space their identifies together.
			gate = a.db
		}
		if len(cfg.ShardIDs) < cfg.ShardCount {
			owns = func(guildID string) bool {
				return slices.Contains(cfg.ShardIDs, bot.ShardOf(guildID, cfg.ShardCount))
			}
		}
		d, err := bot.NewDiscord(bot.DiscordOptions{
			Token:           cfg.DiscordToken,
			APIBaseURL:      cfg.DiscordAPIBaseURL,
			GuildID:         cfg.DiscordGuildID,
			Logger:          log,
			ShutdownTimeout: shutdownTimeout,
			Metrics:         discordMetrics,
			ShardCount:      cfg.ShardCount,
			ShardIDs:        cfg.ShardIDs,
			IdentifyGate:    gate,
		}, h)
		if err != nil {
			log.Error("start_failed", slog.Any("err", err))
			return 1
		}
		poster, serve, transportReady = d, d.Run, d.Ready
	} else {
		c := bot.NewConsole(stdout, bot.ConsoleOptions{Logger: log})
		poster = c
		var running atomic.Bool
		serve = func(ctx context.Context) error {
			running.Store(true)
			defer running.Store(false)
			return c.Run(ctx, stdin, h)
		}
		transportReady = func(context.Context) error {
			if !running.Load() {
				return errors.New("console not running")
			}
			return nil
		}
	}
	var claims schedule.Claims = a.db
	if m != nil {
		claims = briefingCounter{Claims: a.db, m: m}
	}
	sched, err := schedule.New(schedule.Options{
		Schedules:   a.db,
		Claims:      claims,
		History:     a.db,
		Shares:      a.db,
		Settings:    a.db,
		Poster:      poster,
		Render:      bot.RenderBriefing,
		Merger:      ledger.NewLLMMerger(a.llm, log),
		Logger:      log,
		DefaultCron: cfg.BriefingCron,
		DefaultTZ:   cfg.BriefingTZ,
		Grace:       cfg.BriefingGrace,
		Owns:        owns,
	})
	if err != nil {
		log.Error("start_failed", slog.Any("err", err))
		return 1
	}
	h.SetBriefer(sched)
	if err := sched.Start(ctx); err != nil {
		log.Error("start_failed", slog.Any("err", err))
		return 1
	}
	feeds.SetOwns(owns)
	watcher, err := bot.NewWatcher(bot.WatcherOptions{Shares: a.db, Store: a.db, Poster: poster, Logger: log, Owns: owns})
	if err != nil {
		log.Error("start_failed", slog.Any("err", err))
		return 1
	}
	watchCtx, stopWatching := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		watcher.Run(watchCtx, watchInterval)
	}()
	defer func() { stopWatching(); <-watchDone }()
	feedDone := make(chan struct{})
	go func() {
		defer close(feedDone)
		feeds.Run(watchCtx, feedCheckInterval)
	}()
	defer func() { stopWatching(); <-feedDone }()

	// go-trafilatura's date parser builds ~78 MB of tables at start-up
	// and keeps ~27 MB: hand the garbage back to the OS now rather than
	// sitting on it while idle.
	debug.FreeOSMemory()
	// A soft limit on the Go runtime's memory unless GOMEMLIMIT (which
	// the runtime reads itself; "off" for none) is set: the Service's
	// memory budget bounds what pages hold live, and this keeps the
	// collector from letting garbage double it.
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}

	if m != nil {
		m.SetQueueDepth(h.QueueDepth)
		srv, err := metrics.Listen(cfg.HTTPAddr, opsHandler(m, a.db, transportReady), log)
		if err != nil {
			log.Error("start_failed", slog.String("http_addr", cfg.HTTPAddr), slog.Any("err", err))
			return 1
		}
		log.Info("http_listening", slog.String("addr", srv.Addr()))
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			srv.Shutdown(stopCtx)
		}()
	}

	serveErr := serve(ctx)

	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := sched.Stop(stopCtx); err != nil {
		log.Warn("scheduler_stop", slog.Any("err", err))
	}
	if err := h.Shutdown(stopCtx); err != nil {
		log.Warn("handler_stop", slog.Any("err", err))
	}
	if err := h.FlushUsage(stopCtx); err != nil {
		log.Error("usage_flush_failed", slog.Any("err", err))
	}
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		log.Error("transport_failed", slog.Any("err", serveErr))
		return 1
	}
	return 0
}

// watchInterval is how often /watch alerts are looked for: a status
// changes when an article is shared, at most a few times an hour in a
// busy server, and an alert a minute late is still news.
const watchInterval = time.Minute

// feedCheckInterval is how often the feeds due are looked for; each feed
// is polled at most every feed.DefaultMinInterval (or its own TTL).
const feedCheckInterval = time.Minute

// modelClient is the language model's HTTP client: timed per request
// when there are metrics, else nil (the engine's default).
func modelClient(m *metrics.Metrics) *http.Client {
	if m == nil {
		return nil
	}
	return &http.Client{Transport: m.ModelTransport(http.DefaultTransport)}
}

// opsHandler serves /healthz, /readyz and /metrics of m: ready when the
// store answers a query and the transport is up.
func opsHandler(m *metrics.Metrics, db *store.DB, transport metrics.Checker) http.Handler {
	return m.Handler(map[string]metrics.Checker{"store": db.Ping, "transport": transport})
}

// briefingCounter is the scheduler's claims on briefing slots, counting
// briefings posted and skipped as they are recorded.
type briefingCounter struct {
	schedule.Claims
	m *metrics.Metrics
}

func (b briefingCounter) CompleteBriefing(ctx context.Context, guildID, channelID string, slot time.Time, messageIDs []string, ledger []byte, postedAt time.Time) error {
	err := b.Claims.CompleteBriefing(ctx, guildID, channelID, slot, messageIDs, ledger, postedAt)
	switch {
	case err != nil:
	case len(messageIDs) > 0:
		b.m.BriefingPosted()
	default:
		// Nothing shared, and the server asked for no post then.
		b.m.BriefingSkipped("empty")
	}
	return err
}

func (b briefingCounter) SkipBriefing(ctx context.Context, guildID, channelID string, slot, at time.Time) error {
	err := b.Claims.SkipBriefing(ctx, guildID, channelID, slot, at)
	if err == nil {
		b.m.BriefingSkipped("missed")
	}
	return err
}

// healthcheckTimeout bounds the healthcheck command: a container
// runtime kills a probe that hangs anyway.
const healthcheckTimeout = 5 * time.Second

// runHealthcheck asks the running bot's /healthz (at HTTP_ADDR) whether
// it is up: exit 0 when it answers 200. It is the container's
// HEALTHCHECK, for an image with no curl.
func runHealthcheck(ctx context.Context, cfg config, stderr io.Writer) int {
	if cfg.HTTPAddr == "" {
		fmt.Fprintln(stderr, "briefbot: healthcheck: HTTP_ADDR is not set, so there is nothing to ask")
		return 1
	}
	host, port, _ := net.SplitHostPort(cfg.HTTPAddr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1" // listening on every interface: ask the local one
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		fmt.Fprintln(stderr, "briefbot: healthcheck:", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "briefbot: healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "briefbot: healthcheck:", resp.Status)
		return 1
	}
	return 0
}

// handlerSummarizer is the feed poller's Summarizer: the Handler, set once
// it is built (the Handler itself is given the poller, for /feed).
type handlerSummarizer struct{ h *bot.Handler }

func (s *handlerSummarizer) SummarizeFor(ctx context.Context, guildID string, req summarize.Request) (*summarize.Summary, error) {
	return s.h.SummarizeFor(ctx, guildID, req)
}
