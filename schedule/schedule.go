// Package schedule runs per-server cron schedules and posts briefings
// idempotently.
//
// A briefing is the ledger (package ledger) of the articles a server
// shared since its previous briefing (the last 24 hours when there is
// none), built from the previous briefing's ledger so it says what
// changed; the Render it is given (bot.RenderBriefing) turns it into
// messages, to which schedule adds the footer carrying the slot's marker.
//
// Each server's schedule is a 5-field cron spec in its own time zone. At
// daylight-saving changes every matching wall-clock time runs once: a time
// that does not exist that day (02:30 when clocks jump from 02:00 to 03:00)
// runs at the end of the gap (03:00), where plain robfig/cron skips it; a
// time that occurs twice (01:30 when clocks fall back) runs at its first
// occurrence only, where robfig/cron runs it twice.
//
// Each slot is posted once, also by several processes on one database: a
// process claims the slot in the store before posting, for itself (a
// random owner id per Service) and for a lease it renews while it
// composes and posts, and completes it with the message IDs after. Another
// process (or a restart) takes a claim over only when its lease ran out,
// and then first looks for the parts the crashed attempt posted: the
// slot's marker among the channel's messages since the claim, paged by
// time rather than a fixed count, so a busy channel does not hide them.
// Each part carries a nonce derived from its slot and number, so a
// transport that honours nonces (Discord's enforce_nonce) answers a
// retried part with the message it already made. Slots missed while the
// bot was down are posted once, marked late, within a grace window; older
// ones are recorded as skipped.
//
// With Discord shards over several processes, each process runs only the
// schedules of the servers it owns (Options.Owns: those on its shards),
// and reads the stored schedules again every ReloadEvery to pick up
// changes another process made.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"briefbot/ledger"
)

// Poster posts to a channel. The Discord and console transports of package
// bot implement it.
type Poster interface {
	// PostMessages posts msgs in order, with no mentions allowed, and
	// returns the IDs of the messages posted. On failure it returns the IDs
	// of those posted before it failed and the error. A transport that
	// supports it posts a message whose Nonce it saw from the bot within
	// the last few minutes only once, answering the repeat with the
	// message already made.
	PostMessages(ctx context.Context, channelID string, msgs []Outgoing) (ids []string, err error)
	// MessagesAfter returns up to limit of the channel's messages, oldest
	// first: those after the message afterID, or, when afterID is "",
	// those posted at or after since. A transport that cannot tell when a
	// message was posted may start earlier.
	MessagesAfter(ctx context.Context, channelID string, since time.Time, afterID string, limit int) ([]PostedMessage, error)
	// CanPost returns an error when the bot cannot post in channelID (no
	// such channel, no permission to view it or send messages).
	CanPost(ctx context.Context, channelID string) error
}

// Outgoing is a message to post.
type Outgoing struct {
	Content string
	// Nonce identifies the message across retries (at most 25
	// characters, as Discord allows).
	Nonce string
}

// PostedMessage is a message found in a channel.
type PostedMessage struct {
	ID      string
	Content string
	// FromSelf is true for the bot's own messages.
	FromSelf bool
}

// What the scheduler needs of the store, in small interfaces. *store.DB
// implements them all (the compile-time checks are in package store); main
// passes it for each.

// Schedules keeps the servers' schedules.
type Schedules interface {
	// Schedules returns every server's schedule.
	Schedules(ctx context.Context) ([]Schedule, error)
	// Schedule returns a server's schedule or an error wrapping
	// ErrNotFound.
	Schedule(ctx context.Context, guildID string) (Schedule, error)
	SaveSchedule(ctx context.Context, s Schedule) error
	// DeleteSchedule removes a schedule; an error wrapping ErrNotFound
	// when none.
	DeleteSchedule(ctx context.Context, guildID string) error
}

// Claims records a briefing slot's claim, lease and outcome, so it is
// posted exactly once.
type Claims interface {
	// ClaimBriefing takes a slot for b.Owner until b.LeaseUntil: a new
	// slot, or a claimed one whose lease ran out or that b.Owner holds. It
	// returns the slot's record, and claimed false when it is posted,
	// skipped or held by another owner.
	ClaimBriefing(ctx context.Context, b Briefing) (claimed bool, existing Briefing, err error)
	// RenewBriefingLease extends owner's lease on a claimed slot; false
	// when owner no longer holds it.
	RenewBriefingLease(ctx context.Context, guildID, channelID string, slot time.Time, owner string, until time.Time) (bool, error)
	CompleteBriefing(ctx context.Context, guildID, channelID string, slot time.Time, messageIDs []string, ledger []byte, postedAt time.Time) error
	SkipBriefing(ctx context.Context, guildID, channelID string, slot, at time.Time) error
}

// History reads the briefings recorded.
type History interface {
	// LastBriefing returns the latest posted briefing or an error
	// wrapping ErrNotFound.
	LastBriefing(ctx context.Context, guildID string) (Briefing, error)
	// Briefings returns the latest slots in any state, newest first.
	Briefings(ctx context.Context, guildID string, limit int) ([]Briefing, error)
}

// Shares reads what a server shared.
type Shares interface {
	// SharedSummaries returns the summaries shared in [since, until).
	SharedSummaries(ctx context.Context, guildID string, since, until time.Time) ([]ledger.SharedSummary, error)
}

// Settings reads the preferences that shape a server's briefings.
type Settings interface {
	// BriefingSettings returns guildID's briefing preferences (the zero
	// value when none were saved).
	BriefingSettings(ctx context.Context, guildID string) (BriefingSettings, error)
}

// Header says when and for whom a briefing is.
type Header struct {
	// Slot is the briefing's time, shown in Loc.
	Slot time.Time
	Loc  *time.Location
	// Late: posted after its time; Manual: asked for with /briefing now.
	Late, Manual bool
}

// Render turns a briefing's ledger into the messages to post, each ending
// with footer(i, n) for message i of n: the marker that makes posting
// exactly-once. A day without new articles (led.Articles == 0) is one
// short message. Package bot renders briefings for Discord
// (bot.RenderBriefing).
type Render func(led *ledger.Ledger, h Header, footer func(i, n int) string) []string

// Result is what posting a briefing did.
type Result struct {
	// MessageIDs are the posted messages (none for a quiet empty day).
	MessageIDs []string
	// Empty is true when no article was shared in the briefing's window.
	Empty bool
	// Late is true for a missed slot posted after its time.
	Late bool
}

// Status is a server's schedule and its last and next briefing.
type Status struct {
	Scheduled bool
	ChannelID string
	Cron      string
	TimeZone  string
	// Next is the next slot (zero when not scheduled).
	Next time.Time
	// Last is the latest posted briefing, nil when none.
	Last *Briefing
	// Ledger is Last's ledger, nil when none could be read.
	Ledger *ledger.Ledger
	// Location is the schedule's time zone (the default one when not
	// scheduled), to show Next and Last in.
	Location *time.Location
}

// Options configure a Service.
type Options struct {
	Schedules Schedules
	Claims    Claims
	History   History
	Shares    Shares
	Settings  Settings
	Poster    Poster
	// Render renders briefings (required).
	Render Render
	// Merger merges topics across articles; nil means KeywordMerger.
	Merger ledger.Merger
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// DefaultCron and DefaultTZ apply when /briefing schedule leaves them
	// out, and DefaultTZ to /briefing now in a server without a schedule.
	DefaultCron string
	DefaultTZ   string
	// Grace is how long after a missed slot it is still posted (late).
	Grace time.Duration
	// Owns reports whether this process runs guildID's schedule: with
	// Discord shards, whether the server is on one of its shards. nil
	// owns every server.
	Owns func(guildID string) bool
	// ReloadEvery is how often the stored schedules are read again, to
	// pick up those another process saved or removed (0 means
	// DefaultReloadEvery, negative never).
	ReloadEvery time.Duration
}

// Defaults of Options.
const (
	DefaultCron  = "0 9 * * *"
	DefaultTZ    = "UTC"
	DefaultGrace = 3 * time.Hour
	// DefaultReloadEvery: schedules are minute-grained, so a change made
	// elsewhere runs from its next minute or the one after; one small
	// query a minute per process.
	DefaultReloadEvery = time.Minute
)

const (
	// lateAfter: a slot posted more than this after its time is marked
	// late (the cron runner itself fires within milliseconds).
	lateAfter = time.Minute
	// recoverWindow and maxRecoverSlots bound how far back missed slots
	// are looked for and recorded as skipped at start.
	recoverWindow   = 7 * 24 * time.Hour
	maxRecoverSlots = 64
	// leaseFor is how long a claim holds a slot without renewal: long
	// enough to ride out a slow database write, short enough that the slot
	// of a crashed process is taken over by the next retry (retryEvery).
	leaseFor = 2 * time.Minute
	// renewEvery is how often the owner renews its lease while it works:
	// several renewals fit in one lease.
	renewEvery = leaseFor / 4
	// searchSkew: the marker search starts this long before the claim, for
	// a server clock (Discord's) a little behind ours.
	searchSkew = 2 * time.Minute
	// searchPage and searchPages bound the marker search: pages of
	// Discord's largest size, 2,000 messages since the claim in all. The
	// parts come right after the claim, so they are in the first pages
	// however busy the channel; the bound only caps how long a search for
	// parts that were never posted reads on.
	searchPage  = 100
	searchPages = 20
	// retryEvery is how often a slot whose posting failed is retried
	// (within Grace of its time).
	retryEvery = 5 * time.Minute
	// historyLimit is how many briefing records are read to find the
	// previous posted briefing.
	historyLimit = 100
)

// Service schedules, composes and posts briefings. Its methods are safe
// for concurrent use.
type Service struct {
	schedules Schedules
	claims    Claims
	history   History
	shares    Shares
	settings  Settings
	poster    Poster
	render    Render
	merger    ledger.Merger
	now       func() time.Time
	log       *slog.Logger
	defCron   string
	defLoc    *time.Location
	grace     time.Duration
	owns      func(guildID string) bool
	reload    time.Duration
	// owner names this Service's claims; leaseFor and renewEvery are the
	// constants, variables for tests.
	owner      string
	leaseFor   time.Duration
	renewEvery time.Duration

	mu      sync.Mutex
	entries map[string]*entry
	cron    *cron.Cron // nil until Start and after Stop
	// jobFor makes a server's cron job; its context ends with Stop.
	jobFor func(guildID string) cron.Job
	// cancelJobs ends the context of the cron runner's jobs.
	cancelJobs context.CancelFunc
	locks      map[string]*sync.Mutex
	// changes counts the schedules this Service saved or removed, so a
	// reload whose read raced one of them does not undo it.
	changes uint64
	// unusable remembers stored schedules that do not parse, by guild,
	// with their update time, so a reload logs each once.
	unusable map[string]time.Time
}

// entry is one server's schedule in memory.
type entry struct {
	sched  Schedule
	slots  *slotSchedule
	cronID cron.EntryID
	// cursor: slots at or before it have been handled.
	cursor time.Time
	// retry is a slot whose posting failed, retried until Grace passes.
	retry time.Time
}

// New checks opts and builds a Service; Start starts it.
func New(opts Options) (*Service, error) {
	if opts.Schedules == nil || opts.Claims == nil || opts.History == nil || opts.Shares == nil ||
		opts.Settings == nil || opts.Poster == nil || opts.Render == nil {
		return nil, errors.New("schedule: new: every store interface, Poster and Render are required")
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("schedule: new: owner id: %w", err)
	}
	s := &Service{
		schedules:  opts.Schedules,
		claims:     opts.Claims,
		history:    opts.History,
		shares:     opts.Shares,
		settings:   opts.Settings,
		poster:     opts.Poster,
		render:     opts.Render,
		merger:     opts.Merger,
		now:        opts.Now,
		log:        opts.Logger,
		defCron:    opts.DefaultCron,
		grace:      opts.Grace,
		owns:       opts.Owns,
		reload:     opts.ReloadEvery,
		owner:      hex.EncodeToString(id[:]),
		leaseFor:   leaseFor,
		renewEvery: renewEvery,
		entries:    map[string]*entry{},
		locks:      map[string]*sync.Mutex{},
		unusable:   map[string]time.Time{},
	}
	if s.owns == nil {
		s.owns = func(string) bool { return true }
	}
	if s.reload == 0 {
		s.reload = DefaultReloadEvery
	}
	if s.merger == nil {
		s.merger = ledger.KeywordMerger{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.defCron == "" {
		s.defCron = DefaultCron
	}
	tz := opts.DefaultTZ
	if tz == "" {
		tz = DefaultTZ
	}
	if s.grace <= 0 {
		s.grace = DefaultGrace
	}
	sched, err := parseSchedule(s.defCron, tz)
	if err == nil {
		err = checkFrequency(sched, s.now())
	}
	if err != nil {
		return nil, fmt.Errorf("schedule: new: default schedule %q in %q: %w", s.defCron, tz, err)
	}
	s.defCron = sched.spec
	s.defLoc = sched.loc
	return s, nil
}

// Start loads the stored schedules of the servers it owns, posts (late)
// or records as skipped the slots missed while the bot was down, and
// starts the cron runner, which also reloads the schedules every
// ReloadEvery. A stored schedule that no longer parses is logged and left
// out.
func (s *Service) Start(ctx context.Context) error {
	scheds, err := s.schedules.Schedules(ctx)
	if err != nil {
		return fmt.Errorf("schedule: start: %w", err)
	}
	now := s.now()
	s.mu.Lock()
	if s.cron != nil {
		s.mu.Unlock()
		return errors.New("schedule: start: already started")
	}
	for _, sc := range scheds {
		if !s.owns(sc.GuildID) {
			continue
		}
		if e := s.newEntryLocked(sc, now); e != nil {
			s.entries[sc.GuildID] = e
		}
	}
	loaded := len(s.entries)
	s.mu.Unlock()
	s.log.Info("schedules_loaded", slog.Int("count", loaded), slog.Int("stored", len(scheds)))

	// Recovery runs before the runner starts, so the two never race for a
	// slot (the claims would keep them apart anyway).
	s.tick(ctx, now)

	jobCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	logger := cronLogger{s.log}
	c := cron.New(
		cron.WithLocation(time.UTC),
		cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)),
	)
	s.mu.Lock()
	s.cron = c
	s.cancelJobs = cancel
	s.jobFor = func(guildID string) cron.Job {
		return cron.FuncJob(func() { s.tickGuild(jobCtx, guildID, s.now()) })
	}
	for guildID, e := range s.entries {
		e.cronID = c.Schedule(e.slots, s.jobFor(guildID))
	}
	// Retries of failed posts; tick does nothing when nothing is due.
	c.Schedule(cron.Every(retryEvery), cron.FuncJob(func() { s.tick(jobCtx, s.now()) }))
	if s.reload > 0 {
		c.Schedule(cron.Every(s.reload), cron.FuncJob(func() {
			if err := s.Reload(jobCtx); err != nil {
				s.log.Warn("schedules_reload_failed", slog.Any("err", err))
			}
		}))
	}
	s.mu.Unlock()
	c.Start()
	return nil
}

// Stop stops the cron runner and waits for running briefings to finish,
// or for ctx to end (their context is then cancelled).
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	c, cancel := s.cron, s.cancelJobs
	s.cron, s.cancelJobs, s.jobFor = nil, nil, nil
	for _, e := range s.entries {
		e.cronID = 0
	}
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	defer cancel()
	// The runner's Stop context ends when every running job has returned.
	select {
	case <-c.Stop().Done():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schedule: stop: %w", ctx.Err())
	}
}

// SetSchedule validates and saves guildID's schedule ("" spec or tz take
// the defaults) and applies it at once. Bad input and a channel the bot
// cannot post in are *InputError, and change nothing. It returns the next
// slot.
func (s *Service) SetSchedule(ctx context.Context, guildID, channelID, spec, tz string) (time.Time, error) {
	if spec == "" {
		spec = s.defCron
	}
	if tz == "" {
		tz = s.defLoc.String()
	}
	slots, err := parseSchedule(spec, tz)
	if err != nil {
		return time.Time{}, err
	}
	if err := checkFrequency(slots, s.now()); err != nil {
		return time.Time{}, err
	}
	if guildID == "" {
		return time.Time{}, inputErrorf(nil, "briefings can only be scheduled in a server")
	}
	if channelID == "" {
		return time.Time{}, inputErrorf(nil, "choose a channel for the briefing")
	}
	if err := s.poster.CanPost(ctx, channelID); err != nil {
		if ctx.Err() != nil {
			return time.Time{}, fmt.Errorf("schedule: set schedule: %w", ctx.Err())
		}
		return time.Time{}, inputErrorf(err, "I can't post in that channel: give me permission to view it and send messages there, or choose another")
	}
	now := s.now()
	sc := Schedule{GuildID: guildID, ChannelID: channelID, Cron: slots.spec, TimeZone: slots.loc.String(), UpdatedAt: now}
	if err := s.schedules.SaveSchedule(ctx, sc); err != nil {
		return time.Time{}, fmt.Errorf("schedule: set schedule: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes++
	s.removeLocked(guildID)
	if s.owns(guildID) {
		s.addLocked(&entry{sched: sc, slots: slots, cursor: now})
	}
	return slots.Next(now), nil
}

// newEntryLocked returns the entry of a stored schedule, its cursor at
// its last change (at most recoverWindow ago), or nil when the schedule
// does not parse; that is logged once per change.
func (s *Service) newEntryLocked(sc Schedule, now time.Time) *entry {
	slots, err := parseSchedule(sc.Cron, sc.TimeZone)
	if err != nil {
		if at, logged := s.unusable[sc.GuildID]; !logged || !at.Equal(sc.UpdatedAt) {
			s.unusable[sc.GuildID] = sc.UpdatedAt
			s.log.Error("stored schedule unusable", slog.String("guild_id", sc.GuildID),
				slog.String("cron", sc.Cron), slog.String("time_zone", sc.TimeZone), slog.Any("err", err))
		}
		return nil
	}
	delete(s.unusable, sc.GuildID)
	cursor := sc.UpdatedAt
	if from := now.Add(-recoverWindow); cursor.Before(from) {
		cursor = from
	}
	return &entry{sched: sc, slots: slots, cursor: cursor}
}

// addLocked puts e in the entries and, once the runner runs, on it.
func (s *Service) addLocked(e *entry) {
	if s.cron != nil {
		e.cronID = s.cron.Schedule(e.slots, s.jobFor(e.sched.GuildID))
	}
	s.entries[e.sched.GuildID] = e
}

// removeLocked takes guildID's entry off the runner and out of the
// entries.
func (s *Service) removeLocked(guildID string) {
	if e := s.entries[guildID]; e != nil {
		if e.cronID != 0 && s.cron != nil {
			s.cron.Remove(e.cronID)
		}
		delete(s.entries, guildID)
	}
}

// sameSchedule reports whether two schedules are the same as stored
// (times to the millisecond, as the store keeps them).
func sameSchedule(a, b Schedule) bool {
	return a.GuildID == b.GuildID && a.ChannelID == b.ChannelID && a.Cron == b.Cron && a.TimeZone == b.TimeZone &&
		a.UpdatedAt.UnixMilli() == b.UpdatedAt.UnixMilli()
}

// Reload reads the stored schedules again and applies what changed for
// the servers this Service owns: schedules another process saved are
// added or replaced (their missed slots handled as at Start), removed
// ones are dropped. It runs every ReloadEvery once started; tests call it
// to apply a change at once.
func (s *Service) Reload(ctx context.Context) error {
	s.mu.Lock()
	changes := s.changes
	s.mu.Unlock()
	scheds, err := s.schedules.Schedules(ctx)
	if err != nil {
		return fmt.Errorf("schedule: reload: %w", err)
	}
	now := s.now()
	var added []string
	removed := 0
	s.mu.Lock()
	if s.changes != changes {
		// A schedule was set or removed here while the read ran: the
		// read may predate it. The next reload reads after it.
		s.mu.Unlock()
		return nil
	}
	stored := map[string]bool{}
	for _, sc := range scheds {
		if !s.owns(sc.GuildID) {
			continue
		}
		stored[sc.GuildID] = true
		old := s.entries[sc.GuildID]
		if old != nil && sameSchedule(old.sched, sc) {
			continue
		}
		e := s.newEntryLocked(sc, now)
		if e == nil {
			continue
		}
		if old != nil && old.cursor.After(e.cursor) {
			e.cursor = old.cursor
		}
		s.removeLocked(sc.GuildID)
		s.addLocked(e)
		added = append(added, sc.GuildID)
	}
	for id := range s.entries {
		if !stored[id] {
			s.removeLocked(id)
			removed++
		}
	}
	s.mu.Unlock()
	if len(added) > 0 || removed > 0 {
		s.log.Info("schedules_reloaded", slog.Int("changed", len(added)), slog.Int("removed", removed))
	}
	for _, id := range added {
		s.tickGuild(ctx, id, now)
	}
	return nil
}

// Disable removes guildID's schedule. Removing a schedule that does not
// exist is not an error.
func (s *Service) Disable(ctx context.Context, guildID string) error {
	if err := s.schedules.DeleteSchedule(ctx, guildID); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("schedule: disable: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes++
	s.removeLocked(guildID)
	return nil
}

// Status reports guildID's schedule, its next slot and its last posted
// briefing with that briefing's ledger.
func (s *Service) Status(ctx context.Context, guildID string) (Status, error) {
	st := Status{Location: s.defLoc}
	sc, err := s.schedules.Schedule(ctx, guildID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return Status{}, fmt.Errorf("schedule: status: %w", err)
	default:
		st.Scheduled = true
		st.ChannelID, st.Cron, st.TimeZone = sc.ChannelID, sc.Cron, sc.TimeZone
		if slots, err := parseSchedule(sc.Cron, sc.TimeZone); err == nil {
			st.Location = slots.loc
			st.Next = slots.Next(s.now())
		}
	}
	last, err := s.history.LastBriefing(ctx, guildID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return Status{}, fmt.Errorf("schedule: status: %w", err)
	default:
		st.Last = &last
		if led, err := ledger.Decode(last.Ledger); err == nil {
			st.Ledger = led
		}
	}
	return st, nil
}

// RunNow composes and posts guildID's briefing to channelID now, covering
// the shares since its previous briefing. A channel the bot cannot post in
// is an *InputError.
func (s *Service) RunNow(ctx context.Context, guildID, channelID string) (Result, error) {
	if guildID == "" || channelID == "" {
		return Result{}, inputErrorf(nil, "briefings are made for a server's channel")
	}
	if err := s.poster.CanPost(ctx, channelID); err != nil {
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("schedule: run now: %w", ctx.Err())
		}
		return Result{}, inputErrorf(err, "I can't post in this channel")
	}
	loc := s.defLoc
	s.mu.Lock()
	if e := s.entries[guildID]; e != nil {
		loc = e.slots.loc
	}
	s.mu.Unlock()
	lock := s.guildLock(guildID)
	lock.Lock()
	defer lock.Unlock()
	slot := s.now().Truncate(time.Millisecond)
	res, err := s.post(ctx, guildID, channelID, slot, loc, false, true)
	if err != nil {
		return res, fmt.Errorf("schedule: run now: %w", err)
	}
	return res, nil
}

// RunDue handles every server's slots due at Options.Now(), as the cron
// runner does when it fires: posts the latest due slot of each server
// (late if not on time), records older ones as skipped. Tests of the
// transports call it to fire a schedule with their clock, without Start.
func (s *Service) RunDue(ctx context.Context) {
	s.tick(ctx, s.now())
}

// tick handles every server's slots due at now: what cron fires in
// production and tests call with their clock.
func (s *Service) tick(ctx context.Context, now time.Time) {
	s.mu.Lock()
	ids := make([]string, 0, len(s.entries))
	for id := range s.entries {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.tickGuild(ctx, id, now)
	}
}

// tickGuild handles one server's slots in (cursor, now]: the latest is
// posted if within Grace (late when not on time), the others recorded as
// skipped; a failed post is retried on later ticks within Grace.
func (s *Service) tickGuild(ctx context.Context, guildID string, now time.Time) {
	lock := s.guildLock(guildID)
	lock.Lock()
	defer lock.Unlock()

	s.mu.Lock()
	e := s.entries[guildID]
	if e == nil {
		s.mu.Unlock()
		return
	}
	sc, slots, cursor, retry := e.sched, e.slots, e.cursor, e.retry
	s.mu.Unlock()

	due := slots.between(cursor, now, maxRecoverSlots)
	if !retry.IsZero() {
		// Retried while it is the latest slot; superseded (skipped) by a
		// newer one.
		due = append([]time.Time{retry}, due...)
	}
	if len(due) == 0 {
		return
	}
	records, err := s.records(ctx, guildID, sc.ChannelID, due)
	if err != nil {
		s.log.Error("briefing records unreadable", slog.String("guild_id", guildID), slog.Any("err", err))
		return
	}
	var failed time.Time
	for i, slot := range due {
		rec, known := records[slot.UnixMilli()]
		latest := i == len(due)-1
		if known && rec.State != BriefingClaimed {
			continue // posted or skipped already
		}
		if !latest || now.Sub(slot) > s.grace {
			s.skip(ctx, sc, slot, now, rec, known)
			continue
		}
		late := now.Sub(slot) > lateAfter
		_, err := s.post(ctx, guildID, sc.ChannelID, slot, slots.loc, late, false)
		var held *HeldError
		switch {
		case errors.As(err, &held):
			// Another process is posting it; look again at the next retry,
			// in case it dies.
			s.log.Info("briefing claimed by another process", slog.String("guild_id", guildID),
				slog.String("channel_id", sc.ChannelID), slog.Time("slot", slot),
				slog.String("owner", held.Owner), slog.Time("lease_until", held.Until))
			failed = slot
		case err != nil:
			s.log.Error("briefing not posted", slog.String("guild_id", guildID),
				slog.String("channel_id", sc.ChannelID), slog.Time("slot", slot), slog.Any("err", err))
			failed = slot
		}
	}
	s.mu.Lock()
	if cur := s.entries[guildID]; cur == e {
		if now.After(e.cursor) {
			e.cursor = now
		}
		e.retry = failed
	}
	s.mu.Unlock()
}

// skip records a missed slot as skipped, unless its crashed claim turns
// out to have been posted (its marker is in the channel). A slot another
// process holds a live lease on is left to that process.
func (s *Service) skip(ctx context.Context, sc Schedule, slot, now time.Time, rec Briefing, claimed bool) {
	if claimed && rec.Owner != s.owner && rec.LeaseUntil.After(now) {
		return
	}
	if claimed {
		id := markerID(sc.GuildID, slot)
		if ids, _, err := s.findPosted(ctx, sc.ChannelID, id, rec.ClaimedAt); err == nil && len(ids) > 0 {
			if err := s.claims.CompleteBriefing(ctx, sc.GuildID, sc.ChannelID, slot, ids, nil, now); err != nil {
				s.log.Error("briefing record failed", slog.String("guild_id", sc.GuildID), slog.Any("err", err))
			}
			return
		}
	}
	if err := s.claims.SkipBriefing(ctx, sc.GuildID, sc.ChannelID, slot, now); err != nil {
		s.log.Error("briefing skip failed", slog.String("guild_id", sc.GuildID), slog.Any("err", err))
		return
	}
	s.log.Info("briefing skipped", slog.String("guild_id", sc.GuildID), slog.Time("slot", slot))
}

// records returns the stored records of the given slots in channelID, by
// slot in unix milliseconds.
func (s *Service) records(ctx context.Context, guildID, channelID string, slots []time.Time) (map[int64]Briefing, error) {
	list, err := s.history.Briefings(ctx, guildID, 2*len(slots)+historyLimit)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, t := range slots {
		want[t.UnixMilli()] = true
	}
	out := map[int64]Briefing{}
	for _, b := range list {
		if b.ChannelID == channelID && want[b.Slot.UnixMilli()] {
			out[b.Slot.UnixMilli()] = b
		}
	}
	return out, nil
}

func (s *Service) guildLock(guildID string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[guildID]
	if l == nil {
		l = &sync.Mutex{}
		s.locks[guildID] = l
	}
	return l
}

// HeldError is returned when another process holds the claim on a slot
// (its lease runs until Until): it is posting the briefing now.
type HeldError struct {
	Owner string
	Until time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("the briefing is being posted by another process (%s, lease until %s)",
		e.Owner, e.Until.UTC().Format(time.RFC3339))
}

// errLeaseLost stops an attempt whose claim was taken over, or whose lease
// could not be renewed before it ran out.
var errLeaseLost = errors.New("lost the claim on the slot")

// post makes and posts the briefing of one slot exactly once: claim (or
// take over an expired claim), compose, post (after finding the parts an
// earlier attempt posted), record. The claim's lease is renewed
// throughout; posting stops if it is lost. A slot another process holds
// is a *HeldError.
func (s *Service) post(ctx context.Context, guildID, channelID string, slot time.Time, loc *time.Location, late, manual bool) (Result, error) {
	now := s.now()
	claimed, existing, err := s.claims.ClaimBriefing(ctx, Briefing{
		GuildID: guildID, ChannelID: channelID, Slot: slot, Late: late, ClaimedAt: now,
		Owner: s.owner, LeaseUntil: now.Add(s.leaseFor),
	})
	if err != nil {
		return Result{}, err
	}
	if !claimed {
		switch existing.State {
		case BriefingPosted:
			return Result{MessageIDs: existing.MessageIDs, Empty: len(existing.MessageIDs) == 0, Late: existing.Late}, nil
		case BriefingSkipped:
			return Result{}, nil
		}
		return Result{}, &HeldError{Owner: existing.Owner, Until: existing.LeaseUntil}
	}
	// An earlier attempt (a crash, a failed post) may have posted parts:
	// finish it as it was started.
	resumed := existing.Attempts > 1
	late = existing.Late
	parent := ctx
	ctx, release := s.holdLease(ctx, guildID, channelID, slot, existing.LeaseUntil)
	defer release()

	settings, err := s.settings.BriefingSettings(ctx, guildID)
	if err != nil {
		return Result{}, err
	}
	prev, since, err := s.previous(ctx, guildID, slot)
	if err != nil {
		return Result{}, err
	}
	until := slot
	if manual {
		// A manual briefing covers everything shared up to and including
		// the moment it was asked for.
		until = slot.Add(time.Millisecond)
	}
	shares, err := s.shares.SharedSummaries(ctx, guildID, since, until)
	if err != nil {
		return Result{}, err
	}
	led, err := ledger.Build(ctx, ledger.Input{
		Shares: shares, Previous: prev, Slot: slot, Since: since,
		ShowUngrounded: settings.ShowUngrounded, Merger: s.merger,
	})
	if err != nil {
		return Result{}, err
	}
	ledgerJSON, err := json.Marshal(led)
	if err != nil {
		return Result{}, fmt.Errorf("encode ledger: %w", err)
	}
	empty := led.Articles == 0
	var msgs []string
	id := markerID(guildID, slot)
	if !empty || !settings.QuietEmpty {
		msgs = s.render(led, Header{Slot: slot, Loc: loc, Late: late, Manual: manual},
			func(i, n int) string { return footer(id, slot, loc, late, i, n) })
	}

	var ids []string
	start := 0
	if resumed && len(msgs) > 0 {
		found, parts, err := s.findPosted(ctx, channelID, id, existing.ClaimedAt)
		if err != nil {
			return Result{}, fmt.Errorf("look for crashed briefing: %w", err)
		}
		switch {
		case len(found) > 0 && parts == len(found):
			ids = found // every part was posted before the crash
			msgs = nil
		case len(found) > 0 && parts == len(msgs):
			ids, start = found, len(found) // post the parts that are missing
		}
	}
	if len(msgs) > start {
		out := make([]Outgoing, 0, len(msgs)-start)
		for i := start; i < len(msgs); i++ {
			out = append(out, Outgoing{Content: msgs[i], Nonce: nonce(guildID, channelID, slot, i+1, len(msgs))})
		}
		posted, err := s.poster.PostMessages(ctx, channelID, out)
		ids = append(ids, posted...)
		if err != nil {
			if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
				err = cause
			}
			return Result{}, fmt.Errorf("post: %w", err)
		}
	}
	release()
	if err := s.claims.CompleteBriefing(parent, guildID, channelID, slot, ids, ledgerJSON, s.now()); err != nil {
		return Result{}, err
	}
	s.log.Info("briefing posted", slog.String("guild_id", guildID), slog.String("channel_id", channelID),
		slog.Time("slot", slot), slog.Int("articles", led.Articles), slog.Int("messages", len(ids)),
		slog.Bool("late", late), slog.Bool("recovered", resumed), slog.String("owner", s.owner))
	return Result{MessageIDs: ids, Empty: empty, Late: late}, nil
}

// previous returns the ledger of guildID's latest posted briefing before
// slot (nil when none or unreadable) and the start of this briefing's
// window: that briefing's slot, or 24 hours before slot.
func (s *Service) previous(ctx context.Context, guildID string, slot time.Time) (*ledger.Ledger, time.Time, error) {
	list, err := s.history.Briefings(ctx, guildID, historyLimit)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, b := range list {
		if b.State != BriefingPosted || !b.Slot.Before(slot) {
			continue
		}
		led, err := ledger.Decode(b.Ledger)
		if err != nil {
			s.log.Warn("previous ledger unreadable", slog.String("guild_id", guildID), slog.Any("err", err))
			led = nil
		}
		return led, b.Slot, nil
	}
	return nil, slot.Add(-24 * time.Hour), nil
}

// holdLease renews the claim on a slot (held until until) while the
// attempt works, until release is called. The context it returns ends,
// with cause errLeaseLost, when the claim was taken over, or when renewals
// kept failing until the lease ran out: the attempt must stop posting.
func (s *Service) holdLease(ctx context.Context, guildID, channelID string, slot, until time.Time) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(s.renewEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			next := s.now().Add(s.leaseFor)
			held, err := s.claims.RenewBriefingLease(ctx, guildID, channelID, slot, s.owner, next)
			switch {
			case err == nil && held:
				until = next
			case err == nil:
				cancel(errLeaseLost)
				return
			case ctx.Err() != nil:
				return
			default:
				s.log.Warn("briefing lease not renewed", slog.String("guild_id", guildID),
					slog.Time("slot", slot), slog.Any("err", err))
				if !s.now().Before(until) {
					cancel(errLeaseLost)
					return
				}
			}
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			close(stop)
			<-done
			cancel(nil)
		})
	}
}

// findPosted looks for the bot's messages carrying marker id among the
// channel's messages since a slot was claimed (less searchSkew), paging
// forward from then up to searchPages pages. It returns the IDs of the
// consecutive parts found from the first (in order) and the number of
// parts the briefing had.
func (s *Service) findPosted(ctx context.Context, channelID, id string, claimedAt time.Time) (ids []string, parts int, err error) {
	since := claimedAt.Add(-searchSkew)
	byPart := map[int]string{}
	after := ""
	for page := 0; ; page++ {
		if page == searchPages {
			s.log.Warn("briefing marker search stopped", slog.String("channel_id", channelID),
				slog.String("marker", id), slog.Int("messages", page*searchPage))
			break
		}
		msgs, err := s.poster.MessagesAfter(ctx, channelID, since, after, searchPage)
		if err != nil {
			return nil, 0, err
		}
		for _, m := range msgs {
			if !m.FromSelf {
				continue
			}
			if i, n, ok := markerPart(m.Content, id); ok {
				if _, dup := byPart[i]; !dup {
					byPart[i] = m.ID
				}
				parts = n
			}
		}
		if len(msgs) < searchPage || (parts > 0 && len(byPart) >= parts) {
			break
		}
		after = msgs[len(msgs)-1].ID
	}
	for i := 1; ; i++ {
		mid, ok := byPart[i]
		if !ok {
			break
		}
		ids = append(ids, mid)
	}
	return ids, parts, nil
}

// cronLogger sends robfig/cron's log to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, slog.Any("err", err))...)
}
