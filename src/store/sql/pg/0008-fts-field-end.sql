-- kesu schema 8 (PostgreSQL): nothing to change. On SQLite, schema 8 re-indexed complaints_fts
-- so that two-character words are found through its trigram index; PostgreSQL's search is
-- unchanged. This step keeps a schema version meaning the same on both backends.
SELECT 1;
