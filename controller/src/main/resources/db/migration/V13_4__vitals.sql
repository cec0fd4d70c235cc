-- Vitals (issue 13): the latest heartbeat figures on the host row (written by the batched
-- last-seen flush, selectable like facts: load.1m>8), and a series per host downsampled to
-- 5-minute buckets (min/sum/max and the number of samples), partitioned by UTC day so that
-- expiry drops whole partitions. A member writes a bucket once it has closed; a host that moved
-- between members in the middle of a bucket has its two halves merged by the upsert.

ALTER TABLE hosts ADD COLUMN vitals jsonb;

CREATE TABLE host_vitals (
    host_id   text             NOT NULL,
    bucket    timestamptz      NOT NULL,
    samples   integer          NOT NULL,
    load1_min double precision NOT NULL,
    load1_sum double precision NOT NULL,
    load1_max double precision NOT NULL,
    cpu_min   double precision NOT NULL,
    cpu_sum   double precision NOT NULL,
    cpu_max   double precision NOT NULL,
    mem_min   bigint           NOT NULL,
    mem_sum   double precision NOT NULL,
    mem_max   bigint           NOT NULL,
    uptime_s  bigint           NOT NULL,
    PRIMARY KEY (host_id, bucket)
) PARTITION BY RANGE (bucket);

-- Rows of a day without its partition (maintenance late) land here and are deleted past retention.
CREATE TABLE host_vitals_default PARTITION OF host_vitals DEFAULT;

-- Creates the daily partitions from today to days_ahead and drops those wholly older than
-- retention; safe to call from every member at once (serialized by an advisory lock). UTC days.
CREATE FUNCTION host_vitals_maintain(days_ahead integer, retention interval) RETURNS void
    LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
    day date;
    part record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('muster.host-vitals'));
    FOR i IN 0..days_ahead LOOP
        day := current_date + i;
        IF to_regclass('host_vitals_' || to_char(day, 'YYYYMMDD')) IS NULL
           AND NOT EXISTS (SELECT 1 FROM host_vitals_default WHERE bucket >= day AND bucket < day + 1) THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF host_vitals FOR VALUES FROM (%L) TO (%L)',
                           'host_vitals_' || to_char(day, 'YYYYMMDD'), day, day + 1);
        END IF;
    END LOOP;
    FOR part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'host_vitals'::regclass AND c.relname ~ '^host_vitals_[0-9]{8}$'
           AND to_date(substring(c.relname FROM '[0-9]{8}$'), 'YYYYMMDD') + 1 < now() - retention
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
    END LOOP;
    DELETE FROM host_vitals_default WHERE bucket < now() - retention;
END $$;

SELECT host_vitals_maintain(2, interval '7 days');
