package schedule

import (
	"fmt"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// TestSlotScheduleDST pins the slots at daylight-saving changes in New
// York and Berlin, against what plain robfig/cron does.
func TestSlotScheduleDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	de := mustLoc(t, "Europe/Berlin")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name, spec, tz string
		from           time.Time
		want           []string // UTC
		robfig         []string // what robfig's own schedule yields
	}{
		{
			name: "New York spring forward: 02:30 runs at 03:00 EDT", spec: "30 2 * * *", tz: "America/New_York",
			from:   time.Date(2026, 3, 7, 12, 0, 0, 0, ny),
			want:   []string{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
			robfig: []string{"2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"},
		},
		{
			name: "New York fall back: 01:30 runs once", spec: "30 1 * * *", tz: "America/New_York",
			from:   time.Date(2026, 10, 31, 12, 0, 0, 0, ny),
			want:   []string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
			robfig: []string{"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"},
		},
		{
			name: "Berlin spring forward: 02:30 runs at 03:00 CEST", spec: "30 2 * * *", tz: "Europe/Berlin",
			from:   time.Date(2026, 3, 28, 12, 0, 0, 0, de),
			want:   []string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
			robfig: []string{"2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"},
		},
		{
			name: "Berlin fall back: 02:30 runs once", spec: "30 2 * * *", tz: "Europe/Berlin",
			from:   time.Date(2026, 10, 24, 12, 0, 0, 0, de),
			want:   []string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
			robfig: []string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
		},
		{
			name: "every 20 minutes of the skipped hour: one run at 03:00", spec: "*/20 2 * * *", tz: "America/New_York",
			from: time.Date(2026, 3, 7, 12, 0, 0, 0, ny),
			want: []string{"2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T06:20:00Z"},
		},
		{
			name: "hourly across fall back: each wall-clock hour once", spec: "0 * * * *", tz: "America/New_York",
			from: time.Date(2026, 11, 1, 0, 30, 0, 0, ny),
			want: []string{"2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"},
		},
		{
			name: "09:00 in winter and summer", spec: "0 9 * * *", tz: "Europe/Berlin",
			from: utc("2026-03-28T00:00:00Z"),
			want: []string{"2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseSchedule(tt.spec, tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for at := tt.from; len(got) < len(tt.want); {
				at = s.Next(at)
				got = append(got, at.UTC().Format(time.RFC3339))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Next(%q in %s) from %s = %v; want %v", tt.spec, tt.tz, tt.from, got, tt.want)
			}
			if tt.robfig == nil {
				return
			}
			raw, err := cron.ParseStandard("CRON_TZ=" + tt.tz + " " + tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			var rgot []string
			for at := tt.from; len(rgot) < len(tt.robfig); {
				at = raw.Next(at)
				rgot = append(rgot, at.UTC().Format(time.RFC3339))
			}
			if fmt.Sprint(rgot) != fmt.Sprint(tt.robfig) {
				t.Errorf("robfig Next(%q in %s) = %v; want %v (the behaviour slotSchedule corrects)", tt.spec, tt.tz, rgot, tt.robfig)
			}
		})
	}
}
