package store_test

import (
	"briefbot/bot"
	"briefbot/store"
)

// *store.DB is what main passes bot for each of these.
var (
	_ bot.Shares          = (*store.DB)(nil)
	_ bot.StoredSummaries = (*store.DB)(nil)
	_ bot.Settings        = (*store.DB)(nil)
	_ bot.Usage           = (*store.DB)(nil)
)
