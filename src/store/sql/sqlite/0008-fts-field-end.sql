-- kesu schema 8: complaints_fts indexes each field with U+001F (a control character that
-- complaint text does not hold) appended, so a two-character word at the very end of a field
-- still forms a trigram ("word" + U+001F). A two-character search then reads the trigrams that
-- start with its word from complaints_fts_terms and matches any of them in the index, instead
-- of scanning every title and description with LIKE (sqlite.c add_text_filter). The index is
-- external content: a delete must give the text exactly as it was indexed, hence the triggers
-- append the same character, and the store's own indexing (ST_FTS_INDEX) too.
DROP TRIGGER complaints_fts_delete;
DROP TRIGGER complaints_fts_update;
CREATE TRIGGER complaints_fts_delete AFTER DELETE ON complaints BEGIN
    INSERT INTO complaints_fts(complaints_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title || char(31), old.description || char(31));
END;
CREATE TRIGGER complaints_fts_update AFTER UPDATE OF title, description ON complaints BEGIN
    INSERT INTO complaints_fts(complaints_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title || char(31), old.description || char(31));
    INSERT INTO complaints_fts(rowid, title, description)
    VALUES (new.id, new.title || char(31), new.description || char(31));
END;
INSERT INTO complaints_fts(complaints_fts) VALUES ('delete-all');
INSERT INTO complaints_fts(rowid, title, description)
    SELECT id, title || char(31), description || char(31) FROM complaints;
-- One segment: the bulk insert leaves the index in many, and every later commit's automerge
-- then works through them (an index commit took 5 times as long until this merge).
INSERT INTO complaints_fts(complaints_fts) VALUES ('optimize');
-- The index's terms in order, one row per occurrence: a query for the first term >= ?1 seeks
-- there and stops (the row type would first count every occurrence of each term it returns).
CREATE VIRTUAL TABLE complaints_fts_terms USING fts5vocab(complaints_fts, instance);
