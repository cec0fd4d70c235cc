-- The newest position (tx, id) the outbox retention has deleted. A stream resumed with a
-- Last-Event-ID below it has lost events to the retention, and says so instead of silently
-- continuing with the oldest event kept (docs/events.md, "The live stream"). Only published
-- rows past the retention are deleted, and every delete statement moves this one row forward;
-- the row lock is held for the end of one expiry statement per member round, which is rare.
CREATE TABLE outbox_expired (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    tx       bigint  NOT NULL DEFAULT 0,
    id       bigint  NOT NULL DEFAULT 0
);

INSERT INTO outbox_expired DEFAULT VALUES;

CREATE FUNCTION outbox_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outbox_expired e SET tx = d.tx, id = d.id
      FROM (SELECT o.tx, o.id FROM old_rows o ORDER BY o.tx DESC, o.id DESC LIMIT 1) AS d
     WHERE (e.tx, e.id) < (d.tx, d.id);
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_deleted AFTER DELETE ON outbox
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_deleted();
