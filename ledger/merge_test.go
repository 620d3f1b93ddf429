package ledger

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestComposeMergesNames: the same topic under different names is one
// topic; different subjects sharing a generic word are not.
func TestComposeMergesNames(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"Ceasefire", "Truce", true},
		{"Full temporary ceasefire", "30-day ceasefire", true},
		{"Ceasefire", "Cease-fire", true},
		{"Energy facility attacks", "Energy strikes", true},
		{"Energy infrastructure ceasefire", "Energy facility attacks", true},
		{"Black Sea", "Maritime ceasefire in the Black Sea", true},
		{"Prisoner exchange", "POW swap", true},
		{"Territory", "Territorial concessions", true},
		{"Troop withdrawal", "Pullout of forces", true},
		{"Power station strikes", "Energy infrastructure attacks", true},
		{"Kyiv's demands", "Ukrainian conditions", true},
		{"Oil embargo", "Oil sanctions", true},
		{"Oil embargo", "Arms embargo", false},
		{"Energy ceasefire", "Ceasefire", false},
		{"Black Sea ceasefire", "Ceasefire", false},
		{"Future talks", "Jeddah talks", false},
		{"Ukrainian response", "International response", false},
		{"Aid", "Territory", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			groups, err := KeywordMerger{}.Merge(context.Background(), []MergeTopic{{Name: tt.a}, {Name: tt.b, Source: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(groups) == 1; got != tt.same {
				t.Errorf("Merge(%q, %q) same = %v; want %v (similarity %.2f)", tt.a, tt.b, got, tt.same,
					similarity(contentWords(tt.a), contentWords(tt.b)))
			}
		})
	}
}

// scriptedMerger answers with fixed groups, or an error.
type scriptedMerger struct {
	groups []TopicGroup
	err    error
}

func (m scriptedMerger) Merge(context.Context, []MergeTopic) ([]TopicGroup, error) {
	return m.groups, m.err
}

// TestComposeVerifiesMerger: a Merger may regroup, but indices it
// invents are dropped, names not backed by the articles are replaced,
// topics it forgets are kept, and a failing Merger falls back to keywords.
func TestComposeVerifiesMerger(t *testing.T) {
	shares := sharesOf(t, time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC), "2-seed-cgtn", "2-kyiv-breach")
	slot := time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC)
	base := composeInput{Shares: shares, Slot: slot, Since: slot.Add(-24 * time.Hour)}

	keyword, err := compose(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("failing merger falls back", func(t *testing.T) {
		in := base
		in.Merger = scriptedMerger{err: errors.New("model down")}
		led, err := compose(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := fmt.Sprint(names(led)), fmt.Sprint(names(keyword)); g != w {
			t.Errorf("topics = %s; want the keyword merge %s", g, w)
		}
		if len(led.Notes) == 0 {
			t.Errorf("Notes empty; want a note that the model was unavailable")
		}
	})

	t.Run("unbacked answer", func(t *testing.T) {
		in := base
		// The seed's topics are 0–6, the Kyiv article's 7–9. An invented
		// name, an index out of range and a repeated index (0).
		in.Merger = scriptedMerger{groups: []TopicGroup{
			{Name: "Nuclear deal signed", Members: []int{0, 8, 99}},
			{Name: "Energy", Members: []int{2, 7, 0}},
		}}
		led, err := compose(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if topicByName(led, "Nuclear deal signed") != nil {
			t.Errorf("topics %v include the invented name", names(led))
		}
		if topicByName(led, "Energy") == nil {
			t.Errorf("topics %v lack the backed name %q", names(led), "Energy")
		}
		// Every article topic is still somewhere: count points.
		if g, w := countPoints(led), countPoints(keyword); g != w {
			t.Errorf("points kept = %d; want %d (nothing dropped)", g, w)
		}
		if len(led.Notes) == 0 {
			t.Errorf("Notes empty; want a note that part of the grouping was left out")
		}
	})
}
