-- SQLite only: FTS5 full-text index over each summary topic's name and point
-- texts. rowid = summary_topics.id. Kept in step by SaveSummary (delete and
-- insert in the summary's transaction). A server database provides its own
-- equivalent behind the same store methods.
--
-- porter stems English ("strikes" finds "strike"); unicode61 with
-- remove_diacritics 2 folds case and accents ("Zelenský" finds "Zelensky").
CREATE VIRTUAL TABLE topic_fts USING fts5 (
    name,
    points,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
