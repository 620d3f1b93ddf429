// Package ledger merges the topics of the articles a server shared into
// one ledger: topics under different names become one, each with a status
// read over time by one rule (status.go), topics grouped into stories,
// and what changed since the previous ledger. /topic and briefings both
// use it; it renders nothing.
package ledger

import (
	"encoding/json"
	"fmt"
	"time"

	"briefbot/summarize"
)

// Version is the shape of Ledger stored with each briefing. A stored
// ledger of a version this package does not read is ignored when diffing
// (the briefing then reports no changes rather than wrong ones). Version
// 1 ledgers (before stories and states) are read: their topics' statuses
// stand for their states.
const Version = 2

// Ledger is a briefing's merged ledger: what its articles said, topic by
// topic, and what changed since the previous briefing. It is stored as
// JSON with the briefing (schedule.Briefing.Ledger) so the next briefing can
// diff against it and /briefing status can show it.
type Ledger struct {
	Version int       `json:"version"`
	Slot    time.Time `json:"slot"`  // the briefing's scheduled time
	Since   time.Time `json:"since"` // start of its window of shares
	// Articles is the number of distinct new articles shared in the
	// window; Reshared counts those left out because an earlier ledger
	// already covered them.
	Articles int      `json:"articles"`
	Reshared int      `json:"reshared,omitempty"`
	Sources  []Source `json:"sources"`
	// Topics are this briefing's topics, in display order, followed by
	// topics carried from earlier briefings (Carried), which keep the last
	// known status of subjects nobody shared about this time.
	Topics []Topic `json:"topics"`
	// Stories group the current topics by story, biggest first.
	Stories []Story  `json:"stories,omitempty"`
	Changes []Change `json:"changes"`
	// Briefed are the canonical URLs of the articles this ledger and the
	// ones before it covered (newest first, at most maxBriefed): a
	// re-share of one is not news again.
	Briefed []string `json:"briefed,omitempty"`
	// First is true when there was no previous ledger to diff against.
	First bool `json:"first,omitempty"`
	// Notes say how the ledger was made when that matters to a reader
	// ("Topics were merged without the model: it was unavailable.").
	Notes []string `json:"notes,omitempty"`
}

// Source is one article cited by the ledger's points. Sources are
// listed from the oldest article to the newest.
type Source struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Site  string `json:"site"`
	// Published is the article's date, when it is known.
	Published time.Time `json:"published,omitzero"`
	// ViaFeed: a followed feed brought the article in; no person shared
	// it in the window.
	ViaFeed bool `json:"via_feed,omitempty"`
}

// Topic is one subject, merged across articles.
type Topic struct {
	// Key is the topic's content words (see contentWords), space-separated.
	Key  string `json:"key"`
	Name string `json:"name"`
	// Status is read from its articles over time by the status rule
	// (Step), starting from the state the previous ledger left it in.
	Status summarize.Status `json:"status"`
	State  State            `json:"state,omitzero"`
	// Cause is the text of the side that last set the status in this
	// ledger's articles ("" when it was carried), CauseSources its
	// sources.
	Cause        string `json:"cause,omitempty"`
	CauseSources []int  `json:"cause_sources,omitempty"`
	// Aliases are the keys of every name merged into the topic, so a later
	// briefing recognises the topic under any of them.
	Aliases []string `json:"aliases"`
	// Articles is the number of articles that discuss the topic.
	Articles int `json:"articles,omitempty"`
	// Points are the topic's merged points, most telling first (what
	// decides the status, then the newest articles'); at most
	// maxLedgerPoints are kept.
	Points []Point `json:"points,omitempty"`
	// MorePoints counts the points left out of Points.
	MorePoints int       `json:"more_points,omitempty"`
	LastSeen   time.Time `json:"last_seen"`
	Carried    bool      `json:"carried,omitempty"`
}

// Point is one claim merged across articles, with a side per status
// its articles gave it. Its Status is read over time by the status rule
// (Step), from its first report.
type Point struct {
	Status summarize.Status `json:"status"`
	Sides  []Side           `json:"sides"`
}

// Side is what some articles say about a point, with one status.
type Side struct {
	Status summarize.Status `json:"status"`
	Text   string           `json:"text"`
	// Sources are 1-based indices into Ledger.Sources: the first
	// maxLedgerRefs articles making the point; MoreSources counts the rest.
	Sources     []int    `json:"sources"`
	MoreSources int      `json:"more_sources,omitempty"`
	Actors      []string `json:"actors,omitempty"`
	// Superseded marks history: what older articles said before newer
	// ones replaced it (unresolved, then agreed; disputed, then reaffirmed).
	Superseded bool `json:"superseded,omitempty"`
}

// ChangeKind says how a topic changed since the previous briefing.
type ChangeKind string

// Kinds of change.
const (
	ChangeNew      ChangeKind = "new"      // not in the previous ledger
	ChangeStatus   ChangeKind = "changed"  // status changed
	ChangeResolved ChangeKind = "resolved" // unresolved or disputed → agreed
	ChangeQuiet    ChangeKind = "quiet"    // a story of the previous ledger nobody followed up
)

// Change is one line of "What changed".
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Topic is the topic's name; for ChangeQuiet the story's headline.
	Topic string           `json:"topic"`
	From  summarize.Status `json:"from,omitempty"`
	To    summarize.Status `json:"to,omitempty"`
	// Story is the index of the story in Ledger.Stories (-1: none).
	Story int `json:"story"`
	// Quote is the text that set the new status, Sources its sources.
	Quote   string `json:"quote,omitempty"`
	Sources []int  `json:"sources,omitempty"`
}

// Story is the topics of articles about one story.
type Story struct {
	Headline string `json:"headline"`
	// Topics are indices into Ledger.Topics, in display order.
	Topics []int `json:"topics"`
	// Articles is the number of the story's articles; Sources the ledger
	// numbers of its articles that its points cite, oldest first.
	Articles int   `json:"articles"`
	Sources  []int `json:"sources"`
}

// Decode reads a ledger stored by this package. It returns nil and
// no error for an empty one (a skipped briefing has none).
func Decode(b []byte) (*Ledger, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var l Ledger
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("ledger: decode: %w", err)
	}
	if l.Version != Version && l.Version != 1 {
		return nil, fmt.Errorf("ledger: decode: version %d, want %d", l.Version, Version)
	}
	return &l, nil
}

// Current returns the topics of the ledger's own articles (not carried).
func (l *Ledger) Current() []Topic {
	var out []Topic
	for _, t := range l.Topics {
		if !t.Carried {
			out = append(out, t)
		}
	}
	return out
}
