package schedule

import (
	"crypto/sha256"
	"encoding/hex"
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

// nonce names part i of n of a slot's briefing in channelID, for
// Discord's enforce_nonce: every attempt at the same part of the same
// briefing sends the same nonce, so a retried request is answered with the
// message the first one made. The number of parts is in it so that a
// briefing composed differently (n changed) is not matched to the other's
// parts. 25 characters, Discord's limit.
func nonce(guildID, channelID string, slot time.Time, i, n int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d/%d/%d", guildID, channelID, slot.UnixMilli(), i, n))
	return "b" + hex.EncodeToString(h[:12])
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
