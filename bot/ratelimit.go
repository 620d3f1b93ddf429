package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxTrackedUsers bounds the per-user limiter table; idle entries (whose
// bucket has refilled) are dropped when it is reached, so a flood of
// distinct users cannot grow memory without bound.
const maxTrackedUsers = 10000

// limitKey names the bucket a request counts against: the requester's
// budget in one server (or in direct messages, guildID ""). The bucket is
// per server, not per user, so that it holds across processes with no
// shared state: Discord delivers a server's events to exactly one shard
// (shard = (guild_id >> 22) % shard_count) and direct messages to shard
// 0, and each shard runs in one process, so every request of a bucket
// reaches the same process however many run. A bucket per user alone
// would be one per process, and a user in servers on N processes would
// get N budgets, depending on how servers happen to be spread. Sharing
// the buckets through the database would cost a write per request and
// tie every command to the database's latency, for what a server
// boundary gives for free: a user active in several servers has a budget
// in each, which the server's own settings (autosummarize off or react)
// can tighten.
func limitKey(guildID, userID string) string {
	return guildID + "/" + userID
}

// userLimits is a token bucket per key (limitKey: a user in a server),
// read against an injected clock.
type userLimits struct {
	limit rate.Limit
	burst int
	// window is how long an emptied bucket takes to refill: at most one
	// over-the-limit notice per user per window.
	window time.Duration

	mu    sync.Mutex
	users map[string]*userLimit
}

type userLimit struct {
	lim      *rate.Limiter
	lastSeen time.Time
	noticed  time.Time // last over-the-limit notice
}

func newUserLimits(limit rate.Limit, burst int) *userLimits {
	window := time.Minute
	if limit > 0 && limit != rate.Inf {
		window = time.Duration(float64(burst) / float64(limit) * float64(time.Second))
	}
	return &userLimits{limit: limit, burst: burst, window: window, users: map[string]*userLimit{}}
}

// allow takes one token from the bucket of userID in guildID at now (the
// key is built here, so no caller can forget the server). When the bucket
// is empty it reports whether the user should be told (once per window).
func (l *userLimits) allow(guildID, userID string, now time.Time) (ok, notify bool) {
	key := limitKey(guildID, userID)
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.users[key]
	if u == nil {
		if len(l.users) >= maxTrackedUsers {
			l.prune(now)
		}
		u = &userLimit{lim: rate.NewLimiter(l.limit, l.burst)}
		l.users[key] = u
	}
	u.lastSeen = now
	if u.lim.AllowN(now, 1) {
		return true, false
	}
	return false, l.noticeLocked(u, now)
}

// notice reports whether userID in guildID may be told now that a request
// was turned away (at most once per window), and if so records it.
func (l *userLimits) notice(guildID, userID string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.users[limitKey(guildID, userID)]
	if u == nil {
		return true
	}
	return l.noticeLocked(u, now)
}

func (l *userLimits) noticeLocked(u *userLimit, now time.Time) bool {
	if !u.noticed.IsZero() && now.Sub(u.noticed) < l.window {
		return false
	}
	u.noticed = now
	return true
}

// prune drops users idle long enough for their bucket to be full again.
func (l *userLimits) prune(now time.Time) {
	for id, u := range l.users {
		if now.Sub(u.lastSeen) >= l.window {
			delete(l.users, id)
		}
	}
}

// workQueue bounds the summarizing work: at most active jobs run and at
// most queued more wait; beyond that work is turned away.
type workQueue struct {
	admitted chan struct{} // capacity active+queued
	running  chan struct{} // capacity active
}

func newWorkQueue(active, queued int) *workQueue {
	return &workQueue{
		admitted: make(chan struct{}, active+queued),
		running:  make(chan struct{}, active),
	}
}

// admit reserves a place in the queue without waiting; done releases it.
func (q *workQueue) admit() (done func(), ok bool) {
	select {
	case q.admitted <- struct{}{}:
		return func() { <-q.admitted }, true
	default:
		return nil, false
	}
}

// run waits for a running slot (or ctx), runs f and frees the slot.
func (q *workQueue) run(ctx context.Context, f func()) error {
	select {
	case q.running <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-q.running }()
	f()
	return nil
}
