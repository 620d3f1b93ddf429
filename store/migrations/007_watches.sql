-- watches are the /watch subscriptions: a server follows a topic (query)
-- and hears in channel_id when its status changes. status is the topic's
-- status when the watch last looked ('' before it first found the topic),
-- so a change is told against what was last seen.
CREATE TABLE IF NOT EXISTS watches (
    id         INTEGER PRIMARY KEY,
    guild_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    query      TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL,
    UNIQUE (guild_id, query)
);

-- watch_alerts record each status change a watch tells, under (guild,
-- watch, change key), claimed before posting and marked posted after, as
-- briefings are: a change is posted at most once, by one process, across
-- restarts. A claim whose lease ran out without being posted is taken
-- over; attempts > 1 tells the taker to look for an earlier post first.
CREATE TABLE IF NOT EXISTS watch_alerts (
    guild_id   TEXT NOT NULL,
    watch_id   INTEGER NOT NULL,
    change_key TEXT NOT NULL,
    owner      TEXT NOT NULL,
    lease_ms   INTEGER NOT NULL,
    claimed_ms INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    posted_ms  INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (guild_id, watch_id, change_key)
);
