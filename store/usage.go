package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"briefbot/guild"
)

// RecordUsage adds each record to its server's, day's and article's
// counts, all in one transaction.
func (db *DB) RecordUsage(ctx context.Context, records ...guild.UsageRecord) error {
	for _, r := range records {
		if r.GuildID == "" || r.Day == "" || r.URL == "" {
			return errors.New("store: record usage: guild, day and url are required")
		}
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, r := range records {
			_, err := tx.ExecContext(ctx, `INSERT INTO usage
				(guild_id, day, url, title, answers, cache_hits, calls, prompt_tokens, completion_tokens)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (guild_id, day, url) DO UPDATE SET
					title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE usage.title END,
					answers = usage.answers + excluded.answers,
					cache_hits = usage.cache_hits + excluded.cache_hits,
					calls = usage.calls + excluded.calls,
					prompt_tokens = usage.prompt_tokens + excluded.prompt_tokens,
					completion_tokens = usage.completion_tokens + excluded.completion_tokens`,
				r.GuildID, r.Day, r.URL, r.Title, max(r.Answers, 1), r.CacheHits, r.Calls, r.PromptTokens, r.CompletionTokens)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record usage: %w", err)
	}
	return nil
}

// DayTokens returns the tokens spent on day by guildID and by every
// server together.
func (db *DB) DayTokens(ctx context.Context, day, guildID string) (inGuild, all int64, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN guild_id = ? THEN prompt_tokens + completion_tokens ELSE 0 END), 0),
			COALESCE(SUM(prompt_tokens + completion_tokens), 0)
		FROM usage WHERE day = ?`, guildID, day).Scan(&inGuild, &all)
	if err != nil {
		return 0, 0, fmt.Errorf("store: day tokens %s: %w", day, err)
	}
	return inGuild, all, nil
}

// UsageReport returns guildID's usage over the UTC days [from, to]
// (YYYY-MM-DD) with its top costliest articles.
func (db *DB) UsageReport(ctx context.Context, guildID, from, to string, top int) (guild.UsageReport, error) {
	rep := guild.UsageReport{From: from, To: to}
	t := &rep.Totals
	err := db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(answers), 0), COALESCE(SUM(cache_hits), 0),
			COALESCE(SUM(calls), 0), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0)
		FROM usage WHERE guild_id = ? AND day BETWEEN ? AND ?`, guildID, from, to).
		Scan(&t.Answers, &t.CacheHits, &t.Calls, &t.PromptTokens, &t.CompletionTokens)
	if err != nil {
		return guild.UsageReport{}, fmt.Errorf("store: usage report %s: %w", guildID, err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT url, MAX(title), SUM(calls), SUM(prompt_tokens + completion_tokens) AS tokens
		FROM usage WHERE guild_id = ? AND day BETWEEN ? AND ?
		GROUP BY url HAVING tokens > 0 ORDER BY tokens DESC, url LIMIT ?`, guildID, from, to, limitOr(top, 5))
	if err != nil {
		return guild.UsageReport{}, fmt.Errorf("store: usage report %s: %w", guildID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a guild.ArticleUsage
		if err := rows.Scan(&a.URL, &a.Title, &a.Calls, &a.Tokens); err != nil {
			return guild.UsageReport{}, fmt.Errorf("store: usage report %s: %w", guildID, err)
		}
		rep.Costliest = append(rep.Costliest, a)
	}
	if err := rows.Err(); err != nil {
		return guild.UsageReport{}, fmt.Errorf("store: usage report %s: %w", guildID, err)
	}
	return rep, nil
}

// Ping reports whether the store answers a query: nil when it does, an
// error once it is closed or its file is unreadable.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
