-- Aliases come only from what briefbot read at a link itself.
--
-- Until now a page's declared canonical link or og:url was stored in
-- aliases as a name of the page, and followed before the cache: any page
-- could make another URL answer with its summary. Those rows cannot be
-- told apart from the ones redirects left, so the table goes, and with it
-- every old row; the cost is one fetch (no engine run) the next time such
-- a link is pasted. A new table, rather than the old one emptied, keeps a
-- process of the previous version that is still running from writing
-- rows this version would follow.
DROP TABLE aliases;

-- link_aliases says which cache entry answers for a link: the article a
-- redirect briefbot followed led to (text_hash empty), or an article whose
-- text was the text the link served (text_hash that text's hash; the
-- alias holds only while the target's entry has it).
CREATE TABLE link_aliases (
    url        TEXT PRIMARY KEY,
    target     TEXT NOT NULL,
    text_hash  TEXT NOT NULL DEFAULT '',
    updated_ms INTEGER NOT NULL
);
