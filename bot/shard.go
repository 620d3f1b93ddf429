package bot

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// IdentifySpacing is how long Discord wants between two gateway
// identifies of one rate-limit bucket: one identify per 5 seconds per
// bucket, with max_concurrency buckets (shard_id % max_concurrency).
const IdentifySpacing = 5 * time.Second

// identifyEvery is how far apart the transport reserves identify moments:
// a shard waits for its moment before it connects, and connecting (gateway
// discovery, the websocket handshake, Hello) takes a varying time before
// the identify is sent, so the moments keep a second more than Discord
// asks. Measured on the stand-in without the margin, identifies of two
// processes came 4.98 s apart.
const identifyEvery = IdentifySpacing + time.Second

// ShardOf returns the shard that receives guildID's events when the bot
// runs shardCount shards: (guild_id >> 22) % shard_count, as Discord
// routes them. A guild ID that is not a snowflake (the console's) and
// shardCount < 2 give shard 0.
func ShardOf(guildID string, shardCount int) int {
	if shardCount < 2 {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(shardCount))
}

// IdentifyGate hands out the moments at which shards may identify, so
// shards of one rate-limit bucket identify at least a spacing apart. The
// Discord transport uses an in-process gate unless it is given one; main
// passes the store's when several processes share a PostgreSQL database.
type IdentifyGate interface {
	// ReserveIdentify reserves the earliest moment at or after now that
	// is at least spacing after the moment reserved last for bucket, and
	// returns it: the caller identifies then. A reservation is never
	// given back, so a caller that crashes only wastes its moment. It
	// returns the store's error when the reservation cannot be made.
	ReserveIdentify(ctx context.Context, bucket int, now time.Time, spacing time.Duration) (time.Time, error)
}

// localIdentifyGate is an IdentifyGate for one process.
type localIdentifyGate struct {
	mu   sync.Mutex
	last map[int]time.Time
}

func newLocalIdentifyGate() *localIdentifyGate {
	return &localIdentifyGate{last: map[int]time.Time{}}
}

// ReserveIdentify implements IdentifyGate.
func (g *localIdentifyGate) ReserveIdentify(_ context.Context, bucket int, now time.Time, spacing time.Duration) (time.Time, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	at := now
	if last, ok := g.last[bucket]; ok && last.Add(spacing).After(at) {
		at = last.Add(spacing)
	}
	g.last[bucket] = at
	return at, nil
}

// waitUntil waits until t by the wall clock, or until ctx ends.
func waitUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
