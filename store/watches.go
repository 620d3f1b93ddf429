package store

import (
	"briefbot/guild"

	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddWatch saves w (ID and CreatedAt are set) unless the server already
// watches the same query, and returns the saved watch; created is false
// when it existed (its channel is then updated to w's).
func (db *DB) AddWatch(ctx context.Context, w guild.Watch) (saved guild.Watch, created bool, err error) {
	if w.GuildID == "" || w.Query == "" {
		return guild.Watch{}, false, errors.New("store: add watch: no guild or query")
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = time.Now()
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO watches (guild_id, channel_id, query, status, created_ms)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			w.GuildID, w.ChannelID, w.Query, w.Status, toMS(w.CreatedAt)).Scan(&id)
		if err == nil {
			w.ID, created = id, true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE watches SET channel_id = ? WHERE guild_id = ? AND query = ?`, w.ChannelID, w.GuildID, w.Query); err != nil {
			return err
		}
		var ms int64
		if err := tx.QueryRowContext(ctx, `SELECT id, status, created_ms FROM watches WHERE guild_id = ? AND query = ?`,
			w.GuildID, w.Query).Scan(&w.ID, &w.Status, &ms); err != nil {
			return err
		}
		w.CreatedAt = fromMS(ms)
		return nil
	})
	if err != nil {
		return guild.Watch{}, false, fmt.Errorf("store: add watch: %w", err)
	}
	return w, created, nil
}

// Watches returns the watches of guildID ("" for every server's), oldest
// first.
func (db *DB) Watches(ctx context.Context, guildID string) ([]guild.Watch, error) {
	q, args := `SELECT id, guild_id, channel_id, query, status, created_ms FROM watches ORDER BY id`, []any{}
	if guildID != "" {
		q, args = `SELECT id, guild_id, channel_id, query, status, created_ms FROM watches WHERE guild_id = ? ORDER BY id`, []any{guildID}
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: watches: %w", err)
	}
	defer rows.Close()
	var out []guild.Watch
	for rows.Next() {
		var w guild.Watch
		var ms int64
		if err := rows.Scan(&w.ID, &w.GuildID, &w.ChannelID, &w.Query, &w.Status, &ms); err != nil {
			return nil, fmt.Errorf("store: watches: %w", err)
		}
		w.CreatedAt = fromMS(ms)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: watches: %w", err)
	}
	return out, nil
}

// RemoveWatch deletes guildID's watch id; it reports whether there was
// one.
func (db *DB) RemoveWatch(ctx context.Context, guildID string, id int64) (bool, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM watches WHERE guild_id = ? AND id = ?`, guildID, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: remove watch: %w", err)
	}
	return n > 0, nil
}

// SetWatchStatus records the status a watch last saw.
func (db *DB) SetWatchStatus(ctx context.Context, guildID string, id int64, status string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE watches SET status = ? WHERE guild_id = ? AND id = ?`, status, guildID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set watch status: %w", err)
	}
	return nil
}

// ClaimWatchAlert claims the change key of a watch for owner until now +
// lease: it succeeds for a new change, or for one whose earlier claim ran
// out without being posted. A change posted, or held by a live claim,
// is not claimed.
func (db *DB) ClaimWatchAlert(ctx context.Context, guildID string, watchID int64, key, owner string, now time.Time, lease time.Duration) (guild.AlertClaim, error) {
	var c guild.AlertClaim
	err := db.write(ctx, func(tx *sql.Tx) error {
		c = guild.AlertClaim{}
		res, err := tx.ExecContext(ctx, `INSERT INTO watch_alerts (guild_id, watch_id, change_key, owner, lease_ms, claimed_ms)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, guildID, watchID, key, owner, toMS(now.Add(lease)), toMS(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			c.Claimed, c.Attempts, c.ClaimedAt = true, 1, now
			return nil
		}
		var leaseMS, claimedMS, postedMS int64
		if err := tx.QueryRowContext(ctx, `SELECT lease_ms, claimed_ms, posted_ms, attempts FROM watch_alerts
			WHERE guild_id = ? AND watch_id = ? AND change_key = ?`, guildID, watchID, key).Scan(&leaseMS, &claimedMS, &postedMS, &c.Attempts); err != nil {
			return err
		}
		c.ClaimedAt = fromMS(claimedMS)
		switch {
		case postedMS != 0:
			c.Posted = true
		case leaseMS <= toMS(now):
			if _, err := tx.ExecContext(ctx, `UPDATE watch_alerts SET owner = ?, lease_ms = ?, attempts = attempts + 1
				WHERE guild_id = ? AND watch_id = ? AND change_key = ?`, owner, toMS(now.Add(lease)), guildID, watchID, key); err != nil {
				return err
			}
			c.Claimed = true
			c.Attempts++
		}
		return nil
	})
	if err != nil {
		return guild.AlertClaim{}, fmt.Errorf("store: claim watch alert: %w", err)
	}
	return c, nil
}

// FinishWatchAlert marks a claimed change posted as messageID.
func (db *DB) FinishWatchAlert(ctx context.Context, guildID string, watchID int64, key, messageID string, now time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE watch_alerts SET posted_ms = ?, message_id = ?
			WHERE guild_id = ? AND watch_id = ? AND change_key = ?`, max(toMS(now), 1), messageID, guildID, watchID, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish watch alert: %w", err)
	}
	return nil
}
