package schedule_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// loadArticle reads a ledger written for the tests (ledger/testdata:
// articles, then the test day's).
func loadArticle(t testing.TB, name string) *summarize.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "ledger", "testdata", "articles", name+".json"))
	if errors.Is(err, os.ErrNotExist) {
		b, err = os.ReadFile(filepath.Join("..", "ledger", "testdata", "day", name+".json"))
	}
	if err != nil {
		t.Fatal(err)
	}
	var s summarize.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i := range s.Topics {
		s.Topics[i].Key = summarize.TopicKey(s.Topics[i].Name)
	}
	return &s
}

// Names of package ledger the briefing tests use.
type (
	Ledger        = ledger.Ledger
	LedgerTopic   = ledger.Topic
	Change        = ledger.Change
	TopicGroup    = ledger.TopicGroup
	MergeTopic    = ledger.MergeTopic
	KeywordMerger = ledger.KeywordMerger
)

const (
	ChangeNew      = ledger.ChangeNew
	ChangeStatus   = ledger.ChangeStatus
	ChangeResolved = ledger.ChangeResolved
	LedgerVersion  = ledger.Version
)

// composeInput is what post() gives ledger.Build.
type composeInput = ledger.Input

func compose(ctx context.Context, in composeInput) (*Ledger, error) {
	return ledger.Build(ctx, in)
}

// maxTestLines is the lines of one message of textRender: a day of a
// few articles takes more than one message.
const maxTestLines = 10

// textRender is the scheduler tests' Render: plain lines (a title, the
// count of articles, the late note, a line per current topic with its
// source titles and per change), maxTestLines to a message, each with its
// footer. Package bot's rendering is tested there.
func textRender(led *ledger.Ledger, h schedule.Header, footer func(i, n int) string) []string {
	title := "Daily briefing"
	if h.Manual {
		title = "Briefing"
	}
	lines := []string{title + " · " + h.Slot.In(h.Loc).Format("Mon 2 Jan 2006, 15:04") + " (" + h.Loc.String() + ")"}
	switch {
	case led.Articles == 0:
		lines[0] += " · No links were shared since the last briefing."
	default:
		lines = append(lines, fmt.Sprintf("%d new articles.", led.Articles))
	}
	if h.Late {
		lines = append(lines, "_Posted late: it was due at "+h.Slot.In(h.Loc).Format("15:04")+"._")
	}
	for _, t := range led.Current() {
		var titles []string
		for _, p := range t.Points {
			for _, sd := range p.Sides {
				for _, n := range sd.Sources {
					titles = append(titles, led.Sources[n-1].Title+" · "+led.Sources[n-1].Site)
				}
			}
		}
		lines = append(lines, fmt.Sprintf("• %s: %s (%s)", t.Name, t.Status, strings.Join(titles, "; ")))
	}
	for _, c := range led.Changes {
		lines = append(lines, fmt.Sprintf("~ %s %s: %s → %s", c.Kind, c.Topic, c.From, c.To))
	}
	var msgs []string
	n := (len(lines) + maxTestLines - 1) / maxTestLines
	for i := 0; i < n; i++ {
		part := lines[i*maxTestLines : min(len(lines), (i+1)*maxTestLines)]
		msgs = append(msgs, strings.Join(part, "\n")+"\n"+footer(i+1, n))
	}
	return msgs
}

// Store is every store interface of the scheduler: *store.DB, or a test's
// wrapper of it.
type Store interface {
	schedule.Schedules
	schedule.Claims
	schedule.History
	schedule.Shares
	schedule.Settings
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
