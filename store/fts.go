package store

// This file holds everything specific to SQLite's FTS5 (the topic_fts table
// of migration 002). PostgreSQL's counterparts are in postgres.go; the
// dialect (dialect.go) picks one or the other.

import (
	"context"
	"database/sql"
	"strings"
)

// ftsMatchCTEs defines the CTE m(topic_id, tier, score): the topics of
// articles shared in the server that match the second bound FTS5
// expression (the search with synonyms); the first is the same search
// with the user's own words only. It binds the two expressions, then the
// guild and the pool size twice. tier orders the hits by where the words
// were found:
//
//	0  the topic's name holds the words as typed
//	1  the name holds them, some only through a synonym ("truce" for "ceasefire")
//	2  the words as typed are found, but not all in the name
//	3  only synonyms are found, not all in the name
//
// so a topic named for the subject comes before one that mentions it in
// passing, however often. score is bm25 (lower is better): of the name
// alone in tiers 0 and 1, of the name and the point texts in tiers 2
// and 3, a word in the name weighing nameWeight times one in the points;
// it orders hits within a tier.
//
// The work is bounded by the pool, not by the server's history: pn walks
// the topics whose name matches from the newest (FTS5 hands out rowids
// in descending order without sorting) and keeps the first pool that
// the server shared; pt does the same over every match. Only those are
// scored, each by a scan of the index from the pool's oldest rowid. The
// newest topics whose name matches all stand in pn, so a topic of pt
// that is not in pn does not match by name (pn's LIMIT is pt's). When
// the server has fewer matching topics than the pool, that is every one
// of them; when it has more, the lookup ranks its newest. The name-only
// searches wrap the bound expressions in an FTS5 column filter; the
// expressions are built by ftsExpr, whose phrases are quoted, so the
// wrapping parentheses always balance.
var ftsMatchCTEs = `q AS (SELECT ? AS lit, ? AS full),
	pn AS MATERIALIZED (` + ftsPool(`'{name} : (' || full || ')'`) + `),
	pt AS MATERIALIZED (` + ftsPool(`full`) + `),
	m AS (
		SELECT rowid AS topic_id,
			CASE WHEN rowid IN (SELECT rowid FROM topic_fts
				WHERE topic_fts MATCH (SELECT '{name} : (' || lit || ')' FROM q)
					AND rowid >= (SELECT MIN(id) FROM pn)) THEN 0 ELSE 1 END AS tier,
			bm25(topic_fts, ` + nameWeight + `, 1.0) AS score
		FROM topic_fts
		WHERE topic_fts MATCH (SELECT '{name} : (' || full || ')' FROM q)
			AND rowid >= (SELECT MIN(id) FROM pn) AND +rowid IN pn
		UNION ALL
		SELECT rowid,
			CASE WHEN rowid IN (SELECT rowid FROM topic_fts
				WHERE topic_fts MATCH (SELECT lit FROM q)
					AND rowid >= (SELECT MIN(id) FROM pt)) THEN 2 ELSE 3 END,
			bm25(topic_fts, ` + nameWeight + `, 1.0)
		FROM topic_fts
		WHERE topic_fts MATCH (SELECT full FROM q)
			AND rowid >= (SELECT MIN(id) FROM pt) AND +rowid IN pt AND +rowid NOT IN pn)`

// ftsPool selects the newest topics matching the FTS5 expression expr
// (over q's columns) that the bound guild shared, at most the bound pool
// size: FTS5 hands out the rowids newest first, and the walk stops at the
// LIMIT.
func ftsPool(expr string) string {
	return `SELECT f.rowid AS id FROM topic_fts f CROSS JOIN summary_topics st CROSS JOIN summaries s
		WHERE f.topic_fts MATCH (SELECT ` + expr + ` FROM q)
			AND st.id = f.rowid AND s.id = st.summary_id AND ` + sharedInGuild + `
		ORDER BY f.rowid DESC LIMIT ?`
}

// nameWeight is how much more a word in a topic's name counts for bm25
// than the same word in its point texts: a name is a few words chosen to
// say what the topic is, point texts are sentences that mention other
// subjects in passing. At 10, one name match outweighs a word repeated in
// several points.
const nameWeight = "10.0"

// ftsDeleteSQL binds a summary's id.
const ftsDeleteSQL = `DELETE FROM topic_fts
	WHERE rowid IN (SELECT id FROM summary_topics WHERE summary_id = ?)`

// ftsInsertSQL binds a topic's id, its name and its point texts.
const ftsInsertSQL = `INSERT INTO topic_fts (rowid, name, points) VALUES (?, ?, ?)`

// ftsDeleteSummary removes the search entries of a summary's topics, in
// tx, through the statement prepared at Open.
func (db *DB) ftsDeleteSummary(ctx context.Context, tx *sql.Tx, summaryID int64) error {
	_, err := tx.StmtContext(ctx, db.ftsDelete).ExecContext(ctx, summaryID)
	return err
}

// ftsInsertTopic adds the search entry of topic id, in tx, through the
// statement prepared at Open.
func (db *DB) ftsInsertTopic(ctx context.Context, tx *sql.Tx, id int64, name, points string) error {
	_, err := tx.StmtContext(ctx, db.ftsInsert).ExecContext(ctx, id, db.d.ftsText(name), db.d.ftsText(points))
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
