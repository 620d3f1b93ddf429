package schedule

import (
	"encoding/json"
	"fmt"
	"time"

	"briefbot/summarize"
)

// LedgerVersion is the shape of Ledger stored with each briefing. A stored
// ledger of another version is ignored when diffing (the briefing then
// reports no changes rather than wrong ones).
const LedgerVersion = 1

// Ledger is a briefing's merged ledger: what its articles said, topic by
// topic, and what changed since the previous briefing. It is stored as
// JSON with the briefing (store.Briefing.Ledger) so the next briefing can
// diff against it and /briefing status can show it.
type Ledger struct {
	Version int       `json:"version"`
	Slot    time.Time `json:"slot"`  // the briefing's scheduled time
	Since   time.Time `json:"since"` // start of its window of shares
	// Articles is the number of distinct articles shared in the window.
	Articles int            `json:"articles"`
	Sources  []LedgerSource `json:"sources"`
	// Topics are this briefing's topics, in display order, followed by
	// topics carried from earlier briefings (Carried), which keep the last
	// known status of subjects nobody shared about this time.
	Topics  []LedgerTopic `json:"topics"`
	Changes []Change      `json:"changes"`
	// First is true when there was no previous ledger to diff against.
	First bool `json:"first,omitempty"`
	// Notes say how the ledger was made when that matters to a reader
	// ("Topics were merged without the model: it was unavailable.").
	Notes []string `json:"notes,omitempty"`
}

// LedgerSource is one article cited by the ledger's points. Sources are
// listed from the oldest article to the newest.
type LedgerSource struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Site  string `json:"site"`
	// Published is the article's date, when it is known.
	Published time.Time `json:"published,omitzero"`
}

// LedgerTopic is one subject, merged across articles.
type LedgerTopic struct {
	// Key is the topic's content words (see contentWords), space-separated.
	Key  string `json:"key"`
	Name string `json:"name"`
	// Status is read from its articles over time (see LedgerPoint):
	// disputed once any of its points is; otherwise the newest articles
	// about it decide: agreed if all their points are, else unresolved.
	Status summarize.Status `json:"status"`
	// Aliases are the keys of every name merged into the topic, so a later
	// briefing recognises the topic under any of them.
	Aliases []string `json:"aliases"`
	// Articles is the number of articles that discuss the topic.
	Articles int `json:"articles,omitempty"`
	// Points are the topic's merged points, most telling first (what
	// decides the status, then the newest articles'); at most
	// maxLedgerPoints are kept.
	Points []LedgerPoint `json:"points,omitempty"`
	// MorePoints counts the points left out of Points.
	MorePoints int       `json:"more_points,omitempty"`
	LastSeen   time.Time `json:"last_seen"`
	Carried    bool      `json:"carried,omitempty"`
}

// LedgerPoint is one claim merged across articles, with a side per status
// its articles gave it. Its Status is that of the newest report (a later
// agreement resolves an earlier open point), except that an accusation of
// breach, or articles of the same time disagreeing, make it disputed, and
// a dispute stands against later reports.
type LedgerPoint struct {
	Status summarize.Status `json:"status"`
	Sides  []LedgerSide     `json:"sides"`
}

// LedgerSide is what some articles say about a point, with one status.
type LedgerSide struct {
	Status summarize.Status `json:"status"`
	Text   string           `json:"text"`
	// Sources are 1-based indices into Ledger.Sources: the first
	// maxLedgerRefs articles making the point; MoreSources counts the rest.
	Sources     []int    `json:"sources"`
	MoreSources int      `json:"more_sources,omitempty"`
	Actors      []string `json:"actors,omitempty"`
	// Superseded marks history: what older articles said before newer
	// ones replaced it (unresolved, then agreed).
	Superseded bool `json:"superseded,omitempty"`
}

// ChangeKind says how a topic changed since the previous briefing.
type ChangeKind string

// Kinds of change.
const (
	ChangeNew      ChangeKind = "new"      // not in the previous ledger
	ChangeStatus   ChangeKind = "changed"  // status changed
	ChangeResolved ChangeKind = "resolved" // unresolved or disputed → agreed
)

// Change is one line of "What changed".
type Change struct {
	Kind  ChangeKind       `json:"kind"`
	Topic string           `json:"topic"`
	From  summarize.Status `json:"from,omitempty"`
	To    summarize.Status `json:"to"`
}

// DecodeLedger reads a ledger stored by this package. It returns nil and
// no error for an empty one (a skipped briefing has none).
func DecodeLedger(b []byte) (*Ledger, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var l Ledger
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("schedule: decode ledger: %w", err)
	}
	if l.Version != LedgerVersion {
		return nil, fmt.Errorf("schedule: decode ledger: version %d, want %d", l.Version, LedgerVersion)
	}
	return &l, nil
}

// Current returns the topics of the ledger's own articles (not carried).
func (l *Ledger) Current() []LedgerTopic {
	var out []LedgerTopic
	for _, t := range l.Topics {
		if !t.Carried {
			out = append(out, t)
		}
	}
	return out
}
