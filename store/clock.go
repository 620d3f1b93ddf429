package store

// Leases are written by one process and judged by another: a model claim,
// a briefing's claim, an identify slot. On PostgreSQL those processes may
// run on machines whose clocks disagree, and a process whose clock runs a
// minute ahead would take over every lease with less than a minute left.
// So the store keeps lease times on the database's clock: each process
// measures how far the database's clock is from its own and shifts the
// times it writes and reads by that much. Callers keep passing and
// getting their own clock's times. SQLite lives on this machine and
// shares its clock: no shift.

import (
	"context"
	"sync/atomic"
	"time"
)

// clockTolerance is the offset below which the clocks count as agreeing:
// a measurement's own error is up to half a round trip, and a lease
// spans seconds at least (identify moments are 5 s apart), so shifting
// times by less would only blur them.
const clockTolerance = 50 * time.Millisecond

// clockResync is how often the offset is measured again, in the
// background of a lease operation: clocks drift by milliseconds a day.
const clockResync = time.Minute

// dbClock is how far the database's clock is ahead of this process's.
type dbClock struct {
	local   func() time.Time // this process's clock; tests skew it
	offset  atomic.Int64     // nanoseconds to add to local for the database's time
	synced  atomic.Int64     // local unix nanoseconds of the last measurement
	syncing atomic.Bool
}

// now reads this process's clock.
func (c *dbClock) now() time.Time {
	if c.local != nil {
		return c.local()
	}
	return time.Now()
}

// syncClock measures the offset: the database's time against the middle
// of the round trip that read it.
func (db *DB) syncClock(ctx context.Context) error {
	if db.d.clockSQL == "" {
		return nil
	}
	t0 := db.clock.now()
	var us int64
	if err := db.r.QueryRowContext(ctx, db.d.clockSQL).Scan(&us); err != nil {
		return err
	}
	t1 := db.clock.now()
	mid := t0.Add(t1.Sub(t0) / 2)
	off := time.UnixMicro(us).Sub(mid)
	if off.Abs() < clockTolerance {
		off = 0
	}
	db.clock.offset.Store(int64(off.Round(time.Millisecond)))
	db.clock.synced.Store(t1.UnixNano())
	return nil
}

// clockOffset returns the offset last measured, and has it measured again
// in the background when it is older than clockResync. A failed
// measurement keeps the last one.
func (db *DB) clockOffset() time.Duration {
	if db.d.clockSQL == "" {
		return 0
	}
	if db.clock.now().UnixNano()-db.clock.synced.Load() > int64(clockResync) && db.clock.syncing.CompareAndSwap(false, true) {
		go func() {
			defer db.clock.syncing.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = db.syncClock(ctx) // the database is closing or unreachable: keep the last offset
		}()
	}
	return time.Duration(db.clock.offset.Load())
}

// leaseMS stores t, a time on this process's clock, on the database's.
func (db *DB) leaseMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return toMS(t.Add(db.clockOffset()))
}

// leaseTime reads what leaseMS stored, back on this process's clock.
func (db *DB) leaseTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromMS(ms).Add(-db.clockOffset())
}
