package schedule

import (
	"context"
	"time"
)

// What the external tests (package schedule_test, which imports store:
// store imports schedule, so those tests cannot be internal) reach of the
// scheduler's internals.

var (
	MarkerID     = markerID
	MarkerPart   = markerPart
	Nonce        = nonce
	ErrLeaseLost = errLeaseLost
	ZeroWidth    = zeroWidth
)

const (
	RetryEvery = retryEvery
	SearchPage = searchPage
)

// Tick runs the slots of every server due at now.
func (s *Service) Tick(ctx context.Context, now time.Time) { s.tick(ctx, now) }

// TickGuild runs guildID's slots due at now.
func (s *Service) TickGuild(ctx context.Context, guildID string, now time.Time) {
	s.tickGuild(ctx, guildID, now)
}

// Post composes and posts one briefing.
func (s *Service) Post(ctx context.Context, guildID, channelID string, slot time.Time, loc *time.Location, late, manual bool) (Result, error) {
	return s.post(ctx, guildID, channelID, slot, loc, late, manual)
}

// LeaseFor is how long the Service's claims hold a slot.
func (s *Service) LeaseFor() time.Duration { return s.leaseFor }

// SetRenewEvery sets how often the Service renews its lease.
func (s *Service) SetRenewEvery(d time.Duration) { s.renewEvery = d }

// SetCursor marks guildID's slots up to at as not yet handled.
func (s *Service) SetCursor(guildID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[guildID].cursor = at
}

// CronUsesSlots reports whether guildID's cron entry runs on the entry's
// own slot schedule.
func (s *Service) CronUsesSlots(guildID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[guildID]
	got, ok := s.cron.Entry(e.cronID).Schedule.(*slotSchedule)
	return ok && got == e.slots
}
