-- summary_claims: which process is making the summary of a cache key now,
-- so that processes sharing one database call the model once per article.
-- A claim is taken over only when its lease has run out (its owner crashed
-- or hung without renewing it); the owner deletes it when its summary is
-- stored (or has failed). owner is a random id per process; lease_ms the
-- unix milliseconds until which the owner holds the key unless it renews.
CREATE TABLE summary_claims (
    url            TEXT NOT NULL,
    engine         TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    owner          TEXT NOT NULL,
    lease_ms       INTEGER NOT NULL,
    claimed_ms     INTEGER NOT NULL,
    PRIMARY KEY (url, engine, model, prompt_version)
);
