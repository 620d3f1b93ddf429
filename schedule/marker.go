package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A briefing's messages each end with a small footer line (Discord's "-#"
// subtext) naming the slot and carrying its marker:
//
//	-# briefing 2026-11-29 09:00 Europe/Berlin · id b-123-1764403200000 · 2/3
//
// After a crash between claiming a slot and recording its messages, the
// marker found among the channel's recent messages tells which parts were
// posted, so they are not posted again.

// markerID names a slot: guild and slot time in unix milliseconds.
func markerID(guildID string, slot time.Time) string {
	var b strings.Builder
	b.WriteString("b-")
	for _, r := range guildID {
		if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "x%x", r)
		}
	}
	b.WriteByte('-')
	b.WriteString(strconv.FormatInt(slot.UnixMilli(), 10))
	return b.String()
}

// footer returns the footer line of message i of n.
func footer(id string, slot time.Time, loc *time.Location, late bool, i, n int) string {
	f := "-# briefing " + slot.In(loc).Format("2006-01-02 15:04") + " " + loc.String() + " · id " + id
	if late {
		f += " · late"
	}
	if n > 1 {
		f += fmt.Sprintf(" · %d/%d", i, n)
	}
	return f
}

// markerPart finds id in a message's content and returns the part it
// marks (1 of 1 for a single message); ok is false when id is absent.
func markerPart(content, id string) (i, n int, ok bool) {
	for _, line := range strings.Split(content, "\n") {
		if !strings.HasPrefix(line, "-# briefing ") {
			continue
		}
		_, rest, found := strings.Cut(line, " · id "+id)
		if !found || (rest != "" && !strings.HasPrefix(rest, " ")) {
			continue
		}
		i, n = 1, 1
		if k := strings.LastIndex(rest, " · "); k >= 0 {
			if a, b, cut := strings.Cut(rest[k+len(" · "):], "/"); cut {
				x, err1 := strconv.Atoi(a)
				y, err2 := strconv.Atoi(b)
				if err1 == nil && err2 == nil && x >= 1 && x <= y {
					i, n = x, y
				}
			}
		}
		return i, n, true
	}
	return 0, 0, false
}
