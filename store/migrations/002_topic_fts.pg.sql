-- PostgreSQL's version of 002_topic_fts.sql: a full-text entry per summary
-- topic, kept in step by SaveSummary in the summary's transaction.
--
-- The briefbot configuration stems words with snowball English (the
-- porter stemmer's successor: "strikes" finds "strike") and, unlike the
-- built-in english configuration, has no stopword list, so that every
-- word of a search counts as it does in FTS5. The store hands it text
-- already split into lower-case, accent-free words (see pgFTSText).
CREATE TEXT SEARCH DICTIONARY briefbot_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION briefbot (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION briefbot
    ALTER MAPPING FOR asciiword, word, hword_asciipart, hword_part, asciihword, hword WITH briefbot_stem;

-- name_tsv holds the topic's name; doc_tsv the name (weight A) and the
-- point texts (weight D), for matching anywhere and for ranking.
CREATE TABLE topic_fts (
    topic_id BIGINT PRIMARY KEY REFERENCES summary_topics (id) ON DELETE CASCADE,
    name_tsv tsvector NOT NULL,
    doc_tsv  tsvector NOT NULL
);
CREATE INDEX topic_fts_doc ON topic_fts USING gin (doc_tsv);
