-- feeds are the /feed subscriptions of a server: a feed URL (RSS, Atom or
-- JSON Feed, found from the page the user gave), an optional filter of
-- words, the validators and schedule of polite polling (etag,
-- last_modified, next_ms, failures) and what the last poll found (status,
-- shown by /feed list).
CREATE TABLE IF NOT EXISTS feeds (
    id            INTEGER PRIMARY KEY,
    guild_id      TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    url           TEXT NOT NULL,
    filter        TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    next_ms       INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT '',
    polled_ms     INTEGER NOT NULL DEFAULT 0,
    created_ms    INTEGER NOT NULL,
    UNIQUE (guild_id, url)
);

-- feed_entries are the entries a feed has shown, by a key of their id or
-- link, so each is taken once; summarized_ms is set for those summarized
-- into the server's record (0: seen only, e.g. before the feed was added
-- or not matching its filter), and bounds the entries a day per server.
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id       INTEGER NOT NULL,
    entry_key     TEXT NOT NULL,
    guild_id      TEXT NOT NULL,
    seen_ms       INTEGER NOT NULL,
    summarized_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (feed_id, entry_key)
);
CREATE INDEX IF NOT EXISTS feed_entries_guild ON feed_entries (guild_id, summarized_ms);
