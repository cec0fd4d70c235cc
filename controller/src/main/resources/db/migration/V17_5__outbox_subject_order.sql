-- Fleet events in order per subject (docs/events.md, "Order and completeness").
--
-- Readers go through the outbox in (tx, id) order below the oldest running transaction. Until now
-- tx was the writing transaction's id, but PostgreSQL gives a transaction its id at its first
-- write, not when it takes the row lock of the host or task an event is about: a transaction
-- that wrote something else first, then waited for host H's row held by another, committed after
-- it yet sorted before it, so host.offline could be published before the host.online it follows
-- (and task.finished before a run.finished of a concurrent result batch).
--
-- Now tx is an ORDER key: the larger of the writer's transaction id and the tx of the subject's
-- latest event the writer can see. A trigger's statement sees every transaction that committed
-- before it (PL/pgSQL statements take a fresh snapshot under READ COMMITTED), and a writer that
-- waited for the subject's row lock runs after the holder committed, so each event sorts after
-- every event of its subject committed before it was written: per subject, (tx, id) is the order
-- of the row locks (ids come from the sequence after the lock, which breaks ties). Completeness
-- holds as before: tx is never below the writer's own id, so a row below the horizon belongs to
-- a finished transaction, and a transaction still running can only add rows above it.
--
-- The cost is one probe of this index per event, inside the statement that writes the events:
-- no counter row, no lock, nothing serialised that was not already.
CREATE INDEX outbox_subject ON outbox (subject, tx);

-- The order key of a new event of this subject, for writers outside the triggers below (the
-- domain check). The triggers spell the same expression inline: a SQL function with a sub-select
-- is not inlined by the planner, and called once per event it made a 20,000-event insert about
-- 45 % slower than the inline expression (docs/events.md).
CREATE FUNCTION outbox_tx(subject text) RETURNS bigint
    LANGUAGE sql VOLATILE
    AS $$ SELECT greatest(pg_current_xact_id()::text::bigint,
                          (SELECT max(o.tx) FROM outbox o WHERE o.subject = outbox_tx.subject)) $$;

-- No default: a writer that forgot outbox_tx() would silently bring the reordering back, so it
-- fails on NOT NULL instead.
ALTER TABLE outbox ALTER COLUMN tx DROP DEFAULT;
COMMENT ON COLUMN outbox.tx IS 'Order key: greatest(writing transaction id, tx of the subject''s latest visible event); see outbox_tx()';

CREATE OR REPLACE FUNCTION outbox_hosts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, host_id, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.id)),
           outbox_partition(n.id), t.type, n.id, n.id,
           jsonb_build_object('host', n.id, 'hostname', n.hostname, 'agentVersion', n.agent_version,
                              'state', n.state, 'lifecycle', n.lifecycle)
      FROM new_rows n
     CROSS JOIN (VALUES (1, 'host.registered'), (2, 'host.online')) AS t(ord, type)
     WHERE t.ord = 1 OR n.state = 'online'
     ORDER BY n.id, t.ord;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_hosts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, host_id, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = e.host_id)),
           outbox_partition(e.host_id), e.type, e.host_id, e.host_id, e.data FROM (
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

CREATE OR REPLACE FUNCTION outbox_host_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, host_id, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.host_id)),
           outbox_partition(n.host_id),
           CASE n.kind WHEN 'drift' THEN 'host.drift' ELSE 'host.clone_detected' END,
           n.host_id, n.host_id,
           jsonb_build_object('host', n.host_id, 'message', n.message, 'detail', coalesce(n.detail, '{}'::jsonb))
      FROM new_rows n
     WHERE n.kind = 'drift' OR (n.kind = 'clone_detected' AND n.actor = 'controller')
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_tasks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.id::text)),
           outbox_partition(n.id::text), 'task.created', n.id::text,
           jsonb_build_object('task', n.id, 'kind', n.kind, 'target', n.target, 'total', n.total,
                              'dryRun', n.dry_run, 'createdBy', n.created_by)
      FROM new_rows n
     ORDER BY n.id;
    RETURN NULL;
END $$;

-- The runs of one task are not under one row lock: two result batches finish two of its runs
-- concurrently, and their run.finished events are ordered as each statement saw the other's.
-- task.finished is written after the per-task advisory lock, by the statement that saw every run
-- ended, i.e. after every other run's transaction committed: its order key sees all their
-- run.finished and sorts after them.
CREATE OR REPLACE FUNCTION outbox_runs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    finished uuid[];
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, host_id, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.task_id::text)),
           outbox_partition(n.task_id::text), 'run.finished', n.task_id::text, n.host_id,
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
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = c.task_id::text)),
           outbox_partition(c.task_id::text), 'task.finished', c.task_id::text,
           jsonb_build_object('task', c.task_id, 'counts', c.counts, 'total', c.total)
      FROM (SELECT r.task_id, jsonb_object_agg(r.state, r.n) AS counts, sum(r.n) AS total
              FROM (SELECT task_id, state, count(*) AS n FROM runs WHERE task_id = ANY (finished)
                     GROUP BY task_id, state) AS r
             GROUP BY r.task_id
            HAVING NOT bool_or(r.state IN ('pending', 'running'))) AS c
     ORDER BY c.task_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_audit_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data, at)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = coalesce(n.target, n.action))),
           outbox_partition(coalesce(n.target, n.action)), 'audit.recorded',
           coalesce(n.target, n.action),
           jsonb_build_object('action', n.action, 'target', n.target, 'outcome', n.outcome, 'actorId', n.actor_id,
                              'actorName', n.actor_name, 'detail', n.detail, 'at', n.at),
           n.at
      FROM new_rows n
     ORDER BY n.id;
    RETURN NULL;
END $$;
