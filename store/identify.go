package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// reserveIdentifySQL takes the bucket's next moment in one statement: the
// row lock of the upsert orders processes reserving at once, so each gets
// a moment at least the spacing after the one before.
const reserveIdentifySQL = `INSERT INTO identify_slots (bucket, at_ms) VALUES (?, ?)
	ON CONFLICT (bucket) DO UPDATE SET at_ms = CASE
		WHEN identify_slots.at_ms + ? > excluded.at_ms THEN identify_slots.at_ms + ?
		ELSE excluded.at_ms END
	RETURNING at_ms`

// ReserveIdentify reserves, for a Discord shard of rate-limit bucket, the
// earliest moment at or after now that is at least spacing after the
// moment reserved last in that bucket by any process on this database,
// and returns it: the shard identifies then. It is bot.IdentifyGate.
func (db *DB) ReserveIdentify(ctx context.Context, bucket int, now time.Time, spacing time.Duration) (time.Time, error) {
	var at int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		ms := spacing.Milliseconds()
		return tx.QueryRowContext(ctx, reserveIdentifySQL, bucket, db.leaseMS(now), ms, ms).Scan(&at)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: reserve identify (bucket %d): %w", bucket, err)
	}
	return db.leaseTime(at), nil
}
