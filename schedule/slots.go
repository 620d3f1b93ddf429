package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// InputError is a problem with what a user asked for: a bad cron spec, an
// unknown time zone, a spec that smuggles its own CRON_TZ=/TZ= prefix, a
// channel the bot cannot post in. Message is safe to show to the user;
// nothing was changed.
type InputError struct {
	Message string
	// Err is the underlying cause, for the log; may be nil.
	Err error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return "schedule: " + e.Message + ": " + e.Err.Error()
	}
	return "schedule: " + e.Message
}

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(cause error, format string, args ...any) *InputError {
	return &InputError{Message: fmt.Sprintf(format, args...), Err: cause}
}

// maxSpecLen and maxZoneLen bound what a user can type: a 5-field spec
// with lists fits easily; the longest IANA names are about 30 bytes.
const (
	maxSpecLen = 100
	maxZoneLen = 64
)

// specParser reads standard 5-field specs only: no seconds field, no
// descriptors such as @daily.
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// slotSchedule is a cron spec in a time zone, with explicit behaviour at
// daylight-saving changes. It implements cron.Schedule, so the cron
// runner and the tests compute the very same slots.
//
// Every wall-clock time the spec matches is one slot:
//   - spring forward: a time that does not exist that day (02:30 when
//     clocks jump from 02:00 to 03:00) runs once, at the end of the gap
//     (03:00), instead of being skipped as plain robfig/cron does;
//   - fall back: a time that occurs twice (01:30 when clocks go from
//     02:00 back to 01:00) runs once, at its first occurrence, instead of
//     twice.
//
// Slots that land on the same instant (02:00 and 02:30 both moved to
// 03:00) are one slot.
type slotSchedule struct {
	spec string // the user's 5 fields, normalised to single spaces
	loc  *time.Location
	// wall is the spec evaluated on wall-clock times, represented as UTC
	// times carrying the wall-clock fields.
	wall *cron.SpecSchedule
}

var _ cron.Schedule = (*slotSchedule)(nil)

// parseSchedule validates a user's spec and time zone and returns their
// schedule. Every failure is an *InputError. User input reaches the cron
// parser only after the checks below, and the parser runs under recover:
// robfig/cron panics on some malformed input ("CRON_TZ=UTC").
func parseSchedule(spec, tz string) (*slotSchedule, error) {
	fields, err := checkSpec(spec)
	if err != nil {
		return nil, err
	}
	loc, err := loadZone(tz)
	if err != nil {
		return nil, err
	}
	norm := strings.Join(fields, " ")
	parsed, err := safeParse("CRON_TZ=" + loc.String() + " " + norm)
	if err != nil {
		return nil, inputErrorf(err, "%q is not a valid cron schedule (minute hour day-of-month month day-of-week, e.g. \"0 9 * * *\")", norm)
	}
	ss, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, inputErrorf(nil, "%q is not a 5-field cron schedule", norm)
	}
	wall := *ss
	wall.Location = time.UTC
	s := &slotSchedule{spec: norm, loc: loc, wall: &wall}
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, inputErrorf(nil, "%q never runs", norm)
	}
	return s, nil
}

// checkSpec accepts exactly five fields of the characters cron fields are
// made of (digits, * / , - and month or weekday names) and nothing that
// sets a time zone.
func checkSpec(spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, inputErrorf(nil, "the cron schedule is empty")
	}
	if len(spec) > maxSpecLen {
		return nil, inputErrorf(nil, "the cron schedule is too long")
	}
	upper := strings.ToUpper(spec)
	if strings.Contains(upper, "TZ=") || strings.Contains(spec, "=") {
		return nil, inputErrorf(nil, "put the time zone in the timezone option, not in the cron schedule")
	}
	if strings.HasPrefix(spec, "@") {
		return nil, inputErrorf(nil, "use a 5-field cron schedule (minute hour day-of-month month day-of-week), not %q", clip(spec, 20))
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return nil, inputErrorf(nil, "a cron schedule has exactly 5 fields (minute hour day-of-month month day-of-week); %q has %d", clip(spec, 40), len(fields))
	}
	for _, f := range fields {
		for _, r := range f {
			ok := (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
				r == '*' || r == '/' || r == ',' || r == '-' || r == '?'
			if !ok {
				return nil, inputErrorf(nil, "%q is not a valid cron field", clip(f, 20))
			}
		}
	}
	return fields, nil
}

// loadZone accepts IANA zone names ("Europe/Berlin", "UTC"), not "Local"
// or file paths.
func loadZone(tz string) (*time.Location, error) {
	tz = strings.TrimSpace(tz)
	bad := tz == "" || len(tz) > maxZoneLen || tz == "Local" || strings.HasPrefix(tz, "/") ||
		strings.Contains(tz, "..")
	for _, r := range tz {
		if !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
			r == '/' || r == '_' || r == '-' || r == '+') {
			bad = true
		}
	}
	if bad {
		return nil, inputErrorf(nil, "%q is not a time zone; use an Area/City name such as Europe/Berlin", clip(tz, 40))
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, inputErrorf(err, "unknown time zone %q; use an Area/City name such as Europe/Berlin", tz)
	}
	return loc, nil
}

// minInterval is the shortest time allowed between two briefings: a
// briefing is a digest, and a spec like "* * * * *" would flood the
// channel.
const minInterval = time.Hour

// frequencySample is how many consecutive slots checkFrequency looks at:
// enough to cover any pattern within a day of a spec with hourly fields.
const frequencySample = 48

// checkFrequency refuses schedules with two slots closer than minInterval
// in the frequencySample slots after from.
func checkFrequency(s *slotSchedule, from time.Time) error {
	prev := s.Next(from)
	for range frequencySample {
		next := s.Next(prev)
		if next.IsZero() {
			return nil
		}
		if next.Sub(prev) < minInterval {
			return inputErrorf(nil, "%q runs more than once an hour; a briefing can run at most hourly", s.spec)
		}
		prev = next
	}
	return nil
}

// safeParse runs the cron parser, turning a panic into an error.
func safeParse(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cron parser panicked: %v", r)
		}
	}()
	return specParser.Parse(spec)
}

// maxNextSteps bounds the search for the next slot; each step is one
// matching wall-clock time, so only wall times collapsing onto earlier
// instants can make it loop more than twice.
const maxNextSteps = 1000

// Next returns the first slot strictly after t, or the zero time if there
// is none within five years.
func (s *slotSchedule) Next(t time.Time) time.Time {
	w := wallTime(t, s.loc)
	for range maxNextSteps {
		n := s.wall.Next(w)
		if n.IsZero() {
			return time.Time{}
		}
		if inst := resolveWall(n, s.loc); inst.After(t) {
			return inst.UTC()
		}
		w = n
	}
	return time.Time{}
}

// between returns the slots in (from, to], at most limit of them: the
// latest ones.
func (s *slotSchedule) between(from, to time.Time, limit int) []time.Time {
	var out []time.Time
	for t := from; ; {
		n := s.Next(t)
		if n.IsZero() || n.After(to) {
			return out
		}
		if len(out) == limit {
			out = append(out[:0], out[1:]...)
		}
		out = append(out, n)
		t = n
	}
}

// wallTime returns t's wall clock in loc as a UTC time with those fields.
func wallTime(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// resolveWall returns the instant of wall-clock time w (fields in UTC) in
// loc: its first occurrence when it occurs twice, and the end of the gap
// when it does not occur at all.
func resolveWall(w time.Time, loc *time.Location) time.Time {
	sec := w.Unix()
	// The offsets a day before and after cover any single transition
	// near w.
	_, offBefore := time.Unix(sec-86400, 0).In(loc).Zone()
	_, offAfter := time.Unix(sec+86400, 0).In(loc).Zone()
	var best time.Time
	for _, off := range []int{offBefore, offAfter} {
		inst := time.Unix(sec-int64(off), int64(w.Nanosecond())).In(loc)
		if _, o := inst.Zone(); o == off && (best.IsZero() || inst.Before(best)) {
			best = inst
		}
	}
	if !best.IsZero() {
		return best
	}
	// In a gap: w read with the earlier offset falls after the transition;
	// the zone in effect there began at the end of the gap.
	start, _ := time.Unix(sec-int64(offBefore), 0).In(loc).ZoneBounds()
	return start
}

// clip cuts what a user typed to at most n runes for an error message,
// ending with "…" when it cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
