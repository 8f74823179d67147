-- kesu schema 6 (PostgreSQL), the same columns and indexes as
-- sql/sqlite/0006-closing-and-surge.sql: what reports need from the timeline kept on the
-- complaint row, and indexes for surge detection.
-- complaints.closed_at is when the transition that closed the complaint happened (NULL while it
-- is not closed) and complaints.reopened counts its reopenings (replied, follow_up or closed ->
-- investigating). The store writes both when it appends a transition event (pg.c
-- pg_event_append); they are not complaint fields (no API or edit writes them). Here they are
-- filled from the events already stored, one grouped pass over the timeline each.
-- complaints_product_batch and complaints_product_defect serve the surge rules that count a
-- product's batch or defect in a time window at every registration (manufacturing preset).
ALTER TABLE complaints ADD COLUMN closed_at BIGINT;
ALTER TABLE complaints ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
UPDATE complaints AS c SET closed_at = e.at
    FROM (SELECT complaint_id, max(at) AS at FROM events
          WHERE kind = 'transition' AND to_state = 'closed' GROUP BY complaint_id) AS e
    WHERE c.id = e.complaint_id AND c.status = 'closed';
UPDATE complaints AS c SET reopened = e.n
    FROM (SELECT complaint_id, count(*) AS n FROM events
          WHERE kind = 'transition' AND to_state = 'investigating'
            AND from_state IN ('replied', 'follow_up', 'closed')
          GROUP BY complaint_id) AS e
    WHERE c.id = e.complaint_id;
CREATE INDEX complaints_product_batch ON complaints(product, batch_no, received_at, id);
CREATE INDEX complaints_product_defect ON complaints(product, defect, received_at, id);
