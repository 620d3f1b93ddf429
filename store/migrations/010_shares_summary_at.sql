-- /topic looks up, per matching summary, the server's latest share of it:
-- an index ending in at_ms answers that with one probe, without reading
-- the shares themselves. It replaces shares_guild_summary, of which it is
-- a prefix-extension. Without it SQLite picks shares_guild_at for that
-- lookup and reads every share of the server once per matching summary.
DROP INDEX shares_guild_summary;
CREATE INDEX shares_guild_summary_at ON shares (guild_id, url, engine, model, prompt_version, at_ms);
