-- A briefing claim has an owner and a lease, so that several processes on
-- one database post each slot once: a claim is taken over only when its
-- lease has run out (its owner crashed or hung), never while its owner is
-- still posting. owner is a random id per process ('' for claims made
-- before this migration); lease_ms the unix milliseconds until which the
-- owner holds the slot (0: expired, as for those older claims); attempts
-- counts the claims of the slot, so a later one knows an earlier attempt
-- may have posted parts already.
ALTER TABLE briefings ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE briefings ADD COLUMN lease_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE briefings ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
