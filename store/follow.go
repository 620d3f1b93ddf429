package store

import (
	"context"
	"fmt"
)

// SharedArticleCount returns how many distinct articles have been shared
// in the server: the "N sources so far" of an /ask it cannot answer.
func (db *DB) SharedArticleCount(ctx context.Context, guildID string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(DISTINCT url) FROM shares WHERE guild_id = ?`, guildID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count shared articles: %w", err)
	}
	return n, nil
}
