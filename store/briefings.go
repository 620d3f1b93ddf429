package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"briefbot/schedule"
)

// Schedules returns every server's briefing schedule, by guild ID.
func (db *DB) Schedules(ctx context.Context) ([]schedule.Schedule, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT guild_id, channel_id, cron, time_zone, updated_ms
		FROM schedules ORDER BY guild_id`)
	if err != nil {
		return nil, fmt.Errorf("store: schedules: %w", err)
	}
	defer rows.Close()
	var out []schedule.Schedule
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: schedules: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: schedules: %w", err)
	}
	return out, nil
}

// Schedule returns the server's briefing schedule, or schedule.ErrNotFound.
func (db *DB) Schedule(ctx context.Context, guildID string) (schedule.Schedule, error) {
	s, err := scanSchedule(db.r.QueryRowContext(ctx, `SELECT guild_id, channel_id, cron, time_zone, updated_ms
		FROM schedules WHERE guild_id = ?`, guildID))
	if errors.Is(err, sql.ErrNoRows) {
		return schedule.Schedule{}, fmt.Errorf("store: schedule %s: %w", guildID, schedule.ErrNotFound)
	}
	if err != nil {
		return schedule.Schedule{}, fmt.Errorf("store: schedule %s: %w", guildID, err)
	}
	return s, nil
}

func scanSchedule(sc scanner) (schedule.Schedule, error) {
	var (
		s       schedule.Schedule
		updated int64
	)
	if err := sc.Scan(&s.GuildID, &s.ChannelID, &s.Cron, &s.TimeZone, &updated); err != nil {
		return schedule.Schedule{}, err
	}
	s.UpdatedAt = fromMS(updated)
	return s, nil
}

// SaveSchedule creates or replaces the server's schedule. The caller
// validates the cron spec and time zone; a zero UpdatedAt means now.
func (db *DB) SaveSchedule(ctx context.Context, s schedule.Schedule) error {
	if s.GuildID == "" || s.ChannelID == "" || s.Cron == "" || s.TimeZone == "" {
		return errors.New("store: save schedule: guild, channel, cron and time zone are required")
	}
	updated := s.UpdatedAt
	if updated.IsZero() {
		updated = time.Now()
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO schedules (guild_id, channel_id, cron, time_zone, updated_ms)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,
				cron = excluded.cron, time_zone = excluded.time_zone, updated_ms = excluded.updated_ms`,
			s.GuildID, s.ChannelID, s.Cron, s.TimeZone, toMS(updated))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save schedule %s: %w", s.GuildID, err)
	}
	return nil
}

// DeleteSchedule removes the server's schedule; schedule.ErrNotFound
// when it had none. Its recorded briefings stay.
func (db *DB) DeleteSchedule(ctx context.Context, guildID string) error {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM schedules WHERE guild_id = ?`, guildID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete schedule %s: %w", guildID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: delete schedule %s: %w", guildID, schedule.ErrNotFound)
	}
	return nil
}

// briefingCols are the columns scanBriefing reads, in order.
const briefingCols = `guild_id, channel_id, slot_ms, state, message_ids, ledger, late, claimed_ms, posted_ms,
	owner, lease_ms, attempts`

// scanBriefing reads briefingCols; the claim's time and lease on this
// process's clock (see clock.go).
func (db *DB) scanBriefing(sc scanner) (schedule.Briefing, error) {
	var (
		b                            schedule.Briefing
		slot, claimed, posted, lease int64
		late                         int
		ids                          string
		ledger                       sql.NullString
	)
	if err := sc.Scan(&b.GuildID, &b.ChannelID, &slot, &b.State, &ids, &ledger, &late, &claimed, &posted,
		&b.Owner, &lease, &b.Attempts); err != nil {
		return schedule.Briefing{}, err
	}
	if err := json.Unmarshal([]byte(ids), &b.MessageIDs); err != nil {
		return schedule.Briefing{}, fmt.Errorf("message ids: %w", err)
	}
	if len(b.MessageIDs) == 0 {
		b.MessageIDs = nil
	}
	if ledger.Valid {
		b.Ledger = []byte(ledger.String)
	}
	b.Slot = fromMS(slot)
	b.Late = late != 0
	b.ClaimedAt = db.leaseTime(claimed)
	b.PostedAt = fromMS(posted)
	b.LeaseUntil = db.leaseTime(lease)
	return b, nil
}

// ClaimBriefing atomically takes the slot (b.GuildID, b.ChannelID, b.Slot)
// for b.Owner until b.LeaseUntil, at time b.ClaimedAt (zero means now).
// A new slot is claimed in state claimed with b.Late. A slot in state
// claimed is taken over when its lease ran out by b.ClaimedAt, or when
// b.Owner holds it already: the owner and lease change and Attempts grows,
// while the first claim's time and Late stay. Otherwise (posted, skipped,
// or another owner's lease still running) nothing changes and claimed is
// false. existing is the stored row after the call. Slots are kept to the
// millisecond.
//
// Each step is one statement whose condition the database checks
// atomically, so concurrent claimers on any engine get one winner.
func (db *DB) ClaimBriefing(ctx context.Context, b schedule.Briefing) (claimed bool, existing schedule.Briefing, err error) {
	if b.GuildID == "" || b.ChannelID == "" || b.Slot.IsZero() || b.Owner == "" {
		return false, schedule.Briefing{}, errors.New("store: claim briefing: guild, channel, slot and owner are required")
	}
	at := b.ClaimedAt
	if at.IsZero() {
		at = time.Now()
	}
	key := []any{b.GuildID, b.ChannelID, toMS(b.Slot)}
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO briefings
			(guild_id, channel_id, slot_ms, state, message_ids, ledger, late, claimed_ms, posted_ms, updated_ms,
				owner, lease_ms, attempts)
			VALUES (?, ?, ?, ?, '[]', NULL, ?, ?, 0, ?, ?, ?, 1)
			ON CONFLICT (guild_id, channel_id, slot_ms) DO NOTHING`,
			append(key, schedule.BriefingClaimed, boolInt(b.Late), db.leaseMS(at), toMS(at), b.Owner, db.leaseMS(b.LeaseUntil))...)
		if err != nil {
			return err
		}
		if claimed, err = oneRow(res); err != nil {
			return err
		}
		if !claimed {
			res, err := tx.ExecContext(ctx, `UPDATE briefings
				SET owner = ?, lease_ms = ?, attempts = attempts + 1, updated_ms = ?
				WHERE guild_id = ? AND channel_id = ? AND slot_ms = ?
					AND state = ? AND (lease_ms <= ? OR owner = ?)`,
				append(append([]any{b.Owner, db.leaseMS(b.LeaseUntil), toMS(at)}, key...), schedule.BriefingClaimed, db.leaseMS(at), b.Owner)...)
			if err != nil {
				return err
			}
			if claimed, err = oneRow(res); err != nil {
				return err
			}
		}
		existing, err = db.scanBriefing(tx.QueryRowContext(ctx, `SELECT `+briefingCols+` FROM briefings
			WHERE guild_id = ? AND channel_id = ? AND slot_ms = ?`, key...))
		return err
	})
	if err != nil {
		return false, schedule.Briefing{}, fmt.Errorf("store: claim briefing %s %s: %w", b.GuildID, b.Slot.UTC().Format(time.RFC3339), err)
	}
	return claimed, existing, nil
}

// RenewBriefingLease extends owner's lease on a claimed slot to until. It
// returns false when owner no longer holds the claim: the slot was taken
// over, posted or skipped.
func (db *DB) RenewBriefingLease(ctx context.Context, guildID, channelID string, slot time.Time, owner string, until time.Time) (bool, error) {
	var held bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE briefings SET lease_ms = ?, updated_ms = ?
			WHERE guild_id = ? AND channel_id = ? AND slot_ms = ? AND state = ? AND owner = ?`,
			db.leaseMS(until), toMS(time.Now()), guildID, channelID, toMS(slot), schedule.BriefingClaimed, owner)
		if err != nil {
			return err
		}
		held, err = oneRow(res)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: renew briefing lease %s %s: %w", guildID, slot.UTC().Format(time.RFC3339), err)
	}
	return held, nil
}

// oneRow reports whether a statement changed exactly one row.
func oneRow(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	return n == 1, err
}

// CompleteBriefing records the slot as posted, with the posted messages and
// the briefing's ledger. It records the slot even when it was not claimed
// first, and replaces an earlier completion.
func (db *DB) CompleteBriefing(ctx context.Context, guildID, channelID string, slot time.Time, messageIDs []string, ledger []byte, postedAt time.Time) error {
	if guildID == "" || channelID == "" || slot.IsZero() {
		return errors.New("store: complete briefing: guild, channel and slot are required")
	}
	if messageIDs == nil {
		messageIDs = []string{}
	}
	ids, err := json.Marshal(messageIDs)
	if err != nil {
		return fmt.Errorf("store: complete briefing %s: %w", guildID, err)
	}
	var led any
	if ledger != nil {
		led = string(ledger)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO briefings
			(guild_id, channel_id, slot_ms, state, message_ids, ledger, late, claimed_ms, posted_ms, updated_ms)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
			ON CONFLICT (guild_id, channel_id, slot_ms) DO UPDATE SET state = excluded.state,
				message_ids = excluded.message_ids, ledger = excluded.ledger,
				posted_ms = excluded.posted_ms, updated_ms = excluded.updated_ms`,
			guildID, channelID, toMS(slot), schedule.BriefingPosted, string(ids), led,
			db.leaseMS(postedAt), toMS(postedAt), toMS(postedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: complete briefing %s %s: %w", guildID, slot.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// SkipBriefing records a missed slot as skipped at time at: a new row, or a
// claimed row that was never posted and whose lease ran out by at. A
// posted slot stays posted; a slot another process is still posting stays
// claimed.
func (db *DB) SkipBriefing(ctx context.Context, guildID, channelID string, slot time.Time, at time.Time) error {
	if guildID == "" || channelID == "" || slot.IsZero() {
		return errors.New("store: skip briefing: guild, channel and slot are required")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO briefings
			(guild_id, channel_id, slot_ms, state, message_ids, ledger, late, claimed_ms, posted_ms, updated_ms)
			VALUES (?, ?, ?, ?, '[]', NULL, 0, ?, 0, ?)
			ON CONFLICT (guild_id, channel_id, slot_ms) DO UPDATE SET state = excluded.state,
				updated_ms = excluded.updated_ms
			WHERE briefings.state = ? AND briefings.lease_ms <= ?`,
			guildID, channelID, toMS(slot), schedule.BriefingSkipped, db.leaseMS(at), toMS(at), schedule.BriefingClaimed, db.leaseMS(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: skip briefing %s %s: %w", guildID, slot.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// LastBriefing returns the server's posted briefing with the latest slot,
// in any channel, or schedule.ErrNotFound.
func (db *DB) LastBriefing(ctx context.Context, guildID string) (schedule.Briefing, error) {
	b, err := db.scanBriefing(db.r.QueryRowContext(ctx, `SELECT `+briefingCols+` FROM briefings
		WHERE guild_id = ? AND state = ? ORDER BY slot_ms DESC, channel_id LIMIT 1`, guildID, schedule.BriefingPosted))
	if errors.Is(err, sql.ErrNoRows) {
		return schedule.Briefing{}, fmt.Errorf("store: last briefing %s: %w", guildID, schedule.ErrNotFound)
	}
	if err != nil {
		return schedule.Briefing{}, fmt.Errorf("store: last briefing %s: %w", guildID, err)
	}
	return b, nil
}

// Briefings returns up to limit of the server's briefing slots in any
// state, newest slot first; limit ≤ 0 means 25.
func (db *DB) Briefings(ctx context.Context, guildID string, limit int) ([]schedule.Briefing, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+briefingCols+` FROM briefings
		WHERE guild_id = ? ORDER BY slot_ms DESC, channel_id LIMIT ?`, guildID, limitOr(limit, 25))
	if err != nil {
		return nil, fmt.Errorf("store: briefings %s: %w", guildID, err)
	}
	defer rows.Close()
	var out []schedule.Briefing
	for rows.Next() {
		b, err := db.scanBriefing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: briefings %s: %w", guildID, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: briefings %s: %w", guildID, err)
	}
	return out, nil
}
