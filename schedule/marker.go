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
// subtext) naming the slot, the part and, invisibly, its marker:
//
//	-# briefing Sun 29 Nov 09:00 Europe/Berlin · 2/3‹marker›
//
// The marker is the slot's id written in zero-width characters (see
// hideID), so readers see no internal id. After a crash between claiming
// a slot and recording its messages, the marker found among the
// channel's recent messages tells which parts were posted, so they are
// not posted again.

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

// Marker is the invisible marker the messages of guildID's briefing of
// slot end with.
func Marker(guildID string, slot time.Time) string {
	return hideID(markerID(guildID, slot))
}

// footer returns the footer line of message i of n.
func footer(id string, slot time.Time, loc *time.Location, late bool, i, n int) string {
	f := "-# briefing " + slot.In(loc).Format("Mon 2 Jan 15:04") + " " + loc.String()
	if late {
		f += " · late"
	}
	if n > 1 {
		f += fmt.Sprintf(" · %d/%d", i, n)
	}
	return f + hideID(id)
}

// zeroWidth are the four invisible digits a marker is written in: Discord
// keeps them in a message's content and shows nothing.
var zeroWidth = [4]rune{'\u200b', '\u200c', '\u200d', '\u2060'}

// hideID writes id (ASCII) in base-4 zero-width digits between two
// word joiners' worth of start and end marks.
func hideID(id string) string {
	var b strings.Builder
	b.WriteRune(zeroWidth[3])
	b.WriteRune(zeroWidth[3])
	for i := 0; i < len(id); i++ {
		c := id[i]
		for shift := 6; shift >= 0; shift -= 2 {
			b.WriteRune(zeroWidth[(c>>shift)&3])
		}
	}
	return b.String()
}

// markerPart finds id in a message's content and returns the part it
// marks (1 of 1 for a single message); ok is false when id is absent.
func markerPart(content, id string) (i, n int, ok bool) {
	hidden := hideID(id)
	for _, line := range strings.Split(content, "\n") {
		if !strings.HasPrefix(line, "-# briefing ") || !strings.HasSuffix(line, hidden) {
			continue
		}
		rest := strings.TrimSuffix(line, hidden)
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
