-- /topic pools the server's newest topics whose name matches apart from
-- those matching anywhere (see pgPool): when names match rarely and point
-- texts often ("Putin"), the name pool reads the few name matches through
-- topic_fts_name instead of every text match through topic_fts_doc.
--
-- Both indexes are written through at once (fastupdate off). With the
-- default, new entries wait in a pending list that every search reads
-- through until VACUUM merges it: up to 4 MB, which at 300,000 topics made
-- a 1,000-match lookup 2.5 times slower. A summary adds a few topics, so
-- writing them into the index directly costs little.
CREATE INDEX topic_fts_name ON topic_fts USING gin (name_tsv) WITH (fastupdate = off);
ALTER INDEX topic_fts_doc SET (fastupdate = off);
