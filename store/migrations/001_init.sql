-- Portable schema: TEXT and INTEGER columns only, timestamps as INTEGER unix
-- milliseconds (0 when unknown), durations as INTEGER nanoseconds, lists as
-- JSON text. The one SQLite-ism is "INTEGER PRIMARY KEY" for generated ids
-- (an identity column elsewhere).

-- articles holds the latest known facts about each canonical URL.
CREATE TABLE articles (
    url          TEXT PRIMARY KEY,
    final_url    TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    site         TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL DEFAULT '',
    published_ms INTEGER NOT NULL DEFAULT 0,
    quality      TEXT NOT NULL DEFAULT '',
    word_count   INTEGER NOT NULL DEFAULT 0,
    text_hash    TEXT NOT NULL DEFAULT '',
    updated_ms   INTEGER NOT NULL
);

-- summaries is the cache: one ledger per (article, engine, model, prompt
-- version). The article fields are copied so a summary reads back exactly as
-- it was made, even after the article changed.
CREATE TABLE summaries (
    id                INTEGER PRIMARY KEY,
    url               TEXT NOT NULL REFERENCES articles (url),
    engine            TEXT NOT NULL,
    model             TEXT NOT NULL,
    prompt_version    TEXT NOT NULL,
    final_url         TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    site              TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT '',
    published_ms      INTEGER NOT NULL DEFAULT 0,
    quality           TEXT NOT NULL DEFAULT '',
    word_count        INTEGER NOT NULL DEFAULT 0,
    text_hash         TEXT NOT NULL DEFAULT '',
    topics            TEXT NOT NULL DEFAULT '[]', -- JSON []summarize.Topic
    notes             TEXT NOT NULL DEFAULT '[]', -- JSON []string
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    llm_calls         INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    elapsed_ns        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (url, engine, model, prompt_version)
);

-- summary_topics lists each summary's topics in order; its id is the rowid
-- of the topic's full-text entry.
CREATE TABLE summary_topics (
    id         INTEGER PRIMARY KEY,
    summary_id INTEGER NOT NULL REFERENCES summaries (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    topic_key  TEXT NOT NULL,
    UNIQUE (summary_id, idx)
);

-- aliases maps a page's declared canonical or og:url (or any other URL
-- known to lead to it) to the canonical cache key.
CREATE TABLE aliases (
    alias      TEXT PRIMARY KEY,
    canonical  TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);

-- shares records who showed which summary in which server. Every topic
-- lookup and briefing filters on guild_id.
CREATE TABLE shares (
    guild_id       TEXT NOT NULL,
    channel_id     TEXT NOT NULL DEFAULT '',
    message_id     TEXT NOT NULL DEFAULT '',
    user_id        TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL,
    engine         TEXT NOT NULL DEFAULT '',
    model          TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    at_ms          INTEGER NOT NULL
);
CREATE INDEX shares_guild_at ON shares (guild_id, at_ms);
CREATE INDEX shares_guild_summary ON shares (guild_id, url, engine, model, prompt_version);
-- A message shares a given summary once, however often it is recorded.
CREATE UNIQUE INDEX shares_message ON shares (guild_id, channel_id, message_id, url, engine, model, prompt_version)
    WHERE message_id <> '';

CREATE TABLE guild_settings (
    guild_id             TEXT PRIMARY KEY,
    auto_summarize       TEXT NOT NULL DEFAULT '',
    reply_mode           TEXT NOT NULL DEFAULT '',
    language             TEXT NOT NULL DEFAULT '',
    show_ungrounded      INTEGER NOT NULL DEFAULT 0,
    quiet_empty_briefing INTEGER NOT NULL DEFAULT 0,
    updated_ms           INTEGER NOT NULL
);

CREATE TABLE schedules (
    guild_id   TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    cron       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);

-- briefings: the slot (guild, channel, scheduled time) is the key, so a
-- slot is claimed, posted or skipped exactly once.
CREATE TABLE briefings (
    guild_id    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    slot_ms     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    message_ids TEXT NOT NULL DEFAULT '[]', -- JSON []string
    ledger      TEXT,                       -- JSON owned by package schedule; NULL until posted
    late        INTEGER NOT NULL DEFAULT 0,
    claimed_ms  INTEGER NOT NULL DEFAULT 0,
    posted_ms   INTEGER NOT NULL DEFAULT 0,
    updated_ms  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id, slot_ms)
);
CREATE INDEX briefings_guild_slot ON briefings (guild_id, slot_ms);
