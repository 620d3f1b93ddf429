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
// (the -shm file) cannot grow.
func checkFull(err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_FULL || se.Code() == sqlite3.SQLITE_IOERR_SHMSIZE) ||
		errors.Is(err, syscall.ENOSPC) {
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

// DB is the SQLite store. It is safe for concurrent use by many goroutines.
//
// Writes go through one connection, so concurrent writers in this process
// queue in database/sql instead of failing with SQLITE_BUSY; write
// transactions begin IMMEDIATE and wait up to busyTimeout for another
// process (say, the command line next to a running bot). Reads use a
// separate pool of query-only connections and, thanks to WAL, never wait for
// the writer.
type DB struct {
	w *sql.DB
	r *sql.DB
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
	return []preparedStmt{
		{&db.getSummary, db.r, getSummarySQL},
		{&db.getAlias, db.r, getAliasSQL},
		{&db.searchTopics, db.r, searchTopicsSQL},
		{&db.topicNames, db.r, topicNamesSQL},
		{&db.upsertArticle, db.w, upsertArticleSQL},
		{&db.upsertSummary, db.w, upsertSummarySQL},
		{&db.deleteTopics, db.w, deleteTopicsSQL},
		{&db.insertTopic, db.w, insertTopicSQL},
		{&db.upsertAlias, db.w, upsertAliasSQL},
		{&db.recordShare, db.w, recordShareSQL},
		{&db.ftsDelete, db.w, ftsDeleteSQL},
		{&db.ftsInsert, db.w, ftsInsertSQL},
	}
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

//go:embed migrations/*.sql
var migrationFS embed.FS

// Open opens (creating if needed) the SQLite database at path and applies
// the migrations it has not applied yet. It refuses, with a
// *SchemaVersionError, a database a newer build has migrated further;
// errors caused by a full disk match ErrDiskFull.
func Open(ctx context.Context, path string) (*DB, error) {
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
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, checkFull(err))
	}
	db := &DB{w: w}
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
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, checkFull(err))
	}
	db.r = r
	for _, p := range db.statements() {
		if *p.stmt, err = p.pool.PrepareContext(ctx, p.sql); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	}
	return db, nil
}

// Close closes the database. Everything stored was committed already.
func (db *DB) Close() error {
	var errs []error
	for _, p := range db.statements() {
		if *p.stmt != nil {
			errs = append(errs, (*p.stmt).Close())
		}
	}
	return errors.Join(append(errs, db.r.Close(), db.w.Close())...)
}

// migration is one embedded migration file, NNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	paths, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, p := range paths {
		base := strings.TrimSuffix(strings.TrimPrefix(p, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s is not named NNN_name.sql", p)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, p, v)
		}
		seen[v] = p
		b, err := migrationFS.ReadFile(p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
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
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_ms INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("store: open %s: migrate: %w", path, checkFull(err))
	}
	var have int
	if err := db.w.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: open %s: schema version: %w", path, checkFull(err))
	}
	if known := ms[len(ms)-1].version; have > known {
		return &SchemaVersionError{Path: path, Have: have, Known: known}
	}
	for _, m := range ms {
		err := db.write(ctx, func(tx *sql.Tx) error {
			// Checked inside the (IMMEDIATE) transaction so two processes
			// opening a new file at once cannot both apply it.
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
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

// write runs fn in a write transaction on the single writer connection and
// commits it before returning. An error caused by a full disk matches
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
