-- identify_slots spaces the gateway identifies of the Discord shards of
-- every process on this database: Discord allows one identify per 5
-- seconds per rate-limit bucket (shard_id % max_concurrency). at_ms is the
-- moment (unix milliseconds) last reserved for an identify in the bucket;
-- the next shard takes at least at_ms + the spacing.
CREATE TABLE IF NOT EXISTS identify_slots (
    bucket INTEGER NOT NULL PRIMARY KEY,
    at_ms  INTEGER NOT NULL
);
