package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDiskFull matches a write that failed because the disk (or the
// database file's size limit) is full. Callers tell the user so: nothing
// but freeing space helps.
var ErrDiskFull = errors.New("store: the disk is full")

// ErrNewerSchema matches Open's refusal of a database that a newer
// briefbot has migrated past the schema this build knows: writing to it
// could corrupt what the newer version relies on.
var ErrNewerSchema = errors.New("store: database schema is newer than this build")

// diskFullError is a storage error caused by a full disk; it matches
// ErrDiskFull and unwraps to the driver's error.
type diskFullError struct{ err error }

func (e *diskFullError) Error() string        { return "the disk is full: " + e.err.Error() }
func (e *diskFullError) Is(target error) bool { return target == ErrDiskFull }
func (e *diskFullError) Unwrap() error        { return e.err }

// checkFull marks err as a full disk when SQLite says so: SQLITE_FULL, or
// SQLITE_IOERR_SHMSIZE, which is how a full disk shows when the WAL index
// (the -shm file) cannot grow; or when PostgreSQL says disk_full.
func checkFull(err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_FULL || se.Code() == sqlite3.SQLITE_IOERR_SHMSIZE) ||
		errors.Is(err, syscall.ENOSPC) || isPgDiskFull(err) {
		return &diskFullError{err: err}
	}
	return err
}

// SchemaVersionError is Open's refusal of a database at a schema version
// newer than this build knows. It matches ErrNewerSchema.
type SchemaVersionError struct {
	Path  string
	Have  int // the database's schema version
	Known int // the newest version this build knows
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("store: open %s: the database is at schema version %d, newer than this briefbot knows (%d): run the newer briefbot, or use another database",
		e.Path, e.Have, e.Known)
}

// Is reports whether target is ErrNewerSchema.
func (e *SchemaVersionError) Is(target error) bool { return target == ErrNewerSchema }

// DB is the store, on SQLite or PostgreSQL. It is safe for concurrent use
// by many goroutines.
//
// On PostgreSQL one pool serves reads and writes (w and r are the same),
// and the server runs concurrent writers. On SQLite, writes go through
// one connection, so concurrent writers in this process queue in
// database/sql instead of failing with SQLITE_BUSY; write
// transactions begin IMMEDIATE and wait up to busyTimeout for another
// process (say, the command line next to a running bot). Reads use a
// separate pool of query-only connections and, thanks to WAL, never wait for
// the writer.
type DB struct {
	w     *sql.DB
	r     *sql.DB
	d     *dialect
	clock dbClock // see clock.go
	// searchSQL is searchTopicsSQL(d), run unprepared where the dialect
	// plans it for each call.
	searchSQL string
	// Hot reads, prepared once on the reader pool: parsing a statement
	// costs as much as running it.
	getSummary, getAlias, searchTopics, topicNames *sql.Stmt
	// Hot writes, prepared once on the writer connection and run inside a
	// transaction through tx.StmtContext, which reuses the prepared
	// statement on that connection instead of parsing it again.
	upsertArticle, upsertSummary, deleteTopics, insertTopic, upsertAlias,
	recordShare, ftsDelete, ftsInsert *sql.Stmt
}

// statements returns each prepared statement of db with the pool it is
// prepared on and its SQL.
func (db *DB) statements() []preparedStmt {
	search := []preparedStmt{{&db.searchTopics, db.r, searchTopicsSQL(db.d)}}
	if db.d.planEachCall != nil {
		// Not prepared: a connection runs a statement it has prepared
		// under that statement's plan (see dialect.planEachCall).
		search = nil
	}
	return append(search, []preparedStmt{
		{&db.getSummary, db.r, getSummarySQL},
		{&db.getAlias, db.r, getAliasSQL},
		{&db.topicNames, db.r, topicNamesSQL},
		{&db.upsertArticle, db.w, upsertArticleSQL},
		{&db.upsertSummary, db.w, upsertSummarySQL},
		{&db.deleteTopics, db.w, deleteTopicsSQL},
		{&db.insertTopic, db.w, insertTopicSQL},
		{&db.upsertAlias, db.w, upsertAliasSQL},
		{&db.recordShare, db.w, recordShareSQL},
		{&db.ftsDelete, db.w, db.d.ftsDeleteSQL},
		{&db.ftsInsert, db.w, db.d.ftsInsertSQL},
	}...)
}

// preparedStmt is one statement DB prepares at Open.
type preparedStmt struct {
	stmt **sql.Stmt
	pool *sql.DB
	sql  string
}

// busyTimeout is how long a connection waits for a lock held by another
// connection or process before failing with SQLITE_BUSY: long enough to
// outlast any write transaction this package makes.
const busyTimeout = "5000"

// busyTimeoutDuration is busyTimeout as a duration.
const busyTimeoutDuration = 5000 * time.Millisecond

//go:embed migrations/*.sql
var migrationFS embed.FS

// Open opens the database at path and applies the migrations it has not
// applied yet: the PostgreSQL database when path is a postgres:// or
// postgresql:// URL (see IsPostgresURL), otherwise the SQLite file at
// path, created if needed. It refuses, with a *SchemaVersionError, a
// database a newer build has migrated further; errors caused by a full
// disk match ErrDiskFull.
func Open(ctx context.Context, path string) (*DB, error) {
	if IsPostgresURL(path) {
		return openPostgres(ctx, path)
	}
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("store: open: unusable database path %q", path)
	}
	common := "_pragma=busy_timeout(" + busyTimeout + ")&_pragma=foreign_keys(1)"
	// synchronous NORMAL with WAL: a committed transaction survives a crash
	// of the process; only a power loss can drop the last few.
	w, err := sql.Open("sqlite", path+"?"+common+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := pingSQLite(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, checkFull(err))
	}
	db := &DB{w: w, d: sqliteDialect}
	if err := db.migrate(ctx, path); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := pingSQLite(ctx, r); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, checkFull(err))
	}
	db.r = r
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

// pingSQLite opens a first connection of pool. Setting journal_mode=WAL
// on a new file takes a lock that SQLite does not wait for (no busy
// handler), so processes opening one new file at once get SQLITE_BUSY
// here: try again for as long as busyTimeout.
func pingSQLite(ctx context.Context, pool *sql.DB) error {
	deadline := time.Now().Add(busyTimeoutDuration)
	for {
		err := pool.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// prepare prepares the statements of db.statements on their pools.
func (db *DB) prepare(ctx context.Context) error {
	for _, p := range db.statements() {
		var err error
		if *p.stmt, err = p.pool.PrepareContext(ctx, p.sql); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database. Everything stored was committed already.
func (db *DB) Close() error {
	var errs []error
	for _, p := range db.statements() {
		if *p.stmt != nil {
			errs = append(errs, (*p.stmt).Close())
		}
	}
	if db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	return errors.Join(append(errs, db.w.Close())...)
}

// migration is one embedded migration: NNN_name.sql, written for SQLite
// and translated for other engines by their dialect's ddl, and any
// engine's own variant NNN_name.<engine>.sql (say 002_topic_fts.pg.sql),
// which that engine runs instead, as written.
type migration struct {
	version  int
	name     string
	sql      string
	variants map[string]string // by file suffix, e.g. ".pg.sql"
}

// variantSuffixes are the suffixes of engine-specific migration files.
var variantSuffixes = []string{".pg.sql"}

// sqlFor returns the migration's SQL for d.
func (m migration) sqlFor(d *dialect) string {
	if v, ok := m.variants[d.migrationSuffix]; ok && d.migrationSuffix != "" {
		return v
	}
	return d.ddl(m.sql)
}

func loadMigrations() ([]migration, error) { return loadMigrationsFrom(migrationFS) }

// loadMigrationsFrom reads the migrations in fsys's folder migrations.
func loadMigrationsFrom(fsys fs.FS) ([]migration, error) {
	paths, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	type variant struct {
		version     int
		path, name  string
		suffix, sql string
	}
	byVersion := map[int]*migration{}
	var variants []variant
	for _, p := range paths {
		base := strings.TrimPrefix(p, "migrations/")
		suffix := ".sql"
		for _, s := range variantSuffixes {
			if strings.HasSuffix(base, s) {
				suffix = s
			}
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(base, suffix), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || strings.Contains(name, ".") {
			return nil, fmt.Errorf("migration file %s is not named NNN_name.sql or NNN_name.pg.sql", p)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		if suffix != ".sql" {
			variants = append(variants, variant{v, p, name, suffix, string(b)})
			continue
		}
		if prev, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("migrations %03d_%s.sql and %s share version %d", v, prev.name, p, v)
		}
		byVersion[v] = &migration{version: v, name: name, sql: string(b), variants: map[string]string{}}
	}
	// A variant belongs to the shared file of its number and name, so a
	// renumbered shared file cannot leave its variant behind unnoticed.
	for _, vr := range variants {
		m := byVersion[vr.version]
		if m == nil || m.name != vr.name {
			return nil, fmt.Errorf("migration %s has no %03d_%s.sql beside it", vr.path, vr.version, vr.name)
		}
		m.variants[vr.suffix] = vr.sql
	}
	ms := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		ms = append(ms, *m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, in order, each migration not yet recorded in
// schema_migrations, each in its own transaction together with its record.
// It first refuses a database migrated past the newest migration it knows.
func (db *DB) migrate(ctx context.Context, path string) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var have int
	err = db.migrationTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.d.ddl(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_ms INTEGER NOT NULL
	)`)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx,
			`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have)
	})
	if err != nil {
		return fmt.Errorf("store: open %s: migrate: %w", path, err)
	}
	if known := ms[len(ms)-1].version; have > known {
		return &SchemaVersionError{Path: path, Have: have, Known: known}
	}
	for _, m := range ms {
		err := db.migrationTx(ctx, func(tx *sql.Tx) error {
			// Checked inside the locked transaction so two processes
			// opening a new database at once cannot both apply it.
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sqlFor(db.d)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: open %s: migrate %03d_%s: %w", path, m.version, m.name, err)
		}
	}
	return nil
}

// migrationTx runs fn in a write transaction that first takes the
// dialect's migration lock, held until the transaction ends.
func (db *DB) migrationTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if db.d.lockMigrationsSQL != "" {
			if _, err := tx.ExecContext(ctx, db.d.lockMigrationsSQL); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// write runs fn in a write transaction (on SQLite, on the single writer
// connection) and commits it before returning. An error caused by a full disk matches
// ErrDiskFull.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return checkFull(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return checkFull(err)
	}
	return checkFull(tx.Commit())
}

// toMS stores a time as unix milliseconds; the zero time is 0.
func toMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS reads what toMS stored, in UTC.
func fromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// boolInt stores a bool as 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// limitOr returns limit, or def when limit is not positive.
func limitOr(limit, def int) int {
	if limit <= 0 {
		return def
	}
	return limit
}
