package summarize

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// defaultClaimLease is how long a claim holds without renewal. The owner
// renews it every third of that, so a slow database round trip or a
// pause of the process does not lose it; another process waits at most
// this long for a crashed owner before it makes the summary itself.
const defaultClaimLease = 30 * time.Second

// Waiting for another process's summary: the first look after
// claimPollFirst, then twice as long each time, up to claimPollMax. A
// summary takes seconds (a model call), so the last summaries of a burst
// are found within claimPollMax of being stored, at a few reads each.
const (
	claimPollFirst = 25 * time.Millisecond
	claimPollMax   = time.Second
)

// summarizeClaimed makes the summary under key once across the processes
// sharing the Store. It claims key first: the winner reads the cache again
// (another process may have stored the summary between this one's miss
// and its claim), and otherwise runs the engine, renewing its claim while
// the run lasts, and stores the summary before it releases the claim. A
// loser waits for the summary in the cache, with backoff, and takes the
// claim over when its lease runs out before one appears (its owner
// crashed; a failed owner releases its claim, and the next to claim
// tries again). Waiting ends with ctx (the flight's timeout). When the
// claims cannot be read at all, the summary is made here: a database that
// is down costs a duplicate model call, never the reader's answer.
func (s *Service) summarizeClaimed(ctx context.Context, key Key, doc *Document, final, lang string, start time.Time) (*Summary, error) {
	claims, owner, lease := s.opts.Claims, s.opts.ClaimOwner, s.opts.ClaimLease
	wait := claimPollFirst
	for {
		won, err := claims.ClaimSummary(ctx, key, owner, s.opts.Now(), lease)
		if err != nil {
			s.opts.Logger.Warn("summary_claim_failed", slog.String("url", final), slog.Any("err", err))
			return s.summarizeDoc(ctx, doc, final, lang, start)
		}
		if won {
			return s.summarizeOwned(ctx, key, doc, final, lang, start)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("summarize: wait for the summary of %s from another process: %w", final, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, claimPollMax)
		if sum, ok := s.cached(ctx, key); ok {
			return sum, nil
		}
	}
}

// summarizeOwned runs the engine for key, whose claim this Service holds,
// renewing the claim until the summary is stored, then releases it.
func (s *Service) summarizeOwned(ctx context.Context, key Key, doc *Document, final, lang string, start time.Time) (*Summary, error) {
	claims, owner, lease := s.opts.Claims, s.opts.ClaimOwner, s.opts.ClaimLease
	defer func() {
		// Released also when ctx is done: the next process need not wait
		// for the lease to run out.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := claims.ReleaseSummaryClaim(rctx, key, owner); err != nil {
			s.opts.Logger.Warn("summary_claim_release_failed", slog.String("url", final), slog.Any("err", err))
		}
	}()
	// Stored by another process between this one's miss and its claim.
	if sum, ok := s.cached(ctx, key); ok {
		return sum, nil
	}
	rctx, stop := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
			held, err := claims.RenewSummaryClaim(rctx, key, owner, s.opts.Now().Add(lease))
			switch {
			case rctx.Err() != nil:
				return
			case err != nil:
				s.opts.Logger.Warn("summary_claim_renew_failed", slog.String("url", final), slog.Any("err", err))
			case !held:
				// Taken over after this process stalled past its lease:
				// both finish; the later summary replaces the earlier.
				s.opts.Logger.Warn("summary_claim_lost", slog.String("url", final))
				return
			}
		}
	}()
	sum, err := s.summarizeDoc(ctx, doc, final, lang, start)
	stop()
	<-renewed
	return sum, err
}
