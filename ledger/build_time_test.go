package ledger

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"briefbot/summarize"
)

// article is one shared article of a test: its topic's name and points,
// its published date (zero: unknown) and when it was shared.
type article struct {
	url       string
	published time.Time
	shared    time.Time
	topic     string
	points    []summarize.Point
}

func pt(st summarize.Status, text string) summarize.Point {
	return summarize.Point{Text: text, Status: st, Grounded: true}
}

// shareArticles makes the shares of arts, in the order given (the order
// the store lists them: by share time).
func shareArticles(arts ...article) []SharedSummary {
	var out []SharedSummary
	for _, a := range arts {
		out = append(out, SharedSummary{
			Share: Share{GuildID: "g1", URL: a.url, At: a.shared},
			Summary: &summarize.Summary{
				URL: a.url, Title: "Article " + a.url[strings.LastIndex(a.url, "/")+1:], Published: a.published,
				Topics: []summarize.Topic{{Name: a.topic, Points: a.points}},
			},
		})
	}
	return out
}

const (
	agreed     = summarize.StatusAgreed
	unresolved = summarize.StatusUnresolved
	disputed   = summarize.StatusDisputed
)

// TestComposeStatusOverTime: a topic's status follows the status rule
// (status.go) over its articles in time. A later agreement resolves an
// earlier open point (shown as history: "was unresolved"), a later
// accusation of breach makes an agreement disputed, a later restatement
// by the parties settles it again ("was disputed"), an open voice does
// not undo an agreement. Articles are ordered by published date when
// known, else by when they were shared.
func TestComposeStatusOverTime(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 18, 0, 0, 0, time.UTC) }
	share := time.Date(2025, 3, 27, 8, 0, 0, 0, time.UTC)
	const (
		noDeal   = "No agreement on a maritime ceasefire in the Black Sea was announced on Monday."
		deal     = "Russia and Ukraine agreed to a ceasefire in the Black Sea, the United States said."
		pause    = "Russia and Ukraine agreed to pause strikes on energy infrastructure for 30 days."
		breach   = "Ukraine accused Russia of breaking the pause with strikes on energy infrastructure."
		openList = "It remains unclear which energy facilities the pause covers."
	)
	tests := []struct {
		name   string
		arts   []article
		status summarize.Status
		was    []string // sides newer articles replaced
	}{
		{
			name: "unresolved then agreed is resolved",
			arts: []article{
				{url: "https://a.example/2", published: day(24), shared: share, topic: "Black Sea talks", points: []summarize.Point{pt(unresolved, noDeal)}},
				{url: "https://b.example/3", published: day(26), shared: share.Add(time.Minute), topic: "Black Sea maritime ceasefire", points: []summarize.Point{pt(agreed, deal)}},
			},
			status: agreed,
			was:    []string{noDeal},
		},
		{
			name: "published dates order the articles, not shares",
			arts: []article{
				{url: "https://b.example/3", published: day(26), shared: share, topic: "Black Sea maritime ceasefire", points: []summarize.Point{pt(agreed, deal)}},
				{url: "https://a.example/2", published: day(24), shared: share.Add(time.Minute), topic: "Black Sea talks", points: []summarize.Point{pt(unresolved, noDeal)}},
			},
			status: agreed,
			was:    []string{noDeal},
		},
		{
			name: "undated articles by share order",
			arts: []article{
				{url: "https://a.example/2", shared: share, topic: "Black Sea talks", points: []summarize.Point{pt(unresolved, noDeal)}},
				{url: "https://b.example/3", shared: share.Add(time.Minute), topic: "Black Sea maritime ceasefire", points: []summarize.Point{pt(agreed, deal)}},
			},
			status: agreed,
			was:    []string{noDeal},
		},
		{
			// The seed of a story has no date; pasted before the dated
			// later days, it is older than them.
			name: "an undated article shared first is older than dated ones",
			arts: []article{
				{url: "https://a.example/1", shared: share, topic: "Black Sea talks", points: []summarize.Point{pt(unresolved, noDeal)}},
				{url: "https://b.example/3", published: day(26), shared: share.Add(time.Minute), topic: "Black Sea maritime ceasefire", points: []summarize.Point{pt(agreed, deal)}},
			},
			status: agreed,
			was:    []string{noDeal},
		},
		{
			name: "a newer open question does not undo an agreement",
			arts: []article{
				{url: "https://a.example/2", published: day(24), shared: share, topic: "Black Sea maritime ceasefire", points: []summarize.Point{pt(agreed, deal)}},
				{url: "https://b.example/3", published: day(26), shared: share.Add(time.Minute), topic: "Black Sea talks", points: []summarize.Point{pt(unresolved, noDeal)}},
			},
			status: agreed,
		},
		{
			name: "agreed then accused of breach is disputed",
			arts: []article{
				{url: "https://a.example/1", published: day(19), shared: share, topic: "Energy strikes", points: []summarize.Point{pt(agreed, pause)}},
				{url: "https://b.example/2", published: day(24), shared: share.Add(time.Minute), topic: "Energy pause", points: []summarize.Point{pt(disputed, breach)}},
			},
			status: disputed,
		},
		{
			name: "a later restatement by the parties settles a dispute",
			arts: []article{
				{url: "https://a.example/2", published: day(24), shared: share, topic: "Energy pause", points: []summarize.Point{pt(disputed, breach)}},
				{url: "https://b.example/3", published: day(26), shared: share.Add(time.Minute), topic: "Energy strikes", points: []summarize.Point{pt(agreed, pause)}},
			},
			status: agreed,
			was:    []string{breach},
		},
		{
			name: "an open question does not end a dispute",
			arts: []article{
				{url: "https://a.example/2", published: day(24), shared: share, topic: "Energy pause", points: []summarize.Point{pt(disputed, breach)}},
				{url: "https://b.example/3", published: day(26), shared: share.Add(time.Minute), topic: "Energy strikes", points: []summarize.Point{pt(unresolved, openList)}},
			},
			status: disputed,
		},
		{
			name: "same time, an agreement and as many open voices, stays open",
			arts: []article{
				{url: "https://a.example/3", published: day(26), shared: share, topic: "Black Sea talks", points: []summarize.Point{pt(unresolved, "No agreement on a ceasefire in the Black Sea was announced, the Kremlin said.")}},
				{url: "https://b.example/3", published: day(26), shared: share.Add(time.Minute), topic: "Black Sea ceasefire", points: []summarize.Point{pt(agreed, "An agreement on a ceasefire in the Black Sea was announced, the White House said.")}},
			},
			status: unresolved,
		},
		{
			name: "a published date after the share is not trusted",
			arts: []article{
				{url: "https://b.example/3", published: share.Add(48 * time.Hour), shared: share, topic: "Black Sea maritime ceasefire", points: []summarize.Point{pt(unresolved, noDeal)}},
				{url: "https://a.example/2", shared: share.Add(time.Minute), topic: "Black Sea talks", points: []summarize.Point{pt(agreed, deal)}},
			},
			status: agreed,
			was:    []string{noDeal},
		},
	}
	slot := share.Add(time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			led, err := compose(context.Background(), composeInput{Shares: shareArticles(tt.arts...), Slot: slot, Since: slot.Add(-24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			cur := led.Current()
			if len(cur) != 1 {
				t.Fatalf("compose: topics %v; want the articles' topics merged into one", names(led))
			}
			if cur[0].Status != tt.status {
				t.Errorf("compose: status of %q = %q; want %q", cur[0].Name, cur[0].Status, tt.status)
			}
			var was []string
			for _, p := range cur[0].Points {
				for _, sd := range p.Sides {
					if sd.Superseded {
						was = append(was, sd.Text)
					}
				}
			}
			if fmt.Sprint(was) != fmt.Sprint(tt.was) {
				t.Errorf("compose: superseded sides %q; want %q", was, tt.was)
			}
		})
	}
}

// TestComposeSourcesInTimeOrder: sources are numbered from the oldest
// article to the newest and show their published dates.
func TestComposeSourcesInTimeOrder(t *testing.T) {
	share := time.Date(2025, 3, 27, 8, 0, 0, 0, time.UTC)
	shares := shareArticles(
		article{url: "https://c.example/new", published: time.Date(2025, 3, 26, 7, 15, 0, 0, time.UTC), shared: share, topic: "Aid", points: []summarize.Point{pt(unresolved, "Aid to Kyiv was not discussed.")}},
		article{url: "https://a.example/undated", shared: share.Add(time.Minute), topic: "Aid", points: []summarize.Point{pt(unresolved, "Military aid will be discussed next week.")}},
		article{url: "https://b.example/old", published: time.Date(2024, 3, 24, 0, 0, 0, 0, time.UTC), shared: share.Add(2 * time.Minute), topic: "Aid", points: []summarize.Point{pt(agreed, "Aid deliveries resumed.")}},
	)
	slot := share.Add(time.Hour)
	led, err := compose(context.Background(), composeInput{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, s := range led.Sources {
		urls = append(urls, s.URL)
	}
	// The undated article was shared after the one of 26 March: newer.
	want := []string{"https://b.example/old", "https://c.example/new", "https://a.example/undated"}
	if strings.Join(urls, " ") != strings.Join(want, " ") {
		t.Errorf("compose: sources %q; want %q", urls, want)
	}
}

// TestComposeShowsNewestPoints: when a topic has more points than it
// shows, it shows what decides its status and a point of each article,
// the newest first, rather than the oldest article's many points.
func TestComposeShowsNewestPoints(t *testing.T) {
	share := time.Date(2025, 3, 27, 8, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 18, 0, 0, 0, time.UTC) }
	seed := []summarize.Point{
		pt(disputed, "Peskov accused Ukraine of not respecting the 30-day moratorium on energy strikes."),
		pt(agreed, "During the call Putin agreed to stop attacking Ukrainian energy facilities temporarily."),
		pt(agreed, "Ukraine said it would support the scaled-back agreement on energy infrastructure."),
		pt(disputed, "Peskov said there had been attempts to strike Russian energy infrastructure facilities."),
		pt(unresolved, "The list of protected power plants has not been published."),
	}
	shares := shareArticles(
		article{url: "https://seed.example/1", published: day(19), shared: share, topic: "Energy facility attacks", points: seed},
		article{url: "https://wire.example/2", published: day(24), shared: share.Add(time.Minute), topic: "Energy infrastructure pause", points: []summarize.Point{
			pt(agreed, "Both sides agreed last week to pause strikes on each other's energy infrastructure."),
			pt(disputed, "The Russian defence ministry accused Ukraine of breaking the pause with a drone strike on a gas station in Kursk."),
		}},
		article{url: "https://tribune.example/3", published: day(26), shared: share.Add(2 * time.Minute), topic: "Energy strikes", points: []summarize.Point{
			pt(disputed, "Ukraine accused Russia of resuming strikes on energy infrastructure in the Kherson region."),
		}},
	)
	slot := share.Add(time.Hour)
	led, err := compose(context.Background(), composeInput{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	cur := led.Current()
	if len(cur) != 1 || cur[0].Status != disputed {
		t.Fatalf("compose: topics %+v; want one disputed topic", cur)
	}
	var got []string
	for _, p := range cur[0].Points[:3] {
		got = append(got, p.Sides[0].Text)
	}
	want := []string{
		"Ukraine accused Russia of resuming strikes on energy infrastructure in the Kherson region.",
		"During the call Putin agreed to stop attacking Ukrainian energy facilities temporarily.",
		"The Russian defence ministry accused Ukraine of breaking the pause with a drone strike on a gas station in Kursk.",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("first points = %q; want %q", got, want)
	}
}

// TestKeywordMergerJoinsByPoints: a small topic whose name says little
// ("Limited pause", from an article's opening paragraph) joins the topic
// most of its points name; a topic with a subject of its own stays apart.
func TestKeywordMergerJoinsByPoints(t *testing.T) {
	energy := MergeTopic{Name: "Energy facility attacks", Points: []string{
		"During the call Putin agreed to stop attacking Ukrainian energy facilities temporarily.",
		"Peskov accused Ukraine of not respecting the 30-day moratorium.",
	}}
	blackSea := MergeTopic{Name: "Black Sea talks", Source: 1, Points: []string{
		"Delegations agreed to continue technical talks on the safety of commercial shipping in the Black Sea.",
		"No agreement on a maritime ceasefire was announced on Monday.",
	}}
	tests := []struct {
		name  string
		topic MergeTopic
		with  string // name of the group it must end in; "" for its own
	}{
		{"opening paragraph of day 2", MergeTopic{Name: "Limited Pause", Source: 1, Points: []string{
			"Five days after Russia and Ukraine signed up to a limited pause in attacks on energy facilities, each side says the other has already broken it, while negotiators in Saudi Arabia are moving on to shipping in the Black Sea.",
		}}, "Energy facility attacks"},
		{"opening paragraph of day 3", MergeTopic{Name: "Separate Pause", Source: 2, Points: []string{
			"After three days of talks in Jeddah, Russia and Ukraine have accepted a ceasefire at sea, but the separate pause on strikes against power stations is in tatters and the hardest questions have not been touched.",
		}}, "Energy facility attacks"},
		{"mostly about shipping", MergeTopic{Name: "Shipping", Source: 2, Points: []string{
			"Insurers said ships in the Black Sea would still pay war-risk premiums.",
			"Ports in the Black Sea reopened to commercial shipping on Wednesday.",
		}}, "Black Sea talks"},
		{"a reaction, once about energy", MergeTopic{Name: "Ukrainian response", Source: 2, Points: []string{
			"Ukraine accused Russia of rejecting the ceasefire proposal, reporting strikes hours after Moscow agreed to pause attacks on energy facilities.",
			"Zelenskyy said Russia launched more than 40 drones, hitting a hospital in Sumy.",
			"Zelenskyy said Putin had de facto rejected the proposal for a complete ceasefire.",
		}}, ""},
		{"names no word of the subject", MergeTopic{Name: "Sanctions relief", Source: 2, Points: []string{
			"Lifting sanctions would not depend on the strikes on energy facilities.",
		}}, ""},
		{"too big to join", MergeTopic{Name: "Grid repairs", Source: 2, Points: []string{
			"Engineers repaired energy facilities hit by attacks in Kharkiv.",
			"Energy facilities in Odesa were repaired after attacks.",
			"Attacks on energy facilities left Dnipro without power.",
			"Repairs to energy facilities after attacks will take weeks.",
			"Attacks on energy facilities damaged the grid in Sumy.",
			"Crews said energy facilities repaired after attacks were hit again.",
			"Attacks on energy facilities continued overnight.",
		}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topics := []MergeTopic{energy, blackSea, tt.topic}
			groups, err := KeywordMerger{}.Merge(context.Background(), topics)
			if err != nil {
				t.Fatal(err)
			}
			groups, _, _ = verifyGroups(topics, groups)
			got := ""
			for _, g := range groups {
				for _, m := range g.Members {
					if m == 2 && len(g.Members) > 1 {
						got = g.Name
						if got == "" {
							got = topics[g.Members[0]].Name
						}
					}
				}
			}
			if got != tt.with {
				t.Errorf("Merge(%q) joined %q; want %q (groups %v)", tt.topic.Name, got, tt.with, groups)
			}
		})
	}
}
