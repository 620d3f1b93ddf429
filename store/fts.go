package store

// This file holds everything specific to SQLite's FTS5 (the topic_fts table
// of migration 002). A server database replaces these four pieces.

import (
	"context"
	"database/sql"
	"strings"
)

// ftsMatchCTE selects (topic_id, tier, score) for the topics matching the
// second bound FTS5 expression (the search with synonyms). tier is 0 when
// the topic also matches the first (the user's own words) and 1 when only a
// synonym matched; score is bm25, lower is better, with a name match
// weighing four times a match in the point texts.
const ftsMatchCTE = `SELECT rowid AS topic_id,
		CASE WHEN rowid IN (SELECT rowid FROM topic_fts WHERE topic_fts MATCH ?) THEN 0 ELSE 1 END AS tier,
		bm25(topic_fts, 4.0, 1.0) AS score
	FROM topic_fts WHERE topic_fts MATCH ?`

// ftsDeleteSummary removes the search entries of a summary's topics.
func ftsDeleteSummary(ctx context.Context, tx *sql.Tx, summaryID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM topic_fts
		WHERE rowid IN (SELECT id FROM summary_topics WHERE summary_id = ?)`, summaryID)
	return err
}

// ftsInsertTopic adds the search entry of topic id.
func ftsInsertTopic(ctx context.Context, tx *sql.Tx, id int64, name, points string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO topic_fts (rowid, name, points) VALUES (?, ?, ?)`,
		id, name, points)
	return err
}

// ftsExpr renders term groups as an FTS5 query (without synonyms when
// literal is set): each phrase quoted, the
// alternatives of a group joined by OR, the groups by AND, a prefix star
// after the user's own forms in the last group. Phrases hold only letters,
// digits and spaces (see parseQuery), so they cannot close their quotes,
// and the operators and stars in the result are only the ones written here.
func ftsExpr(groups []termGroup, literal bool) string {
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		alts := make([]string, 0, len(g.alts))
		for i, a := range g.alts {
			if literal && i >= g.own {
				break
			}
			p := `"` + strings.ReplaceAll(strings.Join(a, " "), `"`, `""`) + `"`
			if i < g.own && g.prefix {
				p += "*"
			}
			alts = append(alts, p)
		}
		if len(alts) == 1 {
			parts = append(parts, alts[0])
		} else {
			parts = append(parts, "("+strings.Join(alts, " OR ")+")")
		}
	}
	return strings.Join(parts, " AND ")
}
