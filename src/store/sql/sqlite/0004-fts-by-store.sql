-- The store indexes new complaints itself, once per transaction (sqlite.c fts_flush), instead
-- of this trigger indexing each row as it is inserted: FTS5 writes its pending terms as a new
-- index segment at every savepoint, and group commit runs each registration in its own
-- savepoint, so the trigger wrote the trigram index once per registration rather than once per
-- batch. The update and delete triggers stay: they only touch rows that are already indexed,
-- because the store indexes pending rows before any update of a complaint.
DROP TRIGGER complaints_fts_insert;
