-- A summary's quotes move out of its topics into a column of their own:
-- [["quote of point 1", …] per topic]. A daily briefing reads every
-- summary shared that day and shows no quotes; decoding them was a third
-- of its store read. Rows written before keep their quotes inside topics,
-- and quotes empty; both forms are read.
ALTER TABLE summaries ADD COLUMN quotes TEXT NOT NULL DEFAULT '';
