package store

import (
	"briefbot/guild"

	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const feedCols = `id, guild_id, channel_id, url, filter, etag, last_modified, next_ms, failures, status, polled_ms, created_ms`

func scanFeed(sc interface{ Scan(...any) error }) (guild.Feed, error) {
	var f guild.Feed
	var next, polled, created int64
	err := sc.Scan(&f.ID, &f.GuildID, &f.ChannelID, &f.URL, &f.Filter, &f.ETag, &f.LastModified, &next, &f.Failures, &f.Status, &polled, &created)
	f.Next, f.Polled, f.CreatedAt = fromMS(next), fromMS(polled), fromMS(created)
	return f, err
}

// AddFeed saves f unless the server follows f.URL already (created is
// false then, and the saved feed is returned).
func (db *DB) AddFeed(ctx context.Context, f guild.Feed) (saved guild.Feed, created bool, err error) {
	if f.GuildID == "" || f.URL == "" {
		return guild.Feed{}, false, errors.New("store: add feed: no guild or URL")
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO feeds (guild_id, channel_id, url, filter, next_ms, status, created_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			f.GuildID, f.ChannelID, f.URL, f.Filter, toMS(f.Next), f.Status, toMS(f.CreatedAt))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		created = n == 1
		saved, err = scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedCols+` FROM feeds WHERE guild_id = ? AND url = ?`, f.GuildID, f.URL))
		return err
	})
	if err != nil {
		return guild.Feed{}, false, fmt.Errorf("store: add feed: %w", err)
	}
	return saved, created, nil
}

// Feeds returns guildID's feeds ("" for every server's), oldest first.
func (db *DB) Feeds(ctx context.Context, guildID string) ([]guild.Feed, error) {
	q, args := `SELECT `+feedCols+` FROM feeds ORDER BY id`, []any{}
	if guildID != "" {
		q, args = `SELECT `+feedCols+` FROM feeds WHERE guild_id = ? ORDER BY id`, []any{guildID}
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: feeds: %w", err)
	}
	defer rows.Close()
	var out []guild.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("store: feeds: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feeds: %w", err)
	}
	return out, nil
}

// RemoveFeed deletes guildID's feed id and its entries.
func (db *DB) RemoveFeed(ctx context.Context, guildID string, id int64) (bool, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feeds WHERE guild_id = ? AND id = ?`, guildID, id)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM feed_entries WHERE feed_id = ?`, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: remove feed: %w", err)
	}
	return n > 0, nil
}

// SaveFeedPoll records a poll's outcome: validators, schedule, failures
// and status.
func (db *DB) SaveFeedPoll(ctx context.Context, f guild.Feed) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE feeds SET url = ?, etag = ?, last_modified = ?, next_ms = ?, failures = ?, status = ?, polled_ms = ?
			WHERE guild_id = ? AND id = ?`, f.URL, f.ETag, f.LastModified, toMS(f.Next), f.Failures, f.Status, toMS(f.Polled), f.GuildID, f.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save feed poll: %w", err)
	}
	return nil
}

// MarkFeedEntry records that feed f showed the entry key; it reports
// false when it had been seen before. summarized marks it as taken into
// the server's record at now.
func (db *DB) MarkFeedEntry(ctx context.Context, f guild.Feed, key string, now time.Time, summarized bool) (bool, error) {
	var n int64
	sum := int64(0)
	if summarized {
		sum = max(toMS(now), 1)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO feed_entries (feed_id, entry_key, guild_id, seen_ms, summarized_ms)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, f.ID, key, f.GuildID, toMS(now), sum)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: mark feed entry: %w", err)
	}
	return n == 1, nil
}

// FeedEntrySeen reports whether feed f showed the entry key before.
func (db *DB) FeedEntrySeen(ctx context.Context, feedID int64, key string) (bool, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM feed_entries WHERE feed_id = ? AND entry_key = ?`, feedID, key).Scan(&n); err != nil {
		return false, fmt.Errorf("store: feed entry seen: %w", err)
	}
	return n > 0, nil
}

// FeedEntriesSince counts the entries summarized into guildID's record
// from feeds since since.
func (db *DB) FeedEntriesSince(ctx context.Context, guildID string, since time.Time) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM feed_entries WHERE guild_id = ? AND summarized_ms >= ?`,
		guildID, max(toMS(since), 1)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: feed entries since: %w", err)
	}
	return n, nil
}
