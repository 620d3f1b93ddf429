package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"briefbot/summarize"
)

// summaryCols are the columns scanSummary reads, in order, from a summaries
// row aliased s.
const summaryCols = `s.url, s.final_url, s.title, s.site, s.language, s.published_ms,
	s.quality, s.word_count, s.text_hash, s.engine, s.model, s.prompt_version,
	s.topics, s.quotes, s.notes, s.prompt_tokens, s.completion_tokens, s.llm_calls,
	s.created_ms, s.elapsed_ns`

const getSummarySQL = `SELECT ` + summaryCols + ` FROM summaries s
	WHERE s.url = ? AND s.engine = ? AND s.model = ? AND s.prompt_version = ?`

type scanner interface {
	Scan(dest ...any) error
}

// scanSummary reads summaryCols, followed by extra destinations.
func scanSummary(sc scanner, extra ...any) (*summarize.Summary, error) {
	var (
		s                  summarize.Summary
		published, created int64
		elapsed            int64
		quality, nots      string
		topics, quotes     []byte
	)
	dest := []any{&s.URL, &s.FinalURL, &s.Title, &s.Site, &s.Language, &published,
		&quality, &s.WordCount, &s.TextHash, &s.Engine, &s.Model, &s.PromptVersion,
		&topics, &quotes, &nots, &s.Usage.PromptTokens, &s.Usage.CompletionTokens, &s.Usage.Calls,
		&created, &elapsed}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	s.Published = fromMS(published)
	s.CreatedAt = fromMS(created)
	s.Elapsed = time.Duration(elapsed)
	s.Quality = summarize.Quality(quality)
	if err := unmarshalTopics(topics, quotes, &s.Topics); err != nil {
		return nil, fmt.Errorf("topics of %s: %w", s.URL, err)
	}
	if err := json.Unmarshal([]byte(nots), &s.Notes); err != nil {
		return nil, fmt.Errorf("notes of %s: %w", s.URL, err)
	}
	s.Cached = true
	return &s, nil
}

// Summary returns the cached summary for k, and false when there is none.
// The summary comes back with Cached set and times in UTC at millisecond
// precision.
func (db *DB) Summary(ctx context.Context, k summarize.Key) (*summarize.Summary, bool, error) {
	row := db.getSummary.QueryRowContext(ctx, k.URL, k.Engine, k.Model, k.PromptVersion)
	s, err := scanSummary(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: summary %s: %w", k.URL, err)
	}
	return s, true, nil
}

// SaveSummary stores s under s.Key(), replacing any entry there, updates the
// article's record and the topic search index, and commits before it
// returns. s.Cached is not stored.
func (db *DB) SaveSummary(ctx context.Context, s *summarize.Summary) error {
	if s == nil || s.URL == "" || s.Engine == "" {
		return errors.New("store: save summary: summary without URL or engine")
	}
	topics := s.Topics
	if topics == nil {
		topics = []summarize.Topic{}
	}
	topicsJSON, quotesJSON, err := marshalTopics(topics)
	if err != nil {
		return fmt.Errorf("store: save summary %s: %w", s.URL, err)
	}
	notes := s.Notes
	if notes == nil {
		notes = []string{}
	}
	notesJSON, err := json.Marshal(notes)
	if err != nil {
		return fmt.Errorf("store: save summary %s: %w", s.URL, err)
	}
	created := s.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.StmtContext(ctx, db.upsertArticle).ExecContext(ctx,
			s.URL, s.FinalURL, s.Title, s.Site, s.Language, toMS(s.Published), string(s.Quality),
			s.WordCount, s.TextHash, toMS(created)); err != nil {
			return err
		}
		var id int64
		if err := tx.StmtContext(ctx, db.upsertSummary).QueryRowContext(ctx,
			s.URL, s.Engine, s.Model, s.PromptVersion, s.FinalURL, s.Title, s.Site, s.Language,
			toMS(s.Published), string(s.Quality), s.WordCount, s.TextHash, string(topicsJSON),
			string(quotesJSON), string(notesJSON), s.Usage.PromptTokens, s.Usage.CompletionTokens, s.Usage.Calls,
			toMS(created), int64(s.Elapsed)).Scan(&id); err != nil {
			return err
		}
		return db.replaceTopics(ctx, tx, id, topics)
	})
	if err != nil {
		return fmt.Errorf("store: save summary %s: %w", s.URL, err)
	}
	return nil
}

// storedPoint and storedTopic are summarize.Point and summarize.Topic as
// stored, and without their MarshalJSON methods: encoding/json re-parses
// and compacts what a MarshalJSON method returns, which costs more than
// encoding the fields. A point's quote is stored apart, in the summary's
// quotes column; only rows written before that hold it here
// (TestMarshalTopics holds the types in step with summarize's).
type (
	storedPoint struct {
		Text     string           `json:"text"`
		Status   summarize.Status `json:"status"`
		Actors   []string         `json:"actors"`
		Quote    string           `json:"quote,omitempty"`
		Grounded bool             `json:"grounded"`
	}
	storedTopic struct {
		Name   string        `json:"name"`
		Key    string        `json:"key"`
		Points []storedPoint `json:"points"`
	}
)

// marshalTopics encodes topics for the topics column, their points
// without quotes, and the quotes for the quotes column: one list per
// topic, one quote per point.
func marshalTopics(topics []summarize.Topic) (topicsJSON, quotesJSON []byte, err error) {
	n := 0
	for _, t := range topics {
		n += len(t.Points)
	}
	points := make([]storedPoint, 0, n)
	quotes := make([]string, 0, n)
	out := make([]storedTopic, len(topics))
	qs := make([][]string, len(topics))
	for i, t := range topics {
		from := len(points)
		for _, p := range t.Points {
			actors := p.Actors
			if actors == nil {
				actors = []string{}
			}
			points = append(points, storedPoint{Text: p.Text, Status: p.Status, Actors: actors, Grounded: p.Grounded})
			quotes = append(quotes, p.Quote)
		}
		out[i] = storedTopic{Name: t.Name, Key: t.Key, Points: points[from:len(points):len(points)]}
		qs[i] = quotes[from:len(quotes):len(quotes)]
	}
	if topicsJSON, err = json.Marshal(out); err != nil {
		return nil, nil, err
	}
	if quotesJSON, err = json.Marshal(qs); err != nil {
		return nil, nil, err
	}
	return topicsJSON, quotesJSON, nil
}

// unmarshalTopics decodes a summary's topics column into dst and puts
// back the quotes of its quotes column; a row whose quotes column is
// empty holds them in its topics.
func unmarshalTopics(topics, quotes []byte, dst *[]summarize.Topic) error {
	if err := json.Unmarshal(topics, dst); err != nil {
		return err
	}
	if len(quotes) == 0 {
		return nil
	}
	var qs [][]string
	if err := json.Unmarshal(quotes, &qs); err != nil {
		return fmt.Errorf("quotes: %w", err)
	}
	ts := *dst
	if len(qs) != len(ts) {
		return fmt.Errorf("quotes: %d lists for %d topics", len(qs), len(ts))
	}
	for i := range ts {
		if len(qs[i]) != len(ts[i].Points) {
			return fmt.Errorf("quotes: %d for the %d points of topic %d", len(qs[i]), len(ts[i].Points), i)
		}
		for j, q := range qs[i] {
			ts[i].Points[j].Quote = q
		}
	}
	return nil
}

const upsertArticleSQL = `INSERT INTO articles
	(url, final_url, title, site, language, published_ms, quality, word_count, text_hash, updated_ms)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (url) DO UPDATE SET
		final_url = excluded.final_url, title = excluded.title, site = excluded.site,
		language = excluded.language, published_ms = excluded.published_ms,
		quality = excluded.quality, word_count = excluded.word_count,
		text_hash = excluded.text_hash, updated_ms = excluded.updated_ms`

const upsertSummarySQL = `INSERT INTO summaries
	(url, engine, model, prompt_version, final_url, title, site, language, published_ms,
	 quality, word_count, text_hash, topics, quotes, notes, prompt_tokens, completion_tokens,
	 llm_calls, created_ms, elapsed_ns)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (url, engine, model, prompt_version) DO UPDATE SET
		final_url = excluded.final_url, title = excluded.title, site = excluded.site,
		language = excluded.language, published_ms = excluded.published_ms,
		quality = excluded.quality, word_count = excluded.word_count,
		text_hash = excluded.text_hash, topics = excluded.topics, quotes = excluded.quotes, notes = excluded.notes,
		prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
		llm_calls = excluded.llm_calls, created_ms = excluded.created_ms,
		elapsed_ns = excluded.elapsed_ns
	RETURNING id`

const (
	deleteTopicsSQL = `DELETE FROM summary_topics WHERE summary_id = ?`
	insertTopicSQL  = `INSERT INTO summary_topics (summary_id, idx, name, topic_key)
		VALUES (?, ?, ?, ?) RETURNING id`
)

// replaceTopics rewrites the topic list and search entries of a summary.
//
// The search entries are written last, one after the other: FTS5 keeps
// the entries of a transaction in memory and writes them out as one index
// segment at commit, but any other statement that opens a savepoint in
// between (an insert into summary_topics does) makes it write out a
// segment first, and merge segments the more there are.
func (db *DB) replaceTopics(ctx context.Context, tx *sql.Tx, summaryID int64, topics []summarize.Topic) error {
	if err := db.ftsDeleteSummary(ctx, tx, summaryID); err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, db.deleteTopics).ExecContext(ctx, summaryID); err != nil {
		return err
	}
	insert := tx.StmtContext(ctx, db.insertTopic)
	ids := make([]int64, len(topics))
	for i, t := range topics {
		key := t.Key
		if key == "" {
			key = summarize.TopicKey(t.Name)
		}
		if err := insert.QueryRowContext(ctx, summaryID, i, t.Name, key).Scan(&ids[i]); err != nil {
			return err
		}
	}
	var texts strings.Builder
	for i, t := range topics {
		texts.Reset()
		for j, p := range t.Points {
			if j > 0 {
				texts.WriteByte('\n')
			}
			texts.WriteString(p.Text)
		}
		if err := db.ftsInsertTopic(ctx, tx, ids[i], t.Name, texts.String()); err != nil {
			return err
		}
	}
	return nil
}

// Alias returns what briefbot learned about url the last time it read it:
// which cache entry answers for it. ok is false when url answers from its
// own entry.
func (db *DB) Alias(ctx context.Context, url string) (summarize.Alias, bool, error) {
	var a summarize.Alias
	err := db.getAlias.QueryRowContext(ctx, url).Scan(&a.Target, &a.TextHash)
	if errors.Is(err, sql.ErrNoRows) {
		return summarize.Alias{}, false, nil
	}
	if err != nil {
		return summarize.Alias{}, false, fmt.Errorf("store: alias %s: %w", url, err)
	}
	return a, true, nil
}

const getAliasSQL = `SELECT target, text_hash FROM link_aliases WHERE url = ?`

// SaveAlias records a for url, replacing what was recorded before. An
// alias whose target is url itself (url now answers from its own entry)
// removes the record. Recording what is recorded already costs a read,
// not a write.
func (db *DB) SaveAlias(ctx context.Context, url string, a summarize.Alias) error {
	if url == "" || a.Target == "" {
		return errors.New("store: save alias: empty URL")
	}
	// Every fresh run of a link records what it learned again; mostly that
	// is known already, and a read does not queue behind the writer.
	known, ok, err := db.Alias(ctx, url)
	if err == nil && (ok && known == a || !ok && a.Target == url) {
		return nil
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if a.Target == url {
			_, err := tx.ExecContext(ctx, deleteAliasSQL, url)
			return err
		}
		_, err := tx.StmtContext(ctx, db.upsertAlias).ExecContext(ctx, url, a.Target, a.TextHash, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save alias %s: %w", url, err)
	}
	return nil
}

const (
	upsertAliasSQL = `INSERT INTO link_aliases (url, target, text_hash, updated_ms) VALUES (?, ?, ?, ?)
	ON CONFLICT (url) DO UPDATE SET target = excluded.target, text_hash = excluded.text_hash,
		updated_ms = excluded.updated_ms`
	deleteAliasSQL = `DELETE FROM link_aliases WHERE url = ?`
)
