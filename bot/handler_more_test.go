package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"briefbot/summarize"
)

// hugeSummary is a hostile model's ledger: topics × points grounded
// points, each text naming its place ("T3.P7").
func hugeSummary(url string, topics, points int) *summarize.Summary {
	s := article(url, "Everything at once", "Start", summarize.StatusReported)
	s.Topics = nil
	statuses := summarize.Statuses
	for i := range topics {
		tp := summarize.Topic{Name: fmt.Sprintf("Topic %d", i+1)}
		for j := range points {
			tp.Points = append(tp.Points, summarize.Point{
				Text:   fmt.Sprintf("T%d.P%d the delegations restated their positions at length.", i+1, j+1),
				Status: statuses[(i+j)%len(statuses)], Actors: []string{"Delegation A"},
				Quote: "restated their positions", Grounded: true,
			})
		}
		s.Topics = append(s.Topics, tp)
	}
	return s
}

// pointIDs returns the "T3.P7" names of the points replies show, in order.
func pointIDs(replies []Reply) []string {
	var out []string
	for _, r := range replies {
		for _, e := range r.Embeds {
			for _, f := range e.Fields {
				for _, line := range strings.Split(f.Value, "\n") {
					for _, w := range strings.Fields(line) {
						if strings.HasPrefix(w, "T") && strings.Contains(w, ".P") {
							out = append(out, w)
							break
						}
					}
				}
			}
		}
	}
	return out
}

func moreButton(t *testing.T, replies []Reply) string {
	t.Helper()
	last := replies[len(replies)-1]
	if len(last.Buttons) != 1 || !strings.HasPrefix(last.Buttons[0].CustomID, MoreIDPrefix) {
		t.Fatalf("last reply buttons = %+v; want one More button", last.Buttons)
	}
	if n := len(last.Buttons[0].CustomID); n > LimitCustomID {
		t.Fatalf("custom ID is %d characters; limit %d", n, LimitCustomID)
	}
	return last.Buttons[0].CustomID
}

// TestMorePagesAHugeSummary: a 300 × 100 ledger answers a pasted link with
// its first 8 points and a More button; each press shows the next page to
// the presser alone, within the caps, continuing where the last stopped.
func TestMorePagesAHugeSummary(t *testing.T) {
	e := newEnv(t, nil)
	huge := hugeSummary(urlA, 300, 100)
	e.sum.add(huge)
	ctx := context.Background()
	replies := e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "1300000000000000001", AuthorID: "u1", Content: urlA})
	if len(replies) == 0 || len(replies) > MaxReplyMessages {
		t.Fatalf("pasted link = %d replies; want 1 to %d", len(replies), MaxReplyMessages)
	}
	checkAllLimits(t, replies)
	got := pointIDs(replies)
	if len(got) != DefaultPoints || got[0] != "T1.P1" || got[7] != "T1.P8" {
		t.Fatalf("first reply shows %q; want T1.P1 … T1.P8", got)
	}
	if d := replies[0].Embeds[0].Description; !strings.Contains(d, "8 of 30000 points shown; 29992 more under **More** below.") {
		t.Errorf("header %q does not say how many points are left out", d)
	}
	id := moreButton(t, replies)
	inv := Invoker{ID: "i1", GuildID: "g1", ChannelID: "c1", UserID: "u2"}
	seen := len(got)
	for page := range 3 {
		replies = e.h.More(ctx, inv, id)
		if len(replies) == 0 || len(replies) > MaxReplyMessages {
			t.Fatalf("page %d = %d replies; want 1 to %d", page+2, len(replies), MaxReplyMessages)
		}
		checkAllLimits(t, replies)
		for _, r := range replies {
			if !r.Ephemeral || r.Target != TargetRespond {
				t.Fatalf("page %d reply is ephemeral=%t target=%d; want an ephemeral answer", page+2, r.Ephemeral, r.Target)
			}
		}
		ids := pointIDs(replies)
		if len(ids) == 0 || len(ids) > maxPagePoints {
			t.Fatalf("page %d shows %d points; want 1 to %d", page+2, len(ids), maxPagePoints)
		}
		if want := fmt.Sprintf("T1.P%d", seen+1); ids[0] != want {
			t.Fatalf("page %d starts at %s; want %s", page+2, ids[0], want)
		}
		seen += len(ids)
		id = moreButton(t, replies)
	}
}

// TestMoreAtTheEnd: the last page has no button; a press past the end, a
// malformed button and a button from another server get short notices.
func TestMoreAtTheEnd(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.add(hugeSummary(urlA, 2, 6))
	ctx := context.Background()
	replies := e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m7", AuthorID: "u1", Content: urlA})
	id := moreButton(t, replies)
	inv := Invoker{ID: "i1", GuildID: "g1", ChannelID: "c1", UserID: "u2"}
	last := e.h.More(ctx, inv, id)
	if ids := pointIDs(last); strings.Join(ids, " ") != "T2.P3 T2.P4 T2.P5 T2.P6" {
		t.Errorf("last page shows %q; want T2.P3 … T2.P6", ids)
	}
	if b := last[len(last)-1].Buttons; len(b) != 0 {
		t.Errorf("last page buttons = %+v; want none", b)
	}
	msgID, ref, _, ok := parseMoreID(id)
	if !ok {
		t.Fatalf("parseMoreID(%q) failed", id)
	}
	for _, tc := range []struct {
		name, id, guild, want string
	}{
		{"past the end", MoreIDPrefix + msgID + ":" + ref + ":12", "g1", msgMoreDone},
		{"another server", id, "g2", msgMoreGone},
		{"unknown message", MoreIDPrefix + "m8:" + ref + ":8", "g1", msgMoreGone},
		{"unknown summary", MoreIDPrefix + msgID + ":000000000000:8", "g1", msgMoreGone},
		{"malformed", "more:" + msgID + ":" + ref, "g1", msgMoreGone},
		{"negative", MoreIDPrefix + msgID + ":" + ref + ":-1", "g1", msgMoreGone},
		{"not ours", "other:1", "g1", msgMoreGone},
	} {
		inv := inv
		inv.GuildID = tc.guild
		got := e.h.More(ctx, inv, tc.id)
		if len(got) != 1 || got[0].Content != tc.want || !got[0].Ephemeral {
			t.Errorf("%s: More(%q) = %+v; want the notice %q", tc.name, tc.id, got, tc.want)
		}
	}
}

// TestSummarizeDetail: /summarize with detail shows a longer first page,
// still within the caps, with the rest behind More.
func TestSummarizeDetail(t *testing.T) {
	e := newEnv(t, nil)
	e.sum.add(hugeSummary(urlA, 10, 10))
	inv := Invoker{ID: "1300000000000000005", GuildID: "g1", ChannelID: "c1", UserID: "u1"}
	replies := e.h.SummarizeWith(context.Background(), inv, urlA, SummarizeOptions{Detail: true})
	if len(replies) == 0 || len(replies) > MaxReplyMessages {
		t.Fatalf("detail = %d replies; want 1 to %d", len(replies), MaxReplyMessages)
	}
	checkAllLimits(t, replies)
	if ids := pointIDs(replies); len(ids) <= DefaultPoints || len(ids) > maxPagePoints {
		t.Errorf("detail shows %d points; want more than %d, at most %d", len(ids), DefaultPoints, maxPagePoints)
	}
	moreButton(t, replies)
	if plain := e.h.Summarize(context.Background(), inv, urlA, false); len(pointIDs(plain)) != DefaultPoints {
		t.Errorf("without detail: %d points; want %d", len(pointIDs(plain)), DefaultPoints)
	}
}

func TestParseMoreID(t *testing.T) {
	s := hugeSummary(urlA, 1, 1)
	h := &Handler{stored: openDB(t)}
	id := h.moreIDs("1300000000000000001", s)(40)
	msg, ref, off, ok := parseMoreID(id)
	if !ok || msg != "1300000000000000001" || ref != moreRef(s) || off != 40 {
		t.Errorf("parseMoreID(%q) = %q, %q, %d, %t", id, msg, ref, off, ok)
	}
	for _, bad := range []string{"", "more:", "more:a:b:c", "more:x y:" + ref + ":1", "more:m:" + ref + ":01", "more:m:" + ref + ":1:2", "more:" + strings.Repeat("1", 41) + ":" + ref + ":1"} {
		if _, _, _, ok := parseMoreID(bad); ok {
			t.Errorf("parseMoreID(%q) accepted", bad)
		}
	}
	if f := h.moreIDs("has space", s); f != nil {
		t.Errorf("moreIDs for an odd message ID = non-nil; want no button")
	}
	if f := (&Handler{}).moreIDs("1", s); f != nil {
		t.Errorf("moreIDs without a store = non-nil; want no button")
	}
}

// TestNoMoreButtonWhenUnsaved: a summary the store could not keep gets no
// More button (it could only fail when pressed); the reply still says how
// many points it leaves out.
func TestNoMoreButtonWhenUnsaved(t *testing.T) {
	e := newEnv(t, nil)
	s := hugeSummary(urlA, 2, 10)
	s.SaveErr = errors.New("disk full")
	e.sum.add(s)
	replies := e.h.HandleMessage(context.Background(), Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: urlA})
	if len(replies) == 0 {
		t.Fatal("no reply")
	}
	if b := replies[len(replies)-1].Buttons; len(b) != 0 {
		t.Errorf("buttons = %+v; want none for an unsaved summary", b)
	}
	if d := replies[0].Embeds[0].Description; !strings.Contains(d, "8 of 20 points shown; 12 more not shown here.") {
		t.Errorf("header = %q; want it to say 12 more points are left out", d)
	}
}
