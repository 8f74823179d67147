-- kesu schema 7 (PostgreSQL): the customer indexes also key the defect, so the repeat rule's
-- count at each registration (same customer, same defect, this month) reads only the matching
-- entries instead of every complaint of the customer's month. A customer's list filter is an OR
-- of the two columns (a bitmap OR, sorted afterwards), which never used the indexes' order.
DROP INDEX complaints_customer_code;
DROP INDEX complaints_customer_name;
CREATE INDEX complaints_customer_code ON complaints(customer_code, defect, received_at, id);
CREATE INDEX complaints_customer_name ON complaints(customer_name, defect, received_at, id);
