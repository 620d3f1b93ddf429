package summarize

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// budget bounds the memory that pages hold while they are fetched and
// extracted: bytes of bodies as they are read, then the estimated cost of
// extracting each page. Each flight draws on it through an account that
// grows in steps and is closed when the flight is done with the page.
//
// A request waits while the budget is spent, in the order the accounts
// were opened (older flights first, so work in progress finishes before
// new work starts). Since a flight asks for more while it holds some, a
// plain semaphore could deadlock: every holder waiting for bytes that only
// the others can give back. So when every account that holds bytes is
// waiting, the oldest of them is granted even though it goes over the
// size (when none holds any, the oldest request is): the budget can be
// exceeded by what one flight asks for beyond it, never by more, and only
// when nothing else is running. One request larger than the whole budget
// therefore runs alone.
type budget struct {
	mu   sync.Mutex
	size int64
	used int64
	peak int64 // the most used at once, for tests and benchmarks
	seq  uint64
	// running counts the accounts that hold bytes and are not waiting.
	running int
	// queue holds the waiting requests, oldest account first.
	queue []*budgetRequest
}

type budgetRequest struct {
	acct  *budgetAccount
	n     int64
	ready chan struct{} // closed when granted
}

// budgetAccount is one flight's share of a budget. It is not safe for
// concurrent use: one flight uses it at a time. A nil *budgetAccount
// grants everything at once, for callers with no budget.
type budgetAccount struct {
	b    *budget
	id   uint64
	held int64
}

func newBudget(size int64) *budget {
	return &budget{size: size}
}

// open returns a new, empty account.
func (b *budget) open() *budgetAccount {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	return &budgetAccount{b: b, id: b.seq}
}

// grow adds n bytes to the account, waiting until the budget has them or
// ctx is done (then it returns ctx's error and holds what it held).
func (a *budgetAccount) grow(ctx context.Context, n int64) error {
	if a == nil || n <= 0 {
		return nil
	}
	b := a.b
	b.mu.Lock()
	if len(b.queue) == 0 && b.used+n <= b.size {
		b.grantLocked(a, n)
		b.mu.Unlock()
		return nil
	}
	req := &budgetRequest{acct: a, n: n, ready: make(chan struct{})}
	i, _ := slices.BinarySearchFunc(b.queue, a.id, func(r *budgetRequest, id uint64) int {
		return cmp.Compare(r.acct.id, id)
	})
	b.queue = slices.Insert(b.queue, i, req)
	if a.held > 0 {
		b.running--
	}
	b.notifyLocked()
	b.mu.Unlock()

	select {
	case <-req.ready:
		return nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-req.ready:
		// Granted meanwhile: keep it, the caller sees ctx's error soon
		// enough and closes the account.
		return nil
	default:
	}
	if j := slices.Index(b.queue, req); j >= 0 {
		b.queue = slices.Delete(b.queue, j, j+1)
	}
	if a.held > 0 {
		b.running++
	}
	b.notifyLocked()
	return ctx.Err()
}

// release gives back n bytes of the account (all it holds at most).
func (a *budgetAccount) release(n int64) {
	if a == nil || n <= 0 {
		return
	}
	b := a.b
	b.mu.Lock()
	defer b.mu.Unlock()
	n = min(n, a.held)
	if n == 0 {
		return
	}
	a.held -= n
	b.used -= n
	if a.held == 0 {
		b.running--
	}
	b.notifyLocked()
}

// Grow is grow, for a MeteredFetcher (see Memory).
func (a *budgetAccount) Grow(ctx context.Context, n int64) error { return a.grow(ctx, n) }

// Release is release, for a MeteredFetcher (see Memory).
func (a *budgetAccount) Release(n int64) { a.release(n) }

var _ Memory = (*budgetAccount)(nil)

// close gives back everything the account holds.
func (a *budgetAccount) close() {
	if a != nil {
		a.release(a.held)
	}
}

// grantLocked gives n bytes to a, which is not waiting.
func (b *budget) grantLocked(a *budgetAccount, n int64) {
	if a.held == 0 {
		b.running++
	}
	a.held += n
	b.used += n
	b.peak = max(b.peak, b.used)
}

// notifyLocked grants waiting requests in order while they fit. When the
// first does not fit and nothing runs, it lets the oldest flight that
// already holds bytes go on over the size (or the first request, when no
// flight holds any): granting a new flight then would stack its excess on
// that of a flight in progress, so two flights could be over at once.
func (b *budget) notifyLocked() {
	for len(b.queue) > 0 {
		i := 0
		if b.used+b.queue[0].n > b.size {
			if b.running > 0 {
				return
			}
			i = max(0, slices.IndexFunc(b.queue, func(r *budgetRequest) bool { return r.acct.held > 0 }))
		}
		req := b.queue[i]
		b.queue = slices.Delete(b.queue, i, i+1)
		if req.acct.held > 0 {
			b.running++ // it stops waiting; grantLocked counts new holders
		}
		b.grantLocked(req.acct, req.n)
		close(req.ready)
	}
}
