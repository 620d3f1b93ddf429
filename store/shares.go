package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"briefbot/ledger"
	"briefbot/summarize"
)

// RecordShare records that sh.URL's summary was shown in a server. A zero
// At means now. Recording the same message's share of the same summary
// again changes nothing.
func (db *DB) RecordShare(ctx context.Context, sh ledger.Share) error {
	if sh.GuildID == "" || sh.URL == "" {
		return errors.New("store: record share: share without guild or URL")
	}
	at := sh.At
	if at.IsZero() {
		at = time.Now()
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, db.recordShare).ExecContext(ctx,
			sh.GuildID, sh.ChannelID, sh.MessageID, sh.UserID, sh.URL, sh.Engine, sh.Model,
			sh.PromptVersion, toMS(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record share %s: %w", sh.URL, err)
	}
	return nil
}

// briefCols are the columns of a summary that a briefing shows, in the
// order scanBriefed reads them: the quotes column is not among them.
const briefCols = `s.url, s.final_url, s.title, s.site, s.published_ms,
	s.engine, s.model, s.prompt_version, s.topics`

// scanBriefed reads briefCols, then extra, into a summary whose points
// have no quotes (but for rows stored with them inside their topics).
func scanBriefed(sc scanner, extra ...any) (*summarize.Summary, error) {
	var (
		s         summarize.Summary
		published int64
		topics    []byte
	)
	dest := []any{&s.URL, &s.FinalURL, &s.Title, &s.Site, &published,
		&s.Engine, &s.Model, &s.PromptVersion, &topics}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	s.Published = fromMS(published)
	if err := json.Unmarshal(topics, &s.Topics); err != nil {
		return nil, fmt.Errorf("topics of %s: %w", s.URL, err)
	}
	s.Cached = true
	return &s, nil
}

const recordShareSQL = `INSERT INTO shares
	(guild_id, channel_id, message_id, user_id, url, engine, model, prompt_version, at_ms)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT DO NOTHING`

// SharedSummaries returns the summaries shared in the server in [since,
// until), one per distinct summary with its earliest share in the window,
// ordered by that share's time. A zero until means no upper bound. Shares
// whose summary is no longer stored are left out.
//
// The summaries are what a briefing shows of them (briefCols): their
// points come without quotes, and notes, usage, language, quality and
// the like are not read. A briefing reads every summary of the day, and
// decoding stored topics was two thirds of that read.
func (db *DB) SharedSummaries(ctx context.Context, guildID string, since, until time.Time) ([]ledger.SharedSummary, error) {
	hi := int64(math.MaxInt64)
	if !until.IsZero() {
		hi = until.UnixMilli()
	}
	rows, err := db.r.QueryContext(ctx, `WITH first AS (
			SELECT channel_id, message_id, user_id, url, engine, model, prompt_version, at_ms,
				ROW_NUMBER() OVER (PARTITION BY url, engine, model, prompt_version
					ORDER BY at_ms, channel_id, message_id, user_id) AS n
			FROM shares WHERE guild_id = ? AND at_ms >= ? AND at_ms < ?
		)
		SELECT `+briefCols+`, f.channel_id, f.message_id, f.user_id, f.at_ms
		FROM first f JOIN summaries s ON s.url = f.url AND s.engine = f.engine
			AND s.model = f.model AND s.prompt_version = f.prompt_version
		WHERE f.n = 1
		ORDER BY f.at_ms, s.url, s.engine, s.model, s.prompt_version`,
		guildID, since.UnixMilli(), hi)
	if err != nil {
		return nil, fmt.Errorf("store: shared summaries: %w", err)
	}
	defer rows.Close()
	var out []ledger.SharedSummary
	for rows.Next() {
		var (
			sh ledger.Share
			at int64
		)
		s, err := scanBriefed(rows, &sh.ChannelID, &sh.MessageID, &sh.UserID, &at)
		if err != nil {
			return nil, fmt.Errorf("store: shared summaries: %w", err)
		}
		sh.GuildID = guildID
		sh.URL, sh.Engine, sh.Model, sh.PromptVersion = s.URL, s.Engine, s.Model, s.PromptVersion
		sh.At = fromMS(at)
		out = append(out, ledger.SharedSummary{Share: sh, Summary: s})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: shared summaries: %w", err)
	}
	return out, nil
}

// defaultTopicLimit is Discord's cap on autocomplete choices, and a screen
// of /topic hits.
const defaultTopicLimit = 25

// sharedInGuild holds when summary s has a share in the bound guild: one
// probe of shares_guild_summary_at.
const sharedInGuild = `EXISTS (SELECT 1 FROM shares sh WHERE sh.guild_id = ? AND sh.url = s.url
	AND sh.engine = s.engine AND sh.model = s.model AND sh.prompt_version = s.prompt_version)`

// topicPool is how many of a server's newest matching topics a lookup
// ranks at least (see ftsMatchCTEs), twice its limit when that is more:
// enough that a server's history up to this many hits is searched
// whole, few enough that a lookup costs the same at any history size.
const topicPool = 250

// searchTopicsSQL returns the search for d, which binds d.matchArgs, the
// guild, the limit, and the guild twice.
//
// It starts from the pooled matching topics (ftsMatchCTEs) and looks up,
// per matching summary, the server's latest share of it (one probe of
// shares_guild_summary_at, which ends in at_ms); the first share of the
// articles shown is looked up last, and so are their titles and stored
// topics. The hits are joined in the order written (CROSS JOIN, which
// SQLite keeps and PostgreSQL plans freely): from the match to its topic
// row and summary by primary key. The first share is MIN(at_ms + 0), not
// MIN(at_ms): on a bare column SQLite walks shares_guild_at from the
// server's oldest share until it meets the URL, where the expression has
// it read the URL's own few shares through shares_guild_summary_at.
func searchTopicsSQL(d *dialect) string {
	return `WITH ` + d.ftsMatchCTEs + `,
	hit AS MATERIALIZED (
		SELECT m.tier, m.score, st.idx, st.topic_key, s.id AS sid, s.url,
			(SELECT MAX(sh.at_ms) FROM shares sh WHERE sh.guild_id = ? AND sh.url = s.url
				AND sh.engine = s.engine AND sh.model = s.model
				AND sh.prompt_version = s.prompt_version) AS last_ms
		FROM m CROSS JOIN summary_topics st CROSS JOIN summaries s
		WHERE st.id = m.topic_id AND s.id = st.summary_id
	),
	best AS (
		SELECT tier, score, idx, sid, url, last_ms,
			ROW_NUMBER() OVER (PARTITION BY url, topic_key
				ORDER BY tier, score, last_ms DESC, sid) AS n
		FROM hit WHERE last_ms IS NOT NULL
	),
	top AS (
		SELECT tier, score, idx, sid, url, last_ms FROM best WHERE n = 1
		ORDER BY tier, score, last_ms DESC, url, idx
		LIMIT ?
	)
	SELECT t.tier, t.score, t.idx, t.url, s.title, s.site, s.topics, s.quotes,
		(SELECT MIN(a.at_ms + 0) FROM shares a WHERE a.guild_id = ? AND a.url = t.url) AS first_ms,
		s.published_ms,
		(SELECT COUNT(*) FROM shares p WHERE p.guild_id = ? AND p.url = t.url
			AND p.user_id NOT LIKE '` + ledger.FeedUserPrefix + `%') AS by_people
	FROM top t CROSS JOIN summaries s
	WHERE s.id = t.sid
	ORDER BY t.tier, t.score, t.last_ms DESC, t.url, t.idx`
}

// SearchTopics finds the topics of the articles shared in the server whose
// name or point texts match the words of query: every word must match (as
// typed, stemmed, or through a synonym such as truce/ceasefire), the last
// one also as a prefix unless it is a word of the index (settlePrefix).
// It returns one hit per (article, topic): topics whose name holds the
// words come first (as typed, then through synonyms), then those found
// only in point text; within each tier bm25, with names weighted 10×,
// then the most recent share. Only the server's newest matching topics
// are ranked (topicPool, see ftsMatchCTEs), so that a lookup costs the
// same at any history size. limit ≤ 0 means 25. A query with no letters
// or digits finds nothing.
func (db *DB) SearchTopics(ctx context.Context, guildID, query string, limit int) ([]ledger.TopicHit, error) {
	groups := parseQuery(query)
	if len(groups) == 0 {
		return nil, nil
	}
	if err := db.settlePrefix(ctx, groups); err != nil {
		return nil, fmt.Errorf("store: search topics %q: %w", query, err)
	}
	limit = limitOr(limit, defaultTopicLimit)
	pool := max(topicPool, 2*limit)
	args := append(db.d.matchArgs(db.d.ftsQuery(groups, true), db.d.ftsQuery(groups, false), guildID, pool),
		guildID, limit, guildID, guildID)
	var rows *sql.Rows
	var err error
	if db.d.planEachCall != nil {
		rows, err = db.r.QueryContext(ctx, db.searchSQL, append(slices.Clip(db.d.planEachCall), args...)...)
	} else {
		rows, err = db.searchTopics.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("store: search topics %q: %w", query, err)
	}
	defer rows.Close()
	var out []ledger.TopicHit
	for rows.Next() {
		var (
			h        ledger.TopicHit
			tier     int
			score    float64
			idx      int
			topics   []byte
			quotes   []byte
			firstMS  int64
			pubMS    int64
			byPeople int
		)
		if err := rows.Scan(&tier, &score, &idx, &h.URL, &h.Title, &h.Site, &topics, &quotes, &firstMS, &pubMS, &byPeople); err != nil {
			return nil, fmt.Errorf("store: search topics %q: %w", query, err)
		}
		var ts []summarize.Topic
		if err := unmarshalTopics(topics, quotes, &ts); err != nil {
			return nil, fmt.Errorf("store: search topics: topics of %s: %w", h.URL, err)
		}
		if idx < 0 || idx >= len(ts) {
			return nil, fmt.Errorf("store: search topics: topic %d of %s missing", idx, h.URL)
		}
		h.Topic = ts[idx]
		h.Rank = rank(tier, score)
		h.SharedAt = fromMS(firstMS)
		h.Published = fromMS(pubMS)
		h.ViaFeed = byPeople == 0
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search topics %q: %w", query, err)
	}
	return out, nil
}

// settlePrefix searches the query's last word as a whole word, not also
// as a prefix, when the user's own forms of it are words of the index:
// the word was finished. A prefix search merges the postings of every
// word it begins before it returns a first match (FTS5 and GIN alike),
// which for the subject a server follows costs more than the rest of the
// lookup; an unfinished word ("terr") is still searched as a prefix.
func (db *DB) settlePrefix(ctx context.Context, groups []termGroup) error {
	last := &groups[len(groups)-1]
	if !last.prefix {
		return nil
	}
	word := *last
	word.prefix = false
	var found bool
	if err := db.r.QueryRowContext(ctx, db.d.ftsAnySQL, db.d.ftsQuery([]termGroup{word}, true)).Scan(&found); err != nil {
		return err
	}
	last.prefix = !found
	return nil
}

// namesFromShares is how many of a server's newest shares autocomplete
// draws topic names from: a server's recent subjects are the ones worth
// suggesting, and reading them costs the same at any history size
// (every share of 100,000: 200–500 ms a keystroke). /topic itself still
// searches the whole history.
const namesFromShares = 2000

// topicNamesSQL binds the guild, namesFromShares and a LIKE pattern on
// the lower-cased name. The newest shares come from shares_guild_at.
const topicNamesSQL = `WITH recent AS (
		SELECT url, engine, model, prompt_version, at_ms FROM shares
		WHERE guild_id = ? ORDER BY at_ms DESC LIMIT ?
	)
	SELECT st.name, st.topic_key, MAX(sh.at_ms) AS last_ms
	FROM recent sh
	JOIN summaries s ON s.url = sh.url AND s.engine = sh.engine
		AND s.model = sh.model AND s.prompt_version = sh.prompt_version
	JOIN summary_topics st ON st.summary_id = s.id
	WHERE LOWER(st.name) LIKE ?
	GROUP BY st.name, st.topic_key
	ORDER BY last_ms DESC, st.name`

// TopicNames returns distinct names of topics of the articles among the
// server's newest namesFromShares shares, most recently shared first, for
// autocomplete. A non-empty prefix
// must begin one of the name's words ("fac" finds "Energy facility
// attacks"; case, hyphens and punctuation are ignored). Names that differ
// only in form (summarize.TopicKey) appear once, in their latest spelling.
// limit ≤ 0 means 25.
func (db *DB) TopicNames(ctx context.Context, guildID, prefix string, limit int) ([]string, error) {
	limit = limitOr(limit, defaultTopicLimit)
	want := strings.Join(tokens(prefix), " ")
	// Narrow in SQL by the first word where LOWER and LIKE agree with Go
	// (ASCII); the word-boundary check is done below.
	like := "%"
	if first, _, _ := strings.Cut(want, " "); first != "" && isASCII(first) {
		like = "%" + first + "%"
	}
	rows, err := db.topicNames.QueryContext(ctx, guildID, namesFromShares, like)
	if err != nil {
		return nil, fmt.Errorf("store: topic names: %w", err)
	}
	defer rows.Close()
	var out []string
	seen := map[string]bool{}
	for len(out) < limit && rows.Next() {
		var (
			name, key string
			last      int64
		)
		if err := rows.Scan(&name, &key, &last); err != nil {
			return nil, fmt.Errorf("store: topic names: %w", err)
		}
		norm := strings.Join(tokens(name), " ")
		if want != "" && !strings.HasPrefix(norm, want) && !strings.Contains(norm, " "+want) {
			continue
		}
		if key == "" {
			key = norm
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: topic names: %w", err)
	}
	return out, nil
}

// rank folds a hit's tier and bm25 score (≤ 0) into one number that sorts
// the same way: tier t maps into (t-1, t].
func rank(tier int, score float64) float64 {
	return float64(tier) + score/(1-score)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// maxMessageShares bounds MessageSummaries: a message shares a few links
// (the bot reads at most a handful of one message).
const maxMessageShares = 20

// MessageSummaries returns the summaries shared in the server by one
// message (or command, by its interaction ID), in share order, at most
// maxMessageShares. Shares whose summary is no longer stored are left
// out; none at all is an empty answer, not an error.
func (db *DB) MessageSummaries(ctx context.Context, guildID, messageID string) ([]ledger.SharedSummary, error) {
	if guildID == "" || messageID == "" {
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+summaryCols+`, sh.channel_id, sh.user_id, sh.at_ms
		FROM shares sh JOIN summaries s ON s.url = sh.url AND s.engine = sh.engine
			AND s.model = sh.model AND s.prompt_version = sh.prompt_version
		WHERE sh.guild_id = ? AND sh.message_id = ?
		ORDER BY sh.at_ms, s.url LIMIT ?`, guildID, messageID, maxMessageShares)
	if err != nil {
		return nil, fmt.Errorf("store: message summaries: %w", err)
	}
	defer rows.Close()
	var out []ledger.SharedSummary
	for rows.Next() {
		sh := ledger.Share{GuildID: guildID, MessageID: messageID}
		var at int64
		s, err := scanSummary(rows, &sh.ChannelID, &sh.UserID, &at)
		if err != nil {
			return nil, fmt.Errorf("store: message summaries: %w", err)
		}
		sh.URL, sh.Engine, sh.Model, sh.PromptVersion = s.URL, s.Engine, s.Model, s.PromptVersion
		sh.At = fromMS(at)
		out = append(out, ledger.SharedSummary{Share: sh, Summary: s})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: message summaries: %w", err)
	}
	return out, nil
}
