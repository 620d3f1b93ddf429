-- usage counts, per server and UTC day, the summaries briefbot answered
-- and what the language model cost for them, one row per article: it
-- backs /usage (spend, cache hit rate, costliest articles) and the daily
-- token caps, so both survive a restart.
CREATE TABLE IF NOT EXISTS usage (
    guild_id          TEXT NOT NULL,
    day               TEXT NOT NULL, -- YYYY-MM-DD, UTC
    url               TEXT NOT NULL,
    title             TEXT NOT NULL DEFAULT '',
    answers           INTEGER NOT NULL DEFAULT 0, -- summaries answered
    cache_hits        INTEGER NOT NULL DEFAULT 0, -- of which from the cache
    calls             INTEGER NOT NULL DEFAULT 0, -- model calls
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day, url)
);

-- The global cap sums one day over every server.
CREATE INDEX IF NOT EXISTS usage_day ON usage (day);
