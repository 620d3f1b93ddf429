package store

// This file holds what the PostgreSQL store does its own way: opening a
// pool through pgx's database/sql driver, rebinding placeholders, and
// full-text search with tsvector (migration 002_topic_fts.pg.sql).

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// IsPostgresURL reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// ParsePostgresURL checks a PostgreSQL connection URL without connecting,
// so a configuration mistake shows at start-up. Its error does not repeat
// the password.
func ParsePostgresURL(dsn string) error {
	if !IsPostgresURL(dsn) {
		return errors.New("not a postgres:// or postgresql:// URL")
	}
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return err // pgx masks the password in its parse errors
	}
	return nil
}

// pgDialect is PostgreSQL's. Migrations hold a transaction-scoped advisory
// lock, keyed by the schema they migrate: without it, processes migrating
// one fresh database at once race on CREATE TABLE and apply versions
// twice.
var pgDialect = &dialect{
	name:         "postgres",
	ftsMatchCTEs: pgMatchCTEs,
	matchArgs: func(lit, full, guild string, pool int) []any {
		return []any{lit, full, guild, pool, guild, pool, pool, guild, pool, guild, pool, pool}
	},
	// A prepared statement is planned for its values five times, then,
	// when that plan seems no dearer, once for all values: a plan that
	// does not know how many topics the words match. That plan made a
	// 1,000-match /topic at 100,000 shares four times slower (45 ms
	// instead of 11 ms). The unnamed statement of CacheDescribe mode is
	// planned for the values of each call, for 3 ms of planning.
	planEachCall:      []any{pgx.QueryExecModeCacheDescribe},
	ftsQuery:          pgTSQuery,
	ftsAnySQL:         `SELECT EXISTS (SELECT 1 FROM topic_fts WHERE doc_tsv @@ to_tsquery('briefbot', ?))`,
	ftsDeleteSQL:      pgFTSDeleteSQL,
	ftsInsertSQL:      pgFTSInsertSQL,
	ftsText:           pgFTSText,
	migrationSuffix:   ".pg.sql",
	clockSQL:          `SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)`,
	ddl:               pgDDL,
	lockMigrationsSQL: `SELECT pg_advisory_xact_lock(hashtext('briefbot migrate ' || COALESCE(current_schema(), '')))`,
}

// pgMaxConns bounds the connections one process opens: enough for the
// bot's concurrent lookups and writes, few enough that several shard
// processes stay well inside PostgreSQL's default max_connections (100).
var pgMaxConns = max(8, 2*runtime.GOMAXPROCS(0))

// openPostgres opens the PostgreSQL database at dsn and migrates it. One
// pool serves reads and writes: PostgreSQL runs concurrent writers itself.
func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	name := redactURL(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", name, err)
	}
	// The store's queries are short lookups. PostgreSQL's JIT compiler
	// (on by default since version 12) compiles any plan estimated above
	// jit_above_cost and spent 780 ms of a 1.3 s /topic search at
	// 100,000 shares compiling it, more than the search ran. Off unless
	// the URL sets it.
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	// Nor do they gain from parallel workers, whose start costs a few
	// milliseconds, more than a lookup takes; and many bot processes
	// share one server.
	if _, set := cfg.RuntimeParams["max_parallel_workers_per_gather"]; !set {
		cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	pool := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	pool.SetMaxOpenConns(pgMaxConns)
	pool.SetMaxIdleConns(pgMaxConns)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open %s: %w", name, err)
	}
	db := &DB{w: pool, r: pool, d: pgDialect, searchSQL: searchTopicsSQL(pgDialect)}
	if err := db.migrate(ctx, name); err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", name, err)
	}
	if err := db.syncClock(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: read the server's clock: %w", name, err)
	}
	return db, nil
}

// redactURL returns dsn without its password, for messages.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "PostgreSQL database"
	}
	return u.Redacted()
}

// pgDiskFull is PostgreSQL's SQLSTATE for a full disk.
const pgDiskFull = "53100"

// isPgDiskFull reports whether err is PostgreSQL's disk_full error.
func isPgDiskFull(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgDiskFull
}

// rebindConnector hands out connections that rebind the store's "?"
// placeholders to PostgreSQL's $n, so one text of each query serves both
// engines.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("store: unexpected pgx connection type %T", conn)
	}
	return rebindConn{sc}, nil
}

// rebindConn is a pgx connection whose statements are rebound; every other
// method is pgx's own.
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// pgMatchCTEs is ftsMatchCTEs for PostgreSQL, binding the same values:
// the same tiers and the same pools, from a topic's name vector
// (name_tsv) and its name-and-points vector (doc_tsv, name weighted A,
// points D). score is minus ts_rank (lower is better, as with bm25), of
// the name alone in tiers 0 and 1, of the whole in tiers 2 and 3, whose
// default weights count an A match 10 times a D match (nameWeight).
// ts_rank needs no index scan, so only the pooled topics are scored. q is
// not materialized so that the planner sees the queries as constants and
// estimates their matches from the column statistics.
var pgMatchCTEs = `q AS NOT MATERIALIZED (SELECT to_tsquery('briefbot', ?) AS lit, to_tsquery('briefbot', ?) AS alls),
	pn AS MATERIALIZED (` + pgPool(`f.name_tsv @@ q.alls`) + `),
	pt AS MATERIALIZED (` + pgPool(`f.doc_tsv @@ q.alls`) + `),
	m AS (
		SELECT f.topic_id,
			CASE WHEN f.name_tsv @@ q.lit THEN 0
				WHEN f.name_tsv @@ q.alls THEN 1
				WHEN f.doc_tsv @@ q.lit THEN 2
				ELSE 3 END AS tier,
			-ts_rank(CASE WHEN f.name_tsv @@ q.alls THEN f.name_tsv ELSE f.doc_tsv END, q.alls)::float8 AS score
		FROM q CROSS JOIN topic_fts f
		WHERE f.topic_id IN (SELECT id FROM pn UNION SELECT id FROM pt))`

// pgPoolWindow is how many of the newest topics of the index a pool
// reads one by one before it turns to a GIN index.
const pgPoolWindow = 4000

// pgPool selects the newest topics matching cond that the bound guild
// shared, at most the bound pool size. PostgreSQL's planner, left to
// choose, walks the primary key backwards when matches are many and
// reads the GIN index when they are few, assuming matches spread evenly
// over the ids: a subject the server followed long ago, and no longer,
// then has it read the whole table (60 ms at 300,000 topics). So the
// walk is bounded: the newest pgPoolWindow topics are read one by one,
// which is enough when matches are dense. Only when they do not fill the
// pool are the older matches read through the GIN index, their ids
// sorted first (as numbers, "+ 0", which no index returns in order, and
// OFFSET 0 keeps the sort below the joins), so that the server's shares
// are probed from the newest until the pool is full, not for every
// match.
func pgPool(cond string) string {
	window := `(SELECT topic_id, doc_tsv, name_tsv FROM topic_fts ORDER BY topic_id DESC LIMIT ` + strconv.Itoa(pgPoolWindow) + `)`
	return `WITH win AS MATERIALIZED (
			SELECT f.topic_id AS id
			FROM q CROSS JOIN ` + window + ` f
				JOIN summary_topics st ON st.id = f.topic_id JOIN summaries s ON s.id = st.summary_id
			WHERE ` + cond + ` AND ` + sharedInGuild + `
			ORDER BY f.topic_id DESC LIMIT ?)
		SELECT id FROM win
		UNION ALL
		SELECT id FROM (
			SELECT f.id
			FROM (SELECT f.topic_id + 0 AS id FROM q CROSS JOIN topic_fts f
					WHERE ` + cond + ` AND f.topic_id + 0 < (SELECT MIN(topic_id) FROM ` + window + ` w)
					ORDER BY 1 DESC OFFSET 0) f
				JOIN summary_topics st ON st.id = f.id JOIN summaries s ON s.id = st.summary_id
			WHERE ` + sharedInGuild + `
			LIMIT ?) older
		WHERE (SELECT COUNT(*) FROM win) < ?`
}

// pgFTSDeleteSQL binds a summary's id.
const pgFTSDeleteSQL = `DELETE FROM topic_fts
	WHERE topic_id IN (SELECT id FROM summary_topics WHERE summary_id = $1)`

// pgFTSInsertSQL binds a topic's id, its name and its point texts.
const pgFTSInsertSQL = `INSERT INTO topic_fts (topic_id, name_tsv, doc_tsv)
	VALUES ($1, to_tsvector('briefbot', $2),
		setweight(to_tsvector('briefbot', $2), 'A') || setweight(to_tsvector('briefbot', $3), 'D'))`

// pgFTSText prepares text for the index as FTS5's unicode61 tokenizer
// sees it: runs of letters and digits, lower-cased, accents removed
// ("Zelenský" is indexed as "zelensky"). Splitting here, not in
// PostgreSQL's parser, keeps hyphenated words, URLs and e-mail addresses
// from becoming tokens of their own; the briefbot configuration then
// stems each word (snowball English, no stopword list, like FTS5's
// porter).
func pgFTSText(s string) string {
	return strings.Join(tokens(foldAccents(s)), " ")
}

// pgTSQuery renders term groups as a to_tsquery expression, as ftsExpr
// does for FTS5 (without synonyms when literal is set): the words of a
// phrase joined by <->, the alternatives of a group by |, the groups by
// &, a prefix :* after the last word of the user's own forms in the last
// group. Words hold only letters and digits (see parseQuery), so the
// operators in the result are only the ones written here.
func pgTSQuery(groups []termGroup, literal bool) string {
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		alts := make([]string, 0, len(g.alts))
		for i, a := range g.alts {
			if literal && i >= g.own {
				break
			}
			words := tokens(foldAccents(strings.Join(a, " ")))
			if len(words) == 0 {
				continue
			}
			p := strings.Join(words, " <-> ")
			if i < g.own && g.prefix {
				p += ":*"
			}
			alts = append(alts, "("+p+")")
		}
		if len(alts) > 0 {
			parts = append(parts, "("+strings.Join(alts, " | ")+")")
		}
	}
	return strings.Join(parts, " & ")
}

// foldAccents removes combining marks after canonical decomposition: "é"
// becomes "e", as FTS5's remove_diacritics does.
func foldAccents(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
			out, _, err := transform.String(t, s)
			if err != nil {
				return s
			}
			return out
		}
	}
	return s
}
