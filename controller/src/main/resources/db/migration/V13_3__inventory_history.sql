-- Inventory history (issue 13): every applied inventory change of a fact, kept old and new, in a
-- table partitioned by day so that expiry drops whole partitions instead of deleting rows.
-- Written by a statement-level trigger in the transaction of the inventory write (one INSERT
-- per statement). A host's first inventory is not a change and is not recorded.

CREATE SEQUENCE inventory_changes_id_seq;

CREATE TABLE inventory_changes (
    id        bigint      NOT NULL DEFAULT nextval('inventory_changes_id_seq'),
    host_id   text        NOT NULL,
    key       text        NOT NULL,
    old_value jsonb,
    new_value jsonb,
    at        timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);

CREATE INDEX inventory_changes_host ON inventory_changes (host_id, id);
CREATE INDEX inventory_changes_key ON inventory_changes (key, id);
CREATE INDEX inventory_changes_id ON inventory_changes (id);

-- Rows of a day without its partition (maintenance late) land here and are deleted past retention.
CREATE TABLE inventory_changes_default PARTITION OF inventory_changes DEFAULT;

-- Creates the daily partitions from today to days_ahead and drops those wholly older than
-- retention; safe to call from every member at once (serialized by an advisory lock).
-- Days are UTC days whatever the session's time zone, so every member names the same ranges.
CREATE FUNCTION inventory_history_maintain(days_ahead integer, retention interval) RETURNS void
    LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
    day date;
    part record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('muster.inventory-history'));
    FOR i IN 0..days_ahead LOOP
        day := current_date + i;
        IF to_regclass('inventory_changes_' || to_char(day, 'YYYYMMDD')) IS NULL
           AND NOT EXISTS (SELECT 1 FROM inventory_changes_default WHERE at >= day AND at < day + 1) THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF inventory_changes FOR VALUES FROM (%L) TO (%L)',
                           'inventory_changes_' || to_char(day, 'YYYYMMDD'), day, day + 1);
        END IF;
    END LOOP;
    FOR part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'inventory_changes'::regclass AND c.relname ~ '^inventory_changes_[0-9]{8}$'
           AND to_date(substring(c.relname FROM '[0-9]{8}$'), 'YYYYMMDD') + 1 < now() - retention
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
    END LOOP;
    DELETE FROM inventory_changes_default WHERE at < now() - retention;
END $$;

SELECT inventory_history_maintain(7, interval '90 days');

CREATE FUNCTION inventory_history_hosts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inventory_changes (host_id, key, old_value, new_value)
    SELECT n.id, k, o.facts -> k, n.facts -> k
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     CROSS JOIN LATERAL jsonb_object_keys(o.facts || n.facts) AS k
     WHERE o.inventory_digest IS NOT NULL AND n.inventory_digest IS DISTINCT FROM o.inventory_digest
       AND (o.facts -> k) IS DISTINCT FROM (n.facts -> k)
     ORDER BY n.id, k;
    RETURN NULL;
END $$;

CREATE TRIGGER inventory_history_hosts_updated AFTER UPDATE ON hosts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION inventory_history_hosts_updated();
