-- kesu schema 4 (PostgreSQL): nothing to change. On SQLite, schema 4 moved full-text indexing of
-- new complaints from a trigger into the store; PostgreSQL's pg_trgm indexes are ordinary
-- indexes and were never a trigger. This step keeps a schema version meaning the same on both
-- backends.
SELECT 1;
