-- Fleet events (issue 13): a transactional outbox. Statement-level triggers on the tables that
-- describe the fleet write one outbox row per change IN THE SAME TRANSACTION as the change, with
-- one INSERT per statement (a batched connect or last-seen flush stays one statement). The relay
-- (io.muster.controller.event.OutboxRelay) publishes the rows; see docs/events.md.

-- Number of relay partitions: a subject (host id, task id) always falls in the same one, so its
-- events are published in order by the one member that owns the partition.
CREATE FUNCTION outbox_partition(subject text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (abs(hashtext(subject)::bigint) % 64)::smallint $$;

CREATE TABLE outbox (
    id        bigserial   PRIMARY KEY,
    -- The writing transaction (64-bit id). Readers go in (tx, id) order and only below the oldest
    -- transaction still running, so a row whose transaction commits late is never skipped.
    tx        bigint      NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    partition smallint    NOT NULL,
    type      text        NOT NULL,
    subject   text        NOT NULL,
    -- The host the event is about, when there is one (webhook and stream selectors match on it).
    host_id   text,
    data      jsonb       NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_relay ON outbox (partition, tx, id);
CREATE INDEX outbox_stream ON outbox (tx, id);

-- How far the relay has published each partition (the last (tx, id) every sink acknowledged).
CREATE TABLE outbox_positions (
    partition    smallint    PRIMARY KEY,
    tx           bigint      NOT NULL DEFAULT 0,
    id           bigint      NOT NULL DEFAULT 0,
    published_at timestamptz
);

INSERT INTO outbox_positions (partition) SELECT generate_series(0, 63);

-- host.registered and host.online for new hosts (the connect batch's INSERT ... ON CONFLICT).
CREATE FUNCTION outbox_hosts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, host_id, data)
    SELECT outbox_partition(n.id), t.type, n.id, n.id,
           jsonb_build_object('host', n.id, 'hostname', n.hostname, 'agentVersion', n.agent_version,
                              'state', n.state, 'lifecycle', n.lifecycle)
      FROM new_rows n
     CROSS JOIN (VALUES (1, 'host.registered'), (2, 'host.online')) AS t(ord, type)
     WHERE t.ord = 1 OR n.state = 'online'
     ORDER BY n.id, t.ord;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_hosts_inserted AFTER INSERT ON hosts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_hosts_inserted();

-- Liveness transitions, inventory deltas (facts: key, old, new), labels and lifecycle changes.
-- Heartbeat flushes that change nothing but last_seen produce no row.
CREATE FUNCTION outbox_hosts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, host_id, data)
    SELECT outbox_partition(e.host_id), e.type, e.host_id, e.host_id, e.data FROM (
        SELECT n.id AS host_id, 1 AS ord,
               CASE n.state WHEN 'online' THEN 'host.online' ELSE 'host.offline' END AS type,
               jsonb_build_object('host', n.id, 'state', n.state, 'previous', o.state, 'lastSeen', n.last_seen) AS data
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.state IS DISTINCT FROM o.state
        UNION ALL
        SELECT n.id, 2, 'host.inventory.changed',
               jsonb_build_object('host', n.id, 'digest', n.inventory_digest, 'previousDigest', o.inventory_digest,
                   'changes', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', k, 'old', o.facts -> k, 'new', n.facts -> k)
                                                        ORDER BY k), '[]'::jsonb)
                                 FROM jsonb_object_keys(o.facts || n.facts) AS k
                                WHERE (o.facts -> k) IS DISTINCT FROM (n.facts -> k)))
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.inventory_digest IS DISTINCT FROM o.inventory_digest
        UNION ALL
        SELECT n.id, 3, 'host.labels.changed',
               jsonb_build_object('host', n.id, 'labels', n.labels, 'previous', o.labels)
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.labels IS DISTINCT FROM o.labels
        UNION ALL
        SELECT n.id, 4, 'host.lifecycle.changed',
               jsonb_build_object('host', n.id, 'lifecycle', n.lifecycle, 'previous', o.lifecycle)
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.lifecycle IS DISTINCT FROM o.lifecycle
    ) AS e
    ORDER BY e.host_id, e.ord;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_hosts_updated AFTER UPDATE ON hosts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_hosts_updated();

-- Drift reported by agents (host events of kind "drift").
CREATE FUNCTION outbox_host_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, host_id, data)
    SELECT outbox_partition(n.host_id), 'host.drift', n.host_id, n.host_id,
           jsonb_build_object('host', n.host_id, 'message', n.message, 'detail', coalesce(n.detail, '{}'::jsonb))
      FROM new_rows n
     WHERE n.kind = 'drift'
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_host_events_inserted AFTER INSERT ON host_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_host_events_inserted();

CREATE FUNCTION outbox_tasks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.id::text), 'task.created', n.id::text,
           jsonb_build_object('task', n.id, 'kind', n.kind, 'target', n.target, 'total', n.total,
                              'dryRun', n.dry_run, 'createdBy', n.created_by)
      FROM new_rows n
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_tasks_inserted AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_tasks_inserted();

-- run.finished when a run reaches a terminal state (output by link: it can be a MiB), then
-- task.finished with the counts once no run of the task is open. Runs of one task are finished by
-- concurrent statements (result batches of several members, sweeps): a transaction-scoped lock per
-- task, taken in task order, makes the statement that finishes the last run the one that sees it.
CREATE FUNCTION outbox_runs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    finished uuid[];
BEGIN
    INSERT INTO outbox (partition, type, subject, host_id, data)
    SELECT outbox_partition(n.task_id::text), 'run.finished', n.task_id::text, n.host_id,
           jsonb_build_object('task', n.task_id, 'run', n.id, 'host', n.host_id, 'state', n.state,
                              'exitCode', n.exit_code, 'reason', n.reason, 'truncated', n.truncated,
                              'output', '/api/v1/tasks/' || n.task_id || '/runs')
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.state IN ('pending', 'running') AND n.state NOT IN ('pending', 'running')
     ORDER BY n.task_id, n.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(DISTINCT n.task_id ORDER BY n.task_id) INTO finished
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.state IN ('pending', 'running') AND n.state NOT IN ('pending', 'running');
    PERFORM pg_advisory_xact_lock(hashtext('muster.task-finished'), hashtext(t::text))
       FROM unnest(finished) AS t;
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(c.task_id::text), 'task.finished', c.task_id::text,
           jsonb_build_object('task', c.task_id, 'counts', c.counts, 'total', c.total)
      FROM (SELECT r.task_id, jsonb_object_agg(r.state, r.n) AS counts, sum(r.n) AS total
              FROM (SELECT task_id, state, count(*) AS n FROM runs WHERE task_id = ANY (finished)
                     GROUP BY task_id, state) AS r
             GROUP BY r.task_id
            HAVING NOT bool_or(r.state IN ('pending', 'running'))) AS c
     ORDER BY c.task_id;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_runs_updated AFTER UPDATE ON runs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_runs_updated();

CREATE FUNCTION outbox_audit_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data, at)
    SELECT outbox_partition(coalesce(n.target, n.action)), 'audit.recorded', coalesce(n.target, n.action),
           jsonb_build_object('action', n.action, 'target', n.target, 'outcome', n.outcome, 'actorId', n.actor_id,
                              'actorName', n.actor_name, 'detail', n.detail, 'at', n.at),
           n.at
      FROM new_rows n
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_audit_inserted AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_audit_inserted();
