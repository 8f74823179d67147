-- kesu schema 7 (SQLite): the customer indexes also key the defect, so the repeat rule's count
-- at each registration (same customer, same defect, this month: store_complaint_count_repeats)
-- reads only the matching entries. Keyed (customer, received_at), it read every complaint of
-- the customer's month and looked each row up for its defect: 561 rows for the busiest
-- customer of the 1,000,000-complaint benchmark database, most of them off the page cache.
-- A customer's list filter still finds its rows through the same index.
DROP INDEX complaints_customer_code;
DROP INDEX complaints_customer_name;
CREATE INDEX complaints_customer_code ON complaints(customer_code, defect, received_at);
CREATE INDEX complaints_customer_name ON complaints(customer_name, defect, received_at);
