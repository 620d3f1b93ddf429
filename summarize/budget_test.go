package summarize

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// waitGrant runs a.grow(ctx, n) in a goroutine and returns a channel that
// receives its result.
func waitGrant(ctx context.Context, a *budgetAccount, n int64) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- a.grow(ctx, n) }()
	return ch
}

// blocked reports whether ch has no result yet, giving a goroutine that
// could proceed time to do so.
func blocked(ch <-chan error) bool {
	select {
	case <-ch:
		return false
	case <-time.After(50 * time.Millisecond):
		return true
	}
}

func (b *budget) usedNow() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

func TestBudgetWaitsWhileSpent(t *testing.T) {
	ctx := context.Background()
	b := newBudget(100)
	a, c := b.open(), b.open()
	if err := a.grow(ctx, 60); err != nil {
		t.Fatal(err)
	}
	done := waitGrant(ctx, c, 50) // 110 > 100, and a is running
	if !blocked(done) {
		t.Fatal("grow over the budget did not wait while another account runs")
	}
	a.release(20) // 40 + 50 fits
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := b.usedNow(); got != 90 {
		t.Errorf("used = %d; want 90", got)
	}
	a.close()
	c.close()
	if got := b.usedNow(); got != 0 {
		t.Errorf("used after close = %d; want 0", got)
	}
}

// TestBudgetNoDeadlock: two accounts each hold half the budget and ask
// for more; a semaphore would hang. The older one is granted, finishes
// and gives back, then the younger one goes on.
func TestBudgetNoDeadlock(t *testing.T) {
	ctx := context.Background()
	b := newBudget(100)
	older, younger := b.open(), b.open()
	if err := older.grow(ctx, 50); err != nil {
		t.Fatal(err)
	}
	if err := younger.grow(ctx, 50); err != nil {
		t.Fatal(err)
	}
	youngerDone := waitGrant(ctx, younger, 30)
	if !blocked(youngerDone) {
		t.Fatal("younger account was granted while the older one runs")
	}
	// Now both wait: the older one must be granted, over the budget.
	if err := older.grow(ctx, 30); err != nil {
		t.Fatal(err)
	}
	if got := b.usedNow(); got != 130 {
		t.Errorf("used = %d; want 130 (over the budget by one request)", got)
	}
	if !blocked(youngerDone) {
		t.Fatal("younger account granted while the older one runs over the budget")
	}
	older.close()
	if err := <-youngerDone; err != nil {
		t.Fatal(err)
	}
	younger.close()
}

// TestBudgetLargerThanSize: a request larger than the whole budget runs
// when nothing else holds any, alone.
func TestBudgetLargerThanSize(t *testing.T) {
	ctx := context.Background()
	b := newBudget(100)
	small, big := b.open(), b.open()
	if err := small.grow(ctx, 10); err != nil {
		t.Fatal(err)
	}
	bigDone := waitGrant(ctx, big, 500)
	if !blocked(bigDone) {
		t.Fatal("oversized request granted while another account runs")
	}
	small.close()
	if err := <-bigDone; err != nil {
		t.Fatal(err)
	}
	later := b.open()
	laterDone := waitGrant(ctx, later, 1)
	if !blocked(laterDone) {
		t.Fatal("request granted while an oversized one runs")
	}
	big.close()
	if err := <-laterDone; err != nil {
		t.Fatal(err)
	}
	later.close()
}

func TestBudgetOrderAndCancel(t *testing.T) {
	ctx := context.Background()
	b := newBudget(100)
	holder, first, second := b.open(), b.open(), b.open()
	if err := holder.grow(ctx, 100); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	firstDone := waitGrant(cctx, first, 80)
	time.Sleep(10 * time.Millisecond)
	secondDone := waitGrant(ctx, second, 10)
	holder.release(15) // 10 would fit, but the older request waits ahead
	if !blocked(secondDone) {
		t.Fatal("younger request overtook an older one")
	}
	cancel()
	if err := <-firstDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled grow = %v; want context.Canceled", err)
	}
	if err := <-secondDone; err != nil {
		t.Fatalf("grow after the older request left = %v", err)
	}
	holder.close()
	second.close()
	first.close()
	if got := b.usedNow(); got != 0 {
		t.Errorf("used = %d; want 0", got)
	}
}

// TestBudgetStress: many accounts growing in steps never hang and never
// hold more than the size plus one request's overshoot.
func TestBudgetStress(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const size, step = 1000, 90
	b := newBudget(size)
	var wg sync.WaitGroup
	var mu sync.Mutex
	maxUsed := int64(0)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := b.open()
			defer a.close()
			for j := range 3 + i%5 {
				if err := a.grow(ctx, step*int64(1+j%3)); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				maxUsed = max(maxUsed, b.usedNow())
				mu.Unlock()
				if j%2 == 1 {
					a.release(step)
				}
			}
		}()
	}
	wg.Wait()
	if got := b.usedNow(); got != 0 {
		t.Errorf("used after all closed = %d; want 0", got)
	}
	// One account's requests beyond the size: at most 7 steps of 3.
	if maxUsed > size+7*3*step {
		t.Errorf("used reached %d; want at most %d", maxUsed, size+7*3*step)
	}
}

func TestBudgetNilAccount(t *testing.T) {
	var a *budgetAccount
	if err := a.grow(context.Background(), 1<<40); err != nil {
		t.Fatal(err)
	}
	a.release(10)
	a.close()
}
