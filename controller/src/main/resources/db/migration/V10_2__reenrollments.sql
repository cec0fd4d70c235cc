-- An admin's permission for an already enrolled host id to enroll once more (a reinstalled host
-- that lost its key). The next enrollment of that host consumes it; it is void after its time.
CREATE TABLE reenrollments (
    host_id       text        PRIMARY KEY,
    allowed_until timestamptz NOT NULL,
    allowed_by    text
);
