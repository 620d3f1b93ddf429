package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"briefbot/summarize"
)

// This file holds the summary claims (migration 009): one row per cache
// key whose summary some process is making, so that processes sharing one
// database make each summary once. No lock is held while the summary is
// made: a claim is a row with an owner and a lease, taken in one statement
// and renewed by its owner while the work runs.

// claimSummarySQL takes the claim of a key: inserts it, or takes over a
// claim whose lease ran out before now (or one the owner itself holds).
// It returns a row only when the caller holds the claim afterwards.
// Binds the key (4), owner, lease end, now, then now again for the
// takeover test.
const claimSummarySQL = `INSERT INTO summary_claims
	(url, engine, model, prompt_version, owner, lease_ms, claimed_ms)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (url, engine, model, prompt_version) DO UPDATE
	SET owner = excluded.owner, lease_ms = excluded.lease_ms, claimed_ms = excluded.claimed_ms
	WHERE summary_claims.lease_ms <= ? OR summary_claims.owner = excluded.owner
	RETURNING owner`

// ClaimSummary claims the making of k's summary for owner until now+lease.
// It reports whether owner holds the claim: true when no one held it, when
// the holder's lease ran out by now, or when owner held it already; false
// while another owner's lease runs.
func (db *DB) ClaimSummary(ctx context.Context, k summarize.Key, owner string, now time.Time, lease time.Duration) (bool, error) {
	if owner == "" || lease <= 0 {
		return false, errors.New("store: claim summary: no owner or lease")
	}
	won := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		var got string
		err := tx.QueryRowContext(ctx, claimSummarySQL, k.URL, k.Engine, k.Model, k.PromptVersion,
			owner, db.leaseMS(now.Add(lease)), db.leaseMS(now), db.leaseMS(now)).Scan(&got)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		won = got == owner
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: claim summary %s: %w", k.URL, err)
	}
	return won, nil
}

// RenewSummaryClaim extends owner's claim of k to until. It reports false
// when owner no longer holds the claim (its lease ran out and another
// process took it over, or it was released).
func (db *DB) RenewSummaryClaim(ctx context.Context, k summarize.Key, owner string, until time.Time) (bool, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE summary_claims SET lease_ms = ?
			WHERE url = ? AND engine = ? AND model = ? AND prompt_version = ? AND owner = ?`,
			db.leaseMS(until), k.URL, k.Engine, k.Model, k.PromptVersion, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: renew summary claim %s: %w", k.URL, err)
	}
	return n > 0, nil
}

// ReleaseSummaryClaim removes owner's claim of k, if owner still holds it.
func (db *DB) ReleaseSummaryClaim(ctx context.Context, k summarize.Key, owner string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM summary_claims
			WHERE url = ? AND engine = ? AND model = ? AND prompt_version = ? AND owner = ?`,
			k.URL, k.Engine, k.Model, k.PromptVersion, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release summary claim %s: %w", k.URL, err)
	}
	return nil
}

var _ summarize.Claims = (*DB)(nil)
