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
	s.topics, s.notes, s.prompt_tokens, s.completion_tokens, s.llm_calls,
	s.created_ms, s.elapsed_ns`

const getSummarySQL = `SELECT ` + summaryCols + ` FROM summaries s
	WHERE s.url = ? AND s.engine = ? AND s.model = ? AND s.prompt_version = ?`

type scanner interface {
	Scan(dest ...any) error
}

// scanSummary reads summaryCols, followed by extra destinations.
func scanSummary(sc scanner, extra ...any) (*summarize.Summary, error) {
	var (
		s                     summarize.Summary
		published, created    int64
		elapsed               int64
		quality, topics, nots string
	)
	dest := []any{&s.URL, &s.FinalURL, &s.Title, &s.Site, &s.Language, &published,
		&quality, &s.WordCount, &s.TextHash, &s.Engine, &s.Model, &s.PromptVersion,
		&topics, &nots, &s.Usage.PromptTokens, &s.Usage.CompletionTokens, &s.Usage.Calls,
		&created, &elapsed}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	s.Published = fromMS(published)
	s.CreatedAt = fromMS(created)
	s.Elapsed = time.Duration(elapsed)
	s.Quality = summarize.Quality(quality)
	if err := json.Unmarshal([]byte(topics), &s.Topics); err != nil {
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
	topicsJSON, err := json.Marshal(topics)
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO articles
			(url, final_url, title, site, language, published_ms, quality, word_count, text_hash, updated_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET
				final_url = excluded.final_url, title = excluded.title, site = excluded.site,
				language = excluded.language, published_ms = excluded.published_ms,
				quality = excluded.quality, word_count = excluded.word_count,
				text_hash = excluded.text_hash, updated_ms = excluded.updated_ms`,
			s.URL, s.FinalURL, s.Title, s.Site, s.Language, toMS(s.Published), string(s.Quality),
			s.WordCount, s.TextHash, toMS(created)); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO summaries
			(url, engine, model, prompt_version, final_url, title, site, language, published_ms,
			 quality, word_count, text_hash, topics, notes, prompt_tokens, completion_tokens,
			 llm_calls, created_ms, elapsed_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (url, engine, model, prompt_version) DO UPDATE SET
				final_url = excluded.final_url, title = excluded.title, site = excluded.site,
				language = excluded.language, published_ms = excluded.published_ms,
				quality = excluded.quality, word_count = excluded.word_count,
				text_hash = excluded.text_hash, topics = excluded.topics, notes = excluded.notes,
				prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
				llm_calls = excluded.llm_calls, created_ms = excluded.created_ms,
				elapsed_ns = excluded.elapsed_ns
			RETURNING id`,
			s.URL, s.Engine, s.Model, s.PromptVersion, s.FinalURL, s.Title, s.Site, s.Language,
			toMS(s.Published), string(s.Quality), s.WordCount, s.TextHash, string(topicsJSON),
			string(notesJSON), s.Usage.PromptTokens, s.Usage.CompletionTokens, s.Usage.Calls,
			toMS(created), int64(s.Elapsed)).Scan(&id); err != nil {
			return err
		}
		return replaceTopics(ctx, tx, id, topics)
	})
	if err != nil {
		return fmt.Errorf("store: save summary %s: %w", s.URL, err)
	}
	return nil
}

// replaceTopics rewrites the topic list and search entries of a summary.
func replaceTopics(ctx context.Context, tx *sql.Tx, summaryID int64, topics []summarize.Topic) error {
	if err := ftsDeleteSummary(ctx, tx, summaryID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM summary_topics WHERE summary_id = ?`, summaryID); err != nil {
		return err
	}
	for i, t := range topics {
		key := t.Key
		if key == "" {
			key = summarize.TopicKey(t.Name)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO summary_topics (summary_id, idx, name, topic_key)
			VALUES (?, ?, ?, ?) RETURNING id`, summaryID, i, t.Name, key).Scan(&id); err != nil {
			return err
		}
		texts := make([]string, 0, len(t.Points))
		for _, p := range t.Points {
			texts = append(texts, p.Text)
		}
		if err := ftsInsertTopic(ctx, tx, id, t.Name, strings.Join(texts, "\n")); err != nil {
			return err
		}
	}
	return nil
}

// Alias returns the canonical URL recorded for url, and false when none is.
func (db *DB) Alias(ctx context.Context, url string) (string, bool, error) {
	var canonical string
	err := db.r.QueryRowContext(ctx, `SELECT canonical FROM aliases WHERE alias = ?`, url).Scan(&canonical)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: alias %s: %w", url, err)
	}
	return canonical, true, nil
}

// SaveAlias records that alias leads to canonical, replacing an earlier
// record for alias. An alias equal to its canonical URL is not stored.
func (db *DB) SaveAlias(ctx context.Context, alias, canonical string) error {
	if alias == "" || canonical == "" {
		return errors.New("store: save alias: empty URL")
	}
	if alias == canonical {
		return nil
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO aliases (alias, canonical, updated_ms) VALUES (?, ?, ?)
			ON CONFLICT (alias) DO UPDATE SET canonical = excluded.canonical, updated_ms = excluded.updated_ms`,
			alias, canonical, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save alias %s: %w", alias, err)
	}
	return nil
}
