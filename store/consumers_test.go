package store_test

import (
	"briefbot/bot"
	"briefbot/feed"
	"briefbot/store"
)

// *store.DB is what main passes bot for each of these.
var (
	_ bot.Shares          = (*store.DB)(nil)
	_ bot.StoredSummaries = (*store.DB)(nil)
	_ bot.Settings        = (*store.DB)(nil)
	_ bot.Usage           = (*store.DB)(nil)
	_ bot.SourceCounter   = (*store.DB)(nil)
	_ bot.WatchStore      = (*store.DB)(nil)
	_ feed.Store          = (*store.DB)(nil)
	_ feed.Shares         = (*store.DB)(nil)
)
