package schedule

import (
	"context"
	"time"

	"briefbot/ledger"
	"briefbot/store"
)

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
type composeInput struct {
	Shares         []store.SharedSummary
	Previous       *Ledger
	Slot, Since    time.Time
	ShowUngrounded bool
	Merger         ledger.Merger
}

func compose(ctx context.Context, in composeInput) (*Ledger, error) {
	return ledger.Build(ctx, ledger.Input{
		Shares: ledgerShares(in.Shares), Previous: in.Previous, Slot: in.Slot, Since: in.Since,
		ShowUngrounded: in.ShowUngrounded, Merger: in.Merger,
	})
}
